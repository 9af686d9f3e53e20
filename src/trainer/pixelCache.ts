/**
 * The decoded-pixel cache: a second run on the same folder starts at once instead of decoding
 * every image again.
 *
 * - One entry per (folder real path, image height × width × channels, decoder version), a single
 *   file `<hash>.llpx` in the cache folder: `LLPX0001`, a uint32 LE header length, the JSON header
 *   (the manifest: every file's relative path, size, mtime and either its pixel slot or why it was
 *   skipped), then the pixels (slots × H × W × C bytes).
 * - The cache folder is never inside the user's data: `LATENT_LENS_CACHE_DIR` when set, else
 *   `$XDG_CACHE_HOME/latent-lens/pixels`, else `~/.cache/latent-lens/pixels` (`pixelCacheDir`,
 *   the one place these variables are read).
 * - Nothing is trusted blindly: a file is taken from the cache only when its size and mtime are
 *   those of the manifest; an entry whose magic, header or length is wrong (truncated, corrupt,
 *   another version) is ignored and rebuilt.
 * - Writes are atomic (a temporary file, then a rename); the folder is kept under
 *   `LATENT_LENS_CACHE_MAX_MB` (default 2048) by removing the least recently used entries.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ImageShape } from '../protocol/runFormat';

const MAGIC = 'LLPX0001';
/** Bump when the decoder's output could change (resize, colour rules): old entries are then not used. */
const DECODER_VERSION = 1;
const SUFFIX = '.llpx';

/** The cache folder and its size bound (environment read here only). */
export function pixelCacheDir(env: NodeJS.ProcessEnv = process.env): { dir: string; maxBytes: number } {
  const base = env.LATENT_LENS_CACHE_DIR
    || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'latent-lens', 'pixels');
  const mb = Number(env.LATENT_LENS_CACHE_MAX_MB);
  return { dir: base, maxBytes: (Number.isFinite(mb) && mb >= 0 ? mb : 2048) * 2 ** 20 };
}

/** What the cache knows of one file: its pixels, or why it cannot be used. */
export type CachedFile = { size: number; mtimeMs: number; pixels: Uint8Array; reason?: undefined } | { size: number; mtimeMs: number; reason: string; pixels?: undefined };

interface Header {
  version: number;
  root: string;
  shape: ImageShape;
  slots: number;
  /** [relPath, size, mtimeMs, slot (-1: skipped), reason?] */
  files: [string, number, number, number, string?][];
}

/** How the cache served a load: hits and misses, and whether an entry was found damaged. */
export interface PixelCacheStats { file: string; found: 'none' | 'valid' | 'damaged'; hits: number; misses: number; written: boolean }

export class PixelCache {
  readonly stats: PixelCacheStats;
  private constructor(readonly file: string, private readonly known: Map<string, CachedFile>, found: PixelCacheStats['found'], private readonly maxBytes: number, private readonly header: Omit<Header, 'files' | 'slots'>) {
    this.stats = { file, found, hits: 0, misses: 0, written: false };
  }

  /** The cache entry of a folder (its real path) at a shape; an absent or damaged entry opens empty. */
  static async open(rootReal: string, shape: ImageShape, env: NodeJS.ProcessEnv = process.env): Promise<PixelCache> {
    const { dir, maxBytes } = pixelCacheDir(env);
    const key = createHash('sha256').update(JSON.stringify([DECODER_VERSION, rootReal, shape.height, shape.width, shape.channels])).digest('hex').slice(0, 24);
    const file = path.join(dir, key + SUFFIX);
    const base = { version: DECODER_VERSION, root: rootReal, shape };
    let buf: Buffer;
    try { buf = await fs.readFile(file); } catch { return new PixelCache(file, new Map(), 'none', maxBytes, base); }
    const known = parseEntry(buf, base);
    if (!known) return new PixelCache(file, new Map(), 'damaged', maxBytes, base);
    await fs.utimes(file, new Date(), new Date()).catch(() => undefined); // recently used: evicted last
    return new PixelCache(file, known, 'valid', maxBytes, base);
  }

  /** The cached result for a file, when its size and mtime are those recorded. */
  lookup(relPath: string, size: number, mtimeMs: number): CachedFile | undefined {
    const c = this.known.get(relPath);
    if (c && c.size === size && c.mtimeMs === mtimeMs) { this.stats.hits++; return c; }
    this.stats.misses++;
    return undefined;
  }

  /**
   * Write the entry for the files of this scan (`current`, relative path → result). Files
   * `current` lacks but the old entry knows are kept when still in `scanned` (a --max-images
   * run did not look at them); files no longer scanned drop out. Skipped when nothing changed.
   */
  async save(current: Map<string, CachedFile>, scanned: string[]): Promise<void> {
    const merged = new Map<string, CachedFile>();
    let changed = this.stats.found !== 'valid' || this.stats.misses > 0;
    for (const rel of scanned) {
      const c = current.get(rel) ?? this.known.get(rel);
      if (c) merged.set(rel, c);
    }
    if (merged.size !== this.known.size) changed = true;
    if (!changed) return;
    const size = this.header.shape.height * this.header.shape.width * this.header.shape.channels;
    const files: Header['files'] = [];
    let slots = 0;
    for (const [rel, c] of merged) files.push(c.pixels ? [rel, c.size, c.mtimeMs, slots++] : [rel, c.size, c.mtimeMs, -1, c.reason]);
    const header = Buffer.from(JSON.stringify({ ...this.header, slots, files } satisfies Header));
    const pixels = Buffer.allocUnsafe(slots * size);
    let s = 0;
    for (const c of merged.values()) if (c.pixels) pixels.set(c.pixels, size * s++);
    const lead = Buffer.alloc(12);
    lead.write(MAGIC, 0, 'latin1');
    lead.writeUInt32LE(header.length, 8);
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    try {
      const fh = await fs.open(tmp, 'w');
      try { await fh.writev([lead, header, pixels]); } finally { await fh.close(); }
      await fs.rename(tmp, this.file);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
    this.stats.written = true;
    await evict(path.dirname(this.file), this.maxBytes, this.file);
  }
}

/** The files of a cache entry, or null when it is damaged or not for this folder and shape. */
function parseEntry(buf: Buffer, expect: Omit<Header, 'files' | 'slots'>): Map<string, CachedFile> | null {
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) return null;
  const hlen = buf.readUInt32LE(8);
  if (12 + hlen > buf.length) return null;
  let h: Header;
  try { h = JSON.parse(buf.toString('utf8', 12, 12 + hlen)) as Header; } catch { return null; }
  const s = expect.shape;
  if (h.version !== expect.version || h.root !== expect.root || h.shape?.height !== s.height || h.shape?.width !== s.width || h.shape?.channels !== s.channels) return null;
  const size = s.height * s.width * s.channels;
  if (!Number.isInteger(h.slots) || !Array.isArray(h.files) || buf.length !== 12 + hlen + h.slots * size) return null;
  const pixels = new Uint8Array(buf.buffer, buf.byteOffset + 12 + hlen, h.slots * size);
  const out = new Map<string, CachedFile>();
  for (const f of h.files) {
    if (!Array.isArray(f) || typeof f[0] !== 'string' || typeof f[1] !== 'number' || typeof f[2] !== 'number' || typeof f[3] !== 'number') return null;
    const [rel, fsize, mtimeMs, slot, reason] = f;
    if (slot >= 0) {
      if (!Number.isInteger(slot) || slot >= h.slots) return null;
      out.set(rel, { size: fsize, mtimeMs, pixels: pixels.subarray(slot * size, (slot + 1) * size) });
    } else out.set(rel, { size: fsize, mtimeMs, reason: typeof reason === 'string' ? reason : 'could not be decoded' });
  }
  return out;
}

/** Remove the least recently used entries (never `keep`) until the folder holds at most `maxBytes`. */
async function evict(dir: string, maxBytes: number, keep: string): Promise<void> {
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(SUFFIX));
  const entries = (await Promise.all(names.map(async (n) => {
    const p = path.join(dir, n);
    const st = await fs.stat(p).catch(() => undefined);
    return st ? { p, size: st.size, used: st.mtimeMs } : undefined;
  }))).filter((e) => e !== undefined);
  let total = entries.reduce((a, e) => a + e.size, 0);
  entries.sort((a, b) => a.used - b.used);
  for (const e of entries) {
    if (total <= maxBytes) break;
    if (e.p === keep) continue;
    await fs.rm(e.p, { force: true });
    total -= e.size;
  }
}
