/**
 * Decodes a generator's grid without freezing the page (issue 15): one batched `predict` for the
 * whole grid when the decoder is fast enough to stay under a frame budget, else the fewest
 * chunks that each stay under it, each in a task of its own so hover and pan run in between.
 * The newest job wins: starting one cancels the job before it. Progress goes to a callback.
 */
import type { BrowserDecoder } from './decoder';

/** The longest a chunk should take (a "long task" is > 50 ms). */
export const TASK_BUDGET_MS = 40;

export interface BatchJob {
  /** n × latentDim latent vectors. */
  z: Float32Array;
  n: number;
  /** Called after each chunk: images [from, to) of the job are in `pixels`. */
  onChunk(pixels: Float32Array, from: number, to: number): void;
  onProgress?(done: number, total: number): void;
}

export interface BatchResult {
  pixels: Float32Array;
  /** From the start of the job to its last image. */
  ms: number;
  /** predict calls made. */
  calls: number;
}

const nextTask = (): Promise<void> => new Promise((resolve) => {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => resolve();
  ch.port2.postMessage(0);
});

export class BatchRunner {
  private generation = 0;
  /** Measured decoder time per image (ms), learned from each chunk. */
  msPerImage = 0;

  constructor(private decoder: BrowserDecoder) {}

  /** Run a job; resolves with all its images, or null when a newer job replaced it (or no decoder). */
  async run(job: BatchJob): Promise<BatchResult | null> {
    const gen = ++this.generation;
    const t0 = performance.now();
    await nextTask(); // never inside the caller's (input) task
    if (gen !== this.generation || !this.decoder.ready) return null;
    const D = job.z.length / job.n;
    let out: Float32Array | null = null;
    let calls = 0;
    for (let from = 0; from < job.n;) {
      // Unknown speed: a first chunk of 16 measures it.
      const chunk = this.msPerImage > 0 ? Math.max(1, Math.floor(TASK_BUDGET_MS / this.msPerImage)) : 16;
      const to = Math.min(job.n, from + chunk);
      const c0 = performance.now();
      const px = this.decoder.decodeBatch(job.z.subarray(from * D, to * D), to - from);
      if (!px) return null;
      calls++;
      const per = (performance.now() - c0) / (to - from);
      this.msPerImage = this.msPerImage ? 0.5 * this.msPerImage + 0.5 * per : per;
      const size = px.length / (to - from);
      out ??= new Float32Array(job.n * size);
      out.set(px, from * size);
      job.onChunk(out, from, to);
      job.onProgress?.(to, job.n);
      from = to;
      if (from < job.n) {
        await nextTask();
        if (gen !== this.generation) return null;
      }
    }
    return { pixels: out ?? new Float32Array(0), ms: performance.now() - t0, calls };
  }

  /** Cancel the running job. */
  cancel(): void {
    this.generation++;
  }
}
