// `latent-lens export` as a user runs it (the built dist/cli.js): a tiny run trained on part of
// the embedded sample, exported as TensorBoard projector files, CSV and Parquet; bad runs and
// bad flags. Plus the pure parts: CSV quoting, float text, the sprite's layout and shrinking.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { parquetReadObjects } from 'hyparquet';
import { readLatents, readPerImage, readProjection, runPaths } from '../../src/run/runDir';
import { csvField, csvText } from '../../src/trainer/export/csv';
import { formatFloat32, type ExportTable } from '../../src/trainer/export/rows';
import { composeSprite, spriteLayout } from '../../src/trainer/export/sprite';
import { runCli } from './fixtures/runCli';

const root = path.resolve(import.meta.dirname, '../..');
const sample = path.join(root, 'samples', 'fashion-mnist-2k');
const IMAGES = 160, DIM = 4, SIDE = 16;
const small = ['--max-images', String(IMAGES), '--image-size', String(SIDE), '--batch-size', '32', '--latent-dim', String(DIM), '--backend', 'wasm', '--log-every', '1'];

const run = runCli;

/** RFC 4180 CSV → rows of fields (quoted fields, doubled quotes, LF or CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

let work: string, runDir: string;
before(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'll-export-'));
  runDir = path.join(work, 'run');
  const r = await run(['train', sample, '--out', runDir, '--epochs', '1', ...small]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
});
test.after(async () => { if (work) await fs.rm(work, { recursive: true, force: true }); });

const header = ['path', 'label', 'split', ...Array.from({ length: DIM }, (_, j) => `mu_${j}`), ...Array.from({ length: DIM }, (_, j) => `logvar_${j}`), 'x', 'y', 'recon', 'kl', 'mean_var'];

test('training wrote the per-image quantities of every image', async () => {
  const perImage = (await readPerImage(runDir))!;
  assert.ok(perImage, 'latents/recon.f32, kl.f32, meanvar.f32 listed in latents/index.json');
  assert.equal(perImage.epoch, 1);
  for (const q of ['recon', 'kl', 'meanVar'] as const) {
    assert.equal(perImage[q].length, IMAGES, q);
    assert.ok(perImage[q].every((v) => Number.isFinite(v) && v >= 0), `${q} finite and ≥ 0`);
  }
});

test('export --format csv and parquet: one row per image, the same values; parquet read back with hyparquet', async () => {
  const csvFile = path.join(work, 'out', 'latents.csv');
  const c = await run(['export', runDir, '--format', 'csv', '--out', csvFile]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, new RegExp(`wrote ${IMAGES} rows`));
  const rows = parseCsv(await fs.readFile(csvFile, 'utf8'));
  assert.deepEqual(rows[0], header);
  assert.equal(rows.length - 1, IMAGES, 'one row per image');
  // The values are the run's, as float32 (shortest text that reads back exactly).
  const latents = (await readLatents(runDir, { withLogVar: true }))!;
  const perImage = (await readPerImage(runDir))!;
  const projection = (await readProjection(runDir))!;
  const col = (name: string) => header.indexOf(name);
  for (let i = 0; i < IMAGES; i++) {
    const r = rows[i + 1];
    assert.equal(r.length, header.length);
    for (let j = 0; j < DIM; j++) {
      assert.equal(Math.fround(Number(r[col(`mu_${j}`)])), latents.mu[i * DIM + j]);
      assert.equal(Math.fround(Number(r[col(`logvar_${j}`)])), latents.logVar![i * DIM + j]);
    }
    assert.equal(Math.fround(Number(r[col('recon')])), perImage.recon[i]);
    assert.equal(Math.fround(Number(r[col('kl')])), perImage.kl[i]);
    assert.equal(Math.fround(Number(r[col('mean_var')])), perImage.meanVar[i]);
    assert.equal(Math.fround(Number(r[col('x')])), Math.fround(projection.x[i]));
    assert.ok(['train', 'val'].includes(r[col('split')]));
    assert.ok(existsSync(path.join(sample, r[col('path')])), `path ${r[col('path')]} is relative to the data folder`);
    assert.equal(path.dirname(r[col('path')]), r[col('label')], 'label = subfolder name');
  }
  // parquet into an existing folder → <folder>/latents.parquet
  const p = await run(['export', runDir, '--format', 'parquet', '--out', path.join(work, 'out')]);
  assert.equal(p.code, 0, p.stderr);
  const bytes = await fs.readFile(path.join(work, 'out', 'latents.parquet'));
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const objects = await parquetReadObjects({ file });
  assert.equal(objects.length, IMAGES);
  assert.deepEqual(Object.keys(objects[0]), header);
  for (let i = 0; i < IMAGES; i++) {
    for (const [k, name] of header.entries()) {
      const v = objects[i][name], text = rows[i + 1][k];
      if (typeof v === 'string') assert.equal(v, text, `${name} of row ${i}`);
      else assert.equal(v, Math.fround(Number(text)), `${name} of row ${i}`);
    }
  }
});

test('export --format tsv: the TensorBoard projector files, with relative paths that exist', async () => {
  const dir = path.join(work, 'projector');
  const r = await run(['export', runDir, '--format', 'tsv', '--out', dir]);
  assert.equal(r.code, 0, r.stderr);
  const tensors = (await fs.readFile(path.join(dir, 'tensors.tsv'), 'utf8')).trimEnd().split('\n');
  assert.equal(tensors.length, IMAGES);
  assert.ok(tensors.every((l) => l.split('\t').length === DIM && l.split('\t').every((v) => Number.isFinite(Number(v)))));
  const metadata = (await fs.readFile(path.join(dir, 'metadata.tsv'), 'utf8')).trimEnd().split('\n');
  assert.deepEqual(metadata[0].split('\t'), ['label', 'split', 'path', 'recon', 'kl', 'mean_var', 'x', 'y']);
  assert.equal(metadata.length - 1, IMAGES, 'a header row, then one row per image');
  const config = await fs.readFile(path.join(dir, 'projector_config.pbtxt'), 'utf8');
  const paths = [...config.matchAll(/(\w+_path): "([^"]+)"/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(paths.map(([k]) => k).sort(), ['image_path', 'metadata_path', 'tensor_path']);
  for (const [, p] of paths) {
    assert.ok(!path.isAbsolute(p), `${p} is relative`);
    assert.ok(existsSync(path.join(dir, p)), `${p} exists beside projector_config.pbtxt`);
  }
  assert.deepEqual([...config.matchAll(/single_image_dim: (\d+)/g)].map((m) => Number(m[1])), [SIDE, SIDE]);
  const grid = Math.ceil(Math.sqrt(IMAGES));
  const meta = await sharp(path.join(dir, 'sprite.png')).metadata();
  assert.deepEqual([meta.width, meta.height, meta.channels], [grid * SIDE, grid * SIDE, 1], 'a grey sprite of ⌈√n⌉ × ⌈√n⌉ images');
});

test('encode writes the per-image quantities too, and its run exports', async () => {
  const encoded = path.join(work, 'encoded');
  const e = await run(['encode', runDir, path.join(sample, 'bag'), '--out', encoded, '--backend', 'wasm']);
  assert.equal(e.code, 0, e.stderr + e.stdout);
  const perImage = (await readPerImage(encoded))!;
  assert.equal(perImage.recon.length, 200);
  const out = path.join(work, 'encoded.csv');
  assert.equal((await run(['export', encoded, '--format', 'csv', '--out', out])).code, 0);
  assert.equal(parseCsv(await fs.readFile(out, 'utf8')).length, 201);
});

test('bad input: not a run, no latents, a truncated file (exit 1, the file named); a bad --format (exit 2, the value named)', async () => {
  const out = path.join(work, 'bad.csv');
  const notRun = path.join(work, 'nothing-here');
  const a = await run(['export', notRun, '--format', 'csv', '--out', out]);
  assert.equal(a.code, 1);
  assert.ok(a.stderr.includes(notRun) && a.stderr.includes('config.json'), a.stderr);

  const copy = path.join(work, 'copy');
  await fs.cp(runDir, copy, { recursive: true });
  const p = runPaths(copy);
  await fs.truncate(p.recon, 10);
  const b = await run(['export', copy, '--format', 'parquet', '--out', out]);
  assert.equal(b.code, 1);
  assert.ok(b.stderr.includes(p.recon) && /holds 10 bytes/.test(b.stderr), b.stderr);
  await fs.rm(p.latentsIndex);
  const c = await run(['export', copy, '--format', 'tsv', '--out', path.join(work, 'bad-tsv')]);
  assert.equal(c.code, 1);
  assert.ok(c.stderr.includes(p.latentsIndex) && /is missing: the run has no latents yet/.test(c.stderr), c.stderr);

  const d = await run(['export', runDir, '--format', 'xml', '--out', out]);
  assert.equal(d.code, 2);
  assert.match(d.stderr, /--format "xml" is not valid: one of tsv, csv, parquet/);
  const e = await run(['export', runDir, '--out', out]);
  assert.equal(e.code, 2);
  assert.match(e.stderr, /export needs --format tsv\|csv\|parquet/);
  assert.equal(existsSync(out), false, 'nothing written');
});

test('CSV quoting (RFC 4180) and float32 text that reads back exactly', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  const table: ExportTable = {
    runDir: 'r', count: 2, latentDim: 1, epoch: 1, projection: { epoch: 1, method: 'pca' }, shape: { height: 1, width: 1, channels: 1 },
    columns: [{ name: 'path', kind: 'string', values: ['a,"b".png', 'c\nd.png'] }, { name: 'v', kind: 'float32', values: Float32Array.of(0.1, -3e-9) }],
  };
  assert.deepEqual(parseCsv(csvText(table)), [['path', 'v'], ['a,"b".png', '0.1'], ['c\nd.png', '-3e-9']]);
  for (const v of [0.1, 1 / 3, -123456.789, 1e-30, 3.4e38, 0]) {
    const f = Math.fround(v);
    assert.equal(Math.fround(Number(formatFloat32(f))), f, `${v} → ${formatFloat32(f)}`);
  }
  assert.equal(formatFloat32(Math.fround(0.5)), '0.5');
});

test('sprite: a square grid of every image; shrunk (box average) to fit the cap, none when hopeless', () => {
  const shape = { height: 8, width: 8, channels: 1 as const };
  const pixels = new Uint8Array(10 * 64);
  for (let i = 0; i < 10; i++) pixels.fill(i * 20, i * 64, (i + 1) * 64);
  const full = composeSprite(pixels, 10, shape)!;
  assert.deepEqual([full.width, full.height, full.cellWidth, full.shrunk], [32, 32, 8, false]);
  assert.equal(full.data[(8 + 1) * 32 + 16 + 1], 6 * 20, 'image 6 in row 1, column 2');
  const capped = composeSprite(pixels, 10, shape, 16)!;
  assert.deepEqual([capped.width, capped.height, capped.cellWidth, capped.cellHeight, capped.shrunk], [16, 16, 4, 4, true]);
  assert.equal(capped.data[(4 + 1) * 16 + 8 + 1], 6 * 20, 'a uniform image stays uniform');
  assert.equal(spriteLayout(10, 8, 8, 8), undefined, 'cells of 2 px: no sprite');
  // 60,000 images of 28×28 fit at full size; 100,000 are shrunk to 25×25.
  assert.deepEqual(spriteLayout(60000, 28, 28), { grid: 245, cellWidth: 28, cellHeight: 28 });
  assert.deepEqual(spriteLayout(100000, 28, 28), { grid: 317, cellWidth: 25, cellHeight: 25 });
});
