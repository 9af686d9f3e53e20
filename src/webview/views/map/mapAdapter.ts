/**
 * The one place where state becomes what the map draws (TensorBoard projector's
 * projectorScatterPlotAdapter): the run's positions and labels plus the user's view state
 * (hidden labels, pin, probe, hover, point size, viewport) → a MapFrame of typed arrays and the
 * props of the controlled PointMap. Per-point colours are recomputed only when the points, the
 * hidden labels, the colouring, the selection or the theme changed. Colour by a quantity uses
 * viridis (inspector/colorScale.ts); with a selection, the other points are greyed (not hidden)
 * and drawn first, so the selection stays on top.
 */
import * as d3 from 'd3';
import type { RunData } from '../../data/runData';
import type { ColorBy, MapOverlays, SelectMode, Selection, ViewState, Viewport } from '../../store/viewState';
import { labelPalette, readTheme, toAbgr } from '../../theme';
import { shownMapText } from '../header';
import { colourByValue, quantityOf, type ContinuousScale } from '../inspector/colorScale';

/** The points to draw, as typed arrays. */
export interface MapFrame {
  x: Float32Array | null;
  y: Float32Array | null;
  /** Per point: 0xAABBGGRR for a little-endian Uint32 view of ImageData; 0 = hidden. */
  colors: Uint32Array;
  /** Per label: CSS colour (legend swatches, the hover ring's fill). */
  palette: string[];
  labelIndex: Uint16Array;
  count: number;
  /** Tooltip lines of point i (text only: names come from the user's disk). */
  describe(i: number): { file: string; label: string };
  /** Accessible name of the map without the zoom part. */
  name: string;
  /** Changes whenever positions or colours change (the map rebuilds its hit index on it). */
  version: number;
  // c-inspect (issue 15)
  /** Drawing order (later on top), or null for dataset order. */
  order: Uint32Array | null;
  /** The continuous scale when coloured by a quantity (null: by label). */
  scale: ContinuousScale | null;
  /** Selected points (null: no selection). */
  selected: Selection | null;
  /** Changes only when positions change (the map's hit index keys on it; visibility is read from `colors` at query time). */
  hitKey: string;
}

/** Everything the controlled map draws. */
export interface MapProps {
  frame: MapFrame;
  hovered: number | null;
  /** Point index of the pinned point (the store keeps its dataset row). */
  pinned: number | null;
  probe: { x: number; y: number } | null;
  pointSize: number;
  viewport: Viewport | null;
  // c-inspect (issue 15)
  overlays: MapOverlays;
  selectMode: SelectMode;
}

const FALLBACK = 0xff888888;

export class MapAdapter {
  private frame: MapFrame | null = null;
  private key = '';
  private version = 0;

  constructor(private data: RunData) {}

  /** The frame for the current data, hidden labels, colouring, selection and theme (`themeStamp` bumps on a theme change). */
  frameFor(hidden: readonly string[], themeStamp: number, colorBy: ColorBy = 'label', selection: Selection | null = null): MapFrame {
    const d = this.data;
    const q = colorBy === 'label' ? '' : colorBy.startsWith('mu:') ? `${colorBy}@${d.latentsVersion}` : `${colorBy}@${d.perImageVersion}`;
    const key = `${d.version}|${themeStamp}|${hidden.join('\u0000')}|${q}|${selection?.id ?? ''}`;
    if (this.frame && key === this.key) return this.frame;
    this.key = key;
    const palette = labelPalette(d.labels.length);
    const labelColors = Uint32Array.from(palette, toAbgr);
    const visible = d.visibleMask(hidden);
    const n = d.x ? d.x.length : 0;
    const quantity = colorBy === 'label' ? null : quantityOf(d, colorBy);
    let colors: Uint32Array = new Uint32Array(n);
    let scale: ContinuousScale | null = null;
    let order: Uint32Array | null = null;
    if (quantity && quantity.values.length === n) {
      const v = quantity.values;
      ({ colors, scale } = colourByValue(v, (i) => visible[d.labelIndex[i]] !== false, quantity.name));
      // High values on top: the extremes stay visible in a dense map.
      order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => (v[a] || 0) - (v[b] || 0));
    } else {
      for (let i = 0; i < n; i++) {
        const l = d.labelIndex[i];
        if (visible[l] === false) continue;
        colors[i] = labelColors[l] ?? FALLBACK;
      }
    }
    if (selection && n) {
      const t = readTheme();
      const grey = toAbgr(d3.interpolateRgb(t.background, t.foreground)(0.22));
      const inSel = new Uint8Array(n);
      let selCount = 0;
      for (const i of selection.points) if (i < n && !inSel[i]) { inSel[i] = 1; selCount++; }
      const base = order ?? Uint32Array.from({ length: n }, (_, i) => i);
      const sorted = new Uint32Array(n);
      let a = 0, b = n - selCount;
      for (const i of base) {
        if (inSel[i]) sorted[b++] = i;
        else { if (colors[i] !== 0) colors[i] = grey; sorted[a++] = i; }
      }
      order = sorted;
    }
    const shown = d.shownCount(visible).toLocaleString('en-US');
    const nl = d.shownLabels(visible);
    const method = d.method === 'none' ? 'no projection yet' : shownMapText(d, ', computed here'); // the timeline's epoch when it shows an older one
    const xy = d.timelineXY ?? d; // epoch replay: the timeline's epoch instead of the latest layout (views/timeline)
    this.frame = {
      x: xy.x,
      y: xy.y,
      colors,
      palette,
      labelIndex: d.labelIndex,
      count: d.count,
      describe: (i) => ({ file: d.files[i] ?? '', label: (d.labels[d.labelIndex[i]] ?? '') + (d.split[i] ? ' · validation' : '') }),
      name: `Latent map: ${shown} points, ${nl} ${nl === 1 ? 'label' : 'labels'} shown (${method})` +
        (scale ? `, coloured by ${scale.name}` : '') + (selection ? `, ${selection.points.length.toLocaleString('en-US')} selected` : ''),
      version: ++this.version,
      order,
      scale,
      selected: selection,
      hitKey: String(d.version),
    };
    return this.frame;
  }

  /** The map's props from the view state. */
  props(view: Readonly<ViewState>, themeStamp: number): MapProps {
    const frame = this.frameFor(view.hiddenLabels, themeStamp, view.colorBy, view.selection);
    const pinned = view.pinnedRow === null ? null : this.data.rowToPoint(view.pinnedRow);
    return {
      frame,
      hovered: view.hovered !== null && view.hovered < frame.count && frame.colors[view.hovered] !== 0 ? view.hovered : null,
      pinned,
      probe: view.probe,
      pointSize: view.pointSize,
      viewport: view.viewport,
      overlays: view.mapOverlays,
      selectMode: view.selectMode,
    };
  }
}
