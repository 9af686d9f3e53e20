/**
 * The one place where state becomes what the map draws (TensorBoard projector's
 * projectorScatterPlotAdapter): the run's positions and labels plus the user's view state
 * (hidden labels, pin, probe, hover, point size, viewport) → a MapFrame of typed arrays and the
 * props of the controlled PointMap. Per-point colours are recomputed only when the points, the
 * hidden labels or the theme changed.
 */
import type { RunData } from '../../data/runData';
import type { ViewState, Viewport } from '../../store/viewState';
import { labelPalette, toAbgr } from '../../theme';

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
}

const FALLBACK = 0xff888888;

export class MapAdapter {
  private frame: MapFrame | null = null;
  private key = '';
  private version = 0;

  constructor(private data: RunData) {}

  /** The frame for the current data, hidden labels and theme (`themeStamp` bumps on a theme change). */
  frameFor(hidden: readonly string[], themeStamp: number): MapFrame {
    const d = this.data;
    const key = `${d.version}|${themeStamp}|${hidden.join('\u0000')}`;
    if (this.frame && key === this.key) return this.frame;
    this.key = key;
    const palette = labelPalette(d.labels.length);
    const labelColors = Uint32Array.from(palette, toAbgr);
    const visible = d.visibleMask(hidden);
    const n = d.x ? d.x.length : 0;
    const colors = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const l = d.labelIndex[i];
      if (visible[l] === false) continue;
      colors[i] = labelColors[l] ?? FALLBACK;
    }
    const shown = d.shownCount(visible).toLocaleString('en-US');
    const nl = d.shownLabels(visible);
    const method = d.method === 'none' ? 'no projection yet' : `${d.method.toUpperCase()}${d.localProjection ? ', computed here' : ''}, epoch ${d.projectionEpoch}`;
    const xy = d.timelineXY ?? d; // epoch replay: the timeline's epoch instead of the latest layout (views/timeline)
    this.frame = {
      x: xy.x,
      y: xy.y,
      colors,
      palette,
      labelIndex: d.labelIndex,
      count: d.count,
      describe: (i) => ({ file: d.files[i] ?? '', label: (d.labels[d.labelIndex[i]] ?? '') + (d.split[i] ? ' · validation' : '') }),
      name: `Latent map: ${shown} points, ${nl} ${nl === 1 ? 'label' : 'labels'} shown (${method})`,
      version: ++this.version,
    };
    return this.frame;
  }

  /** The map's props from the view state. */
  props(view: Readonly<ViewState>, themeStamp: number): MapProps {
    const frame = this.frameFor(view.hiddenLabels, themeStamp);
    const pinned = view.pinnedRow === null ? null : this.data.rowToPoint(view.pinnedRow);
    return {
      frame,
      hovered: view.hovered !== null && view.hovered < frame.count && frame.colors[view.hovered] !== 0 ? view.hovered : null,
      pinned,
      probe: view.probe,
      pointSize: view.pointSize,
      viewport: view.viewport,
    };
  }
}
