/**
 * New latent vectors (interpolation steps, prior samples encoded again) placed on the map by the
 * map's own rule for points it did not lay out: each at the inverse-distance-weighted mean
 * (weights 1/d², as decode/estimateZ.ts) of the map positions of its k nearest data points in
 * μ space. Exact for neither PCA nor UMAP, but the same rule for both, and said in the legend.
 */
import { insertTopK } from '../../analysis/topK';

export const PLACE_K = 8;
/** The longest one slice of placeOnMapInSlices may run before it yields. */
const SLICE_MS = 20;

/**
 * placeOnMap in slices of a few vectors, yielding (`nextTask`) whenever a slice has run SLICE_MS,
 * so placing 64 samples among 60k points never makes a long task; null when `alive()` turns false.
 */
export async function placeOnMapInSlices(z: Float32Array, n: number, mu: Float32Array, count: number, D: number, x: Float32Array, y: Float32Array,
  nextTask: () => Promise<void>, alive: () => boolean): Promise<Float32Array | null> {
  const out = new Float32Array(2 * n);
  let t = performance.now();
  for (let s = 0; s < n; s++) {
    out.set(placeOnMap(z.subarray(s * D, (s + 1) * D), 1, mu, count, D, x, y), 2 * s);
    if (s + 1 < n && performance.now() - t > SLICE_MS) {
      await nextTask();
      if (!alive()) return null;
      t = performance.now();
    }
  }
  return out;
}

/** n vectors (n × D) → their map positions, x0,y0,x1,y1… */
export function placeOnMap(z: Float32Array, n: number, mu: Float32Array, count: number, D: number, x: Float32Array, y: Float32Array, k = PLACE_K): Float32Array {
  const out = new Float32Array(2 * n);
  const kk = Math.min(k, count);
  const bestD = new Float64Array(kk), bestI = new Int32Array(kk);
  for (let s = 0; s < n; s++) {
    bestD.fill(Infinity); bestI.fill(-1);
    const zo = s * D;
    for (let i = 0; i < count; i++) {
      let d2 = 0;
      const mo = i * D;
      for (let d = 0; d < D; d++) { const t = z[zo + d] - mu[mo + d]; d2 += t * t; }
      if (d2 >= bestD[kk - 1]) continue;
      insertTopK(bestD, bestI, d2, i);
    }
    let wx = 0, wy = 0, ws = 0;
    for (let j = 0; j < kk; j++) {
      if (bestI[j] < 0) continue;
      const w = 1 / (bestD[j] + 1e-9);
      wx += w * x[bestI[j]]; wy += w * y[bestI[j]]; ws += w;
    }
    out[2 * s] = ws ? wx / ws : 0;
    out[2 * s + 1] = ws ? wy / ws : 0;
  }
  return out;
}
