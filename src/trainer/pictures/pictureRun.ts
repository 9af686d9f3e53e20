/**
 * What the picture commands need from a run: its encoder and decoder (src/run/modelFiles.ts),
 * the image shape, the dataset's images (data/pixels.u8) and the latest KL per dimension; and
 * the one rule for `--image/--from/--to`: a dataset row index, or a path (relative to the data
 * folder as dataset.json lists it, or any image file, decoded to the model's shape).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ImageShape } from '../../protocol/runFormat';
import { findModelFolder, readConfig, readDatasetIndex, readMetricsByKind, readPixels } from '../../run/runDir';
import { loadLayersModelFromDir } from '../../run/modelFiles';
import { splitMuLogVar } from '../../model/vae';
import { decodeImage } from '../dataset';
import { PictureInputError } from './pictureArgs';

export interface PictureRun {
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
  shape: ImageShape & { channels: 1 | 3 };
  latentDim: number;
  dataDir: string;
  /** Dataset paths (relative to dataDir), row order. */
  files: string[];
  /** Every dataset image, row order (empty when the run has none). */
  pixels: Uint8Array;
  klPerDim: number[];
}

export async function openPictureRun(runDir: string): Promise<PictureRun> {
  if (!existsSync(runDir)) throw new PictureInputError(`run directory "${runDir}" does not exist`);
  const found = findModelFolder(runDir);
  if (!found) throw new PictureInputError(`run "${runDir}" has no model: expected model/encoder/model.json and model/decoder/model.json (train it first, or wait for its first save)`);
  const config = await readConfig(runDir);
  const [encoder, decoder] = await Promise.all([loadLayersModelFromDir(found.encoderDir), loadLayersModelFromDir(found.decoderDir)]);
  const { imageHeight: height, imageWidth: width, channels, latentDim } = config.model;
  const dataset = await readDatasetIndex(runDir);
  const files = dataset?.images.map((im) => im.path) ?? [];
  const size = height * width * channels;
  const pixels = files.length ? (await readPixels(runDir, files.length * size)) ?? new Uint8Array(0) : new Uint8Array(0);
  const { steps, epochs } = await readMetricsByKind(runDir);
  const klPerDim = epochs[epochs.length - 1]?.klPerDim ?? steps[steps.length - 1]?.klPerDim ?? [];
  return { encoder, decoder, shape: { height, width, channels }, latentDim, dataDir: config.dataDir, files, pixels: pixels.length >= files.length * size ? pixels : new Uint8Array(0), klPerDim };
}

/** The pixels of `--flag ref`: a dataset row index, or a path. Errors name the flag and value. */
export async function resolveImage(run: PictureRun, flag: string, ref: string): Promise<Uint8Array> {
  const { height, width, channels } = run.shape;
  const size = height * width * channels;
  const t = ref.trim();
  if (/^\d+$/.test(t)) {
    const i = Number(t);
    if (i >= run.files.length || !run.pixels.length) {
      throw new PictureInputError(`--${flag} ${JSON.stringify(ref)} is not valid: no image with index ${i} (the run has ${run.files.length} images, index 0 to ${run.files.length - 1})`);
    }
    return run.pixels.subarray(i * size, (i + 1) * size);
  }
  const rel = path.isAbsolute(t) ? path.relative(run.dataDir, t) : t;
  const row = run.files.indexOf(rel.split(path.sep).join('/'));
  if (row >= 0 && run.pixels.length) return run.pixels.subarray(row * size, (row + 1) * size);
  const file = [t, path.join(run.dataDir, t)].find((f) => existsSync(f));
  if (!file) throw new PictureInputError(`--${flag} ${JSON.stringify(ref)} is not valid: neither an image index of the run nor an image file`);
  try {
    return await decodeImage(file, run.shape);
  } catch (e) {
    throw new PictureInputError(`--${flag} ${JSON.stringify(ref)} is not valid: ${(e as Error).message}`);
  }
}

/** μ of some images (each H × W × C bytes), n × latentDim. */
export function encodeMu(run: PictureRun, images: Uint8Array[]): Float32Array {
  const { height, width, channels } = run.shape;
  const size = height * width * channels;
  const x = new Float32Array(images.length * size);
  images.forEach((im, i) => { for (let k = 0; k < size; k++) x[i * size + k] = im[k] / 255; });
  return tf.tidy(() => splitMuLogVar(run.encoder.predict(tf.tensor4d(x, [images.length, height, width, channels])) as tf.Tensor2D).mu.dataSync() as Float32Array);
}

/** Decode n latent vectors (n × latentDim) to images in [0, 1], in batches of 256. */
export function decodeZ(run: PictureRun, z: Float32Array): Float32Array {
  const D = run.latentDim;
  const n = z.length / D;
  const { height, width, channels } = run.shape;
  const out = new Float32Array(n * height * width * channels);
  for (let s = 0; s < n; s += 256) {
    const m = Math.min(256, n - s);
    const px = tf.tidy(() => tf.sigmoid(run.decoder.predict(tf.tensor2d(z.subarray(s * D, (s + m) * D), [m, D]), { batchSize: m }) as tf.Tensor).dataSync());
    out.set(px, s * height * width * channels);
  }
  return out;
}

/** Dimensions ordered by KL, largest first (ties: lower index first). */
export function dimsByKl(klPerDim: readonly number[], latentDim: number): number[] {
  const kl = (d: number) => klPerDim[d] ?? 0;
  return Array.from({ length: latentDim }, (_, d) => d).sort((a, b) => kl(b) - kl(a) || a - b);
}
