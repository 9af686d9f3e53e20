// Issue 13, "the first map in seconds": the decoded-pixel cache (src/trainer/pixelCache.ts), the
// in-process PNG path against sharp (src/trainer/plainPng.ts), --no-cache, and the map during
// epoch 1 (src/trainer/earlyMap.ts). Nothing here is timed: the speed is `npm run bench -- --only firstmap`'s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadDataset, decodeImage, type DatasetOptions } from '../../src/trainer/dataset';
import { decodePlainPng } from '../../src/trainer/plainPng';
import { pixelCacheDir } from '../../src/trainer/pixelCache';
import { configFromArgs } from '../../src/trainer/cli';
import { trainUsage } from '../../src/protocol/trainRequest';

const SAMPLES = path.resolve('samples/fashion-mnist-2k');
const base: DatasetOptions = { height: 28, width: 28, channels: 'auto', maxImages: 0, valSplit: 0.1, seed: 0, exclude: [] };
let tmp: string, data: string, cacheDir: string;
const savedEnv = process.env.LATENT_LENS_CACHE_DIR;

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'll-pixcache-'));
  cacheDir = path.join(tmp, 'cache');
  process.env.LATENT_LENS_CACHE_DIR = cacheDir;
  // 3 labels × 20 images of the sample set
  data = path.join(tmp, 'data');
  for (const label of (await fs.readdir(SAMPLES)).filter((n) => !n.startsWith('.')).sort().slice(0, 3)) {
    await fs.mkdir(path.join(data, label), { recursive: true });
    for (const f of (await fs.readdir(path.join(SAMPLES, label))).sort().slice(0, 20)) await fs.copyFile(path.join(SAMPLES, label, f), path.join(data, label, f));
  }
});
after(async () => {
  if (savedEnv === undefined) delete process.env.LATENT_LENS_CACHE_DIR; else process.env.LATENT_LENS_CACHE_DIR = savedEnv;
  await fs.rm(tmp, { recursive: true, force: true });
});

const entryFile = async () => path.join(cacheDir, (await fs.readdir(cacheDir)).find((n) => n.endsWith('.llpx'))!);

test('the cache folder: LATENT_LENS_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache; never the data folder', () => {
  assert.equal(pixelCacheDir({ LATENT_LENS_CACHE_DIR: '/x/c' }).dir, '/x/c');
  assert.equal(pixelCacheDir({ XDG_CACHE_HOME: '/x/xdg' }).dir, '/x/xdg/latent-lens/pixels');
  assert.equal(pixelCacheDir({}).dir, path.join(os.homedir(), '.cache', 'latent-lens', 'pixels'));
  assert.equal(pixelCacheDir({}).maxBytes, 2048 * 2 ** 20);
});

test('decoding many files at once, in-process or with sharp, gives the pixels of the one-by-one sharp path (fashion-mnist-2k)', async () => {
  const fast = await loadDataset(SAMPLES, { ...base, noCache: true });
  const viaSharp = await loadDataset(SAMPLES, { ...base, noCache: true, sharpOnly: true });
  assert.equal(fast.images.length, 2000);
  assert.deepEqual(fast.images, viaSharp.images);
  assert.ok(Buffer.from(fast.pixels).equals(Buffer.from(viaSharp.pixels)), 'pixels differ');
  // and each image equals decodeImage of its file, taken alone
  for (const i of [0, 777, 1999]) {
    const one = await decodeImage(path.join(SAMPLES, fast.images[i].path), fast.shape);
    assert.ok(Buffer.from(one).equals(Buffer.from(fast.pixels.subarray(i * 784, (i + 1) * 784))), fast.images[i].path);
  }
});

test('the in-process PNG path takes plain 8-bit gray and RGB PNGs byte-equal to sharp, and leaves every other kind to sharp', async () => {
  const px = Buffer.from(Array.from({ length: 12 * 10 * 3 }, (_, i) => (i * 53) % 256));
  const shape3 = { height: 10, width: 12, channels: 3 as const };
  for (const filters of [{ adaptiveFiltering: true }, { adaptiveFiltering: false }]) {
    const rgb = await sharp(px, { raw: { width: 12, height: 10, channels: 3 } }).png(filters).toBuffer();
    const file = path.join(tmp, 'rgb.png');
    await fs.writeFile(file, rgb);
    assert.deepEqual(Buffer.from(decodePlainPng(rgb, shape3)!), Buffer.from(await decodeImage(file, shape3)));
  }
  const gray = await sharp(px.subarray(0, 120), { raw: { width: 12, height: 10, channels: 1 } }).toColourspace('b-w').png().toBuffer();
  await fs.writeFile(path.join(tmp, 'gray.png'), gray);
  assert.deepEqual(Buffer.from(decodePlainPng(gray, { height: 10, width: 12, channels: 1 })!), Buffer.from(await decodeImage(path.join(tmp, 'gray.png'), { height: 10, width: 12, channels: 1 })));
  assert.ok(decodePlainPng(gray, { height: 10, width: 12, channels: 1 }));
  assert.equal(decodePlainPng(gray, { height: 8, width: 8, channels: 1 }), null, 'needs a resize: sharp');
  assert.equal(decodePlainPng(gray, { height: 10, width: 12, channels: 3 }), null, 'gray to RGB: sharp');
  const rgba = await sharp(Buffer.alloc(12 * 10 * 4, 9), { raw: { width: 12, height: 10, channels: 4 } }).png().toBuffer();
  assert.equal(decodePlainPng(rgba, shape3), null, 'alpha: sharp flattens it');
  const palette = await sharp(px, { raw: { width: 12, height: 10, channels: 3 } }).png({ palette: true }).toBuffer();
  assert.equal(decodePlainPng(palette, shape3), null, 'palette: sharp');
  const broken = Buffer.from(gray); broken[broken.length - 20] ^= 0xff;
  assert.equal(decodePlainPng(broken, { height: 10, width: 12, channels: 1 }), null, 'a bad CRC: sharp, which names the fault');
});

test('the second load comes from the cache; a changed, added or removed file is decoded again; --no-cache bypasses it', async () => {
  const first = await loadDataset(data, base);
  assert.deepEqual({ found: first.cache!.found, hits: first.cache!.hits, misses: first.cache!.misses, written: first.cache!.written }, { found: 'none', hits: 0, misses: 60, written: true });
  const lines: string[] = [];
  const second = await loadDataset(data, { ...base, log: (m) => lines.push(m) });
  assert.equal(second.cache!.hits, 60);
  assert.equal(second.cache!.misses, 0);
  assert.equal(second.cache!.written, false);
  assert.match(lines.join('\n'), /pixel cache: 60 images from .*\.llpx, 0 decoded/);
  assert.ok(Buffer.from(second.pixels).equals(Buffer.from(first.pixels)));
  assert.deepEqual(second.images, first.images);

  // a file changed (mtime), one added, one removed
  const label = (await fs.readdir(data)).sort()[0];
  const files = (await fs.readdir(path.join(data, label))).sort();
  await fs.utimes(path.join(data, label, files[0]), new Date(), new Date(Date.now() - 86_400_000));
  await fs.copyFile(path.join(data, label, files[1]), path.join(data, label, 'added.png'));
  await fs.rm(path.join(data, label, files[2]));
  const third = await loadDataset(data, base);
  assert.equal(third.images.length, 60);
  assert.equal(third.cache!.misses, 2, 'the changed and the added file');
  assert.equal(third.cache!.hits, 58);
  assert.equal(third.cache!.written, true);
  assert.equal((await loadDataset(data, base)).cache!.misses, 0, 'the new entry covers the new folder');

  // a file of the same name replaced by another image of another size
  const other = (await fs.readdir(path.join(data, label))).sort()[3];
  const px = await sharp(Buffer.alloc(28 * 28, 255), { raw: { width: 28, height: 28, channels: 1 } }).png({ compressionLevel: 0 }).toBuffer();
  await fs.writeFile(path.join(data, label, other), px);
  const fourth = await loadDataset(data, base);
  assert.equal(fourth.cache!.misses, 1);
  const at = fourth.images.findIndex((im) => im.path === `${label}/${other}`);
  assert.ok(fourth.pixels.subarray(at * 784, (at + 1) * 784).every((v) => v === 255), 'the new pixels, not the cached ones');

  // --no-cache: no entry read, none written
  const before = (await fs.stat(await entryFile())).mtimeMs;
  const plain = await loadDataset(data, { ...base, noCache: true });
  assert.equal(plain.cache, undefined);
  assert.equal((await fs.stat(await entryFile())).mtimeMs, before);
  assert.ok(Buffer.from(plain.pixels).equals(Buffer.from(fourth.pixels)));
});

test('a truncated or corrupt cache entry is not trusted: it is rebuilt with a warning', async () => {
  const good = await loadDataset(data, base);
  const file = await entryFile();
  const size = (await fs.stat(file)).size;
  await fs.truncate(file, size - 100);
  const warnings: string[] = [];
  const rebuilt = await loadDataset(data, { ...base, log: (m, level) => { if (level === 'warn') warnings.push(m); } });
  assert.equal(rebuilt.cache!.found, 'damaged');
  assert.equal(rebuilt.cache!.hits, 0);
  assert.match(warnings.join('\n'), /damaged/);
  assert.ok(Buffer.from(rebuilt.pixels).equals(Buffer.from(good.pixels)));
  assert.equal((await fs.stat(file)).size, size, 'rewritten whole');
  await fs.writeFile(file, 'LLPX0001 garbage');
  assert.equal((await loadDataset(data, base)).cache!.found, 'damaged');
  assert.equal((await loadDataset(data, base)).cache!.found, 'valid');
});

test('--no-cache is a bare switch of `train`, from the config table', () => {
  assert.match(trainUsage(), /\[--no-cache\]/);
  assert.equal(configFromArgs(data, { 'no-cache': true }).noCache, true);
  assert.equal(configFromArgs(data, {}).noCache, false);
});
