/**
 * Decoding many points without freezing the page (issue 15's grids): the points' μ are decoded
 * in batches of BATCH, one batch per task (a MessageChannel hop between batches lets hover,
 * scrolling and input run), each image handed to `onImage` as it is ready, progress reported.
 * Starting a new job cancels the previous one of the same BatchDecoder.
 */
import type { BrowserDecoder } from './decoder';

export const BATCH = 32;

export interface BatchJob {
  /** Snapshot point indices to decode. */
  points: ArrayLike<number>;
  onImage(k: number, point: number, pixels: Float32Array): void;
  onProgress?(done: number, total: number): void;
}

const nextTask = () => new Promise<void>((res) => {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => { ch.port1.close(); res(); };
  ch.port2.postMessage(0);
});

export class BatchDecoder {
  private generation = 0;

  constructor(private decoder: BrowserDecoder, private mu: () => { mu: Float32Array | null; dim: number }) {}

  /** Decode the job's points; resolves false when cancelled or nothing could be decoded. */
  async run(job: BatchJob): Promise<boolean> {
    const gen = ++this.generation;
    const total = job.points.length;
    job.onProgress?.(0, total);
    for (let start = 0; start < total; start += BATCH) {
      await nextTask();
      if (gen !== this.generation) return false;
      const { mu, dim } = this.mu();
      if (!mu || !this.decoder.ready) return false;
      const n = Math.min(BATCH, total - start);
      const zs = new Float32Array(n * dim);
      for (let k = 0; k < n; k++) {
        const i = job.points[start + k];
        zs.set(mu.subarray(i * dim, i * dim + dim), k * dim);
      }
      const out = this.decoder.decodeBatch(zs, n);
      if (!out) return false;
      const size = out.length / n;
      for (let k = 0; k < n; k++) job.onImage(start + k, job.points[start + k], out.subarray(k * size, (k + 1) * size));
      job.onProgress?.(start + n, total);
    }
    return true;
  }

  cancel(): void {
    this.generation++;
  }
}
