/**
 * `latent-lens replay <runDir> --out map.gif [--samples] [--fps N] [--size PX]` — the epoch
 * replay of a run as an animated GIF (or WebP, by --out's extension): one frame per kept epoch of
 * history/ (src/run/history.ts), the points in the panel's label colours with the legend and the
 * epoch drawn in; with --samples, the decoded grid of fixed z of each epoch instead.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeKept } from '../../analysis/historyBudget';
import { readDatasetIndex, RunFileError, runPaths } from '../../run/runDir';
import { readHistoryIndex, readHistoryLayouts, readHistorySamples } from '../../run/history';
import { mapFrame, samplesFrame, writeAnimation, type Frame } from './frames';
import { boundsOf } from './raster';

export const REPLAY_USAGE = '  latent-lens replay <runDir> --out <map.gif|map.webp> [--samples] [--fps N] [--size PX]';

/** Bad flags: the CLI prints usage and exits 2. */
export class ReplayUsageError extends Error {}

function whole(flag: string, value: string | undefined, fallback: number, lo: number, hi: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < lo || n > hi) throw new ReplayUsageError(`--${flag} ${JSON.stringify(value)} is not valid: a whole number from ${lo} to ${hi}`);
  return n;
}

export async function replayMain(argv: string[], log: (m: string) => void = (m) => process.stderr.write(m + '\n')): Promise<number> {
  const { values: v, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { out: { type: 'string' }, samples: { type: 'boolean' }, fps: { type: 'string' }, size: { type: 'string' } },
  });
  if (positionals.length !== 1 || !v.out) throw new ReplayUsageError('replay needs a run directory and --out <file.gif>');
  if (!/\.(gif|webp)$/i.test(v.out)) throw new ReplayUsageError(`--out ${JSON.stringify(v.out)}: the file must end in .gif or .webp`);
  const fps = whole('fps', v.fps, 4, 1, 50);
  const size = whole('size', v.size, 480, 64, 2048);
  const run = positionals[0];
  const index = await readHistoryIndex(run);
  if (!index || index.epochs.length === 0) {
    throw new RunFileError(runPaths(run).historyIndex, 'does not exist, so this run kept no epoch history: train or resume it with this version of latent-lens to record one');
  }
  const epochs = index.epochs.map((e) => e.epoch);
  const frames: Frame[] = [];
  if (v.samples) {
    if (!index.samples) throw new RunFileError(runPaths(run).historyIndex, 'describes no decoded samples: this run kept no grid of z');
    for (const e of epochs) {
      const pixels = await readHistorySamples(run, index, e);
      if (pixels) frames.push(await samplesFrame(e, index.samples, pixels, size));
    }
    if (!frames.length) throw new RunFileError(runPaths(run).historyIndex, 'lists no epoch with decoded samples');
  } else {
    const dataset = await readDatasetIndex(run);
    if (!dataset) throw new RunFileError(runPaths(run).dataset, 'does not exist: the replay needs the labels of the images');
    if (dataset.images.length !== index.count) throw new RunFileError(runPaths(run).historyIndex, `describes ${index.count} images, but ${path.basename(runPaths(run).dataset)} lists ${dataset.images.length}`);
    const labelIndex = Uint16Array.from(dataset.images, (im) => im.label);
    const labels = dataset.labels.length ? dataset.labels : ['(unlabelled)'];
    const layouts = await readHistoryLayouts(run, index);
    const bounds = boundsOf(layouts);
    const title = path.basename(path.resolve(run));
    for (const l of layouts) {
      frames.push(await mapFrame({ epoch: l.epoch, method: l.method === 'pca of μ' ? 'PCA of μ' : l.method.toUpperCase(), x: l.x, y: l.y, labelIndex, labels, bounds, size, title }));
    }
  }
  await writeAnimation(frames, v.out, fps);
  log(`wrote ${path.resolve(v.out)}: ${frames.length} frames (${describeKept(epochs)})`);
  return 0;
}
