/**
 * The per-image quantities of latents/ (src/protocol/runFormat.ts PER_IMAGE_QUANTITIES), computed
 * with the model at an epoch end (train.ts) and for `encode` runs, from μ and log σ² of every
 * image (encodeAll) and one decoder pass at z = μ, in batches.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageShape, Likelihood } from '../protocol/runFormat';
import type { PerImageValues } from '../run/runDir';
import { batchTensor } from '../analysis/latentStats';
import { klPerImage, meanVariancePerImage } from '../analysis/perImage';
import { reconstructionPerImage } from '../model/loss';
import { oneHotLabels, withLabels } from '../model/vae';
import type { LabelFeed } from './dataset';

const BATCH = 256;

/**
 * −log p(x | z = μ) of every image (nats, summed over pixels): the likelihood term of
 * src/model/loss.ts with the encoder mean as z, so the value does not depend on a random draw.
 * `mu` is row-major, count × latentDim, in the order of the images of `pixels`; `labels`: a
 * conditional model's label of each image.
 */
export function reconAtMean(decoder: tf.LayersModel, mu: Float32Array, pixels: Uint8Array, count: number, shape: ImageShape, latentDim: number, likelihood: Likelihood, labels?: LabelFeed): Float32Array {
  const out = new Float32Array(count);
  for (let s = 0; s < count; s += BATCH) {
    const n = Math.min(BATCH, count - s);
    const idx = Array.from({ length: n }, (_, i) => s + i);
    const values = tf.tidy(() => {
      const z = tf.tensor2d(mu.subarray(s * latentDim, (s + n) * latentDim), [n, latentDim]);
      // One call per batch (predict's own default splits it into batches of 32, ~1.5× slower on wasm).
      // A conditional model's decoder takes [z, one-hot label] (src/model/vae.ts).
      const y = labels ? oneHotLabels(labels.rows.subarray(s, s + n), labels.count) : undefined;
      const logits = decoder.predict(withLabels(z, y), { batchSize: n }) as tf.Tensor4D;
      return reconstructionPerImage(batchTensor(pixels, idx, shape), logits, likelihood).dataSync();
    });
    out.set(values, s);
  }
  return out;
}

/** Every per-image quantity of `count` images whose μ and log σ² are known. */
export function perImageQuantities(
  decoder: tf.LayersModel, latents: { mu: Float32Array; logVar: Float32Array }, pixels: Uint8Array, count: number, shape: ImageShape, latentDim: number, likelihood: Likelihood,
  labels?: LabelFeed,
): PerImageValues {
  return {
    recon: reconAtMean(decoder, latents.mu, pixels, count, shape, latentDim, likelihood, labels),
    kl: klPerImage(latents.mu, latents.logVar, count, latentDim),
    meanVar: meanVariancePerImage(latents.logVar, count, latentDim),
  };
}
