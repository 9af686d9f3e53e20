/**
 * Points straight into pixels: every visible point becomes a small square or disc written into
 * a Uint32 view of an ImageData — 60,000 points take a few milliseconds on the CPU, with or
 * without a GPU.
 */

/** screen (device px) = a * data + b, per axis. */
export interface PixelTransform {
  ax: number;
  bx: number;
  ay: number;
  by: number;
}

/**
 * Draw every point whose colour (0xAABBGGRR) is not 0 into `px` (W × H, cleared first), in `order` when given (later on top).
 * A point is a `size`-px square (a disc from 4 px) whose top-left pixel is round(a · data + b) − ⌊size / 2⌋; one wholly
 * inside the image is drawn, others (and NaN positions) are not. Issue 13: 200,000 points per frame, so the common sizes
 * (1–3 px) have unrolled loops and the rounding is a truncation of a value known to be ≥ 0 (≈ 2× the generic loop).
 */
export function rasterisePoints(px: Uint32Array, W: number, H: number, x: Float32Array, y: Float32Array, colors: Uint32Array, t: PixelTransform, size: number, order: Uint32Array | null = null): void {
  px.fill(0);
  const n = order ? Math.min(order.length, x.length) : x.length;
  // fx = a·x + b + 0.5 − half: its floor is the top-left column; inside ⇔ 0 ≤ fx < W − size + 1.
  const shift = 0.5 - (size >> 1);
  const ax = t.ax, bx = t.bx + shift, ay = t.ay, by = t.by + shift;
  const limX = W - size + 1, limY = H - size + 1;
  const offsets = size > 3 ? discOffsets(size, W) : null;
  const W2 = 2 * W;
  for (let j = 0; j < n; j++) {
    const i = order === null ? j : order[j];
    const c = colors[i];
    if (c === 0) continue;
    const fx = ax * x[i] + bx, fy = ay * y[i] + by;
    if (!(fx >= 0 && fx < limX && fy >= 0 && fy < limY)) continue;
    const o = (fy | 0) * W + (fx | 0);
    if (size === 3) {
      px[o] = c; px[o + 1] = c; px[o + 2] = c;
      px[o + W] = c; px[o + W + 1] = c; px[o + W + 2] = c;
      px[o + W2] = c; px[o + W2 + 1] = c; px[o + W2 + 2] = c;
    } else if (size === 2) {
      px[o] = c; px[o + 1] = c; px[o + W] = c; px[o + W + 1] = c;
    } else if (size === 1) {
      px[o] = c;
    } else {
      for (let k = 0; k < offsets!.length; k++) px[o + offsets![k]] = c;
    }
  }
}

/** The loop before issue 13 (the reference of the unit test and the benchmark). */
export function rasterisePointsReference(px: Uint32Array, W: number, H: number, x: Float32Array, y: Float32Array, colors: Uint32Array, t: PixelTransform, size: number, order: Uint32Array | null = null): void {
  px.fill(0);
  const half = size >> 1;
  const offsets = discOffsets(size, W);
  const { ax, bx, ay, by } = t;
  const n = order ? Math.min(order.length, x.length) : x.length;
  for (let j = 0; j < n; j++) {
    const i = order ? order[j] : j;
    const c = colors[i];
    if (c === 0) continue;
    const sx = Math.round(ax * x[i] + bx) - half, sy = Math.round(ay * y[i] + by) - half;
    if (sx < 0 || sy < 0 || sx + size > W || sy + size > H) continue;
    const o = sy * W + sx;
    for (let k = 0; k < offsets.length; k++) px[o + offsets[k]] = c;
  }
}

const offsetCache = new Map<string, Int32Array>();
/** Pixel offsets (row-major, image width W) of a disc (square when small) of `size` px. */
export function discOffsets(size: number, W: number): Int32Array {
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
