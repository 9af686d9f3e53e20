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

/** Draw every point whose colour (0xAABBGGRR) is not 0 into `px` (W × H, cleared first), in `order` when given (later on top). */
export function rasterisePoints(px: Uint32Array, W: number, H: number, x: Float32Array, y: Float32Array, colors: Uint32Array, t: PixelTransform, size: number, order: Uint32Array | null = null): void {
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
