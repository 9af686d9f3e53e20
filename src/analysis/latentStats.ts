/** μ / log σ² of many images, and the statistics the panel shows: KL per dimension, active units. */
import * as tf from '@tensorflow/tfjs';
import { splitMuLogVar } from '../model/vae';
import { collapseCheckDue } from './collapseRule';
import type { ImageShape } from '../trainer/dataset';

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

export { COLLAPSE_MIN_STEPS } from './collapseRule';

/**
 * The trainer's "posterior collapse" warning at an epoch end, or undefined. It is given when
 *  - at most a quarter of the dimensions are active (`activeUnits <= floor(latentDim / 4)`), and
 *  - collapseCheckDue(step, klWarmupSteps): KL warm-up is over and the model has trained
 *    COLLAPSE_MIN_STEPS steps at full KL weight (src/analysis/collapseRule.ts).
 */
export function posteriorCollapseWarning(o: { activeUnits: number; latentDim: number; step: number; klWarmupSteps: number }): string | undefined {
  if (o.activeUnits > Math.floor(o.latentDim / 4)) return undefined;
  if (!collapseCheckDue(o.step, o.klWarmupSteps)) return undefined;
  return `posterior collapse: only ${o.activeUnits} of ${o.latentDim} latent dimensions are active after ${o.step} steps; try KL warm-up (--kl-warmup) or free bits (--free-bits)`;
}
