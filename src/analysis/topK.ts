/**
 * The k best (smallest) distances seen so far, kept sorted in two parallel arrays: the inner
 * step of every exact k-nearest-neighbour search here (projectionMath.ts's `knn` and grouped
 * k-NN, the webview's placeOnMap.ts).
 */

/**
 * Insert `d2` (row `i`) into the ascending lists `bd`/`bi` (length k), dropping the last; the
 * caller has checked that d2 < bd[k − 1]. Returns the new k-th distance: the bound to beat.
 */
export function insertTopK(bd: Float64Array, bi: Int32Array, d2: number, i: number): number {
  const k = bd.length;
  let j = k - 1;
  while (j > 0 && bd[j - 1] > d2) { bd[j] = bd[j - 1]; bi[j] = bi[j - 1]; j--; }
  bd[j] = d2; bi[j] = i;
  return bd[k - 1];
}
