/**
 * Which epochs the epoch history keeps (history/, docs/run-directory.md), within a byte budget:
 * all of them when they fit; otherwise the first, the last and an even thinning of the middle
 * (every s-th epoch counted from the first, the smallest s that fits). One rule for the trainer
 * (what it writes), the snapshot (what it sends) and the timeline's tooltip (what it says).
 * Pure (no node:*).
 */

/** At most this many bytes of history per run (μ float16 + map + decoded samples, all kept epochs). */
export const HISTORY_BUDGET_BYTES = 200 * 1024 * 1024;

/** How many epochs fit, and the stride of the middle ones (1: all kept). */
export function historyStride(totalEpochs: number, bytesPerEpoch: number, budget = HISTORY_BUDGET_BYTES): number {
  const fit = Math.max(2, Math.floor(budget / Math.max(1, bytesPerEpoch)));
  if (totalEpochs <= fit) return 1;
  // Kept: 1, 1+s, 1+2s, … (< last), and the last: 2 + floor((E − 2) / s) epochs.
  let s = 1;
  while (2 + Math.floor((totalEpochs - 2) / s) > fit) s++;
  return s;
}

/** Whether epoch `e` (1-based) of `totalEpochs` is kept with this stride. */
export function isKeptEpoch(e: number, totalEpochs: number, stride: number): boolean {
  return e === 1 || e >= totalEpochs || (e - 1) % stride === 0;
}

/** The kept epochs of `epochs` (sorted, 1-based) when at most `max` may stay: first, last, even middle. */
export function thinEpochs(epochs: readonly number[], max: number): number[] {
  if (epochs.length <= max) return [...epochs];
  if (max <= 1) return epochs.slice(-1);
  let s = 1;
  while (2 + Math.floor((epochs.length - 2) / s) > max) s++;
  return epochs.filter((_, i) => i === 0 || i === epochs.length - 1 || i % s === 0);
}

/** "epochs 1–50, every 3rd kept" (the timeline's tooltip, the CLI's log). */
export function describeKept(epochs: readonly number[]): string {
  if (epochs.length === 0) return 'no epochs kept';
  const first = epochs[0], last = epochs[epochs.length - 1];
  const range = first === last ? `epoch ${first}` : `epochs ${first}–${last}`;
  if (epochs.length === last - first + 1) return `${range}, all kept`;
  const gaps = epochs.slice(1).map((e, i) => e - epochs[i]);
  const stride = Math.max(...gaps.slice(0, -1), 1);
  const nth = stride === 2 ? '2nd' : stride === 3 ? '3rd' : `${stride}th`;
  return `${range}, every ${nth} kept (${epochs.length} of ${last - first + 1})`;
}
