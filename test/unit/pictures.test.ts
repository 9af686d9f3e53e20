// `latent-lens recon|samples|traverse|interpolate` as a user runs them (the built dist/cli.js):
// a tiny run trained on part of the embedded sample; each PNG's size is rows × cols cells of the
// image size (plus the 2-pixel gaps); bad values exit 1 naming the value, unknown flags exit 2.
// Plus the pure parts shared with the panel (src/analysis/latentWalks.ts) and the grid writer.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { interpolate, priorSamples, sigmaText, traversalGrid, traversalValues } from '../../src/analysis/latentWalks';
import { gridPixels, gridSize } from '../../src/trainer/pictures/pngGrid';
import { runCli } from './fixtures/runCli';

const root = path.resolve(import.meta.dirname, '../..');
const sample = path.join(root, 'samples', 'fashion-mnist-2k');
const IMAGES = 96, DIM = 4, SIDE = 16;
const small = ['--max-images', String(IMAGES), '--image-size', String(SIDE), '--batch-size', '32', '--latent-dim', String(DIM), '--backend', 'wasm'];

const run = runCli;

/** Pixels of a grid of rows × cols cells of SIDE, 2-pixel gaps. */
const side = (cells: number) => cells * SIDE + (cells + 1) * 2;

let work: string, runDir: string;
before(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'll-pictures-'));
  runDir = path.join(work, 'run');
  const r = await run(['train', sample, '--out', runDir, '--epochs', '1', ...small]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
});
test.after(async () => { if (work) await fs.rm(work, { recursive: true, force: true }); });

async function picture(args: string[], rows: number, cols: number): Promise<void> {
  const out = path.join(work, `${args[0]}.png`);
  const r = await run([args[0], runDir, '--out', out, ...args.slice(1), '--backend', 'wasm']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const meta = await sharp(out).metadata();
  assert.equal(meta.format, 'png');
  assert.deepEqual([meta.width, meta.height], [side(cols), side(rows)], `${args.join(' ')}: ${rows} × ${cols} cells`);
  const stats = await sharp(out).stats();
  assert.ok(stats.channels[0].max > 0, `${args[0]}: the grid is not all black`);
}

test('recon: 2 rows (originals, reconstructions) × --n columns', () => picture(['recon', '--n', '5'], 2, 5));
test('samples: ⌈√n⌉ columns', () => picture(['samples', '--n', '10', '--temperature', '0.8', '--seed', '7'], 3, 4));
test('traverse: one row per dimension × --steps columns, from an image', () => picture(['traverse', '--steps', '7', '--image', '3'], DIM, 7));
test('traverse --n: the top dimensions by KL only', () => picture(['traverse', '--n', '2'], 2, 9));
test('interpolate: --steps images in one row, by index and by path', async () => {
  const dataset = JSON.parse(await fs.readFile(path.join(runDir, 'dataset.json'), 'utf8')) as { images: { path: string }[] };
  await picture(['interpolate', '--from', '0', '--to', dataset.images[5].path, '--steps', '6', '--spherical'], 1, 6);
});

test('bad values exit 1 naming the value', async () => {
  const out = path.join(work, 'bad.png');
  const cases: [string[], RegExp][] = [
    [['samples', runDir, '--out', out, '--n', '0'], /--n "0" is not valid/],
    [['samples', runDir, '--out', out, '--temperature', 'hot'], /--temperature "hot" is not valid/],
    [['interpolate', runDir, '--out', out, '--from', '0', '--to', '99999'], /--to "99999" is not valid: no image with index 99999/],
    [['traverse', runDir, '--out', out, '--image', 'no/such/image.png'], /--image "no\/such\/image.png" is not valid/],
    [['recon', work, '--out', out], /has no model/],
    [['samples', runDir, '--out', path.join(work, 'x.jpg')], /--out "[^"]*x\.jpg" is not valid/],
  ];
  for (const [args, message] of cases) {
    const r = await run(args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const unknown = await run(['samples', runDir, '--out', out, '--bogus']);
  assert.equal(unknown.code, 2, unknown.stderr);
});

test('latent walks: traversal values, grid, interpolation ends, seeded samples', () => {
  assert.deepEqual(traversalValues(9), [-3, -2.25, -1.5, -0.75, 0, 0.75, 1.5, 2.25, 3]);
  assert.equal(sigmaText(1.5), '+1.5σ');
  assert.equal(sigmaText(-3), '−3σ');
  const base = Float32Array.from([0.5, -1, 2]);
  const g = traversalGrid(base, [2, 0], [-1, 1]);
  assert.deepEqual(Array.from(g), [0.5, -1, -1, 0.5, -1, 1, -1, -1, 2, 1, -1, 2]);
  const a = Float32Array.from([1, 0]), b = Float32Array.from([0, 2]);
  for (const spherical of [false, true]) {
    const z = interpolate(a, b, 5, spherical);
    assert.deepEqual(Array.from(z.subarray(0, 2)), [1, 0]);
    assert.ok(Math.abs(z[8]) < 1e-6 && Math.abs(z[9] - 2) < 1e-6);
  }
  // Spherical keeps the middle step's norm between the ends' norms (linear cuts the corner).
  const mid = (z: Float32Array) => Math.hypot(z[4], z[5]);
  assert.ok(mid(interpolate(a, b, 5, true)) > mid(interpolate(a, b, 5, false)));
  const s = priorSamples(2000, 4, 0.5, 1);
  assert.deepEqual(s, priorSamples(2000, 4, 0.5, 1));
  const sd = Math.sqrt(s.reduce((t, v) => t + v * v, 0) / s.length);
  assert.ok(Math.abs(sd - 0.5) < 0.03, `sd ${sd}`);
});

test('grid writer: size and cell placement', () => {
  assert.deepEqual(gridSize({ height: 3, width: 2 }, { rows: 2, cols: 3, gap: 1 }), { width: 10, height: 9 });
  const px = new Float32Array(2 * 3 * 2).fill(1);
  const g = gridPixels({ pixels: px, count: 2, height: 3, width: 2, channels: 1 }, { rows: 1, cols: 3, gap: 1 });
  assert.equal(g.data[1 * g.width + 1], 255);
  assert.equal(g.data[1 * g.width + 4], 255);
  assert.equal(g.data[1 * g.width + 7], 0, 'the cell after the last image stays black');
});
