/**
 * A small canvas-free rasteriser for the replay's GIF frames: an RGBA buffer (width × height × 4,
 * row-major) with filled rectangles, alpha-blended discs and nearest-neighbour image blits.
 * Text is not drawn here: the frame's words are an SVG overlay composited by sharp (./frames.ts).
 */

export type Rgb = readonly [number, number, number];

export class Raster {
  readonly data: Uint8Array;

  constructor(readonly width: number, readonly height: number, background: Rgb) {
    this.data = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  fillRect(x0: number, y0: number, w: number, h: number, [r, g, b]: Rgb): void {
    const xa = Math.max(0, Math.floor(x0)), ya = Math.max(0, Math.floor(y0));
    const xb = Math.min(this.width, Math.floor(x0 + w)), yb = Math.min(this.height, Math.floor(y0 + h));
    for (let y = ya; y < yb; y++) {
      for (let x = xa; x < xb; x++) {
        const o = (y * this.width + x) * 4;
        this.data[o] = r; this.data[o + 1] = g; this.data[o + 2] = b; this.data[o + 3] = 255;
      }
    }
  }

  /** A disc of radius `radius` at (cx, cy), blended over what is there with opacity `alpha`. */
  disc(cx: number, cy: number, radius: number, [r, g, b]: Rgb, alpha = 0.85): void {
    const r2 = radius * radius;
    const xa = Math.max(0, Math.floor(cx - radius)), xb = Math.min(this.width - 1, Math.ceil(cx + radius));
    const ya = Math.max(0, Math.floor(cy - radius)), yb = Math.min(this.height - 1, Math.ceil(cy + radius));
    for (let y = ya; y <= yb; y++) {
      for (let x = xa; x <= xb; x++) {
        const dx = x + 0.5 - cx, dy = y + 0.5 - cy;
        if (dx * dx + dy * dy > r2) continue;
        const o = (y * this.width + x) * 4;
        this.data[o] += (r - this.data[o]) * alpha;
        this.data[o + 1] += (g - this.data[o + 1]) * alpha;
        this.data[o + 2] += (b - this.data[o + 2]) * alpha;
      }
    }
  }

  /** An image (height × width × channels uint8, 1 or 3 channels) at (x0, y0), each pixel `scale` × `scale`. */
  blit(x0: number, y0: number, img: Uint8Array, offset: number, h: number, w: number, channels: number, scale: number): void {
    for (let y = 0; y < h * scale; y++) {
      const ty = y0 + y;
      if (ty < 0 || ty >= this.height) continue;
      const sy = Math.floor(y / scale);
      for (let x = 0; x < w * scale; x++) {
        const tx = x0 + x;
        if (tx < 0 || tx >= this.width) continue;
        const s = offset + (sy * w + Math.floor(x / scale)) * channels;
        const o = (ty * this.width + tx) * 4;
        this.data[o] = img[s];
        this.data[o + 1] = img[s + (channels === 3 ? 1 : 0)];
        this.data[o + 2] = img[s + (channels === 3 ? 2 : 0)];
        this.data[o + 3] = 255;
      }
    }
  }
}

/** The bounds of every finite (x, y) of every layout, padded by `pad` (a fraction of the span). */
export function boundsOf(layouts: readonly { x: Float32Array; y: Float32Array }[], pad = 0.05): { x0: number; x1: number; y0: number; y1: number } {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const l of layouts) {
    for (let i = 0; i < l.x.length; i++) {
      const x = l.x[i], y = l.y[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < x0) x0 = x; if (x > x1) x1 = x;
      if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
  }
  if (!Number.isFinite(x0)) return { x0: -1, x1: 1, y0: -1, y1: 1 };
  const span = Math.max(x1 - x0, y1 - y0, 1e-6);
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, half = (span / 2) * (1 + 2 * pad);
  return { x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half };
}
