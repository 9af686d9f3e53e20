/** z for a spot of the map where no image lies: estimated from the μ of the nearest points. */
import type { Neighbour } from '../views/map/hitTest';

/**
 * Inverse-distance-weighted mean (weights 1/d²) of the μ of `neighbours` (rows of `mu`,
 * `latentDim` wide); null without μ or neighbours.
 */
export function estimateZ(mu: Float32Array | null, latentDim: number, neighbours: readonly Neighbour[]): Float32Array | null {
  const D = latentDim;
  if (!mu || !neighbours.length) return null;
  const z = new Float32Array(D);
  const eps = 1e-9;
  let wsum = 0;
  for (const n of neighbours) {
    const w = 1 / (n.dist * n.dist + eps);
    wsum += w;
    for (let d = 0; d < D; d++) z[d] += w * mu[n.index * D + d];
  }
  for (let d = 0; d < D; d++) z[d] /= wsum;
  return z;
}
