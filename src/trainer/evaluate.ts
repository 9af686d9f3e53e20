/** `latent-lens eval`: the negative ELBO of a trained run's model on a folder of images. */
import * as tf from '@tensorflow/tfjs';
import { labelFeed, loadDataset, type ImageShape, type LabelFeed } from './dataset';
import type { Likelihood } from '../protocol/runFormat';
import { RunFileError, readConfig, runPaths } from '../run/runDir';
import { loadLayersModelFromDir } from '../run/modelFiles';
import { oneHotLabels, reparameterize, splitMuLogVar, withLabels } from '../model/vae';
import { batchTensor } from '../analysis/latentStats';
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
  let labels: LabelFeed | undefined;
  try {
    labels = labelFeed(m, data);
  } catch (e) {
    encoder.dispose(); decoder.dispose();
    throw e;
  }
  const { recon, kl } = elboSums(encoder, decoder, data.pixels, data.images.length, data.shape, m.likelihood, labels);
  const n = data.images.length;
  encoder.dispose(); decoder.dispose();
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return { test_neg_elbo: r2((recon + kl) / n), test_recon: r2(recon / n), test_kl: r2(kl / n), images: n, skipped: data.skipped.length };
}

/** Reconstruction and KL summed over images [0, count), one z sample per image; `labels` for a conditional model. */
export function elboSums(encoder: tf.LayersModel, decoder: tf.LayersModel, pixels: Uint8Array, count: number, shape: ImageShape, likelihood: Likelihood, labels?: LabelFeed): { recon: number; kl: number } {
  const size = shape.height * shape.width * shape.channels;
  let recon = 0, kl = 0;
  for (let s = 0; s < count; s += 500) {
    const n = Math.min(500, count - s);
    const floats = Float32Array.from(pixels.subarray(s * size, (s + n) * size), (v) => v / 255);
    const sums = tf.tidy(() => {
      const x = tf.tensor4d(floats, [n, shape.height, shape.width, shape.channels]);
      const y = labels ? oneHotLabels(labels.rows.subarray(s, s + n), labels.count) : undefined;
      const { mu, logVar } = splitMuLogVar(encoder.predict(withLabels(x, y)) as tf.Tensor2D);
      const logits = decoder.predict(withLabels(reparameterize(mu, logVar, 12345 + s), y)) as tf.Tensor4D;
      return [tf.sum(reconstructionPerImage(x, logits, likelihood)).dataSync()[0], tf.sum(klPerImageAndDim(mu, logVar)).dataSync()[0]];
    });
    recon += sums[0]; kl += sums[1];
  }
  return { recon, kl };
}

/**
 * μ and log σ² of every image (row-major, count × latentDim), in batches of 256: encodeAll of
 * src/analysis/latentStats, with a conditional model's labels fed beside the pixels.
 */
export function encodeRows(encoder: tf.LayersModel, pixels: Uint8Array, count: number, shape: ImageShape, latentDim: number, labels?: LabelFeed): { mu: Float32Array; logVar: Float32Array } {
  const mu = new Float32Array(count * latentDim);
  const logVar = new Float32Array(count * latentDim);
  for (let s = 0; s < count; s += 256) {
    const idx = Array.from({ length: Math.min(256, count - s) }, (_, i) => s + i);
    const [m, v] = tf.tidy(() => {
      const y = labels ? oneHotLabels(labels.rows.subarray(s, s + idx.length), labels.count) : undefined;
      const out = splitMuLogVar(encoder.predict(withLabels(batchTensor(pixels, idx, shape), y), { batchSize: idx.length }) as tf.Tensor2D);
      return [out.mu.dataSync(), out.logVar.dataSync()];
    });
    mu.set(m, s * latentDim);
    logVar.set(v, s * latentDim);
  }
  return { mu, logVar };
}
