/**
 * What is wrong with a run folder, file by file, for display: every file read with the strict
 * reader, each RunFileError kept as a RunProblem (which file, what is wrong, what it breaks),
 * so a panel can say "latents/mu.f32 is truncated: the map cannot be shown" and keep showing
 * the curves and the decoder. No TensorFlow.js.
 */
import type { RunFileProblem } from './runFileError';
import { RUN_FILES, runPaths } from './paths';
import {
  RunFileError, readCheckpointInfo, readConfig, readDatasetIndex, readLatents, readMetrics, readModelFolder, readProjection, readRunStatus,
} from './reader';
import { loadCheckpoint } from './checkpoint';
import { assertNoLinks, resolveInsideRun } from './safePath';

/**
 * data/pixels.u8 checked by its size only, as readPixels would judge it (shorter than the dataset
 * says: truncated), without reading it: 200,000 images of 64×64×3 are 2.5 GB (issue 13).
 */
async function checkPixels(run: string, expectedBytes: number): Promise<void> {
  const at = await resolveInsideRun(run, RUN_FILES.pixels);
  if (!at.stat) return;
  if (!at.stat.isFile()) throw new RunFileError(at.shown, 'is not a regular file', 'unsafe');
  if (at.stat.size < expectedBytes) {
    throw new RunFileError(runPaths(run).pixels, `is truncated: it holds ${at.stat.size} bytes, ${expectedBytes} expected (the images of ${RUN_FILES.dataset})`);
  }
}

export interface RunProblem {
  /** The file as the message names it (absolute, as the run path was given). */
  file: string;
  kind: RunFileProblem;
  /** The whole message: the file and what is wrong. */
  message: string;
  /** What does not work because of it (the rest of the run still does). */
  affects: string;
}

const AFFECTS = {
  links: 'the run is not read past the link, and it cannot be resumed',
  config: 'the run cannot be shown or resumed',
  status: 'the run\'s state (training, completed …) is unknown',
  dataset: 'labels, file names and resuming',
  pixels: 'original images beside reconstructions, and resuming',
  metrics: 'the loss curves after the bad line, and resuming',
  checkpoint: 'resuming',
  latents: 'the map of μ and the per-image statistics',
  projection: 'the 2-D map',
  decoder: 'decoding (hover, traversals, interpolation, samples)',
  encoder: 'encode and eval with this model',
} as const;

/** Every problem of the run folder; [] for a sound run (absent files are not problems). */
export async function diagnoseRun(run: string): Promise<RunProblem[]> {
  const problems: RunProblem[] = [];
  const check = async <T>(affects: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (e) {
      if (!(e instanceof RunFileError)) throw e;
      problems.push({ file: e.file, kind: e.kind, message: e.message, affects });
      return undefined;
    }
  };
  await check(AFFECTS.links, () => assertNoLinks(run));
  if (problems.length) return problems; // a run holding a link is not read further
  const config = await check(AFFECTS.config, () => readConfig(run));
  await check(AFFECTS.status, () => readRunStatus(run));
  const dataset = await check(AFFECTS.dataset, () => readDatasetIndex(run));
  const n = dataset?.images.length;
  if (dataset && config) {
    const s = dataset.shape ?? { height: config.model.imageHeight, width: config.model.imageWidth, channels: config.model.channels };
    await check(AFFECTS.pixels, () => checkPixels(run, dataset.images.length * s.height * s.width * s.channels));
  }
  await check(AFFECTS.metrics, () => readMetrics(run));
  if (await check(AFFECTS.checkpoint, () => readCheckpointInfo(run))) await check(AFFECTS.checkpoint, () => loadCheckpoint(run));
  const latents = await check(AFFECTS.latents, () => readLatents(run, { withLogVar: true }));
  if (latents && n !== undefined && latents.index.count !== n) {
    const file = runPaths(run).latentsIndex;
    problems.push({ file, kind: 'damaged', message: `${file} describes ${latents.index.count} images, ${RUN_FILES.dataset} lists ${n}`, affects: AFFECTS.latents });
  }
  const projection = await check(AFFECTS.projection, () => readProjection(run));
  if (projection && n !== undefined && projection.x.length !== n) {
    const file = runPaths(run).projection;
    problems.push({ file, kind: 'damaged', message: `${file} places ${projection.x.length} images, ${RUN_FILES.dataset} lists ${n}`, affects: AFFECTS.projection });
  }
  await check(AFFECTS.decoder, () => readModelFolder(runPaths(run).decoder));
  await check(AFFECTS.encoder, () => readModelFolder(runPaths(run).encoder));
  return problems;
}
