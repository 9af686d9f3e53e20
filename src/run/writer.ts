/**
 * Writing a run directory (the trainer's side; formats: src/protocol/runFormat.ts). Every file
 * but metrics.jsonl is written atomically (./atomic), so a kill at any instant leaves the last
 * good version readable; metrics.jsonl is appended to, and the reader skips a torn last line.
 */
import { promises as fs } from 'node:fs';
import type { DatasetFile, MetricsLine, ProjectionMethod, RunConfig, StatusFile } from '../protocol/runFormat';
import { PER_IMAGE_QUANTITIES, type LatentsIndex, type PerImageQuantity } from '../protocol/runFormat';
import { bytesOf, writeFileAtomic, writeJsonAtomic } from './atomic';
import { runPaths } from './paths';
import { readMetrics } from './reader';

/** One float32 per image (dataset.json order) for each per-image quantity. */
export type PerImageValues = Record<PerImageQuantity, Float32Array>;

export async function writeConfig(run: string, config: RunConfig): Promise<void> {
  await writeJsonAtomic(runPaths(run).config, config);
}

export async function writeStatus(run: string, status: Omit<StatusFile, 'updated'>): Promise<void> {
  await writeJsonAtomic(runPaths(run).status, { ...status, updated: new Date().toISOString() } satisfies StatusFile);
}

/** dataset.json and data/pixels.u8 (uint8, images × H × W × C, in the order of `images`). */
export async function writeDataset(run: string, data: Required<Pick<DatasetFile, 'dataDir' | 'shape' | 'labels' | 'images' | 'skipped'>> & { pixels: Uint8Array }): Promise<void> {
  const p = runPaths(run);
  const file: DatasetFile = { dataDir: data.dataDir, shape: data.shape, labels: data.labels, images: data.images, skipped: data.skipped };
  await writeJsonAtomic(p.dataset, file);
  await writeFileAtomic(p.pixels, data.pixels);
}

/** Append lines to metrics.jsonl (one JSON object per line). */
export async function appendMetrics(run: string, lines: MetricsLine[]): Promise<void> {
  if (lines.length === 0) return;
  await fs.appendFile(runPaths(run).metrics, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

/** Keep only metric lines up to `step` (used on resume, so the curves have no duplicate steps). */
export async function truncateMetrics(run: string, step: number): Promise<void> {
  const kept = (await readMetrics(run)).filter((m) => m.step <= step);
  await writeFileAtomic(runPaths(run).metrics, kept.map((l) => JSON.stringify(l)).join('\n') + (kept.length ? '\n' : ''));
}

/**
 * latents/mu.f32, latents/logvar.f32 (float32 LE, count × latentDim), with `perImage` the
 * per-image quantities (latents/recon.f32, kl.f32, meanvar.f32: one float32 per image), then
 * latents/index.json last, so that the index never describes files not yet written.
 */
export async function writeLatents(run: string, epoch: number, step: number, latentDim: number, mu: Float32Array, logVar: Float32Array, perImage?: PerImageValues): Promise<void> {
  const p = runPaths(run);
  const count = mu.length / latentDim;
  await writeFileAtomic(p.mu, bytesOf(mu));
  await writeFileAtomic(p.logVar, bytesOf(logVar));
  if (perImage) {
    for (const q of PER_IMAGE_QUANTITIES) {
      if (perImage[q].length !== count) throw new Error(`per-image ${q} has ${perImage[q].length} values for ${count} images`);
      await writeFileAtomic(p[q], bytesOf(perImage[q]));
    }
  }
  const index: LatentsIndex = { epoch, step, count, latentDim, ...(perImage ? { perImage: [...PER_IMAGE_QUANTITIES] } : {}) };
  await writeJsonAtomic(p.latentsIndex, index);
}

/** latents/projection.json (coordinates rounded to 4 decimals). */
export async function writeProjection(run: string, projection: { epoch: number; method: ProjectionMethod; x: ArrayLike<number>; y: ArrayLike<number> }): Promise<void> {
  const round = (a: ArrayLike<number>) => Array.from(a, (v) => Math.round(v * 1e4) / 1e4);
  await writeJsonAtomic(runPaths(run).projection, { epoch: projection.epoch, method: projection.method, x: round(projection.x), y: round(projection.y) });
}
