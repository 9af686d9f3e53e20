/**
 * The inspector's questions about the run's arrays (no DOM): which points a lasso or box holds,
 * what a selection is made of, the worst-reconstructed images, and a point's nearest neighbours
 * in μ space (brute force: 60,000 × 16 values take a few milliseconds).
 */
import type { RunData } from '../../data/runData';
import type { Selection } from '../../store/viewState';
import { pointsInPolygon } from '../map/region';

let selectionIds = 0;

/** The points of the map inside `poly` (data coordinates), visible ones only; `additive` adds to `prev`. */
export function selectPolygon(x: Float32Array, y: Float32Array, colors: Uint32Array, poly: Float32Array, prev: Selection | null, additive: boolean): Selection {
  let points = pointsInPolygon(x, y, colors, poly);
  if (additive && prev) {
    const merged = new Uint32Array(prev.points.length + points.length);
    merged.set(prev.points);
    merged.set(points, prev.points.length);
    points = Uint32Array.from(new Set(merged)).sort();
  }
  return { id: ++selectionIds, points };
}

export interface SelectionStats {
  count: number;
  /** [label, count], most frequent first. */
  labelMix: [string, number][];
  meanRecon: number | null;
  meanKl: number | null;
}

export function selectionStats(data: RunData, points: Uint32Array): SelectionStats {
  const counts = new Map<number, number>();
  let r = 0, k = 0;
  const p = data.perImage;
  for (const i of points) {
    counts.set(data.labelIndex[i], (counts.get(data.labelIndex[i]) ?? 0) + 1);
    if (p) { r += p.recon[i]; k += p.kl[i]; }
  }
  const n = points.length;
  return {
    count: n,
    labelMix: [...counts].sort((a, b) => b[1] - a[1]).map(([l, c]) => [data.labels[l] ?? String(l), c]),
    meanRecon: p && n ? r / n : null,
    meanKl: p && n ? k / n : null,
  };
}

/** The `k` points with the highest reconstruction error, highest first. */
export function topOutliers(recon: Float32Array, k = 50): Uint32Array {
  const idx = Uint32Array.from({ length: recon.length }, (_, i) => i);
  idx.sort((a, b) => (recon[b] || -Infinity) - (recon[a] || -Infinity));
  return idx.slice(0, Math.min(k, idx.length));
}

/** The `k` nearest points to point `i` in μ space (Euclidean), nearest first, `i` excluded. */
export function nearestInMu(mu: Float32Array, D: number, i: number, k = 8): { index: number; dist: number }[] {
  const n = mu.length / D;
  const best: { index: number; dist: number }[] = [];
  const zi = mu.subarray(i * D, i * D + D);
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    let d2 = 0;
    for (let d = 0, o = j * D; d < D; d++) { const t = mu[o + d] - zi[d]; d2 += t * t; }
    if (best.length < k || d2 < best[best.length - 1].dist) {
      best.push({ index: j, dist: d2 });
      best.sort((a, b) => a.dist - b.dist);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => ({ index: b.index, dist: Math.sqrt(b.dist) }));
}
