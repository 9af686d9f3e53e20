/**
 * Reads a run directory (docs/run-directory.md) into the RunSnapshot the latent-space panel
 * shows (src/protocol/panelIpc.ts). Used by the extension host (LatentPanel answers the
 * webview's `ready` with it) and by the standalone report (report.ts).
 *
 * Every file is optional: a run that has just started has no latents, projection or decoder
 * yet, and the panel shows what there is. Files are read with src/run/reader.ts (each with its
 * schema); the trainer writes them atomically, and for display a damaged file is treated as
 * absent (`quiet`), a bad metrics line is skipped.
 *
 * The `readView*` helpers build the incremental host → webview events for a snapshot that was
 * sampled (`maxPoints`): pass the snapshot's point index (`snapshot.index`).
 *
 * Every array is a compact typed array (it owns its whole ArrayBuffer, and is never a Node
 * Buffer): VS Code's webview.postMessage sends a view's *whole* underlying buffer, and does not
 * know a Buffer as a typed array. A `SnapshotCache` keeps the pixels and the decoder between
 * snapshots while their files are unchanged, so a panel shown again re-reads neither.
 */
import { constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { EpochMetrics, RunConfig, StepMetrics } from '../protocol/runFormat';
import {
  INLINE_PIXELS_BYTES, MAX_IMAGE_ROWS, RunSnapshot, VIEW_PROTOCOL_VERSION, ViewDecoder, ViewImageRows, ViewImages, ViewLatents, ViewPerImage, ViewProblem,
  ViewProjection, ViewStatus,
} from '../protocol/panelIpc';
import {
  readConfig, readDatasetIndex, readLatents, readMetricsByKind, readModelFolder, readPerImage, readPixels, readProjection, readRunStatus,
} from './reader';
import { RUN_FILES, runPaths } from './paths';
import { RunFileError } from './runFileError';
import { linkError, resolveInsideRun } from './safePath';
import { readViewHistory } from './snapshotHistory';
import { diagnoseRun } from './runHealth';

/** The run's damaged files for display, each named relative to the run folder (no absolute path in a report). */
export async function readViewProblems(runDir: string): Promise<ViewProblem[]> {
  const problems = await diagnoseRun(runDir);
  return problems.map((p) => {
    const rel = path.relative(runDir, p.file);
    const file = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : path.basename(p.file);
    const message = p.message.startsWith(p.file) ? file + p.message.slice(p.file.length) : p.message;
    return { file, kind: p.kind, message, affects: p.affects };
  });
}

/** For display: a damaged file is shown as absent. */
const quiet = <T>(p: Promise<T | undefined>): Promise<T | undefined> => p.catch(() => undefined);

export interface LoadRunSnapshotOptions {
  /** Show at most this many points (an evenly spaced, deterministic sample). Default: all. */
  maxPoints?: number;
  /** Include data/pixels.u8 (originals beside reconstructions). Default true. */
  includePixels?: boolean;
  /**
   * Send the points' pixels in the snapshot only up to this many bytes (default
   * INLINE_PIXELS_BYTES); beyond, `images` carries the shape only and the page asks for the
   * originals it shows (`readViewImageRows`). 0: always on demand.
   */
  inlinePixelBytes?: number;
  /** Include the decoder weights (and the encoder's, for the generators). Default true. */
  includeDecoder?: boolean;
  /** Keep at most this many step lines of metrics (evenly spaced, always the last). Default 5000. */
  maxSteps?: number;
  /** Reuse pixels and decoder weights read for an earlier snapshot while their files are unchanged. */
  cache?: SnapshotCache;
  /** List the run's damaged files in `problems` (./runHealth.ts; reads every file once more). Default true. */
  diagnose?: boolean;
}

/** A typed array that owns exactly its buffer (a copy when it is a view into a larger one, or a Buffer). */
export function compact<T extends Float32Array | Uint8Array | Uint16Array | Uint32Array>(a: T): T {
  const Ctor = a instanceof Float32Array ? Float32Array : a instanceof Uint16Array ? Uint16Array : a instanceof Uint32Array ? Uint32Array : Uint8Array;
  if (a.constructor === Ctor && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return a;
  const out = new Ctor(a.length);
  out.set(a);
  return out as T;
}

/** "mtime:size" of each file (missing: "-"): unchanged files give the same key. */
async function filesKey(files: string[]): Promise<string> {
  const parts = await Promise.all(files.map((f) => fsp.stat(f).then((st) => `${st.mtimeMs}:${st.size}`, () => '-')));
  return parts.join('|');
}

/**
 * What does not change between two snapshots of one run while its files stay the same: the
 * pixels (written once, when the dataset is read) and the decoder weights (rewritten every few
 * steps while training). Keyed by the files' modification time and size, so a check costs a
 * `stat`, not a read. One cache per panel (per run folder).
 */
export class SnapshotCache {
  private imagesEntry: { key: string; value: Promise<ViewImages | null> } | undefined;
  private decoderEntry: { key: string; value: Promise<ViewDecoder | null> } | undefined;
  private encoderEntry: { key: string; value: Promise<ViewDecoder | null> } | undefined;
  /** Reads avoided (for tests and the log). */
  hits = 0;
  /** Encoder reads avoided (generators, issue 15). */
  encoderHits = 0;

  /** data/pixels.u8 for these points (readViewImages), read again only when the file changed. */
  async images(runDir: string, config: RunConfig | null, total: number, index: Uint32Array | null, inlineBytes = INLINE_PIXELS_BYTES): Promise<ViewImages | null> {
    const shape = config ? `${config.model.imageHeight}x${config.model.imageWidth}x${config.model.channels}` : 'none';
    const key = `${await filesKey([runPaths(runDir).pixels])}#${shape}#${total}#${index ? index.length : 'all'}#${inlineBytes}`;
    if (this.imagesEntry?.key === key) { this.hits++; return this.imagesEntry.value; }
    const value = readViewImages(runDir, config, total, index, inlineBytes);
    this.imagesEntry = { key, value };
    value.catch(() => { if (this.imagesEntry?.value === value) this.imagesEntry = undefined; });
    return value;
  }

  /** model/decoder (readViewDecoder), read again only when one of its files changed. */
  async decoder(runDir: string, step: number): Promise<ViewDecoder | null> {
    const dir = runPaths(runDir).decoder;
    const names = await fsp.readdir(dir).catch(() => [] as string[]);
    const key = await filesKey(names.sort().map((n) => path.join(dir, n)));
    if (this.decoderEntry?.key === key) {
      this.hits++;
      const d = await this.decoderEntry.value;
      return d && { ...d, step };
    }
    const value = readViewDecoder(runDir, step);
    this.decoderEntry = { key, value };
    value.catch(() => { if (this.decoderEntry?.value === value) this.decoderEntry = undefined; });
    return value;
  }

  /** model/encoder (readViewEncoder), read again only when one of its files changed. */
  async encoder(runDir: string, step: number): Promise<ViewDecoder | null> {
    const dir = runPaths(runDir).encoder;
    const names = await fsp.readdir(dir).catch(() => [] as string[]);
    const key = await filesKey(names.sort().map((n) => path.join(dir, n)));
    if (this.encoderEntry?.key === key) {
      this.encoderHits++;
      const d = await this.encoderEntry.value;
      return d && { ...d, step };
    }
    const value = readViewEncoder(runDir, step);
    this.encoderEntry = { key, value };
    value.catch(() => { if (this.encoderEntry?.value === value) this.encoderEntry = undefined; });
    return value;
  }
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
  const status = await quiet(readRunStatus(runDir));
  if (!status) return null;
  const parsed = ViewStatus.safeParse({ status: status.status, step: status.step, epoch: status.epoch, backend: status.backend, message: status.message, ...(epochs !== undefined ? { epochs } : {}) });
  return parsed.success ? parsed.data : null;
}

/** latents/mu.f32 for the given points (null index = all). null if absent or inconsistent. */
export async function readViewLatents(runDir: string, index: Uint32Array | null): Promise<ViewLatents | null> {
  const latents = await quiet(readLatents(runDir));
  if (!latents || !latents.index.count) return null;
  const { index: meta, mu } = latents;
  if (index && index.length && index[index.length - 1] >= meta.count) return null;
  const picked = gatherRows(mu, meta.latentDim, index, (n) => new Float32Array(n));
  return { epoch: meta.epoch, step: meta.step, latentDim: meta.latentDim, mu: compact(picked) };
}

/** latents/recon.f32, kl.f32, meanvar.f32 for the given points (null index = all). null if absent or inconsistent. */
export async function readViewPerImage(runDir: string, index: Uint32Array | null): Promise<ViewPerImage | null> {
  const per = await quiet(readPerImage(runDir));
  if (!per) return null;
  if (index && index.length && index[index.length - 1] >= per.recon.length) return null;
  const pick = (a: Float32Array) => compact(gatherRows(a, 1, index, (n) => new Float32Array(n)));
  return { epoch: per.epoch, step: per.step, recon: pick(per.recon), kl: pick(per.kl), meanVar: pick(per.meanVar) };
}

/** latents/projection.json for the given points. null if absent. */
export async function readViewProjection(runDir: string, index: Uint32Array | null): Promise<ViewProjection | null> {
  const raw = await quiet(readProjection(runDir));
  if (!raw) return null;
  const pick = (a: number[]) => {
    const n = index ? index.length : a.length;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = a[index ? index[i] : i];
    return out;
  };
  if (index && index.length && index[index.length - 1] >= raw.x.length) return null;
  return { epoch: raw.epoch, method: raw.method, x: pick(raw.x), y: pick(raw.y) };
}

/** model/decoder (model.json + its weight files concatenated in manifest order). */
export async function readViewDecoder(runDir: string, step = 0): Promise<ViewDecoder | null> {
  // The schema refuses weight paths that leave the decoder folder.
  const folder = await quiet(readModelFolder(runPaths(runDir).decoder));
  if (!folder) return null;
  const w = folder.weights;
  return { step, modelJson: folder.modelJson as Record<string, unknown>, weights: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer };
}

/** model/encoder, like readViewDecoder (the generators encode prior samples again in the page). */
export async function readViewEncoder(runDir: string, step = 0): Promise<ViewDecoder | null> {
  const folder = await quiet(readModelFolder(runPaths(runDir).encoder));
  if (!folder) return null;
  const w = folder.weights;
  return { step, modelJson: folder.modelJson as Record<string, unknown>, weights: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer };
}

/**
 * data/pixels.u8 for the given points, shaped by the model config. When the points' pixels
 * would pass `inlineBytes`, only the shape (the file is checked by its size, not read): the page
 * then asks for the originals it shows (`readViewImageRows`).
 */
export async function readViewImages(runDir: string, config: RunConfig | null, total: number, index: Uint32Array | null, inlineBytes = Infinity): Promise<ViewImages | null> {
  if (!config) return null;
  const { imageHeight: height, imageWidth: width, channels } = config.model;
  const size = height * width * channels;
  const count = index ? index.length : total;
  if (count * size > inlineBytes) {
    const at = await resolveInsideRun(runDir, RUN_FILES.pixels).catch(() => undefined);
    return at?.stat?.isFile() && at.stat.size >= total * size ? { height, width, channels } : null;
  }
  const all = await quiet(readPixels(runDir, total * size));
  if (!all) return null;
  const picked = gatherRows(all, size, index, (n) => new Uint8Array(n));
  return { height, width, channels, pixels: compact(picked) };
}

/**
 * The originals of some dataset rows (the `images` request of the panel, issue 13): read from
 * data/pixels.u8 at their offsets — the file is never read whole, so a run of 200,000 images of
 * 64×64×3 (2.5 GB) costs the extension host only what is shown. Rows outside the dataset are
 * left out; runs of adjacent rows are read in one call. Goes through the path guard like every
 * read (no link, a regular file). null when the run has no config or no pixels file.
 */
export function readViewImageRows(runDir: string, config: RunConfig | null, total: number, rows: readonly number[]): Promise<ViewImageRows | null> {
  return readImageRows(runDir, config, total, rows.slice(0, MAX_IMAGE_ROWS));
}

/** readViewImageRows without the per-request cap (the report packs every point's original with it). */
export async function readImageRows(runDir: string, config: RunConfig | null, total: number, rows: ArrayLike<number>): Promise<ViewImageRows | null> {
  if (!config) return null;
  const { imageHeight: height, imageWidth: width, channels } = config.model;
  const size = height * width * channels;
  const wanted = Array.from(rows).filter((r) => Number.isInteger(r) && r >= 0 && r < total);
  const at = await resolveInsideRun(runDir, RUN_FILES.pixels);
  if (!at.stat) return null;
  if (!at.stat.isFile()) throw new RunFileError(at.shown, 'is not a regular file', 'unsafe');
  let handle;
  try {
    handle = await fsp.open(at.file, fsc.O_RDONLY | (fsc.O_NOFOLLOW ?? 0) | (fsc.O_NONBLOCK ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw await linkError(at.shown, at.file);
    throw new RunFileError(at.shown, `cannot be read: ${(e as Error).message}`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new RunFileError(at.shown, 'is not a regular file', 'unsafe');
    if (st.size < total * size) throw new RunFileError(at.shown, `is truncated: it holds ${st.size} bytes, ${total * size} expected (the images of ${RUN_FILES.dataset})`);
    const pixels = new Uint8Array(wanted.length * size);
    // Adjacent rows in one read (a page of the selection grid is often a run of rows).
    for (let i = 0; i < wanted.length;) {
      let j = i + 1;
      while (j < wanted.length && wanted[j] === wanted[j - 1] + 1) j++;
      await handle.read(pixels, i * size, (j - i) * size, wanted[i] * size);
      i = j;
    }
    return { height, width, channels, rows: Uint32Array.from(wanted), pixels };
  } finally {
    await handle.close();
  }
}

/** Parse metrics.jsonl; skips lines that do not validate (e.g. a torn last line). */
export function readMetrics(runDir: string): Promise<{ steps: StepMetrics[]; epochs: EpochMetrics[] }> {
  return readMetricsByKind(runDir);
}

/** Read a run directory into the snapshot the panel and the report show. */
export async function loadRunSnapshot(runDir: string, opts: LoadRunSnapshotOptions = {}): Promise<RunSnapshot> {
  // Damaged files are named, not only hidden (issue 14); read alongside the rest.
  const problems = opts.diagnose === false ? Promise.resolve([]) : readViewProblems(runDir).catch((): ViewProblem[] => []);
  const config = (await quiet(readConfig(runDir))) ?? null;
  const dataset = await quiet(readDatasetIndex(runDir));
  const images = dataset?.images ?? [];
  const labels = dataset?.labels ?? [];
  const total = images.length;
  const index = sampleIndex(total, opts.maxPoints);
  const count = index ? index.length : total;
  const rows = index ?? identity(total);

  const files: string[] = new Array(count);
  const labelIndex = new Uint16Array(count);
  const split = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const im = images[rows[i]];
    files[i] = im.path;
    labelIndex[i] = Math.min(65535, im.label);
    split[i] = im.split === 'val' ? 1 : 0;
  }

  const { steps: allSteps, epochs, changes } = await readMetricsByKind(runDir);
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
  if (latents && latents.mu.length !== count * latents.latentDim) latents = null;
  if (projection && projection.x.length !== count) projection = null;
  let perImage = await readViewPerImage(runDir, index);
  if (perImage && perImage.recon.length !== count) perImage = null;

  const status = await readViewStatus(runDir, config?.training.epochs);
  const decoderStep = latents?.step ?? status?.step ?? 0;
  const cache = opts.cache;
  const decoder = opts.includeDecoder === false ? null : await (cache ? cache.decoder(runDir, decoderStep) : readViewDecoder(runDir, decoderStep));
  const encoder = opts.includeDecoder === false ? null : await (cache ? cache.encoder(runDir, decoderStep) : readViewEncoder(runDir, decoderStep));
  const inline = opts.inlinePixelBytes ?? INLINE_PIXELS_BYTES;
  const pixels = opts.includePixels === false ? null : await (cache ? cache.images(runDir, config, total, index, inline) : readViewImages(runDir, config, total, index, inline));

  return {
    version: VIEW_PROTOCOL_VERSION,
    title: path.basename(path.resolve(runDir)),
    config,
    labels,
    count,
    totalCount: total,
    files,
    labelIndex,
    index: rows,
    split,
    latents,
    projection,
    steps,
    epochs,
    klPerDim,
    activeUnits: lastEpoch ? lastEpoch.activeUnits : null,
    collapsed: lastEpoch?.collapsed ?? null,
    status,
    decoder,
    images: pixels,
    history: await readViewHistory(runDir, index, count), // epoch replay (./snapshotHistory.ts)
    problems: await problems,
    perImage,
    encoder,
    // Live hyperparameters (issue 10): the change lines, for the loss chart's marks.
    changes,
  };
}
