/**
 * Writing a run directory (the trainer's side; formats: src/protocol/runFormat.ts). Every file
 * but metrics.jsonl is written atomically (./atomic), so a kill at any instant leaves the last
 * good version readable; metrics.jsonl is appended to, and the reader skips a torn last line.
 * Every write goes through the path guard (./safePath): never through a link, never outside the run.
 */
import type { DatasetFile, MetricsLine, ProjectionMethod, RunConfig, StatusFile } from '../protocol/runFormat';
import { PER_IMAGE_QUANTITIES, type LatentsIndex, type PerImageQuantity } from '../protocol/runFormat';
import { bytesOf, writeRunFile, writeRunJson } from './atomic';
import { RUN_FILES } from './paths';
import { readMetrics } from './reader';
import { appendRunFile } from './safePath';

/** One float32 per image (dataset.json order) for each per-image quantity. */
export type PerImageValues = Record<PerImageQuantity, Float32Array>;

export async function writeConfig(run: string, config: RunConfig): Promise<void> {
  await writeRunJson(run, RUN_FILES.config, config);
}

export async function writeStatus(run: string, status: Omit<StatusFile, 'updated'>): Promise<void> {
  await writeRunJson(run, RUN_FILES.status, { ...status, updated: new Date().toISOString() } satisfies StatusFile);
}

type DatasetFields = Required<Pick<DatasetFile, 'dataDir' | 'shape' | 'labels' | 'images' | 'skipped'>>;

/** dataset.json alone (a run that could not start: which files were skipped, and why). */
export async function writeDatasetIndex(run: string, data: DatasetFields): Promise<void> {
  const file: DatasetFile = { dataDir: data.dataDir, shape: data.shape, labels: data.labels, images: data.images, skipped: data.skipped };
  await writeRunJson(run, RUN_FILES.dataset, file);
}

/** dataset.json and data/pixels.u8 (uint8, images × H × W × C, in the order of `images`). */
export async function writeDataset(run: string, data: DatasetFields & { pixels: Uint8Array }): Promise<void> {
  await writeDatasetIndex(run, data);
  await writeRunFile(run, RUN_FILES.pixels, data.pixels);
}

/** Append lines to metrics.jsonl (one JSON object per line). */
export async function appendMetrics(run: string, lines: MetricsLine[]): Promise<void> {
  if (lines.length === 0) return;
  await appendRunFile(run, RUN_FILES.metrics, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

/** Keep only metric lines up to `step` (used on resume, so the curves have no duplicate steps). */
export async function truncateMetrics(run: string, step: number): Promise<void> {
  const kept = (await readMetrics(run)).filter((m) => m.step <= step);
  await writeRunFile(run, RUN_FILES.metrics, kept.map((l) => JSON.stringify(l)).join('\n') + (kept.length ? '\n' : ''));
}

/**
 * latents/mu.f32, latents/logvar.f32 (float32 LE, count × latentDim), with `perImage` the
 * per-image quantities (latents/recon.f32, kl.f32, meanvar.f32: one float32 per image), then
 * latents/index.json last, so that the index never describes files not yet written.
 */
export async function writeLatents(run: string, epoch: number, step: number, latentDim: number, mu: Float32Array, logVar: Float32Array, perImage?: PerImageValues): Promise<void> {
  const count = mu.length / latentDim;
  await writeRunFile(run, RUN_FILES.mu, bytesOf(mu));
  await writeRunFile(run, RUN_FILES.logVar, bytesOf(logVar));
  if (perImage) {
    for (const q of PER_IMAGE_QUANTITIES) {
      if (perImage[q].length !== count) throw new Error(`per-image ${q} has ${perImage[q].length} values for ${count} images`);
      await writeRunFile(run, RUN_FILES[q], bytesOf(perImage[q]));
    }
  }
  const index: LatentsIndex = { epoch, step, count, latentDim, ...(perImage ? { perImage: [...PER_IMAGE_QUANTITIES] } : {}) };
  await writeRunJson(run, RUN_FILES.latentsIndex, index);
}

/** latents/projection.json (coordinates rounded to 4 decimals). */
export async function writeProjection(run: string, projection: { epoch: number; method: ProjectionMethod; x: ArrayLike<number>; y: ArrayLike<number> }): Promise<void> {
  const round = (a: ArrayLike<number>) => Array.from(a, (v) => Math.round(v * 1e4) / 1e4);
  await writeRunJson(run, RUN_FILES.projection, { epoch: projection.epoch, method: projection.method, x: round(projection.x), y: round(projection.y) });
}
