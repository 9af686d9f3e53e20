// Damaged runs: the readers of src/run tell a truncated μ / log σ² / pixels / weights /
// checkpoint file by its expected size and name it (RunFileError); loadRunData checks
// dataset.json, data/pixels.u8 and the latents against each other before a resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  RunFileError, diagnoseRun, loadCheckpoint, loadRunData, readLatents, readModelFolder, readPixels, runPaths, saveCheckpoint, writeConfig, writeDataset, writeLatents,
} from '../../src/run/runDir';
import { loadLayersModelFromDir, saveRunModel } from '../../src/run/modelFiles';
import { configFromRequest } from '../../src/protocol/trainRequest';
import type { RunConfig } from '../../src/protocol/runFormat';

const shape = { height: 8, width: 8, channels: 1 as const };
const config: RunConfig = (() => {
  const c = configFromRequest('/data', { latentDim: 2 }).config;
  return { ...c, model: { ...c.model, imageHeight: 8, imageWidth: 8, channels: 1 } };
})();

/** A run of 5 images of 8×8×1 with latents of 2 dimensions. */
function withRun(fn: (run: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const run = await fs.mkdtemp(path.join(os.tmpdir(), 'll-damaged-'));
    await writeConfig(run, config);
    const images = Array.from({ length: 5 }, (_, i) => ({ path: `a/${i}.png`, label: i % 2, split: i === 4 ? 'val' as const : 'train' as const }));
    await writeDataset(run, { dataDir: '/data', shape, labels: ['x', 'y'], images, skipped: [], pixels: new Uint8Array(5 * 64).fill(7) });
    await writeLatents(run, 1, 3, 2, new Float32Array(10), new Float32Array(10));
    try { await fn(run); } finally { await fs.rm(run, { recursive: true, force: true }); }
  };
}

/** A RunFileError whose message starts with `file` and matches `pattern`. */
const names = (file: string, pattern: RegExp) => (e: Error) => {
  assert.ok(e instanceof RunFileError, `${e.name}: ${e.message}`);
  assert.ok(e.message.startsWith(file), `${e.message} does not start with ${file}`);
  assert.match(e.message, pattern);
  return true;
};

async function truncate(file: string, bytes: number): Promise<void> {
  await fs.writeFile(file, (await fs.readFile(file)).subarray(0, bytes));
}

test('a sound run loads: data, pixels, no warnings', withRun(async (run) => {
  const data = await loadRunData(run, config);
  assert.equal(data.images.length, 5);
  assert.equal(data.pixels.byteLength, 320);
  assert.deepEqual(data.warnings, []);
}));

test('truncated latents/mu.f32 and logvar.f32 are named with their sizes; a longer one too', withRun(async (run) => {
  const p = runPaths(run);
  await truncate(p.logVar, 12);
  assert.ok(await readLatents(run), 'μ alone still reads');
  await assert.rejects(readLatents(run, { withLogVar: true }), names(p.logVar, /is truncated: it holds 12 bytes, 40 expected \(latents\/index.json: 5 images × 2 dimensions of float32\)/));
  await fs.writeFile(p.mu, new Uint8Array(44));
  await assert.rejects(readLatents(run), names(p.mu, /is longer than it should be: it holds 44 bytes, 40 expected/));
}));

test('truncated data/pixels.u8 is named by the reader and refused by loadRunData', withRun(async (run) => {
  const p = runPaths(run);
  await truncate(p.pixels, 50);
  await assert.rejects(readPixels(run, 320), names(p.pixels, /is truncated: it holds 50 bytes, 320 expected/));
  await assert.rejects(loadRunData(run, config), names(p.pixels, /is truncated: it holds 50 bytes, but dataset.json lists 5 images of 8×8×1 = 320 bytes/));
  await fs.writeFile(p.pixels, new Uint8Array(400));
  await assert.rejects(loadRunData(run, config), names(p.pixels, /does not match dataset.json: it holds 400 bytes/));
  await fs.rm(p.pixels);
  await assert.rejects(loadRunData(run, config), names(p.pixels, /is missing: the run cannot be resumed without its copy of the data/));
}));

test('a malformed dataset.json is named with what is wrong, never a TypeError', withRun(async (run) => {
  const p = runPaths(run);
  const cases: [unknown, RegExp][] = [
    [{ dataDir: '/data', labels: ['x'], images: {} }, /is not a valid dataset index: images: /],
    [{ dataDir: '/data', labels: 'x', images: [] }, /is not a valid dataset index: labels: /],
    [[1, 2], /is not a valid dataset index/],
    [{ dataDir: '/data', labels: ['x'], images: [] }, /lists no images: there is nothing to train on/],
    [{ dataDir: '/data', labels: ['x'], images: [{ path: 'a.png', label: 3, split: 'train' }] }, /image 1 \(a.png\) has label 3, but "labels" has 1 entries/],
    [{ dataDir: '/data', labels: ['x'], images: [{ path: 'a.png', label: 0, split: 'val' }] }, /no image is in the "train" split/],
    [{ dataDir: '/data', shape: { height: 16, width: 16, channels: 1 }, labels: ['x'], images: [{ path: 'a.png', label: 0, split: 'train' }] }, /its images are 16×16×1 .* config.json's model takes 8×8×1/],
  ];
  for (const [value, pattern] of cases) {
    await fs.writeFile(p.dataset, JSON.stringify(value));
    await assert.rejects(loadRunData(run, config), names(p.dataset, pattern), JSON.stringify(value));
  }
  await fs.writeFile(p.dataset, '{"dataDir": "/data", "labels": [');
  await assert.rejects(loadRunData(run, config), names(p.dataset, /is not valid JSON/));
}));

test('latents that disagree with dataset.json are a warning for a resume (they are rewritten), not a refusal', withRun(async (run) => {
  await truncate(runPaths(run).mu, 8);
  assert.match((await loadRunData(run, config)).warnings.join('\n'), /mu.f32 is truncated: .*; it is rewritten at the end of this epoch/);
  await writeLatents(run, 1, 3, 2, new Float32Array(6), new Float32Array(6));
  assert.match((await loadRunData(run, config)).warnings.join('\n'), /describes 3 images, dataset.json lists 5/);
}));

test('truncated model weights are named (not a TensorFlow.js shape error); model.json naming a missing file too', withRun(async (run) => {
  await tf.setBackend('cpu');
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
  await saveRunModel(run, 'decoder', model);
  model.dispose();
  const dir = runPaths(run).decoder;
  const weights = (await fs.readdir(dir)).find((f) => f.startsWith('weights-'))!;
  await truncate(path.join(dir, weights), 10);
  await assert.rejects(readModelFolder(dir), names(path.join(dir, weights), /is truncated: it holds 10 bytes, model.json lists 2 weights of 32 bytes/));
  await assert.rejects(loadLayersModelFromDir(dir), names(path.join(dir, weights), /is truncated/));
  await fs.rm(path.join(dir, weights));
  await assert.rejects(readModelFolder(dir), names(path.join(dir, 'model.json'), new RegExp(`names the weights file ${weights}, which is missing`)));
}));

test('a truncated checkpoint tensors.bin, or a state.json that does not add up, is named', withRun(async (run) => {
  await saveCheckpoint(run, { step: 4, epoch: 1, stepInEpoch: 0 }, [{ name: 'w', shape: [2, 3], data: new Float32Array(6) }]);
  const dir = path.join(runPaths(run).checkpoints, 'ckpt-4');
  await truncate(path.join(dir, 'tensors.bin'), 20);
  await assert.rejects(loadCheckpoint(run), names(path.join(dir, 'tensors.bin'), /is truncated: it holds 20 bytes, state.json lists 6 float32 values \(24 bytes\)/));
  await fs.writeFile(path.join(dir, 'tensors.bin'), new Uint8Array(24));
  const state = JSON.parse(await fs.readFile(path.join(dir, 'state.json'), 'utf8'));
  state.tensors[0].shape = [4, 3];
  await fs.writeFile(path.join(dir, 'state.json'), JSON.stringify(state));
  await assert.rejects(loadCheckpoint(run), names(path.join(dir, 'state.json'), /tensor "w" has shape \[4,3\] but 6 values/));
}));

test('diagnoseRun lists each damaged file with what it breaks; a sound run has no problems', withRun(async (run) => {
  await tf.setBackend('cpu');
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
  await saveRunModel(run, 'decoder', model);
  model.dispose();
  assert.deepEqual(await diagnoseRun(run), []);
  const p = runPaths(run);
  await truncate(p.mu, 8);
  const weights = (await fs.readdir(p.decoder)).find((f) => f.startsWith('weights-'))!;
  await truncate(path.join(p.decoder, weights), 4);
  await fs.writeFile(p.status, '{"status": "done"}');
  const problems = await diagnoseRun(run);
  assert.deepEqual(problems.map((q) => [path.relative(run, q.file), q.kind]), [['status.json', 'damaged'], ['latents/mu.f32', 'damaged'], [`model/decoder/${weights}`, 'damaged']]);
  assert.match(problems[1].message, /mu.f32 is truncated: it holds 8 bytes, 40 expected/);
  assert.match(problems[1].affects, /the map of μ/);
  assert.match(problems[2].affects, /decoding/);
  await fs.symlink(p.mu, path.join(run, 'link'));
  assert.deepEqual((await diagnoseRun(run)).map((q) => [path.relative(run, q.file), q.kind]), [['link', 'unsafe']]);
}));
