/**
 * The map's coordinates: data (the projection's x, y) → base screen (fit all points into the
 * canvas, y up) → zoomed screen (d3's zoom transform), in CSS px; and the store's Viewport
 * (data centre + zoom factor) ↔ the d3 transform, so a persisted view survives a resize.
 */
import * as d3 from 'd3';
import type { Viewport } from '../../store/viewState';

const PADDING_PX = 16;

export class MapGeometry {
  /** data → base screen (before zoom): sx = ox + s * x, sy = oy - s * y. */
  s = 1;
  ox = 0;
  oy = 0;
  cssW = 0;
  cssH = 0;
  dpr = 1;
  transform: d3.ZoomTransform = d3.zoomIdentity;

  /** Fit the finite points of (x, y) into the canvas with a margin. */
  fit(x: Float32Array | null, y: Float32Array | null): void {
    if (!x || !y || !x.length) return;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < x.length; i++) {
      const a = x[i], b = y[i];
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      if (a < x0) x0 = a; if (a > x1) x1 = a; if (b < y0) y0 = b; if (b > y1) y1 = b;
    }
    if (x0 > x1) return;
    const w = Math.max(1, this.cssW - 2 * PADDING_PX), h = Math.max(1, this.cssH - 2 * PADDING_PX);
    this.s = Math.min(w / Math.max(1e-9, x1 - x0), h / Math.max(1e-9, y1 - y0));
    this.ox = this.cssW / 2 - this.s * (x0 + x1) / 2;
    this.oy = this.cssH / 2 + this.s * (y0 + y1) / 2;
  }

  /** Map (data) coordinates → CSS px in the canvas. */
  toScreen(dx: number, dy: number): [number, number] {
    const t = this.transform;
    return [t.k * (this.ox + this.s * dx) + t.x, t.k * (this.oy - this.s * dy) + t.y];
  }

  /** CSS px → map (data) coordinates. */
  toData(px: number, py: number): [number, number] {
    const t = this.transform;
    return [((px - t.x) / t.k - this.ox) / this.s, -(((py - t.y) / t.k - this.oy) / this.s)];
  }

  /** Data units per CSS px at the current zoom. */
  dataPerPx(): number {
    return 1 / (this.s * this.transform.k);
  }

  /** The viewport a zoom transform shows (null for the identity: "fit all"). */
  viewportOf(t: d3.ZoomTransform): Viewport | null {
    if (t.k === 1 && t.x === 0 && t.y === 0) return null;
    const px = this.cssW / 2, py = this.cssH / 2;
    return { cx: ((px - t.x) / t.k - this.ox) / this.s, cy: -(((py - t.y) / t.k - this.oy) / this.s), k: t.k };
  }

  /** The zoom transform that shows `v` (its data centre in the middle of the canvas). */
  transformOf(v: Viewport | null): d3.ZoomTransform {
    if (!v) return d3.zoomIdentity;
    const x = this.cssW / 2 - v.k * (this.ox + this.s * v.cx);
    const y = this.cssH / 2 - v.k * (this.oy - this.s * v.cy);
    return d3.zoomIdentity.translate(x, y).scale(v.k);
  }
}
