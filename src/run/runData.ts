/**
 * A run's own copy of its data (dataset.json + data/pixels.u8), checked file against file and
 * against config.json before a run is resumed, so a damaged run is refused with the name of the
 * damaged file and what is wrong — not trained into a NaN loss or a TensorFlow.js shape error.
 * The latents (rewritten at every epoch end) are checked too; a mismatch there is a warning.
 */
import type { DatasetFile, ImageShape, RunConfig } from '../protocol/runFormat';
import { RUN_FILES, runPaths } from './paths';
import { RunFileError, readDatasetIndex, readLatents, readPixels } from './reader';

export interface RunData extends Omit<DatasetFile, 'shape'> {
  shape: ImageShape;
  /** uint8, images × H × W × C, in the order of `images`. */
  pixels: Uint8Array;
  /** What is wrong but does not stop training (damaged latents, rewritten at the next epoch end). */
  warnings: string[];
}

const cannotResume = 'the run cannot be resumed without its copy of the data';
const fmt = (s: ImageShape) => `${s.height}×${s.width}×${s.channels}`;

/** dataset.json, data/pixels.u8 and latents/ checked against each other and config.json. */
export async function loadRunData(run: string, config: RunConfig): Promise<RunData> {
  const p = runPaths(run);
  const saved = await readDatasetIndex(run);
  if (!saved) throw new RunFileError(p.dataset, `is missing: ${cannotResume}`, 'missing');
  const m = config.model;
  const modelShape: ImageShape = { height: m.imageHeight, width: m.imageWidth, channels: m.channels };
  const shape = saved.shape ?? modelShape;
  if (fmt(shape) !== fmt(modelShape)) {
    throw new RunFileError(p.dataset, `is damaged: its images are ${fmt(shape)} (height×width×channels), but ${RUN_FILES.config}'s model takes ${fmt(modelShape)}`);
  }
  const n = saved.images.length;
  if (n === 0) throw new RunFileError(p.dataset, 'lists no images: there is nothing to train on');
  const badLabel = saved.images.findIndex((im) => im.label >= saved.labels.length);
  if (badLabel >= 0) {
    const im = saved.images[badLabel];
    throw new RunFileError(p.dataset, `is damaged: image ${badLabel + 1} (${im.path}) has label ${im.label}, but "labels" has ${saved.labels.length} entries`);
  }
  if (!saved.images.some((im) => im.split === 'train')) throw new RunFileError(p.dataset, 'is damaged: no image is in the "train" split');

  const size = shape.height * shape.width * shape.channels;
  const pixels = await readPixels(run);
  if (!pixels) throw new RunFileError(p.pixels, `is missing: ${cannotResume}`, 'missing');
  if (pixels.byteLength !== n * size) {
    const what = pixels.byteLength < n * size ? 'is truncated' : 'does not match dataset.json';
    throw new RunFileError(p.pixels, `${what}: it holds ${pixels.byteLength} bytes, but ${RUN_FILES.dataset} lists ${n} images of ${fmt(shape)} = ${n * size} bytes`);
  }

  const warnings: string[] = [];
  const rewritten = 'it is rewritten at the end of this epoch';
  try {
    const latents = await readLatents(run, { withLogVar: true });
    if (latents && latents.index.count !== n) warnings.push(`${p.latentsIndex} describes ${latents.index.count} images, ${RUN_FILES.dataset} lists ${n}: ${rewritten}`);
    else if (latents && latents.index.latentDim !== m.latentDim) warnings.push(`${p.latentsIndex} has ${latents.index.latentDim} latent dimensions, ${RUN_FILES.config} ${m.latentDim}: ${rewritten}`);
  } catch (e) {
    if (e instanceof RunFileError && e.kind === 'unsafe') throw e;
    warnings.push(`${(e as Error).message}; ${rewritten}`);
  }
  return { dataDir: saved.dataDir, labels: saved.labels, images: saved.images, skipped: saved.skipped, shape, pixels, warnings };
}
