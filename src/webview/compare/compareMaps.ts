/**
 * The compared runs' maps: one controlled PointMap per run, each with its own MapAdapter (run
 * data → typed arrays), all drawn from the one compare store. Linked hover and selection: the
 * store holds the hovered / selected point of one run, and every map is given the point showing
 * the same image (PathLinks) as its hovered / pinned prop, so the same image is ringed in each.
 * Each map's accessible name starts "Map of <run name>".
 */
import type { RunData } from '../data/runData';
import type { Store } from '../store/store';
import { DEFAULT_VIEW } from '../store/viewState';
import type { MapFrame, MapProps } from '../views/map/mapAdapter';
import { MapAdapter } from '../views/map/mapAdapter';
import { PointMap } from '../views/map/pointMap';
import type { CompareView, PointRef } from './compareState';
import type { PathLinks } from './linking';

export class CompareMaps {
  readonly maps: PointMap[];
  private readonly adapters: MapAdapter[];
  private readonly named: { base: MapFrame | null; frame: MapFrame | null }[];
  links: PathLinks | null = null;
  themeStamp = 0;

  constructor(wraps: HTMLElement[], readonly runs: RunData[], private readonly store: Store<CompareView>) {
    this.adapters = runs.map((d) => new MapAdapter(d));
    this.named = runs.map(() => ({ base: null, frame: null }));
    this.maps = wraps.map((wrap, k) => {
      const map = new PointMap(wrap, {
        onHover: (i) => {
          const cur = store.get().hovered;
          if (i !== null) store.set({ hovered: { run: k, point: i } });
          else if (cur?.run === k) store.set({ hovered: null });
        },
        onClickPoint: (i) => store.set({ selected: { run: k, point: i } }),
        onClickEmpty: () => store.set({ selected: null }),
        onUnpin: () => store.set({ selected: null }),
        onViewportChange: (v) => {
          const viewports = runs.map((_, j) => store.get().viewports[j] ?? null);
          viewports[k] = v;
          store.set({ viewports });
        },
      });
      // Several maps on one page: ids of their own (the first keeps the single-run ids).
      if (k > 0) {
        map.overlay.id = `ll-map-${k}`;
        map.tooltip.id = `ll-map-tooltip-${k}`;
      }
      return map;
    });
  }

  /** The point of run `k` showing the image of `ref` (null: not in that run's sample, or other data). */
  linked(ref: PointRef | null, k: number): number | null {
    if (!ref || !this.links) return null;
    return this.links.link(ref.run, ref.point, k, this.runs[ref.run].files);
  }

  /** The props of map k from the store. */
  props(k: number): MapProps {
    const s = this.store.get();
    const base = this.adapters[k].props({
      ...DEFAULT_VIEW, pointSize: s.pointSize, viewport: s.viewports[k] ?? null, hovered: this.linked(s.hovered, k),
    }, this.themeStamp);
    return { ...base, frame: this.frameName(k, base.frame), pinned: this.linked(s.selected, k) };
  }

  /** The adapter's frame, named after its run (cached per frame: the map redraws points on a new frame). */
  private frameName(k: number, base: MapFrame): MapFrame {
    const n = this.named[k];
    if (n.base !== base || !n.frame) {
      n.base = base;
      n.frame = { ...base, name: `Map of ${this.runs[k].title}: ${base.name.replace(/^Latent map: /, '')}` };
    }
    return n.frame;
  }

  redraw(): void {
    this.maps.forEach((m, k) => m.update(this.props(k)));
  }

  setTheme(): void {
    this.themeStamp++;
    for (const m of this.maps) m.setTheme();
    this.redraw();
  }
}
