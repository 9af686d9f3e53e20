/**
 * The map during epoch 1 (issue 13: "the first map in seconds"). Until the first epoch ends
 * there are no latents, so the panel would show no map for minutes on a large folder. Instead,
 * a second into training and then every `everySteps` steps or `refreshMs` of the first epoch
 * (whichever comes first, but never more often than 20 × the last map's own cost: ≤ 5 % of
 * the training time), the current
 * encoder encodes a fixed, evenly spaced sample of the images (at most `sampleSize`), and a PCA of
 * their μ is written as latents/projection.json (epoch 0, method pca) through the usual path:
 * writeProjection, then a `projection` event. Images outside the sample are not placed in such a
 * map (null in the file, NaN in memory; the map draws and hit-tests finite points only). Each
 * refresh is Procrustes-aligned to the previous one, so clusters do not jump; the epoch-end map
 * (all images, PCA then UMAP) replaces it as before. The time spent is counted, so the trainer
 * can say what it cost.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ImageShape } from '../protocol/runFormat';
import type { TrainerEvent } from '../protocol/trainerIpc';
import { encodeRows } from './evaluate';
import type { LabelFeed } from './dataset';
import { alignTo, pca2d } from '../analysis/projectionMath';
import { writeProjection } from '../run/runDir';

export interface EarlyMapOptions {
  /** Most images encoded for one early map. */
  sampleSize: number;
  /** The first map once training has run this long (ms) … */
  firstAfterMs: number;
  /** … and at least this many steps. */
  firstAfterSteps: number;
  /** Then a refresh every this many steps … */
  everySteps: number;
  /** … or this long (ms), whichever comes first, while the first epoch lasts. */
  refreshMs: number;
}

export const EARLY_MAP_DEFAULTS: EarlyMapOptions = { sampleSize: 5000, firstAfterMs: 1000, firstAfterSteps: 5, everySteps: 200, refreshMs: 10_000 };
/** A refresh waits at least this many times the last map's cost: early maps take ≤ 1/20 of epoch 1. */
const COST_FACTOR = 20;

export class EarlyMap {
  private readonly opts: EarlyMapOptions;
  private readonly sample: Uint32Array;
  private readonly samplePixels: Uint8Array;
  private previous: { x: Float32Array; y: Float32Array } | undefined;
  private started = 0;
  private lastStep = -1;
  private lastAt = 0;
  private lastCost = 0;
  /** Maps written and the time they took (ms). */
  maps = 0;
  millis = 0;

  /** A conditional model's labels of the sample's images (its encoder takes them). */
  private readonly sampleLabels: LabelFeed | undefined;

  constructor(private readonly runDir: string, pixels: Uint8Array, private readonly count: number, private readonly shape: ImageShape, private readonly latentDim: number, private readonly emit: (e: TrainerEvent) => void, opts: Partial<EarlyMapOptions> = {}, labels?: LabelFeed) {
    this.opts = { ...EARLY_MAP_DEFAULTS, ...opts };
    const n = Math.min(count, this.opts.sampleSize);
    this.sample = Uint32Array.from({ length: n }, (_, i) => Math.floor((i * count) / n));
    const size = shape.height * shape.width * shape.channels;
    this.samplePixels = new Uint8Array(n * size);
    this.sample.forEach((row, i) => this.samplePixels.set(pixels.subarray(row * size, (row + 1) * size), i * size));
    this.sampleLabels = labels && { rows: Int32Array.from(this.sample, (row) => labels.rows[row]), count: labels.count };
  }

  /** Call after every step of the first epoch; writes a map when one is due. */
  async afterStep(encoder: tf.LayersModel, step: number, stepInEpoch: number): Promise<void> {
    if (this.sample.length < 4) return;
    if (this.started === 0) this.started = performance.now();
    const due = this.lastStep < 0
      ? stepInEpoch + 1 >= this.opts.firstAfterSteps && performance.now() - this.started >= this.opts.firstAfterMs
      : (step - this.lastStep >= this.opts.everySteps || performance.now() - this.lastAt >= this.opts.refreshMs)
        && performance.now() - this.lastAt >= COST_FACTOR * this.lastCost;
    if (!due) return;
    this.lastStep = step;
    const t0 = performance.now();
    const n = this.sample.length;
    const { mu } = encodeRows(encoder, this.samplePixels, n, this.shape, this.latentDim, this.sampleLabels);
    const pca = pca2d(mu, n, this.latentDim);
    if (this.previous) alignTo(pca.x, pca.y, this.previous.x, this.previous.y);
    this.previous = pca;
    const x = new Float32Array(this.count).fill(NaN), y = new Float32Array(this.count).fill(NaN);
    this.sample.forEach((row, i) => { x[row] = pca.x[i]; y[row] = pca.y[i]; });
    await writeProjection(this.runDir, { epoch: 0, method: 'pca', x, y });
    const ms = performance.now() - t0;
    this.lastAt = performance.now();
    this.lastCost = ms;
    this.maps++;
    this.millis += ms;
    this.emit({ type: 'projection', epoch: 0, method: 'pca', millis: Math.round(ms) });
  }

  /** "3 early maps of 5000 images in 2.1 s (1.6% of epoch 1)", or '' when none was made. */
  summary(): string {
    if (this.maps === 0) return '';
    const epochMillis = performance.now() - this.started;
    return `${this.maps} early map${this.maps > 1 ? 's' : ''} of ${this.sample.length} images in ${(this.millis / 1000).toFixed(1)} s (${((100 * this.millis) / Math.max(1, epochMillis)).toFixed(1)}% of epoch 1)`;
  }
}
