/**
 * Reads a run directory (docs/run-directory.md) into the RunSnapshot the latent-space panel
 * shows (src/protocol/panelIpc.ts). Used by the extension host (LatentPanel answers the
 * webview's `ready` with it) and by the standalone report (report.ts).
 *
 * Every file is optional: a run that has just started has no latents, projection or decoder
 * yet, and the panel shows what there is. Files are written atomically by the trainer, so a
 * read never sees half a file; a file that fails to parse is treated as absent.
 *
 * The `readView*` helpers build the incremental host → webview events for a snapshot that was
 * sampled (`maxPoints`): pass the snapshot's point index (decodeU32(snapshot.index)).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { EpochMetrics, MetricsLine, RunConfig, StepMetrics } from '../protocol/trainerIpc';
import {
  RunSnapshot, VIEW_PROTOCOL_VERSION, ViewDecoder, ViewImages, ViewLatents, ViewProjection, ViewStatus,
  encodeF32, encodeU16, encodeU32, encodeU8,
} from '../protocol/panelIpc';

export interface LoadRunSnapshotOptions {
  /** Show at most this many points (an evenly spaced, deterministic sample). Default: all. */
  maxPoints?: number;
  /** Include data/pixels.u8 (originals beside reconstructions). Default true. */
  includePixels?: boolean;
  /** Include the decoder weights. Default true. */
  includeDecoder?: boolean;
  /** Keep at most this many step lines of metrics (evenly spaced, always the last). Default 5000. */
  maxSteps?: number;
}

interface DatasetJson {
  dataDir: string;
  labels: string[];
  images: { path: string; label: number; split: 'train' | 'val' }[];
}

async function readJson(file: string): Promise<unknown | null> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

async function readBytes(file: string): Promise<Buffer | null> {
  try {
    return await fsp.readFile(file);
  } catch {
    return null;
  }
}

/** A Float32Array over a copy of `buf` (aligned). */
function f32(buf: Buffer): Float32Array {
  const out = new Float32Array(buf.byteLength >> 2);
  new Uint8Array(out.buffer).set(buf.subarray(0, out.length * 4));
  return out;
}

/** Evenly spaced rows 0..total-1, at most `max` of them. null = all rows (identity). */
export function sampleIndex(total: number, max: number | undefined): Uint32Array | null {
  if (max === undefined || max >= total) return null;
  const n = Math.max(0, Math.floor(max));
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = Math.floor((i * total) / n);
  return idx;
}

function identity(n: number): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx;
}

/** Rows `index` of a row-major matrix with `width` values per row. */
function gatherRows<T extends Float32Array | Uint8Array>(src: T, width: number, index: Uint32Array | null, make: (n: number) => T): T {
  if (!index) return src;
  const out = make(index.length * width);
  for (let i = 0; i < index.length; i++) out.set(src.subarray(index[i] * width, index[i] * width + width), i * width);
  return out;
}

export async function readViewStatus(runDir: string, epochs?: number): Promise<ViewStatus | null> {
  const raw = await readJson(path.join(runDir, 'status.json'));
  const parsed = ViewStatus.safeParse({ ...(raw as object), ...(epochs !== undefined ? { epochs } : {}) });
  return raw && parsed.success ? parsed.data : null;
}

/** latents/mu.f32 for the given points (null index = all). null if absent or inconsistent. */
export async function readViewLatents(runDir: string, index: Uint32Array | null): Promise<ViewLatents | null> {
  const meta = (await readJson(path.join(runDir, 'latents', 'index.json'))) as { epoch?: number; step?: number; count?: number; latentDim?: number } | null;
  const buf = await readBytes(path.join(runDir, 'latents', 'mu.f32'));
  if (!meta || !buf || !meta.latentDim || !meta.count) return null;
  const mu = f32(buf);
  if (mu.length < meta.count * meta.latentDim) return null;
  const picked = gatherRows(mu.subarray(0, meta.count * meta.latentDim), meta.latentDim, index, (n) => new Float32Array(n));
  return { epoch: meta.epoch ?? 0, step: meta.step ?? 0, latentDim: meta.latentDim, mu: encodeF32(picked) };
}

/** latents/projection.json for the given points. null if absent. */
export async function readViewProjection(runDir: string, index: Uint32Array | null): Promise<ViewProjection | null> {
  const raw = (await readJson(path.join(runDir, 'latents', 'projection.json'))) as { epoch?: number; method?: string; x?: number[]; y?: number[] } | null;
  if (!raw || !Array.isArray(raw.x) || !Array.isArray(raw.y) || raw.x.length !== raw.y.length) return null;
  const pick = (a: number[]) => {
    const n = index ? index.length : a.length;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = a[index ? index[i] : i];
    return out;
  };
  if (index && index.length && index[index.length - 1] >= raw.x.length) return null;
  return { epoch: raw.epoch ?? 0, method: raw.method === 'umap' ? 'umap' : 'pca', x: encodeF32(pick(raw.x)), y: encodeF32(pick(raw.y)) };
}

/** model/decoder (model.json + its weight files concatenated in manifest order). */
export async function readViewDecoder(runDir: string, step = 0): Promise<ViewDecoder | null> {
  const dir = path.join(runDir, 'model', 'decoder');
  const modelJson = (await readJson(path.join(dir, 'model.json'))) as { weightsManifest?: { paths: string[] }[] } | null;
  if (!modelJson || !Array.isArray(modelJson.weightsManifest)) return null;
  const parts: Buffer[] = [];
  for (const group of modelJson.weightsManifest) {
    for (const p of group.paths) {
      // Weight paths are relative names in the decoder folder; refuse anything that escapes it.
      const file = path.resolve(dir, p);
      if (path.relative(dir, file).startsWith('..')) return null;
      const b = await readBytes(file);
      if (!b) return null;
      parts.push(b);
    }
  }
  const all = Buffer.concat(parts);
  return { step, modelJson: modelJson as Record<string, unknown>, weights: all.toString('base64') };
}

/** data/pixels.u8 for the given points, shaped by the model config. */
export async function readViewImages(runDir: string, config: RunConfig | null, total: number, index: Uint32Array | null): Promise<ViewImages | null> {
  if (!config) return null;
  const { imageHeight: height, imageWidth: width, channels } = config.model;
  const buf = await readBytes(path.join(runDir, 'data', 'pixels.u8'));
  const size = height * width * channels;
  if (!buf || buf.byteLength < total * size) return null;
  const all = new Uint8Array(buf.buffer, buf.byteOffset, total * size);
  const picked = gatherRows(all, size, index, (n) => new Uint8Array(n));
  return { height, width, channels, pixels: encodeU8(picked) };
}

/** Parse metrics.jsonl; skips lines that do not validate (e.g. a torn last line). */
export async function readMetrics(runDir: string): Promise<{ steps: StepMetrics[]; epochs: EpochMetrics[] }> {
  const steps: StepMetrics[] = [];
  const epochs: EpochMetrics[] = [];
  let text = '';
  try {
    text = await fsp.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8');
  } catch {
    return { steps, epochs };
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const m = MetricsLine.safeParse(JSON.parse(line));
      if (!m.success) continue;
      if (m.data.kind === 'step') steps.push(m.data);
      else epochs.push(m.data);
    } catch {
      /* torn line */
    }
  }
  return { steps, epochs };
}

/** Read a run directory into the snapshot the panel and the report show. */
export async function loadRunSnapshot(runDir: string, opts: LoadRunSnapshotOptions = {}): Promise<RunSnapshot> {
  const configRaw = await readJson(path.join(runDir, 'config.json'));
  const configParsed = RunConfig.safeParse(configRaw);
  const config = configParsed.success ? configParsed.data : null;
  const dataset = (await readJson(path.join(runDir, 'dataset.json'))) as DatasetJson | null;
  const images = dataset && Array.isArray(dataset.images) ? dataset.images : [];
  const labels = dataset && Array.isArray(dataset.labels) ? dataset.labels.map(String) : [];
  const total = images.length;
  const index = sampleIndex(total, opts.maxPoints);
  const count = index ? index.length : total;
  const rows = index ?? identity(total);

  const files: string[] = new Array(count);
  const labelIndex = new Uint16Array(count);
  const split = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const im = images[rows[i]];
    files[i] = String(im.path);
    labelIndex[i] = Math.max(0, Math.min(65535, im.label | 0));
    split[i] = im.split === 'val' ? 1 : 0;
  }

  const { steps: allSteps, epochs } = await readMetrics(runDir);
  const maxSteps = opts.maxSteps ?? 5000;
  let steps = allSteps;
  if (steps.length > maxSteps) {
    const keep = sampleIndex(steps.length, maxSteps)!;
    steps = Array.from(keep, (i) => allSteps[i]);
    steps[steps.length - 1] = allSteps[allSteps.length - 1];
  }
  const lastStep = steps[steps.length - 1];
  const lastEpoch = epochs[epochs.length - 1];
  // Earlier steps' klPerDim are never drawn: drop them to keep the message small.
  steps = steps.map((s, i) => (i === steps.length - 1 ? s : { ...s, klPerDim: [] }));
  const klPerDim = lastEpoch?.klPerDim ?? lastStep?.klPerDim ?? [];

  let latents = await readViewLatents(runDir, index);
  let projection = await readViewProjection(runDir, index);
  // A latents file for a different dataset (count mismatch) is not shown.
  if (latents && Buffer.from(latents.mu, 'base64').byteLength !== count * latents.latentDim * 4) latents = null;
  if (projection && Buffer.from(projection.x, 'base64').byteLength !== count * 4) projection = null;

  const status = await readViewStatus(runDir, config?.training.epochs);
  const decoder = opts.includeDecoder === false ? null : await readViewDecoder(runDir, latents?.step ?? status?.step ?? 0);
  const pixels = opts.includePixels === false ? null : await readViewImages(runDir, config, total, index);

  return {
    version: VIEW_PROTOCOL_VERSION,
    title: path.basename(path.resolve(runDir)),
    config,
    labels,
    count,
    totalCount: total,
    files,
    labelIndex: encodeU16(labelIndex),
    index: encodeU32(rows),
    split: encodeU8(split),
    latents,
    projection,
    steps,
    epochs,
    klPerDim,
    activeUnits: lastEpoch ? lastEpoch.activeUnits : null,
    status,
    decoder,
    images: pixels,
  };
}
