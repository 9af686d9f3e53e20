/**
 * The dataset: a recursive scan of an image folder and decoding with sharp.
 *
 * - Label = the first-level subfolder name; images directly in the root are "unlabelled".
 * - Hidden files and folders (name starting with "."), the run's own output folder and
 *   folders already visited (symlink loops) are not scanned.
 * - Every file that is not used is recorded with the reason: not an image type, empty,
 *   too large, unreadable or truncated. Nothing is skipped silently.
 * - Images are resized to the model size by centre crop (sharp `fit: cover`), so the aspect
 *   ratio is kept and the longer side is trimmed; alpha is flattened onto black (the
 *   background of MNIST-like data); grayscale or RGB as the model needs.
 * - Pixels are kept as uint8 (N × H × W × C) and scaled to [0, 1] per batch, so 60,000
 *   28×28 images hold 47 MB, not 188 MB of float32.
 */
import { promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { DatasetImage, ImageShape, SkippedFile } from '../protocol/runFormat';
import { IMAGE_EXTENSIONS } from '../protocol/images';
import { shuffledIndices } from '../model/random';
import { decodePlainPng } from './plainPng';
import { PixelCache, type CachedFile, type PixelCacheStats } from './pixelCache';

export { IMAGE_EXTENSIONS };
export const UNLABELLED = 'unlabelled';
/** Files above this size are skipped as absurdly large. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
/** Images above this many pixels are skipped (a decompression bomb or a scan, not a training image). */
export const MAX_PIXELS = 40_000_000;

export interface ScannedFile { absPath: string; relPath: string; label: string }
export interface ScanResult { files: ScannedFile[]; skipped: SkippedFile[] }

/** Walk `root`; never follows a folder twice (symlink loops), never enters `exclude` or hidden entries. */
export async function scanFolder(root: string, exclude: string[] = []): Promise<ScanResult> {
  const rootReal = await fs.realpath(root).catch(() => {
    throw new Error(`cannot read the image folder "${root}": it does not exist or is not accessible`);
  });
  const stat = await fs.stat(rootReal);
  if (!stat.isDirectory()) throw new Error(`"${root}" is not a folder: give the folder that holds the images (one subfolder per label)`);
  const excluded = new Set(await Promise.all(exclude.map((p) => fs.realpath(p).catch(() => path.resolve(p)))));
  const visited = new Set<string>();
  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];

  async function walk(dir: string, rel: string, label: string | undefined): Promise<void> {
    const real = await fs.realpath(dir);
    if (visited.has(real) || excluded.has(real)) return;
    visited.add(real);
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      skipped.push({ path: rel || '.', reason: `folder cannot be read: ${(e as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const abs = path.join(dir, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await fs.stat(abs).catch(() => undefined);
        if (!target) { skipped.push({ path: relPath, reason: 'broken symbolic link' }); continue; }
        isDir = target.isDirectory();
        isFile = target.isFile();
      }
      if (isDir) await walk(abs, relPath, label ?? entry.name);
      else if (isFile) {
        const ext = path.extname(entry.name).toLowerCase();
        if (!IMAGE_EXTENSIONS.has(ext)) skipped.push({ path: relPath, reason: `not an image type (${ext || 'no extension'}); supported: ${[...IMAGE_EXTENSIONS].join(' ')}` });
        else files.push({ absPath: abs, relPath, label: label ?? UNLABELLED });
      }
    }
  }
  await walk(rootReal, '', undefined);
  return { files, skipped };
}

export type { DatasetImage, ImageShape };

/** Decode one image file to uint8 pixels of the model's shape; throws an Error whose message is the skip reason. */
export async function decodeImage(file: string, shape: ImageShape): Promise<Uint8Array> {
  const stat = await fs.stat(file);
  if (stat.size === 0) throw new Error('empty file (0 bytes)');
  if (stat.size > MAX_FILE_BYTES) throw new Error(`file is ${(stat.size / 2 ** 20).toFixed(0)} MB, above the ${MAX_FILE_BYTES / 2 ** 20} MB limit`);
  let image = sharp(file, { failOn: 'truncated', limitInputPixels: MAX_PIXELS, pages: 1 })
    .flatten({ background: { r: 0, g: 0, b: 0 } })
    .resize(shape.width, shape.height, { fit: 'cover', position: 'centre' });
  image = shape.channels === 1 ? image.toColourspace('b-w') : image.toColourspace('srgb');
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== shape.channels || info.width !== shape.width || info.height !== shape.height) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${shape.width}×${shape.height}×${shape.channels}`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Short, readable reason from a sharp / fs error. */
function skipReason(e: unknown): string {
  const msg = (e as Error).message ?? String(e);
  if (/pixel limit/i.test(msg)) return `image has more than ${MAX_PIXELS / 1e6} megapixels (absurdly large)`;
  if (/unsupported image format/i.test(msg)) return 'not a readable image (unsupported or corrupt format)';
  if (/premature end|truncated|unexpected end|end of stream|corrupt|invalid/i.test(msg)) return `truncated or corrupt image: ${msg.split('\n')[0]}`;
  return msg.split('\n')[0];
}

/**
 * 1 if the first images (up to 50) look grayscale, else 3. "Looks": a 16×16 thumbnail whose
 * R, G and B differ by at most 2 levels everywhere — so an RGB PNG or a GIF palette holding
 * only grays still trains as grayscale.
 */
export async function detectChannels(files: ScannedFile[]): Promise<1 | 3> {
  for (const f of files.slice(0, 50)) {
    try {
      const meta = await sharp(f.absPath, { limitInputPixels: MAX_PIXELS }).metadata();
      if ((meta.channels ?? 1) < 3 || meta.space === 'b-w') continue;
      const rgb = await sharp(f.absPath, { limitInputPixels: MAX_PIXELS, pages: 1 }).resize(16, 16, { fit: 'inside' }).removeAlpha().toColourspace('srgb').raw().toBuffer();
      for (let i = 0; i + 2 < rgb.length; i += 3) {
        if (Math.abs(rgb[i] - rgb[i + 1]) > 2 || Math.abs(rgb[i + 1] - rgb[i + 2]) > 2) return 3;
      }
    } catch { /* unreadable: decoding will record why */ }
  }
  return 1;
}

export interface DatasetOptions {
  height: number;
  width: number;
  /** 1 or 3, or 'auto' to detect from the images. */
  channels: 1 | 3 | 'auto';
  /** 0 = all. A seeded random subset otherwise. */
  maxImages: number;
  valSplit: number;
  seed: number;
  /** Folders never scanned (the run's own output). */
  exclude: string[];
  /**
   * Images decoded so far of those wanted: once at the start (0 of N), at most every
   * `progressMs` while decoding, and once at the end.
   */
  onProgress?: (done: number, total: number) => void;
  /** Least time between two progress calls (default 250 ms). */
  progressMs?: number;
  /** Skip the decoded-pixel cache (./pixelCache.ts): decode every file, read and write no entry. */
  noCache?: boolean;
  /** Decode everything with sharp (no in-process PNG fast path; tests compare the two). */
  sharpOnly?: boolean;
  /** One line about the cache (used, rebuilt, written). */
  log?: (message: string, level: 'info' | 'warn') => void;
}

export interface Dataset {
  dataDir: string;
  labels: string[];
  images: DatasetImage[];
  skipped: SkippedFile[];
  shape: ImageShape;
  /** uint8, images.length × H × W × C, in the order of `images`. */
  pixels: Uint8Array;
  /** How the pixel cache served this load (absent with noCache). */
  cache?: PixelCacheStats;
}

/** Small files are read at once and tried by the in-process PNG decoder first. */
const FAST_PATH_BYTES = 64 * 1024;

/**
 * One file's pixels or skip reason, with its size and mtime (the cache's validation): from
 * `cache` when the file is unchanged, else decoded — a small plain PNG in-process (./plainPng.ts,
 * byte-identical to sharp), anything else by sharp on libuv's thread pool.
 */
async function decodeFile(file: ScannedFile, shape: ImageShape, cache: PixelCache | undefined, sharpOnly: boolean): Promise<CachedFile & { cached?: true }> {
  let st;
  try { st = statSync(file.absPath); } catch (e) { return { size: -1, mtimeMs: -1, reason: skipReason(e) }; }
  const hit = cache?.lookup(file.relPath, st.size, st.mtimeMs);
  if (hit) return { ...hit, cached: true };
  const meta = { size: st.size, mtimeMs: st.mtimeMs };
  try {
    if (!sharpOnly && st.size > 0 && st.size <= FAST_PATH_BYTES) {
      const px = decodePlainPng(readFileSync(file.absPath), shape);
      if (px) return { ...meta, pixels: px };
    }
    return { ...meta, pixels: await decodeImage(file.absPath, shape) };
  } catch (e) {
    return { ...meta, reason: skipReason(e) };
  }
}

/**
 * No image of the folder can be used. `undecodable` image files were found but none decoded
 * (the reasons are in `skipped`); with none found, the folder holds no image files at all.
 */
export class NoUsableImageError extends Error {
  readonly skipped: SkippedFile[];
  constructor(readonly dataDir: string, readonly undecodable: number, skipped: SkippedFile[], readonly shape: ImageShape) {
    super('');
    this.name = 'NoUsableImageError';
    this.skipped = [...skipped].sort((a, b) => (a.path < b.path ? -1 : 1));
    this.message = this.describe();
  }

  /** The message; `reasonsIn` names the file that lists every skipped file with its reason (a run's dataset.json). */
  describe(reasonsIn?: string): string {
    const first = this.skipped.find((f) => IMAGE_EXTENSIONS.has(path.extname(f.path).toLowerCase())) ?? this.skipped[0];
    const example = first ? `, e.g. ${first.path}: ${first.reason}` : '';
    if (this.undecodable > 0) {
      return `no usable image in "${this.dataDir}": ${this.undecodable} files could not be decoded${reasonsIn ? ` (reasons in ${reasonsIn})` : ''}${example}`;
    }
    const skipped = this.skipped.length ? `; ${this.skipped.length} other files skipped${example}` : '';
    return `no usable image in "${this.dataDir}": no image files (${[...IMAGE_EXTENSIONS].join(' ')}) were found${skipped}. Put images in one subfolder per label.`;
  }
}

/** Scan, decode and split a folder. Throws a NoUsableImageError when no image is usable. */
export async function loadDataset(dataDir: string, opts: DatasetOptions): Promise<Dataset> {
  const scan = await scanFolder(dataDir, opts.exclude);
  const files = scan.files;
  // With maxImages, files are tried in a seeded random order until that many decode.
  const target = opts.maxImages > 0 ? Math.min(opts.maxImages, files.length) : files.length;
  const order = opts.maxImages > 0 ? Array.from(shuffledIndices(files.length, opts.seed ^ 0x5eed)) : files.map((_, i) => i);
  const channels = opts.channels === 'auto' ? await detectChannels(files) : opts.channels;
  const shape: ImageShape = { height: opts.height, width: opts.width, channels };
  const size = shape.height * shape.width * shape.channels;
  const decoded: (Uint8Array | undefined)[] = new Array(files.length);
  const skipped = [...scan.skipped];
  const rootReal = await fs.realpath(dataDir);
  const cache = opts.noCache ? undefined : await PixelCache.open(rootReal, shape);
  if (cache?.stats.found === 'damaged') opts.log?.(`pixel cache entry ${cache.file} is damaged or of another version: decoding again`, 'warn');
  const results = new Map<string, CachedFile>();
  const failed: number[] = [];
  let next = 0, ok = 0;
  const every = opts.progressMs ?? 250;
  let lastReport = Date.now();
  opts.onProgress?.(0, target);
  // Many files in flight: sharp decodes on libuv's thread pool (UV_THREADPOOL_SIZE, default 4);
  // the in-process fast path and cache hits are synchronous, so each worker yields now and then
  // to let IPC (pause, stop) and progress through.
  async function worker() {
    let since = 0;
    while (next < order.length && ok < target) {
      const i = order[next++];
      const r = await decodeFile(files[i], shape, cache, opts.sharpOnly === true);
      results.set(files[i].relPath, r);
      if (r.pixels) { decoded[i] = r.pixels; ok++; } else if (r.size >= 0 && !r.cached) failed.push(i); else skipped.push({ path: files[i].relPath, reason: r.reason });
      if (opts.onProgress && ok < target && Date.now() - lastReport >= every) {
        lastReport = Date.now();
        opts.onProgress(ok, target);
      }
      if (++since >= 256) { since = 0; await new Promise((r) => setImmediate(r)); }
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker));
  // libvips's error text is not per-call: concurrent failures can swap or lose it ("Unknown
  // error"). The (few) failed files are decoded once more, one at a time, for their own reason.
  for (const i of failed) {
    const r = await decodeFile(files[i], shape, undefined, true);
    results.set(files[i].relPath, r);
    if (r.pixels) { decoded[i] = r.pixels; ok++; } else skipped.push({ path: files[i].relPath, reason: r.reason });
  }
  opts.onProgress?.(Math.min(ok, target), target);
  if (cache) {
    await cache.save(results, files.map((f) => f.relPath)).catch((e: Error) => opts.log?.(`pixel cache not written (${cache.file}): ${e.message}`, 'warn'));
    const s = cache.stats;
    opts.log?.(`pixel cache: ${s.hits} images from ${s.file}, ${s.misses} decoded${s.written ? ', entry written' : ''}`, 'info');
  }

  // Scan order; with maxImages, one worker may overshoot by a file or two: trim to the target.
  const usable = files.map((f, i) => ({ f, px: decoded[i] })).filter((e) => e.px !== undefined).slice(0, target);
  if (usable.length === 0) throw new NoUsableImageError(dataDir, files.length, skipped, shape);
  const labels = [...new Set(usable.map((e) => e.f.label))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const pixels = new Uint8Array(usable.length * size);
  usable.forEach((e, i) => pixels.set(e.px!, i * size));
  // Deterministic validation split given the seed; at least one training image.
  const valCount = Math.min(usable.length - 1, Math.round(usable.length * opts.valSplit));
  const isVal = new Uint8Array(usable.length);
  shuffledIndices(usable.length, opts.seed).slice(0, valCount).forEach((i) => (isVal[i] = 1));
  const images: DatasetImage[] = usable.map((e, i) => ({ path: e.f.relPath, label: labelIndex.get(e.f.label)!, split: isVal[i] ? 'val' : 'train' }));
  skipped.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { dataDir: path.resolve(dataDir), labels, images, skipped, shape, pixels, ...(cache ? { cache: cache.stats } : {}) };
}

/** A conditional model's label of each image: indexes into the model's label list (its one-hot positions). */
export interface LabelFeed {
  /** Model label index of each image, in dataset order. */
  rows: Int32Array;
  /** Labels the model knows (the one-hot size). */
  count: number;
}

/**
 * The images' labels mapped onto a conditional model's label list (fixed when it was trained),
 * by name; undefined for an unconditional model. Throws naming every label of the folder that
 * the model was not trained with.
 */
export function labelFeed(model: { conditional?: boolean; labels?: string[] }, data: Pick<Dataset, 'labels' | 'images' | 'dataDir'>): LabelFeed | undefined {
  if (!model.conditional) return undefined;
  const known = model.labels ?? [];
  const index = new Map(known.map((l, i) => [l, i]));
  const used = new Set(data.images.map((im) => im.label));
  const unknown = data.labels.filter((l, i) => used.has(i) && !index.has(l));
  if (unknown.length > 0) {
    const names = unknown.map((l) => JSON.stringify(l)).join(', ');
    throw new Error(
      `${data.dataDir} has the label${unknown.length > 1 ? 's' : ''} ${names}, which the conditional model was not trained with: ` +
        `a conditional model decodes only the labels it was trained on (${known.map((l) => JSON.stringify(l)).join(', ') || 'none recorded'}). ` +
        'Move those images out of the folder, or train a model on a folder with these labels.',
    );
  }
  const map = data.labels.map((l) => index.get(l) ?? -1);
  return { rows: Int32Array.from(data.images, (im) => map[im.label]), count: known.length };
}
