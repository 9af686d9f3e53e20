/**
 * What the picture commands need from a run: its encoder and decoder (src/run/modelFiles.ts),
 * the image shape, the dataset's images (data/pixels.u8) and the latest KL per dimension; and
 * the one rule for `--image/--from/--to`: a dataset row index, or a path (relative to the data
 * folder as dataset.json lists it, or any image file, decoded to the model's shape).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ImageShape, ModelConfig } from '../../protocol/runFormat';
import { findModelFolder, readConfig, readDatasetIndex, readMetricsByKind, readPixels } from '../../run/runDir';
import { loadLayersModelFromDir } from '../../run/modelFiles';
import { oneHotLabels, splitMuLogVar, withLabels } from '../../model/vae';
import { decodeImage } from '../dataset';
import { PictureInputError } from './pictureArgs';

export interface PictureRun {
  model: ModelConfig;
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
  shape: ImageShape & { channels: 1 | 3 };
  latentDim: number;
  dataDir: string;
  /** Dataset paths (relative to dataDir), row order. */
  files: string[];
  /** Every dataset image, row order (empty when the run has none). */
  pixels: Uint8Array;
  /** A conditional model's label index of each dataset row (-1: a label the model does not know); empty otherwise. */
  rowLabels: Int32Array;
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
  const known = config.model.conditional ? config.model.labels ?? [] : [];
  const rowLabels = known.length && dataset ? Int32Array.from(dataset.images, (im) => known.indexOf(dataset.labels[im.label] ?? '')) : new Int32Array(0);
  const size = height * width * channels;
  const pixels = files.length ? (await readPixels(runDir, files.length * size)) ?? new Uint8Array(0) : new Uint8Array(0);
  const { steps, epochs } = await readMetricsByKind(runDir);
  const klPerDim = epochs[epochs.length - 1]?.klPerDim ?? steps[steps.length - 1]?.klPerDim ?? [];
  return { model: config.model, rowLabels, encoder, decoder, shape: { height, width, channels }, latentDim, dataDir: config.dataDir, files, pixels: pixels.length >= files.length * size ? pixels : new Uint8Array(0), klPerDim };
}

/** An image of `--flag`: its pixels, and its dataset row when it is one (a conditional model encodes it with that row's label). */
export interface ResolvedImage { pixels: Uint8Array; row: number | null }

/** The pixels of `--flag ref`: a dataset row index, or a path. Errors name the flag and value. */
export async function resolveImage(run: PictureRun, flag: string, ref: string): Promise<Uint8Array> {
  return (await resolveImageRow(run, flag, ref)).pixels;
}

/** resolveImage, with the dataset row (null for a file outside the dataset). */
export async function resolveImageRow(run: PictureRun, flag: string, ref: string): Promise<ResolvedImage> {
  const { height, width, channels } = run.shape;
  const size = height * width * channels;
  const t = ref.trim();
  if (/^\d+$/.test(t)) {
    const i = Number(t);
    if (i >= run.files.length || !run.pixels.length) {
      throw new PictureInputError(`--${flag} ${JSON.stringify(ref)} is not valid: no image with index ${i} (the run has ${run.files.length} images, index 0 to ${run.files.length - 1})`);
    }
    return { pixels: run.pixels.subarray(i * size, (i + 1) * size), row: i };
  }
  const rel = path.isAbsolute(t) ? path.relative(run.dataDir, t) : t;
  const row = run.files.indexOf(rel.split(path.sep).join('/'));
  if (row >= 0 && run.pixels.length) return { pixels: run.pixels.subarray(row * size, (row + 1) * size), row };
  const file = [t, path.join(run.dataDir, t)].find((f) => existsSync(f));
  if (!file) throw new PictureInputError(`--${flag} ${JSON.stringify(ref)} is not valid: neither an image index of the run nor an image file`);
  try {
    return { pixels: await decodeImage(file, run.shape), row: null };
  } catch (e) {
    throw new PictureInputError(`--${flag} ${JSON.stringify(ref)} is not valid: ${(e as Error).message}`);
  }
}

/** The one-hot rows of `labels` (model label indices) for a conditional model; undefined for any other. */
function labelInput(run: PictureRun, labels: ArrayLike<number> | undefined, n: number): tf.Tensor2D | undefined {
  if (!run.model.conditional) return undefined;
  if (!labels || labels.length !== n) throw new Error(`internal: a conditional model needs ${n} labels`);
  return oneHotLabels(labels, run.model.labels!.length);
}

/**
 * μ of some images (each H × W × C bytes), n × latentDim. A conditional encoder takes each
 * image's label (`labels`: model label indices, one per image).
 */
export function encodeMu(run: PictureRun, images: Uint8Array[], labels?: ArrayLike<number>): Float32Array {
  const { height, width, channels } = run.shape;
  const size = height * width * channels;
  const x = new Float32Array(images.length * size);
  images.forEach((im, i) => { for (let k = 0; k < size; k++) x[i * size + k] = im[k] / 255; });
  return tf.tidy(() => {
    const input = withLabels(tf.tensor4d(x, [images.length, height, width, channels]), labelInput(run, labels, images.length));
    return splitMuLogVar(run.encoder.predict(input) as tf.Tensor2D).mu.dataSync() as Float32Array;
  });
}

/**
 * Decode n latent vectors (n × latentDim) to images in [0, 1], in batches of 256. A conditional
 * decoder decodes row r with `labels[r]` (model label indices).
 */
export function decodeZ(run: PictureRun, z: Float32Array, labels?: ArrayLike<number>): Float32Array {
  const D = run.latentDim;
  const n = z.length / D;
  const { height, width, channels } = run.shape;
  const out = new Float32Array(n * height * width * channels);
  for (let s = 0; s < n; s += 256) {
    const m = Math.min(256, n - s);
    const px = tf.tidy(() => {
      const part = labels ? Array.prototype.slice.call(labels, s, s + m) as number[] : undefined;
      const input = withLabels(tf.tensor2d(z.subarray(s * D, (s + m) * D), [m, D]), labelInput(run, part, m));
      return tf.sigmoid(run.decoder.predict(input, { batchSize: m }) as tf.Tensor).dataSync();
    });
    out.set(px, s * height * width * channels);
  }
  return out;
}

/** Dimensions ordered by KL, largest first (ties: lower index first). */
export function dimsByKl(klPerDim: readonly number[], latentDim: number): number[] {
  const kl = (d: number) => klPerDim[d] ?? 0;
  return Array.from({ length: latentDim }, (_, d) => d).sort((a, b) => kl(b) - kl(a) || a - b);
}
