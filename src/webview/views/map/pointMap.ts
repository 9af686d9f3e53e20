/**
 * The latent map, a *controlled* view (embedding-atlas's EmbeddingView, TensorBoard projector's
 * scatterPlot): it draws the props it is given (points, hover, pin, probe, point size, viewport
 * — made by mapAdapter.ts from the store) and reports what the user does through callbacks
 * (hover, click on a point or on empty space, unpin, pan/zoom); it never decides what those mean.
 *
 * Points are rasterised into the base canvas (rasterise.ts); hover, pins and the keyboard cursor
 * go on the overlay canvas above it (overlay.ts); hit testing uses a quadtree (hitTest.ts).
 */
import * as d3 from 'd3';
import type { Viewport } from '../../store/viewState';
import { sameValue } from '../../store/store';
import { readTheme, type ThemeColors } from '../../theme';
import { MapGeometry } from './geometry';
import { HitIndex, type Neighbour } from './hitTest';
import { handleMapKey, type KeyTarget } from './keyboard';
import type { MapFrame, MapProps } from './mapAdapter';
import { HIT_RADIUS_PX, drawOverlay, placeTooltip } from './overlay';
import { rasterisePoints } from './rasterise';
import { LassoDrag, dragShapeOf } from './lassoDrag';
import { NO_OVERLAYS } from '../../store/viewState';

const ZOOM_EXTENT: [number, number] = [0.5, 400];
/** Neighbours used to estimate z for a click on empty space. */
export const PROBE_NEIGHBOURS = 8;

export interface PointMapCallbacks {
  onHover(index: number | null): void;
  onClickPoint(index: number, asB: boolean): void;
  /** A click on empty space at map (data) coordinates. */
  onClickEmpty(x: number, y: number): void;
  onUnpin(): void;
  /** The user panned or zoomed (null: back to "fit all"). */
  onViewportChange(v: Viewport | null): void;
  /** c-inspect (issue 15): the user drew a lasso or box; `poly` in map data coordinates. */
  onSelect?(poly: Float32Array, additive: boolean): void;
}

const EMPTY_FRAME: MapFrame = {
  x: null, y: null, colors: new Uint32Array(0), palette: [], labelIndex: new Uint16Array(0), count: 0,
  describe: () => ({ file: '', label: '' }), name: 'Latent map: no points yet', version: 0,
  order: null, scale: null, selected: null, hitKey: '',
};

export class PointMap implements KeyTarget {
  readonly base: HTMLCanvasElement;
  readonly overlay: HTMLCanvasElement;
  readonly tooltip: HTMLDivElement;
  private ctx: CanvasRenderingContext2D;
  private octx: CanvasRenderingContext2D;
  private image: ImageData | null = null;
  private pixels: Uint32Array | null = null;
  private theme: ThemeColors = readTheme();
  private readonly geo = new MapGeometry();
  private readonly hits = new HitIndex();
  private zoom: d3.ZoomBehavior<HTMLCanvasElement, unknown>;
  private props: MapProps = { frame: EMPTY_FRAME, hovered: null, pinned: null, probe: null, pointSize: 3, viewport: null, overlays: NO_OVERLAYS, selectMode: 'pan' };
  private readonly drag = new LassoDrag();
  private indexedKey: string | null = null;
  /** True while a viewport from the props is applied (its zoom event is not reported back). */
  private applying = false;
  private frame = 0;
  /** Keyboard cursor in CSS px, or null when the mouse is in charge. */
  private cursor: { x: number; y: number } | null = null;
  /** Last render's duration (ms) and count, for the benchmark. */
  lastRenderMs = 0;
  renders = 0;

  constructor(private container: HTMLElement, private callbacks: PointMapCallbacks) {
    this.base = document.createElement('canvas');
    this.base.className = 'll-map-base';
    this.base.setAttribute('aria-hidden', 'true');
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'll-map-overlay';
    this.overlay.tabIndex = 0;
    this.overlay.setAttribute('role', 'application');
    this.overlay.setAttribute('aria-roledescription', 'latent map');
    this.overlay.id = 'll-map';
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'll-tooltip';
    this.tooltip.setAttribute('role', 'tooltip');
    this.tooltip.id = 'll-map-tooltip';
    this.tooltip.hidden = true;
    container.append(this.base, this.overlay, this.tooltip);
    this.ctx = this.base.getContext('2d')!;
    this.octx = this.overlay.getContext('2d')!;

    this.zoom = d3.zoom<HTMLCanvasElement, unknown>()
      .scaleExtent(ZOOM_EXTENT)
      // A drag that draws a lasso or box does not pan (wheel zoom always works).
      .filter((e: PointerEvent & WheelEvent) => (!e.ctrlKey || e.type === 'wheel') && !e.button &&
        (e.type === 'wheel' || dragShapeOf(this.props.selectMode, e) === null))
      .clickDistance(4)
      .on('zoom', (e: d3.D3ZoomEvent<HTMLCanvasElement, unknown>) => {
        this.geo.transform = e.transform;
        this.scheduleRender();
        this.updateName();
        if (!this.applying) {
          const v = this.geo.viewportOf(e.transform);
          this.props = { ...this.props, viewport: v };
          this.callbacks.onViewportChange(v);
        }
      });
    d3.select(this.overlay).call(this.zoom).on('dblclick.zoom', null);

    this.overlay.addEventListener('pointerdown', (e) => {
      const shape = dragShapeOf(this.props.selectMode, e);
      if (!shape) return;
      this.overlay.setPointerCapture?.(e.pointerId);
      this.drag.start(shape, e.offsetX, e.offsetY);
    });
    this.overlay.addEventListener('pointermove', (e) => {
      this.cursor = null;
      if (this.drag.active) { this.drag.move(e.offsetX, e.offsetY); this.redrawOverlay(); return; }
      this.hoverAt(e.offsetX, e.offsetY);
    });
    this.overlay.addEventListener('pointerup', (e) => {
      if (!this.drag.active) return;
      const outline = this.drag.finish();
      if (outline) this.selectOutline(outline, e.shiftKey && this.props.selectMode !== 'pan');
      this.redrawOverlay();
    });
    this.overlay.addEventListener('pointerleave', () => { if (!this.drag.active) this.setHovered(null); });
    this.overlay.addEventListener('click', (e) => {
      if (this.drag.moved) { this.drag.moved = false; return; }
      this.clickAt(e.offsetX, e.offsetY, e.shiftKey);
    });
    this.overlay.addEventListener('keydown', (e) => {
      if (!handleMapKey(e, this)) return;
      e.preventDefault();
      this.redrawOverlay();
    });
    this.overlay.addEventListener('blur', () => { this.cursor = null; this.redrawOverlay(); });
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }

  // ───────────── props in ─────────────

  /** Draw these props: redraws what changed (points, overlay, viewport). */
  update(next: MapProps): void {
    const prev = this.props;
    this.props = next;
    const pointsChanged = next.frame !== prev.frame;
    if (pointsChanged && next.frame.hitKey !== this.indexedKey) {
      if (next.frame.x !== prev.frame.x) this.geo.fit(next.frame.x, next.frame.y);
      this.hits.rebuild(next.frame.x, next.frame.y);
      this.indexedKey = next.frame.hitKey;
    }
    this.hits.setColors(next.frame.colors);
    const viewportChanged = !sameValue(next.viewport, this.geo.viewportOf(this.geo.transform));
    if (viewportChanged || (pointsChanged && next.frame.x !== prev.frame.x)) this.applyViewport();
    if (pointsChanged || next.pointSize !== prev.pointSize) this.scheduleRender();
    else this.redrawOverlay();
    this.updateName();
  }

  /** The colours of the page changed (VS Code theme, report theme control). */
  setTheme(): void {
    this.theme = readTheme();
    this.scheduleRender();
  }

  /** Show the props' viewport (not reported back: it came from the store). */
  private applyViewport(): void {
    this.applying = true;
    try {
      d3.select(this.overlay).call(this.zoom.transform, this.geo.transformOf(this.props.viewport));
    } finally {
      this.applying = false;
    }
  }

  private updateName(): void {
    const k = this.geo.transform.k;
    const zoom = Math.abs(k - 1) > 1e-3 ? `, zoomed ${k < 10 ? k.toFixed(1) : Math.round(k)}×` : '';
    this.overlay.setAttribute('aria-label', `${this.props.frame.name}${zoom}`);
  }

  // ───────────── coordinates and queries ─────────────

  get hovered(): number | null {
    return this.props.hovered;
  }

  get pinned(): number | null {
    return this.props.pinned;
  }

  toScreen(dx: number, dy: number): [number, number] {
    return this.geo.toScreen(dx, dy);
  }

  toData(px: number, py: number): [number, number] {
    return this.geo.toData(px, py);
  }

  /** The visible point under (px, py) CSS px, or null. */
  pick(px: number, py: number): number | null {
    const [dx, dy] = this.geo.toData(px, py);
    return this.hits.find(dx, dy, HIT_RADIUS_PX * this.geo.dataPerPx());
  }

  /** The k nearest visible points to (dx, dy) in map coordinates. */
  nearest(dx: number, dy: number, k: number): Neighbour[] {
    return this.hits.nearest(dx, dy, k, 16 * this.geo.dataPerPx());
  }

  // ───────────── user actions out ─────────────

  hoverAt(px: number, py: number): void {
    this.setHovered(this.pick(px, py));
  }

  /** Report a hover (the drawing follows when the props come back). */
  setHovered(i: number | null): void {
    if (i === this.props.hovered) { this.redrawOverlay(); return; }
    this.callbacks.onHover(i);
  }

  /** `asB`: Shift held (a point becomes B, the end of the interpolation). */
  clickAt(px: number, py: number, asB = false): void {
    const hit = this.pick(px, py);
    if (hit !== null) this.callbacks.onClickPoint(hit, asB);
    else {
      const [dx, dy] = this.geo.toData(px, py);
      this.callbacks.onClickEmpty(dx, dy);
    }
  }

  /** Pan by (dx, dy) CSS px (keyboard, benchmark). */
  panBy(dx: number, dy: number): void {
    const k = this.geo.transform.k;
    d3.select(this.overlay).call(this.zoom.translateBy, dx / k, dy / k);
  }

  zoomBy(factor: number): void {
    const c = this.cursor ?? { x: this.geo.cssW / 2, y: this.geo.cssH / 2 };
    d3.select(this.overlay).call(this.zoom.scaleBy, factor, [c.x, c.y]);
  }

  resetView(): void {
    d3.select(this.overlay).call(this.zoom.transform, d3.zoomIdentity);
  }

  moveCursor(dx: number, dy: number): void {
    const c = this.cursor ?? { x: this.geo.cssW / 2, y: this.geo.cssH / 2 };
    this.cursor = { x: Math.max(0, Math.min(this.geo.cssW, c.x + dx)), y: Math.max(0, Math.min(this.geo.cssH, c.y + dy)) };
    this.hoverAt(this.cursor.x, this.cursor.y);
  }

  activate(asB = false): void {
    const c = this.cursor ?? { x: this.geo.cssW / 2, y: this.geo.cssH / 2 };
    this.cursor = c;
    this.clickAt(c.x, c.y, asB);
  }

  unpin(): void {
    this.callbacks.onUnpin();
  }

  /** Move the keyboard cursor to the next / previous visible point (in dataset order). */
  step(dir: 1 | -1): void {
    const { x, y, colors, count: n } = this.props.frame;
    if (!n || !x || !y) return;
    let i = this.props.hovered ?? (dir > 0 ? -1 : n);
    for (let tries = 0; tries < n; tries++) {
      i = (i + dir + n) % n;
      if (colors[i] !== 0) break;
    }
    const [px, py] = this.geo.toScreen(x[i], y[i]);
    const { cssW: W, cssH: H } = this.geo;
    if (px < 0 || py < 0 || px > W || py > H) this.panBy(W / 2 - px, H / 2 - py);
    const [qx, qy] = this.geo.toScreen(x[i], y[i]);
    this.cursor = { x: qx, y: qy };
    this.setHovered(i);
  }

  /** Select the points inside an outline given in CSS px (lasso, box, the view). */
  selectOutline(outline: Float32Array, additive = false): void {
    const poly = new Float32Array(outline.length);
    for (let k = 0; k + 1 < outline.length; k += 2) {
      const [dx, dy] = this.geo.toData(outline[k], outline[k + 1]);
      poly[k] = dx; poly[k + 1] = dy;
    }
    this.callbacks.onSelect?.(poly, additive);
  }

  /** Keyboard alternative to the lasso: select every visible point in the current view. */
  selectInView(): void {
    const { cssW: W, cssH: H } = this.geo;
    this.selectOutline(Float32Array.of(0, 0, W, 0, W, H, 0, H));
  }

  // ───────────── drawing ─────────────

  private resize(): void {
    const r = this.container.getBoundingClientRect();
    const g = this.geo;
    g.dpr = window.devicePixelRatio || 1;
    g.cssW = Math.max(50, Math.floor(r.width));
    g.cssH = Math.max(50, Math.floor(r.height));
    for (const c of [this.base, this.overlay]) {
      c.width = Math.round(g.cssW * g.dpr);
      c.height = Math.round(g.cssH * g.dpr);
      c.style.setProperty('width', `${g.cssW}px`);
      c.style.setProperty('height', `${g.cssH}px`);
    }
    this.image = null;
    g.fit(this.props.frame.x, this.props.frame.y);
    this.applyViewport();
    this.renderNow();
  }

  scheduleRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderNow();
    });
  }

  renderNow(): void {
    const t0 = performance.now();
    const W = this.base.width, H = this.base.height;
    if (!this.image || this.image.width !== W || this.image.height !== H) {
      this.image = this.ctx.createImageData(W, H);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    const { x, y, colors } = this.props.frame;
    const g = this.geo, t = g.transform, dpr = g.dpr;
    if (x && y) {
      rasterisePoints(this.pixels!, W, H, x, y, colors, {
        ax: t.k * g.s * dpr, bx: (t.k * g.ox + t.x) * dpr,
        ay: -t.k * g.s * dpr, by: (t.k * g.oy + t.y) * dpr,
      }, Math.max(1, Math.round(this.props.pointSize * dpr)), this.props.frame.order);
    } else {
      this.pixels!.fill(0);
    }
    this.ctx.putImageData(this.image!, 0, 0);
    this.redrawOverlay();
    this.lastRenderMs = performance.now() - t0;
    this.renders++;
  }

  /** Hover, pin, probe, cursor and tooltip (never the points). */
  redrawOverlay(): void {
    drawOverlay(this.octx, this.geo, this.props, this.theme, this.cursor, this.drag.outline());
    if (placeTooltip(this.tooltip, this.geo, this.props)) this.overlay.setAttribute('aria-describedby', 'll-map-tooltip');
    else this.overlay.removeAttribute('aria-describedby');
  }
}

