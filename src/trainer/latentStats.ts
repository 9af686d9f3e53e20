/** μ / log σ² of many images, and the statistics the panel shows: KL per dimension, active units. */
import * as tf from '@tensorflow/tfjs';
import { splitMuLogVar } from '../model/vae';
import { klWarmupWeight } from '../model/loss';
import type { ImageShape } from './dataset';

/** Dimensions whose μ varies less than this across the data are inactive (Burda et al. 2016, §5.2). */
export const ACTIVE_UNIT_THRESHOLD = 0.01;

/** Pixels of some images as a float tensor in [0, 1]. */
export function batchTensor(pixels: Uint8Array, indices: ArrayLike<number>, shape: ImageShape): tf.Tensor4D {
  const size = shape.height * shape.width * shape.channels;
  const out = new Float32Array(indices.length * size);
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * size;
    for (let k = 0; k < size; k++) out[b * size + k] = pixels[src + k] / 255;
  }
  return tf.tensor4d(out, [indices.length, shape.height, shape.width, shape.channels]);
}

/** μ and log σ² of every image (row-major, count × latentDim), in batches of 256. */
export function encodeAll(encoder: tf.LayersModel, pixels: Uint8Array, count: number, shape: ImageShape, latentDim: number): { mu: Float32Array; logVar: Float32Array } {
  const mu = new Float32Array(count * latentDim);
  const logVar = new Float32Array(count * latentDim);
  for (let s = 0; s < count; s += 256) {
    const idx = Array.from({ length: Math.min(256, count - s) }, (_, i) => s + i);
    const [m, v] = tf.tidy(() => {
      const out = splitMuLogVar(encoder.predict(batchTensor(pixels, idx, shape)) as tf.Tensor2D);
      return [out.mu.dataSync(), out.logVar.dataSync()];
    });
    mu.set(m, s * latentDim);
    logVar.set(v, s * latentDim);
  }
  return { mu, logVar };
}

/** Mean analytic KL of each dimension over the images, and the count of active units (Var of μ > 0.01). */
export function latentStatistics(mu: Float32Array, logVar: Float32Array, count: number, latentDim: number): { klPerDim: number[]; activeUnits: number } {
  const d = latentDim, n = count;
  const klPerDim = new Array<number>(d).fill(0);
  let activeUnits = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0, sq = 0;
    for (let i = 0; i < n; i++) mean += mu[i * d + j];
    mean /= n;
    for (let i = 0; i < n; i++) {
      const m = mu[i * d + j], lv = logVar[i * d + j];
      sq += (m - mean) ** 2;
      klPerDim[j] += 0.5 * (Math.exp(lv) + m * m - 1 - lv);
    }
    klPerDim[j] /= n;
    if (sq / n > ACTIVE_UNIT_THRESHOLD) activeUnits++;
  }
  return { klPerDim, activeUnits };
}

/**
 * Steps the model must have trained at the full KL weight before a low count of active units is
 * called posterior collapse. A freshly initialised encoder gives nearly the same μ for every
 * image, so most units start out "inactive" and become active within a few dozen steps (runs on the
 * embedded 2,000-image sample: 3–7 of 16 active after epoch 1 = 14 steps, 15–16 after 28); and
 * while KL warm-up still scales the KL term down, nothing is pulling the units to the prior yet.
 * 100 steps is less than one epoch of a real dataset (60,000 images at batch 128: 468 steps).
 */
export const COLLAPSE_MIN_STEPS = 100;

/**
 * The trainer's "posterior collapse" warning at an epoch end, or undefined. It is given when
 *  - at most a quarter of the dimensions are active (`activeUnits <= floor(latentDim / 4)`), and
 *  - KL warm-up is over (`step >= klWarmupSteps`: the KL term has its full weight β), and
 *  - the model has taken at least COLLAPSE_MIN_STEPS steps since then
 *    (`step - klWarmupSteps >= COLLAPSE_MIN_STEPS`; without warm-up: `step >= 100`).
 * Earlier, few active units mean an untrained encoder, not a collapsed posterior.
 */
export function posteriorCollapseWarning(o: { activeUnits: number; latentDim: number; step: number; klWarmupSteps: number }): string | undefined {
  if (o.activeUnits > Math.floor(o.latentDim / 4)) return undefined;
  if (klWarmupWeight(o.step, o.klWarmupSteps) < 1) return undefined;
  if (o.step - Math.max(0, o.klWarmupSteps) < COLLAPSE_MIN_STEPS) return undefined;
  return `posterior collapse: only ${o.activeUnits} of ${o.latentDim} latent dimensions are active after ${o.step} steps; try KL warm-up (--kl-warmup) or free bits (--free-bits)`;
}
