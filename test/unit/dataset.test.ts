import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { NoUsableImageError, loadDataset, scanFolder, MAX_PIXELS } from '../../src/trainer/dataset';

let root: string;
const base = { height: 16, width: 16, channels: 'auto' as const, maxImages: 0, valSplit: 0.25, seed: 1, exclude: [] as string[] };

async function png(file: string, w: number, h: number, channels: 1 | 3 | 4, fill = 128) {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await sharp(Buffer.alloc(w * h * channels, fill), { raw: { width: w, height: h, channels } }).png().toFile(file);
}

/** A corpus with every kind of bad input the scanner must survive and report. */
before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'll-dataset-'));
  await png(path.join(root, 'cats/a.png'), 20, 10, 1);
  await png(path.join(root, 'cats/nested/b.png'), 16, 16, 1);
  await png(path.join(root, 'dogs/c.png'), 32, 32, 1);
  await sharp(Buffer.alloc(8 * 8, 200), { raw: { width: 8, height: 8, channels: 1 } }).jpeg().toFile(path.join(root, 'dogs/d.jpg'));
  await sharp(Buffer.alloc(8 * 8, 50), { raw: { width: 8, height: 8, channels: 1 } }).webp().toFile(path.join(root, 'dogs/e.webp'));
  await sharp(Buffer.alloc(8 * 8 * 3, 90), { raw: { width: 8, height: 8, channels: 3 } }).gif().toFile(path.join(root, 'dogs/f.gif'));
  await sharp(Buffer.alloc(8 * 8, 70), { raw: { width: 8, height: 8, channels: 1 } }).tiff().toFile(path.join(root, 'dogs/g.tiff'));
  await png(path.join(root, 'root-image.png'), 16, 16, 1);
  // bad files
  await fs.mkdir(path.join(root, 'bad'), { recursive: true });
  await fs.writeFile(path.join(root, 'bad/empty.png'), '');
  await fs.writeFile(path.join(root, 'bad/text.png'), 'this is not a png at all');
  await fs.writeFile(path.join(root, 'bad/notes.txt'), 'hello');
  const full = await fs.readFile(path.join(root, 'dogs/c.png'));
  await fs.writeFile(path.join(root, 'bad/truncated.png'), full.subarray(0, Math.floor(full.length / 2)));
  // a tiny file that claims to be enormous (decompression bomb): header of a 10000×10000 PNG
  await sharp({ create: { width: 10000, height: 10000, channels: 3, background: '#000' }, limitInputPixels: false }).toColourspace('b-w').png({ compressionLevel: 9 }).toFile(path.join(root, 'bad/huge.png'));
  // hidden folder, symlink loop, broken link, the run's own output
  await png(path.join(root, '.hidden/x.png'), 8, 8, 1);
  await fs.symlink(root, path.join(root, 'cats/loop'));
  await fs.symlink(path.join(root, 'nowhere.png'), path.join(root, 'dogs/broken.png'));
  await png(path.join(root, 'run-output/latents.png'), 8, 8, 1);
});
after(async () => { await fs.rm(root, { recursive: true, force: true }); });

test('labels come from first-level folders; root images are unlabelled; hidden, loops and output are not scanned', async () => {
  const scan = await scanFolder(root, [path.join(root, 'run-output')]);
  const paths = scan.files.map((f) => f.relPath);
  assert.ok(paths.includes('cats/nested/b.png'));
  assert.equal(scan.files.find((f) => f.relPath === 'cats/nested/b.png')!.label, 'cats');
  assert.equal(scan.files.find((f) => f.relPath === 'root-image.png')!.label, 'unlabelled');
  assert.ok(!paths.some((p) => p.includes('.hidden') || p.includes('run-output') || p.includes('loop')), paths.join(', '));
  assert.deepEqual(scan.skipped.find((s) => s.path === 'dogs/broken.png')?.reason, 'broken symbolic link');
});

test('every bad file is skipped with its reason, and training data is decoded to the model size', async () => {
  const data = await loadDataset(root, { ...base, exclude: [path.join(root, 'run-output')] });
  const reason = (p: string) => data.skipped.find((s) => s.path === p)?.reason ?? '(not skipped)';
  assert.match(reason('bad/empty.png'), /empty file/);
  assert.match(reason('bad/text.png'), /not a readable image|unsupported/);
  assert.match(reason('bad/notes.txt'), /not an image type \(\.txt\)/);
  assert.match(reason('bad/truncated.png'), /truncated|corrupt/i);
  assert.match(reason('bad/huge.png'), new RegExp(`more than ${MAX_PIXELS / 1e6} megapixels`));
  assert.deepEqual(data.labels, ['cats', 'dogs', 'unlabelled']);
  assert.equal(data.images.length, 8, data.images.map((i) => i.path).join(', '));
  assert.equal(data.shape.channels, 1);
  assert.equal(data.pixels.length, 8 * 16 * 16);
  assert.equal(data.images.filter((i) => i.split === 'val').length, 2);
  // the JPEG of constant 200 stays ≈ 200 after resize
  const d = data.images.findIndex((i) => i.path === 'dogs/d.jpg');
  assert.ok(Math.abs(data.pixels[d * 256 + 100] - 200) <= 2);
});

test('the split is deterministic given the seed, RGB is detected, maxImages subsets', async () => {
  const a = await loadDataset(root, { ...base, exclude: [path.join(root, 'run-output')] });
  const b = await loadDataset(root, { ...base, exclude: [path.join(root, 'run-output')] });
  assert.deepEqual(a.images, b.images);
  const rgbDir = await fs.mkdtemp(path.join(os.tmpdir(), 'll-rgb-'));
  await fs.mkdir(path.join(rgbDir, 'x'));
  await sharp(Buffer.from(Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 250 : 10))), { raw: { width: 10, height: 10, channels: 3 } }).png().toFile(path.join(rgbDir, 'x/1.png'));
  await png(path.join(rgbDir, 'x/2.png'), 10, 10, 4);
  const rgb = await loadDataset(rgbDir, { ...base, valSplit: 0 });
  assert.equal(rgb.shape.channels, 3);
  assert.equal(rgb.pixels.length, 2 * 16 * 16 * 3);
  const few = await loadDataset(root, { ...base, maxImages: 3, exclude: [path.join(root, 'run-output')] });
  assert.equal(few.images.length, 3);
  await fs.rm(rgbDir, { recursive: true });
});

test('a folder with no usable image fails with a message naming the folder', async () => {
  const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'll-empty-'));
  await fs.writeFile(path.join(empty, 'readme.md'), '#');
  await assert.rejects(loadDataset(empty, base), (e: Error) => e.message.includes(empty) && /no usable image/.test(e.message));
  await assert.rejects(loadDataset(path.join(empty, 'missing'), base), /does not exist/);
  await fs.rm(empty, { recursive: true });
});

test('a folder whose images all fail to decode says how many, and why, not "one subfolder per label"', async () => {
  const bad = await fs.mkdtemp(path.join(os.tmpdir(), 'll-undecodable-'));
  await fs.mkdir(path.join(bad, 'cats'));
  for (const name of ['a.png', 'b.jpg', 'c.webp']) await fs.writeFile(path.join(bad, 'cats', name), 'not an image');
  await fs.writeFile(path.join(bad, 'notes.txt'), 'hello');
  await assert.rejects(loadDataset(bad, base), (e: Error) => {
    assert.ok(e instanceof NoUsableImageError);
    assert.equal(e.undecodable, 3);
    assert.equal(e.skipped.length, 4);
    assert.match(e.message, /^no usable image in ".*": 3 files could not be decoded, e\.g\. cats\/a\.png: not a readable image/);
    assert.doesNotMatch(e.message, /subfolder per label/);
    assert.match(e.describe('/runs/x/dataset.json'), /3 files could not be decoded \(reasons in \/runs\/x\/dataset\.json\)/);
    return true;
  });
  await fs.rm(bad, { recursive: true });
});
