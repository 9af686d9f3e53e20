/** `latent-lens eval`: the negative ELBO of a trained run's model on a folder of images. */
import * as tf from '@tensorflow/tfjs';
import { loadDataset, type ImageShape } from './dataset';
import type { Likelihood } from '../protocol/runFormat';
import { RunFileError, readConfig, runPaths } from '../run/runDir';
import { loadLayersModelFromDir } from '../run/modelFiles';
import { reparameterize, splitMuLogVar } from '../model/vae';
import { klPerImageAndDim, reconstructionPerImage } from '../model/loss';

export interface EvalResult { test_neg_elbo: number; test_recon: number; test_kl: number; images: number; skipped: number }

/**
 * Nats per image, with one z sample per image, exactly as shared/bench/CANONICAL.md defines
 * test negative ELBO (reconstruction summed over pixels + analytic KL).
 */
export async function evaluateRun(runDir: string, dataDir: string, log: (m: string) => void): Promise<EvalResult> {
  const config = await readConfig(runDir);
  const p = runPaths(runDir);
  const [encoder, decoder] = await Promise.all([loadLayersModelFromDir(p.encoder), loadLayersModelFromDir(p.decoder)]).catch((e: Error) => {
    // A damaged or refused file is named as it is; only a model that is not there yet gets the hint.
    if (e instanceof RunFileError && e.kind !== 'missing') throw e;
    throw new Error(`cannot load the model of ${runDir} (model/encoder, model/decoder): ${e.message}. Has the run finished an epoch?`);
  });
  const m = config.model;
  const data = await loadDataset(dataDir, { height: m.imageHeight, width: m.imageWidth, channels: m.channels, maxImages: 0, valSplit: 0, seed: 0, exclude: [runDir] });
  if (data.skipped.length) log(`skipped ${data.skipped.length} files of ${dataDir}`);
  const { recon, kl } = elboSums(encoder, decoder, data.pixels, data.images.length, data.shape, m.likelihood);
  const n = data.images.length;
  encoder.dispose(); decoder.dispose();
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return { test_neg_elbo: r2((recon + kl) / n), test_recon: r2(recon / n), test_kl: r2(kl / n), images: n, skipped: data.skipped.length };
}

/** Reconstruction and KL summed over images [0, count), one z sample per image. */
export function elboSums(encoder: tf.LayersModel, decoder: tf.LayersModel, pixels: Uint8Array, count: number, shape: ImageShape, likelihood: Likelihood): { recon: number; kl: number } {
  const size = shape.height * shape.width * shape.channels;
  let recon = 0, kl = 0;
  for (let s = 0; s < count; s += 500) {
    const n = Math.min(500, count - s);
    const floats = Float32Array.from(pixels.subarray(s * size, (s + n) * size), (v) => v / 255);
    const sums = tf.tidy(() => {
      const x = tf.tensor4d(floats, [n, shape.height, shape.width, shape.channels]);
      const { mu, logVar } = splitMuLogVar(encoder.predict(x) as tf.Tensor2D);
      const logits = decoder.predict(reparameterize(mu, logVar, 12345 + s)) as tf.Tensor4D;
      return [tf.sum(reconstructionPerImage(x, logits, likelihood)).dataSync()[0], tf.sum(klPerImageAndDim(mu, logVar)).dataSync()[0]];
    });
    recon += sums[0]; kl += sums[1];
  }
  return { recon, kl };
}
