// Optional timing of the parts of the wasm training kernels (im2col, transposes, the XNNPACK
// call, …), for `scripts/profile-wasm.ts --profile`: tf.profile times a whole kernel, this
// says which part of a composite kernel the time goes to. Off unless the profiler turns it on;
// then `now()` and `tick()` cost one clock read each. The clock is wall time unless the
// profiler passes another (scripts/profile-wasm.ts --cpu-profile: the process's CPU time, which
// a loaded machine hardly moves); this module reads no Node API itself (it also runs in the page).

let timing = false;
let clock: () => number = () => performance.now();
const partTimes = new Map<string, number>();
/**
 * Turns on/off accumulation of time per kernel part (in ms of `msClock`, default wall time);
 * returns and clears what was accumulated.
 */
export function wasmKernelPartTimes(enable?: boolean, msClock?: () => number): Map<string, number> {
  const copy = new Map(partTimes);
  partTimes.clear();
  if (enable !== undefined) timing = enable;
  if (msClock) clock = msClock;
  return copy;
}
/** Adds the time since `since` to `label` (when timing); returns the new start time. */
export function tick(label: string, since: number): number {
  if (!timing) return 0;
  const now = clock();
  partTimes.set(label, (partTimes.get(label) ?? 0) + now - since);
  return now;
}
/** A start time for tick (0 when not timing). */
export function now(): number {
  return timing ? clock() : 0;
}

