/**
 * `latent-lens project <runDir>`: the 2-D map of a run's μ computed once more and written to
 * latents/projection.json (through src/run), without a trainer. The panel's "Recompute
 * projection" runs it on a finished run (issue 14); the previous layout, when it fits, is the
 * warm start, so the map keeps its orientation. Prints one line; fails with a message naming
 * the file when the run has no usable latents.
 */
import { RunFileError, isRunFolder, readLatents, readProjection, RUN_FILES, runPaths, writeProjection } from '../run/runDir';
import type { ProjectionMethod } from '../protocol/runFormat';

export interface ProjectOutcome { epoch: number; method: ProjectionMethod; millis: number; count: number }

export async function projectRun(runDir: string, opts: { method?: 'pca' | 'umap' } = {}): Promise<ProjectOutcome> {
  if (!isRunFolder(runDir)) throw new RunFileError(runDir, `is not a run folder (it has no ${RUN_FILES.config})`, 'missing');
  const latents = await readLatents(runDir);
  if (!latents || !latents.index.count) {
    throw new RunFileError(runPaths(runDir).latentsIndex, 'is missing: the run has no latent vectors to project yet (they are written at the end of the first epoch)', 'missing');
  }
  const { index, mu } = latents;
  const previous = await readProjection(runDir).catch(() => undefined);
  const prev = previous && previous.x.length === index.count
    ? { x: Float32Array.from(previous.x), y: Float32Array.from(previous.y) } : null;
  const { projectLatents, closeProjectionWorker } = await import('./projection');
  try {
    const layout = await projectLatents(mu, index.count, index.latentDim, prev, { method: opts.method });
    await writeProjection(runDir, { epoch: index.epoch, method: layout.method, x: layout.x, y: layout.y });
    return { epoch: index.epoch, method: layout.method, millis: Math.round(layout.millis), count: index.count };
  } finally {
    await closeProjectionWorker();
  }
}
