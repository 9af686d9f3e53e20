/**
 * Reading and writing a run directory (format: docs/run-directory.md). Every write goes
 * through writeFileAtomic, so a kill at any instant leaves the last good state readable.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { RunConfig, parseMetricsLine, type MetricsLine, type RunStatus } from '../protocol/trainerIpc';
import type { NamedArray } from '../model/vaeModel';
import type { Dataset } from '../trainer/dataset';
import { bytesOf, readJson, writeFileAtomic, writeJsonAtomic } from './atomic';

export const runPaths = (run: string) => ({
  config: path.join(run, 'config.json'),
  status: path.join(run, 'status.json'),
  dataset: path.join(run, 'dataset.json'),
  metrics: path.join(run, 'metrics.jsonl'),
  checkpointPointer: path.join(run, 'checkpoint.json'),
  checkpoints: path.join(run, 'checkpoints'),
  encoder: path.join(run, 'model', 'encoder'),
  decoder: path.join(run, 'model', 'decoder'),
  latents: path.join(run, 'latents'),
  pixels: path.join(run, 'data', 'pixels.u8'),
});

export async function writeConfig(run: string, config: RunConfig): Promise<void> {
  await writeJsonAtomic(runPaths(run).config, config);
}

export async function readConfig(run: string): Promise<RunConfig> {
  const file = runPaths(run).config;
  const raw = await readJson(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new Error(`"${run}" is not a Latent Lens run: it has no config.json`);
    throw e;
  });
  const parsed = RunConfig.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not a valid run configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export interface StatusFile { status: RunStatus; step: number; epoch: number; backend: string; message: string; updated: string }

export async function writeStatus(run: string, status: Omit<StatusFile, 'updated'>): Promise<void> {
  await writeJsonAtomic(runPaths(run).status, { ...status, updated: new Date().toISOString() });
}

export async function writeDataset(run: string, data: Dataset): Promise<void> {
  const p = runPaths(run);
  await writeJsonAtomic(p.dataset, {
    dataDir: data.dataDir,
    shape: data.shape,
    labels: data.labels,
    images: data.images,
    skipped: data.skipped,
  });
  await writeFileAtomic(p.pixels, data.pixels);
}

/**
 * metrics.jsonl is appended to, one line per write. A kill during an append can leave a
 * partial last line; readMetrics ignores a last line that does not parse.
 */
export async function appendMetrics(run: string, lines: MetricsLine[]): Promise<void> {
  if (lines.length === 0) return;
  await fs.appendFile(runPaths(run).metrics, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

export async function readMetrics(run: string): Promise<MetricsLine[]> {
  const text = await fs.readFile(runPaths(run).metrics, 'utf8').catch(() => '');
  const out: MetricsLine[] = [];
  const lines = text.split('\n').filter((l) => l.trim());
  lines.forEach((line, i) => {
    try { out.push(parseMetricsLine(JSON.parse(line))); }
    catch (e) { if (i !== lines.length - 1) throw new Error(`metrics.jsonl line ${i + 1} is invalid: ${(e as Error).message}`); }
  });
  return out;
}

/** Keep only metric lines up to `step` (used on resume, so the curves have no duplicate steps). */
export async function truncateMetrics(run: string, step: number): Promise<void> {
  const kept = (await readMetrics(run)).filter((m) => m.step <= step);
  await writeFileAtomic(runPaths(run).metrics, kept.map((l) => JSON.stringify(l)).join('\n') + (kept.length ? '\n' : ''));
}

// ───────────── checkpoints ─────────────

export interface CheckpointMeta { step: number; epoch: number; stepInEpoch: number }
interface TensorIndexEntry { name: string; shape: number[]; offset: number; length: number }

/**
 * Writes checkpoints/ckpt-<step>/ (tensors.bin + state.json), then points checkpoint.json at
 * it, then deletes older checkpoints. checkpoint.json always names a complete folder.
 */
export async function saveCheckpoint(run: string, meta: CheckpointMeta, state: NamedArray[]): Promise<void> {
  const p = runPaths(run);
  const name = `ckpt-${meta.step}`;
  const dir = path.join(p.checkpoints, name);
  const total = state.reduce((s, t) => s + t.data.length, 0);
  const all = new Float32Array(total);
  const index: TensorIndexEntry[] = [];
  let offset = 0;
  for (const t of state) {
    all.set(t.data, offset);
    index.push({ name: t.name, shape: t.shape, offset, length: t.data.length });
    offset += t.data.length;
  }
  await writeFileAtomic(path.join(dir, 'tensors.bin'), bytesOf(all));
  await writeJsonAtomic(path.join(dir, 'state.json'), { ...meta, tensors: index });
  await writeJsonAtomic(p.checkpointPointer, { dir: `checkpoints/${name}`, ...meta });
  for (const old of await fs.readdir(p.checkpoints)) {
    if (old !== name) await fs.rm(path.join(p.checkpoints, old), { recursive: true, force: true });
  }
}

export async function loadCheckpoint(run: string): Promise<{ meta: CheckpointMeta; state: NamedArray[] } | undefined> {
  const p = runPaths(run);
  const pointer = await readJson<{ dir: string } & CheckpointMeta>(p.checkpointPointer).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (!pointer) return undefined;
  const dir = path.join(run, pointer.dir);
  const saved = await readJson<CheckpointMeta & { tensors: TensorIndexEntry[] }>(path.join(dir, 'state.json'));
  const buf = await fs.readFile(path.join(dir, 'tensors.bin'));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const expected = saved.tensors.reduce((s, t) => s + t.length, 0);
  if (all.length !== expected) throw new Error(`checkpoint ${dir} is damaged: tensors.bin holds ${all.length} floats, state.json lists ${expected}`);
  const state = saved.tensors.map((t) => ({ name: t.name, shape: t.shape, data: all.subarray(t.offset, t.offset + t.length) }));
  return { meta: { step: saved.step, epoch: saved.epoch, stepInEpoch: saved.stepInEpoch }, state };
}

// ───────────── TensorFlow.js layers models ─────────────

/**
 * Saves a LayersModel as <dir>/model.json + a weights file, in the format tf.loadLayersModel
 * reads. The weights get a fresh file name each save and model.json is renamed into place
 * last, so model.json always names a complete weights file.
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weightsName = `weights-${Date.now().toString(36)}.bin`;
    const weightData = artifacts.weightData as ArrayBuffer;
    await writeFileAtomic(path.join(dir, weightsName), new Uint8Array(weightData));
    const modelJson = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs }],
    };
    await writeJsonAtomic(path.join(dir, 'model.json'), modelJson);
    for (const f of await fs.readdir(dir)) {
      if (f.startsWith('weights-') && f !== weightsName) await fs.rm(path.join(dir, f), { force: true });
    }
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
  }));
}

/** Reads model.json and its weights from a folder: the artifacts tf.loadLayersModel needs. */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const modelJson = await readJson<{ modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] }>(path.join(dir, 'model.json'));
  const buffers = await Promise.all(modelJson.weightsManifest.flatMap((g) => g.paths).map((f) => fs.readFile(path.join(dir, f))));
  const weightData = Buffer.concat(buffers);
  return {
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
  };
}

export async function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(await readModelArtifacts(dir)));
}

// ───────────── latents ─────────────

export async function writeLatents(run: string, epoch: number, step: number, latentDim: number, mu: Float32Array, logVar: Float32Array): Promise<void> {
  const dir = runPaths(run).latents;
  await writeFileAtomic(path.join(dir, 'mu.f32'), bytesOf(mu));
  await writeFileAtomic(path.join(dir, 'logvar.f32'), bytesOf(logVar));
  await writeJsonAtomic(path.join(dir, 'index.json'), { epoch, step, count: mu.length / latentDim, latentDim });
}

export async function writeProjection(run: string, projection: { epoch: number; method: 'pca' | 'umap'; x: ArrayLike<number>; y: ArrayLike<number> }): Promise<void> {
  const round = (a: ArrayLike<number>) => Array.from(a, (v) => Math.round(v * 1e4) / 1e4);
  await writeJsonAtomic(path.join(runPaths(run).latents, 'projection.json'), { epoch: projection.epoch, method: projection.method, x: round(projection.x), y: round(projection.y) });
}
