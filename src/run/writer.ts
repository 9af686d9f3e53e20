/**
 * Writing a run directory (the trainer's side; formats: src/protocol/runFormat.ts). Every file
 * but metrics.jsonl is written atomically (./atomic), so a kill at any instant leaves the last
 * good version readable; metrics.jsonl is appended to, and the reader skips a torn last line.
 * Every write goes through the path guard (./safePath): never through a link, never outside the run.
 */
import type { DatasetFile, MetricsLine, ProjectionMethod, RunConfig, StatusFile } from '../protocol/runFormat';
import { bytesOf, writeRunFile, writeRunJson } from './atomic';
import { RUN_FILES } from './paths';
import { readMetrics } from './reader';
import { appendRunFile } from './safePath';

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

/** latents/mu.f32, latents/logvar.f32 (float32 LE, count × latentDim), then latents/index.json. */
export async function writeLatents(run: string, epoch: number, step: number, latentDim: number, mu: Float32Array, logVar: Float32Array): Promise<void> {
  await writeRunFile(run, RUN_FILES.mu, bytesOf(mu));
  await writeRunFile(run, RUN_FILES.logVar, bytesOf(logVar));
  await writeRunJson(run, RUN_FILES.latentsIndex, { epoch, step, count: mu.length / latentDim, latentDim });
}

/** latents/projection.json (coordinates rounded to 4 decimals). */
export async function writeProjection(run: string, projection: { epoch: number; method: ProjectionMethod; x: ArrayLike<number>; y: ArrayLike<number> }): Promise<void> {
  const round = (a: ArrayLike<number>) => Array.from(a, (v) => Math.round(v * 1e4) / 1e4);
  await writeRunJson(run, RUN_FILES.projection, { epoch: projection.epoch, method: projection.method, x: round(projection.x), y: round(projection.y) });
}
