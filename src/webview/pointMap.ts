/**
 * The latent map: every point's 2-D position drawn on a canvas, coloured by label.
 *
 * Like TensorBoard projector's scatterPlot, this class only draws and *notifies* hover and
 * clicks; main.ts decides what they mean. Points are rasterised straight into an ImageData
 * (a Uint32 view, one square or disc per point) — 60,000 points take a few milliseconds on
 * the CPU, with or without a GPU — and hover, pins and the keyboard cursor are drawn on a
 * second canvas above it, so hovering never redraws the points. Hit testing uses a d3
 * quadtree of the visible points in data coordinates.
 */
import * as d3 from 'd3';
import type { ViewState } from './state';
import { labelPalette, readTheme, toAbgr, type ThemeColors } from './theme';

// ───────────── visual constants ─────────────
const PADDING_PX = 16;
const HIT_RADIUS_PX = 8;
const HOVER_RING_PX = 4;
const KEY_STEP_PX = 16;
const KEY_PAN_PX = 60;
const ZOOM_EXTENT: [number, number] = [0.5, 400];
/** Neighbours used to estimate z for a click on empty space. */
export const PROBE_NEIGHBOURS = 8;

export interface Neighbour {
  index: number;
  /** Distance in map (data) units. */
  dist: number;
}

export interface PointMapEvents {
  onHover(index: number | null): void;
  onClickPoint(index: number): void;
  /** A click on empty space at map (data) coordinates, with the nearest visible points. */
  onClickEmpty(x: number, y: number, neighbours: Neighbour[]): void;
  onUnpin(): void;
}

export class PointMap {
  readonly base: HTMLCanvasElement;
  readonly overlay: HTMLCanvasElement;
  readonly tooltip: HTMLDivElement;
  private ctx: CanvasRenderingContext2D;
  private octx: CanvasRenderingContext2D;
  private image: ImageData | null = null;
  private pixels: Uint32Array | null = null;
  private colors: Uint32Array = new Uint32Array(0);
  palette: string[] = [];
  private theme: ThemeColors = readTheme();
  private tree: d3.Quadtree<number> | null = null;
  private zoom: d3.ZoomBehavior<HTMLCanvasElement, unknown>;
  private transform: d3.ZoomTransform = d3.zoomIdentity;
  /** data → base screen (before zoom): sx = ox + s * x, sy = oy - s * y. */
  private s = 1;
  private ox = 0;
  private oy = 0;
  private cssW = 0;
  private cssH = 0;
  private dpr = 1;
  private frame = 0;
  pointSize = 3;
  hovered: number | null = null;
  pinned: number | null = null;
  probe: { x: number; y: number } | null = null;
  /** Keyboard cursor in CSS px, or null when the mouse is in charge. */
  private cursor: { x: number; y: number } | null = null;
  /** Last render's duration (ms) and count, for the benchmark. */
  lastRenderMs = 0;
  renders = 0;

  constructor(private container: HTMLElement, private state: ViewState, private events: PointMapEvents) {
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
      .clickDistance(4)
      .on('zoom', (e: d3.D3ZoomEvent<HTMLCanvasElement, unknown>) => {
        this.transform = e.transform;
        this.scheduleRender();
      });
    d3.select(this.overlay).call(this.zoom).on('dblclick.zoom', null);

    this.overlay.addEventListener('pointermove', (e) => {
      this.cursor = null;
      this.hoverAt(e.offsetX, e.offsetY);
    });
    this.overlay.addEventListener('pointerleave', () => this.setHovered(null));
    this.overlay.addEventListener('click', (e) => this.clickAt(e.offsetX, e.offsetY));
    this.overlay.addEventListener('keydown', (e) => this.onKey(e));
    this.overlay.addEventListener('blur', () => { this.cursor = null; this.drawOverlay(); });
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }

  // ───────────── data ─────────────

  /** New positions or labels: recompute the fit, the quadtree and the colours. */
  setData(keepView = true): void {
    this.palette = labelPalette(this.state.labels.length);
    this.colors = Uint32Array.from(this.palette, toAbgr);
    this.fit();
    this.rebuildTree();
    if (!keepView) d3.select(this.overlay).call(this.zoom.transform, d3.zoomIdentity);
    this.updateName();
    this.scheduleRender();
  }

  /** Legend toggles changed. */
  setVisibility(): void {
    this.rebuildTree();
    if (this.hovered !== null && !this.isVisible(this.hovered)) this.setHovered(null);
    this.updateName();
    this.scheduleRender();
  }

  setTheme(): void {
    this.theme = readTheme();
    this.scheduleRender();
  }

  setPointSize(px: number): void {
    this.pointSize = px;
    this.scheduleRender();
  }

  /** Pan by (dx, dy) CSS px (keyboard, benchmark). */
  panBy(dx: number, dy: number): void {
    d3.select(this.overlay).call(this.zoom.translateBy, dx / this.transform.k, dy / this.transform.k);
  }

  resetView(): void {
    d3.select(this.overlay).call(this.zoom.transform, d3.zoomIdentity);
  }

  isVisible(i: number): boolean {
    return this.state.visible[this.state.labelIndex[i]] !== false;
  }

  private updateName(): void {
    const st = this.state;
    const n = st.shownCount().toLocaleString('en-US');
    const l = st.shownLabels();
    const method = st.method === 'none' ? 'no projection yet' : `${st.method.toUpperCase()}${st.localProjection ? ', computed here' : ''}, epoch ${st.projectionEpoch}`;
    this.overlay.setAttribute('aria-label', `Latent map: ${n} points, ${l} ${l === 1 ? 'label' : 'labels'} shown (${method})`);
  }

  private fit(): void {
    const { x, y } = this.state;
    if (!x || !y || !x.length) return;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < x.length; i++) {
      const a = x[i], b = y[i];
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      if (a < x0) x0 = a; if (a > x1) x1 = a; if (b < y0) y0 = b; if (b > y1) y1 = b;
    }
    const w = Math.max(1, this.cssW - 2 * PADDING_PX), h = Math.max(1, this.cssH - 2 * PADDING_PX);
    this.s = Math.min(w / Math.max(1e-9, x1 - x0), h / Math.max(1e-9, y1 - y0));
    this.ox = this.cssW / 2 - this.s * (x0 + x1) / 2;
    this.oy = this.cssH / 2 + this.s * (y0 + y1) / 2;
  }

  private rebuildTree(): void {
    const { x, y } = this.state;
    if (!x || !y) { this.tree = null; return; }
    const ids: number[] = [];
    for (let i = 0; i < x.length; i++) if (this.isVisible(i) && Number.isFinite(x[i]) && Number.isFinite(y[i])) ids.push(i);
    this.tree = d3.quadtree<number>().x((i) => x[i]).y((i) => y[i]).addAll(ids);
  }

  // ───────────── coordinates ─────────────

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

  /** The visible point under (px, py) CSS px, or null. */
  pick(px: number, py: number): number | null {
    if (!this.tree) return null;
    const [dx, dy] = this.toData(px, py);
    const r = HIT_RADIUS_PX / (this.s * this.transform.k);
    const found = this.tree.find(dx, dy, r);
    return found === undefined ? null : found;
  }

  /** The k nearest visible points to (dx, dy) in map coordinates. */
  nearest(dx: number, dy: number, k: number): Neighbour[] {
    const tree = this.tree;
    const { x, y } = this.state;
    if (!tree || !x || !y || tree.size() === 0) return [];
    let r = 16 / (this.s * this.transform.k);
    for (;;) {
      const found: Neighbour[] = [];
      const r2 = r * r;
      tree.visit((node, x0, y0, x1, y1) => {
        if (!node.length) {
          let leaf: d3.QuadtreeLeaf<number> | undefined = node as d3.QuadtreeLeaf<number>;
          while (leaf) {
            const i = leaf.data;
            const d2 = (x[i] - dx) ** 2 + (y[i] - dy) ** 2;
            if (d2 <= r2) found.push({ index: i, dist: Math.sqrt(d2) });
            leaf = leaf.next;
          }
        }
        return x0 > dx + r || x1 < dx - r || y0 > dy + r || y1 < dy - r;
      });
      if (found.length >= k || found.length >= tree.size()) return found.sort((a, b) => a.dist - b.dist).slice(0, k);
      r *= 2;
    }
  }

  // ───────────── interaction ─────────────

  hoverAt(px: number, py: number): void {
    this.setHovered(this.pick(px, py));
  }

  setHovered(i: number | null): void {
    if (i === this.hovered) { this.drawOverlay(); return; }
    this.hovered = i;
    this.drawOverlay();
    this.events.onHover(i);
  }

  clickAt(px: number, py: number): void {
    const hit = this.pick(px, py);
    if (hit !== null) {
      this.pinned = hit;
      this.probe = null;
      this.events.onClickPoint(hit);
    } else {
      const [dx, dy] = this.toData(px, py);
      this.pinned = null;
      this.probe = { x: dx, y: dy };
      this.events.onClickEmpty(dx, dy, this.nearest(dx, dy, PROBE_NEIGHBOURS));
    }
    this.drawOverlay();
  }

  unpin(): void {
    this.pinned = null;
    this.probe = null;
    this.drawOverlay();
    this.events.onUnpin();
  }

  private onKey(e: KeyboardEvent): void {
    const sel = d3.select(this.overlay);
    const c = this.cursor ?? { x: this.cssW / 2, y: this.cssH / 2 };
    const arrows: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    let handled = true;
    if (e.key in arrows) {
      const [ax, ay] = arrows[e.key];
      if (e.shiftKey) {
        sel.call(this.zoom.translateBy, (-ax * KEY_PAN_PX) / this.transform.k, (-ay * KEY_PAN_PX) / this.transform.k);
      } else {
        this.cursor = { x: Math.max(0, Math.min(this.cssW, c.x + ax * KEY_STEP_PX)), y: Math.max(0, Math.min(this.cssH, c.y + ay * KEY_STEP_PX)) };
        this.hoverAt(this.cursor.x, this.cursor.y);
      }
    } else if (e.key === '+' || e.key === '=') {
      sel.call(this.zoom.scaleBy, 1.5, [c.x, c.y]);
    } else if (e.key === '-' || e.key === '_') {
      sel.call(this.zoom.scaleBy, 1 / 1.5, [c.x, c.y]);
    } else if (e.key === '0' || e.key === 'Home') {
      this.resetView();
    } else if (e.key === 'Enter' || e.key === ' ') {
      this.cursor = c;
      this.clickAt(c.x, c.y);
    } else if (e.key === 'Escape') {
      this.unpin();
    } else if (e.key === 'n' || e.key === 'p') {
      this.stepPoint(e.key === 'n' ? 1 : -1);
    } else {
      handled = false;
    }
    if (handled) {
      e.preventDefault();
      this.drawOverlay();
    }
  }

  /** Move the keyboard cursor to the next / previous visible point (in dataset order). */
  private stepPoint(dir: 1 | -1): void {
    const n = this.state.count;
    if (!n || !this.state.x || !this.state.y) return;
    let i = this.hovered ?? (dir > 0 ? -1 : n);
    for (let tries = 0; tries < n; tries++) {
      i = (i + dir + n) % n;
      if (this.isVisible(i)) break;
    }
    const [px, py] = this.toScreen(this.state.x[i], this.state.y[i]);
    if (px < 0 || py < 0 || px > this.cssW || py > this.cssH) {
      d3.select(this.overlay).call(this.zoom.translateBy, (this.cssW / 2 - px) / this.transform.k, (this.cssH / 2 - py) / this.transform.k);
    }
    const [qx, qy] = this.toScreen(this.state.x[i], this.state.y[i]);
    this.cursor = { x: qx, y: qy };
    this.setHovered(i);
  }

  // ───────────── drawing ─────────────

  private resize(): void {
    const r = this.container.getBoundingClientRect();
    this.dpr = window.devicePixelRatio || 1;
    this.cssW = Math.max(50, Math.floor(r.width));
    this.cssH = Math.max(50, Math.floor(r.height));
    for (const c of [this.base, this.overlay]) {
      c.width = Math.round(this.cssW * this.dpr);
      c.height = Math.round(this.cssH * this.dpr);
      c.style.setProperty('width', `${this.cssW}px`);
      c.style.setProperty('height', `${this.cssH}px`);
    }
    this.image = null;
    this.fit();
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
    const px = this.pixels!;
    px.fill(0);
    const { x, y, labelIndex } = this.state;
    if (x && y) {
      const t = this.transform, dpr = this.dpr;
      // screen (device px) = a * data + b
      const ax = t.k * this.s * dpr, bx = (t.k * this.ox + t.x) * dpr;
      const ay = -t.k * this.s * dpr, by = (t.k * this.oy + t.y) * dpr;
      const size = Math.max(1, Math.round(this.pointSize * dpr));
      const half = size >> 1;
      const offsets = discOffsets(size, W);
      const colors = this.colors, visible = this.state.visible;
      const n = x.length;
      for (let i = 0; i < n; i++) {
        const l = labelIndex[i];
        if (visible[l] === false) continue;
        const sx = Math.round(ax * x[i] + bx) - half, sy = Math.round(ay * y[i] + by) - half;
        if (sx < 0 || sy < 0 || sx + size > W || sy + size > H) continue;
        const c = colors[l] ?? 0xff888888;
        const o = sy * W + sx;
        for (let k = 0; k < offsets.length; k++) px[o + offsets[k]] = c;
      }
    }
    this.ctx.putImageData(this.image!, 0, 0);
    this.drawOverlay();
    this.lastRenderMs = performance.now() - t0;
    this.renders++;
  }

  drawOverlay(): void {
    const c = this.octx, dpr = this.dpr;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.clearRect(0, 0, this.cssW, this.cssH);
    const { x, y } = this.state;
    const ring = (i: number, color: string, width: number) => {
      if (!x || !y) return;
      const [sx, sy] = this.toScreen(x[i], y[i]);
      c.beginPath();
      c.arc(sx, sy, this.pointSize + HOVER_RING_PX, 0, 2 * Math.PI);
      c.fillStyle = this.palette[this.state.labelIndex[i]] ?? this.theme.foreground;
      c.fill();
      c.lineWidth = width;
      c.strokeStyle = color;
      c.stroke();
    };
    if (this.pinned !== null) ring(this.pinned, this.theme.foreground, 2);
    if (this.probe) {
      const [sx, sy] = this.toScreen(this.probe.x, this.probe.y);
      c.lineWidth = 2;
      c.strokeStyle = this.theme.foreground;
      c.beginPath();
      c.moveTo(sx - 8, sy); c.lineTo(sx + 8, sy); c.moveTo(sx, sy - 8); c.lineTo(sx, sy + 8);
      c.stroke();
    }
    if (this.hovered !== null) ring(this.hovered, this.theme.focus, 2);
    if (this.cursor) {
      c.lineWidth = 1.5;
      c.strokeStyle = this.theme.focus;
      c.setLineDash([3, 3]);
      c.strokeRect(this.cursor.x - HIT_RADIUS_PX, this.cursor.y - HIT_RADIUS_PX, 2 * HIT_RADIUS_PX, 2 * HIT_RADIUS_PX);
      c.setLineDash([]);
    }
    this.placeTooltip();
  }

  private placeTooltip(): void {
    const i = this.hovered;
    const { x, y } = this.state;
    if (i === null || !x || !y) {
      this.tooltip.hidden = true;
      this.overlay.removeAttribute('aria-describedby');
      return;
    }
    const label = this.state.labels[this.state.labelIndex[i]] ?? '';
    // Text only: file names and labels come from the user's disk.
    this.tooltip.replaceChildren();
    const name = document.createElement('div');
    name.className = 'll-tooltip-file';
    name.textContent = this.state.files[i] ?? '';
    const lab = document.createElement('div');
    lab.className = 'll-tooltip-label';
    lab.textContent = label + (this.state.split[i] ? ' · validation' : '');
    this.tooltip.append(name, lab);
    this.tooltip.hidden = false;
    const [sx, sy] = this.toScreen(x[i], y[i]);
    const tw = this.tooltip.offsetWidth, th = this.tooltip.offsetHeight;
    const left = sx + 12 + tw > this.cssW ? sx - 12 - tw : sx + 12;
    const top = sy + 12 + th > this.cssH ? sy - 12 - th : sy + 12;
    this.tooltip.style.setProperty('transform', `translate(${Math.max(0, left)}px, ${Math.max(0, top)}px)`);
    this.overlay.setAttribute('aria-describedby', 'll-map-tooltip');
  }
}

const offsetCache = new Map<string, Int32Array>();
/** Pixel offsets (row-major, image width W) of a disc (square when small) of `size` px. */
function discOffsets(size: number, W: number): Int32Array {
  const key = `${size}:${W}`;
  let o = offsetCache.get(key);
  if (o) return o;
  const list: number[] = [];
  const r = size / 2;
  for (let dy = 0; dy < size; dy++) {
    for (let dx = 0; dx < size; dx++) {
      const cx = dx + 0.5 - r, cy = dy + 0.5 - r;
      if (size <= 3 || cx * cx + cy * cy <= r * r + 0.25) list.push(dy * W + dx);
    }
  }
  o = Int32Array.from(list);
  offsetCache.set(key, o);
  return o;
}
