// `latent-lens replay` as a user runs it (the built dist/cli.js): a tiny run trained 3 epochs on
// part of the embedded sample keeps history/ for each; the map GIF and the decoded-samples GIF
// have one frame per epoch; a run without history is a clear error (exit 1), bad flags exit 2.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { runCli } from './fixtures/runCli';

const root = path.resolve(import.meta.dirname, '../..');
const sample = path.join(root, 'samples', 'fashion-mnist-2k');
const small = ['--max-images', '160', '--image-size', '16', '--batch-size', '32', '--latent-dim', '4', '--backend', 'wasm', '--epochs', '3'];

const run = runCli;

let tmp = '', runDir = '';
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'll-replay-'));
  runDir = path.join(tmp, 'run');
  const r = await run(['train', sample, '--out', runDir, ...small]);
  assert.equal(r.code, 0, r.stderr);
});

test('replay --out map.gif: one frame per epoch, legend beside the map', async () => {
  const out = path.join(tmp, 'map.gif');
  const r = await run(['replay', runDir, '--out', out, '--size', '200', '--fps', '5']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr + r.stdout, /3 frames \(epochs 1–3, all kept\)/);
  const meta = await sharp(out).metadata();
  assert.equal(meta.format, 'gif');
  assert.equal(meta.pages, 3);
  assert.equal(meta.width, 200 + 170);
  assert.deepEqual(meta.delay?.slice(0, 2), [200, 200]);
});

test('replay --samples: the decoded grid of fixed z, one frame per epoch; WebP by extension', async () => {
  const out = path.join(tmp, 'samples.gif');
  const r = await run(['replay', runDir, '--out', out, '--samples']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await sharp(out).metadata()).pages, 3);
  // The frames differ: the decoder changed between epochs.
  const frames = await sharp(out, { pages: -1 }).raw().toBuffer({ resolveWithObject: true });
  const h = frames.info.height / 3, row = frames.info.width * frames.info.channels;
  assert.notDeepEqual(frames.data.subarray(0, h * row), frames.data.subarray(2 * h * row, 3 * h * row));
  const webp = path.join(tmp, 'map.webp');
  assert.equal((await run(['replay', runDir, '--out', webp])).code, 0);
  const wm = await sharp(webp).metadata();
  assert.equal(wm.format, 'webp');
  assert.equal(wm.pages, 3);
});

test('replay of a run without history: exit 1, naming history/index.json', async () => {
  const bare = path.join(tmp, 'bare');
  await fs.cp(runDir, bare, { recursive: true });
  await fs.rm(path.join(bare, 'history'), { recursive: true });
  const r = await run(['replay', bare, '--out', path.join(tmp, 'x.gif')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /history[\\/]index\.json.*kept no epoch history/);
  assert.ok(!existsSync(path.join(tmp, 'x.gif')));
  const bad = await run(['replay', runDir, '--out', path.join(tmp, 'x.png')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /must end in \.gif or \.webp/);
  const fps = await run(['replay', runDir, '--out', path.join(tmp, 'x.gif'), '--fps', '0']);
  assert.equal(fps.code, 2);
  assert.match(fps.stderr, /--fps "0" is not valid/);
});
