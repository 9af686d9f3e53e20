/**
 * Decodes a generator's grid without freezing the page (issue 15): chunks of a few FIXED batch
 * shapes (1, 2, 4, 8, 16 — the last chunk padded up, so the backend sees the same few shapes and
 * never re-plans), as many images per chunk as fit the task budget at the measured speed, each
 * chunk in a task of its own (scheduler.yield / MessageChannel) so hover, pan and a hover decode
 * run in between. Identical rows decode once (z = 0 is in every column 0σ of an unpinned
 * traversal); a job identical to the last finished one (same z, same decoder weights) returns its
 * images at once. The newest job wins: starting one cancels the job before it.
 */
import type { BrowserDecoder } from './decoder';

/** The longest a chunk should take (a "long task" is > 50 ms; the machine may slow down mid-chunk). */
export const TASK_BUDGET_MS = 30;
/** The batch shapes predict ever sees. */
export const BATCH_SHAPES = [1, 2, 4, 8, 16] as const;

export interface BatchJob {
  /** n × latentDim latent vectors. */
  z: Float32Array;
  n: number;
  /** Called after each chunk: images [from, to) of the job are in `pixels` (rows in job order). */
  onChunk(pixels: Float32Array, from: number, to: number): void;
  onProgress?(done: number, total: number): void;
}

export interface BatchResult {
  pixels: Float32Array;
  /** From the start of the job to its last image. */
  ms: number;
  /** From the start of the job to its first image. */
  firstMs: number;
  /** predict calls made (0: the previous job's images reused). */
  calls: number;
  /** Time inside predict, summed. */
  predictMs: number;
}

type Yield = () => Promise<void>;
const channelHop: Yield = () => new Promise((resolve) => {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => { ch.port1.close(); resolve(); };
  ch.port2.postMessage(0);
});
/** Yield to input and other tasks: scheduler.yield where the browser has it (keeps this job's place). */
export const nextTask: Yield = () => {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return s?.yield ? s.yield() : channelHop();
};

/** The largest fixed shape whose predicted time fits the budget (at least 1). */
export function chunkShape(msPerImage: number, left: number): number {
  let best: number = BATCH_SHAPES[0];
  for (const s of BATCH_SHAPES) if (msPerImage * s <= TASK_BUDGET_MS) best = s;
  // Pad the tail up to a known shape rather than make a new one; never a shape larger than needed.
  for (const s of BATCH_SHAPES) if (s >= Math.min(best, left)) return s;
  return best;
}

/** Rows [i, i + rows) of z (D wide) as a string key (their exact bits). */
function rowKey(z: Float32Array, i: number, D: number, rows = 1): string {
  const u = new Uint16Array(z.buffer, z.byteOffset + i * D * 4, D * 2 * rows);
  let s = '';
  for (let k = 0; k < u.length; k += 4096) s += String.fromCharCode(...u.subarray(k, k + 4096));
  return s;
}

export class BatchRunner {
  private generation = 0;
  private last: { key: string; version: number; pixels: Float32Array } | null = null;
  /** Measured decoder time per image (ms), learned from each chunk; shared by the views. */
  static msPerImage = 0;

  constructor(private decoder: BrowserDecoder) {}

  /** Run a job; resolves with all its images, or null when a newer job replaced it (or no decoder). */
  async run(job: BatchJob): Promise<BatchResult | null> {
    const gen = ++this.generation;
    const t0 = performance.now();
    await nextTask(); // never inside the caller's (input) task
    if (gen !== this.generation || !this.decoder.ready) return null;
    const D = job.z.length / job.n;
    const key = `${job.n}|${rowKey(job.z, 0, D, job.n)}`;
    if (this.last && this.last.key === key && this.last.version === this.decoder.version) {
      job.onChunk(this.last.pixels, 0, job.n);
      job.onProgress?.(job.n, job.n);
      const ms = performance.now() - t0;
      return { pixels: this.last.pixels, ms, firstMs: ms, calls: 0, predictMs: 0 };
    }
    // Distinct rows, in first-seen order; `rowOf[i]` is the distinct row of job row i.
    const seen = new Map<string, number>();
    const uniq: number[] = [];
    const rowOf = new Int32Array(job.n);
    for (let i = 0; i < job.n; i++) {
      const k = rowKey(job.z, i, D);
      let u = seen.get(k);
      if (u === undefined) { u = uniq.length; seen.set(k, u); uniq.push(i); }
      rowOf[i] = u;
    }
    let out: Float32Array | null = null;
    let size = 0, calls = 0, predictMs = 0, firstMs = 0;
    let done = 0; // job rows [0, done) are drawn
    const version = this.decoder.version;
    for (let from = 0; from < uniq.length;) {
      const shape = BatchRunner.msPerImage > 0 ? chunkShape(BatchRunner.msPerImage, uniq.length - from) : 1;
      const to = Math.min(uniq.length, from + shape);
      const zs = new Float32Array(shape * D); // padded rows stay 0
      for (let k = from; k < to; k++) zs.set(job.z.subarray(uniq[k] * D, uniq[k] * D + D), (k - from) * D);
      const c0 = performance.now();
      const px = this.decoder.decodeBatch(zs, shape);
      if (!px) return null;
      const dt = performance.now() - c0;
      calls++;
      predictMs += dt;
      // The first call of a shape may include planning: learn from it, but not only from it.
      const per = dt / shape;
      BatchRunner.msPerImage = BatchRunner.msPerImage ? 0.6 * BatchRunner.msPerImage + 0.4 * per : per;
      size ||= px.length / shape;
      out ??= new Float32Array(job.n * size);
      // Rows of the job whose distinct row is now decoded, in order: fill and hand them out.
      const end = to;
      let next = done;
      for (let i = done; i < job.n; i++) {
        if (rowOf[i] < from || rowOf[i] >= end) continue;
        out.set(px.subarray((rowOf[i] - from) * size, (rowOf[i] - from + 1) * size), i * size);
      }
      while (next < job.n && rowOf[next] < end) next++;
      if (next > done) {
        if (!firstMs) firstMs = performance.now() - t0;
        job.onChunk(out, done, next);
        done = next;
      }
      job.onProgress?.(Math.min(job.n, done), job.n);
      from = to;
      if (from < uniq.length) {
        await nextTask();
        if (gen !== this.generation) return null;
      }
    }
    if (done < job.n && out) { job.onChunk(out, done, job.n); done = job.n; }
    const pixels = out ?? new Float32Array(0);
    this.last = { key, version, pixels };
    return { pixels, ms: performance.now() - t0, firstMs: firstMs || performance.now() - t0, calls, predictMs };
  }

  /** Cancel the running job. */
  cancel(): void {
    this.generation++;
  }
}
