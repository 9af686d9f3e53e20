/**
 * `latent-lens samples <runDir> --out <file.png> [--label NAME] [--count N] [--seed N]`: prior
 * samples z ~ N(0, I) decoded by the run's decoder, as one PNG grid (the CLI twin of the panel's
 * prior samples). A conditional model decodes them with the one-hot of `--label` (one of the
 * labels it was trained with); an unconditional model takes no label.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../protocol/runFormat';
import { modelKind } from '../../protocol/config';
import { decodeToImage, oneHotLabels } from '../../model/vae';
import { readConfig, runPaths } from '../../run/runDir';
import { loadLayersModelFromDir } from '../../run/modelFiles';
import path from 'node:path';
import { writePngGrid } from './pngGrid';

export interface SamplesOptions {
  runDir: string;
  out: string;
  label?: string;
  count: number;
  seed: number;
}

/** What `samples --json` prints: the grid's layout and what was decoded. */
export interface SamplesResult {
  file: string;
  count: number;
  rows: number;
  columns: number;
  tileHeight: number;
  tileWidth: number;
  channels: 1 | 3;
  /** Pixels between tiles and around the grid: tile t is at x = gap + (t mod columns)·(tileWidth + gap), y likewise by row. */
  gap: number;
  /** Size of the PNG in pixels. */
  width: number;
  height: number;
  label: string | null;
  model: string;
  seed: number;
}

/** The model's index of `label`; throws a clear error naming the labels it knows. */
export function modelLabelIndex(model: ModelConfig, label: string | undefined): number | undefined {
  const known = model.labels ?? [];
  const list = known.map((l) => JSON.stringify(l)).join(', ');
  if (!model.conditional) {
    if (label !== undefined) throw new Error(`--label needs a conditional model; this run has a ${modelKind(model)}, whose decoder takes no label`);
    return undefined;
  }
  if (label === undefined) throw new Error(`this run has a ${modelKind(model)}: give --label, one of ${list}`);
  const i = known.indexOf(label);
  if (i < 0) throw new Error(`label ${JSON.stringify(label)} is not one the model was trained with; its labels: ${list}`);
  return i;
}

/** Decode `count` prior samples (with a label, for a conditional model) and write them as a PNG grid. */
export async function writeSamples(opts: SamplesOptions): Promise<SamplesResult> {
  const config = await readConfig(opts.runDir);
  const m = config.model;
  const labelIndex = modelLabelIndex(m, opts.label);
  const decoder = await loadLayersModelFromDir(runPaths(opts.runDir).decoder).catch((e: Error) => {
    throw new Error(`cannot load the decoder of ${opts.runDir} (model/decoder): ${e.message}. Has the run finished an epoch?`);
  });
  try {
    const pixels = tf.tidy(() => {
      const z = tf.randomNormal([opts.count, m.latentDim], 0, 1, 'float32', opts.seed) as tf.Tensor2D;
      const y = labelIndex === undefined ? undefined : oneHotLabels(new Array<number>(opts.count).fill(labelIndex), m.labels!.length);
      return decodeToImage(decoder, z, y).dataSync() as Float32Array;
    });
    // The one grid writer of the picture commands (./pngGrid.ts): ⌈√n⌉ columns, 2-pixel gaps.
    const columns = Math.ceil(Math.sqrt(opts.count)), rows = Math.ceil(opts.count / columns), gap = 2;
    const size = await writePngGrid(opts.out, { pixels, count: opts.count, height: m.imageHeight, width: m.imageWidth, channels: m.channels }, { rows, cols: columns, gap });
    return {
      file: path.resolve(opts.out), count: opts.count, rows, columns, tileHeight: m.imageHeight, tileWidth: m.imageWidth, channels: m.channels, gap,
      ...size, label: opts.label ?? null, model: modelKind(m), seed: opts.seed,
    };
  } finally {
    decoder.dispose();
  }
}
