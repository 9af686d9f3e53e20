// The CLI as a user runs it: the built dist/cli.js on the embedded sample (a small subset,
// small images, so each run takes seconds on the wasm backend).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint, readMetrics } from '../../src/run/runDir';
import { loadLayersModelFromDir } from '../../src/run/modelFiles';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'dist', 'cli.js');
const sample = path.join(root, 'samples', 'fashion-mnist-2k');
const small = ['--max-images', '160', '--image-size', '16', '--batch-size', '32', '--latent-dim', '4', '--backend', 'wasm', '--log-every', '1'];

interface Result { code: number | null; stdout: string; stderr: string }
function run(args: string[], opts: { killAfterStep?: number } = {}): Promise<Result> {
  assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (opts.killAfterStep && new RegExp(`step ${opts.killAfterStep}/`).test(stdout) && !child.killed) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
const tmpRun = () => fs.mkdtemp(path.join(os.tmpdir(), 'll-run-'));

test('train writes a complete run directory', async () => {
  const out = await tmpRun();
  const r = await run(['train', sample, '--out', out, '--epochs', '2', ...small]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  for (const f of ['config.json', 'dataset.json', 'metrics.jsonl', 'status.json', 'checkpoint.json', 'model/encoder/model.json', 'model/decoder/model.json', 'latents/mu.f32', 'latents/logvar.f32', 'latents/index.json', 'latents/projection.json', 'data/pixels.u8']) {
    assert.ok(existsSync(path.join(out, f)), `missing ${f}`);
  }
  const dataset = JSON.parse(await fs.readFile(path.join(out, 'dataset.json'), 'utf8'));
  assert.equal(dataset.images.length, 160);
  assert.equal(dataset.labels.length, 10);
  const metrics = await readMetrics(out);
  const steps = metrics.filter((m) => m.kind === 'step');
  const epochs = metrics.filter((m) => m.kind === 'epoch');
  assert.equal(epochs.length, 2);
  assert.ok(steps.length >= 8, `only ${steps.length} step lines`);
  for (const m of steps) assert.equal(m.klPerDim.length, 4);
  for (const m of epochs) assert.ok(Number.isFinite(m.valNegElbo) && m.activeUnits >= 0 && m.activeUnits <= 4);
  assert.deepEqual(steps.map((m) => m.step), [...new Set(steps.map((m) => m.step))].sort((a, b) => a - b), 'steps strictly increase');
  const status = JSON.parse(await fs.readFile(path.join(out, 'status.json'), 'utf8'));
  assert.equal(status.status, 'completed');
  assert.equal(status.backend, process.platform === 'linux' ? 'wasm + native kernels' : 'wasm', 'status.json names the backend and the native kernels');
  const mu = await fs.readFile(path.join(out, 'latents/mu.f32'));
  assert.equal(mu.byteLength, 160 * 4 * 4);
  const projection = JSON.parse(await fs.readFile(path.join(out, 'latents/projection.json'), 'utf8'));
  assert.equal(projection.x.length, 160);
  assert.equal(projection.method, 'umap', 'the final map is UMAP (the quick PCA map never overwrites it)');
  await tf.setBackend('cpu');
  const decoder = await loadLayersModelFromDir(path.join(out, 'model/decoder'));
  assert.deepEqual(decoder.outputs[0].shape, [null, 16, 16, 1]);
  decoder.dispose();
  await fs.rm(out, { recursive: true });
});

test('SIGTERM checkpoints and stops; resume continues with the same step count to the end', async () => {
  const out = await tmpRun();
  const stopped = await run(['train', sample, '--out', out, '--epochs', '2', ...small], { killAfterStep: 2 });
  assert.equal(stopped.code, 0, stopped.stderr);
  const status = JSON.parse(await fs.readFile(path.join(out, 'status.json'), 'utf8'));
  assert.equal(status.status, 'stopped');
  const ckpt = await loadCheckpoint(out);
  assert.ok(ckpt && ckpt.meta.step >= 2 && ckpt.meta.step < 8, `checkpoint at ${ckpt?.meta.step}`);
  const resumed = await run(['resume', out]);
  assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
  assert.match(resumed.stdout, new RegExp(`restored checkpoint at step ${ckpt.meta.step}`));
  const steps = (await readMetrics(out)).filter((m) => m.kind === 'step').map((m) => m.step);
  assert.deepEqual(steps, Array.from({ length: 8 }, (_, i) => i + 1), 'each step logged once, none lost or repeated');
  assert.equal((await loadCheckpoint(out))!.meta.step, 8); // 2 epochs × 4 steps (144 training images / 32)
  const more = await run(['resume', out, '--epochs', '3']);
  assert.equal(more.code, 0, more.stderr);
  assert.equal((await loadCheckpoint(out))!.meta.step, 12);
  await fs.rm(out, { recursive: true });
});

test('a loss that becomes NaN stops training with exit code 3 and keeps the last good checkpoint', async () => {
  const out = await tmpRun();
  assert.equal((await run(['train', sample, '--out', out, '--epochs', '1', ...small])).code, 0);
  const good = await loadCheckpoint(out);
  // Make the run diverge: an absurd learning rate, then resume.
  const config = JSON.parse(await fs.readFile(path.join(out, 'config.json'), 'utf8'));
  config.training.learningRate = 1e4;
  config.training.epochs = 3;
  await fs.writeFile(path.join(out, 'config.json'), JSON.stringify(config));
  const r = await run(['resume', out]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /the loss became (NaN|Infinity|-Infinity) at step \d+/);
  const status = JSON.parse(await fs.readFile(path.join(out, 'status.json'), 'utf8'));
  assert.equal(status.status, 'failed');
  const after = await loadCheckpoint(out);
  assert.equal(after!.meta.step, good!.meta.step);
  assert.ok(after!.state.every((t) => t.data.every(Number.isFinite)), 'checkpoint holds only finite numbers');
  await fs.rm(out, { recursive: true });
});

test('a folder without images fails with a clear message and a non-zero exit code', async () => {
  const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'll-noimg-'));
  await fs.writeFile(path.join(empty, 'notes.txt'), 'no images here');
  const r = await run(['train', empty, '--out', path.join(empty, 'run'), '--backend', 'wasm']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`no usable image in "${empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
  const bad = await run(['train', empty, '--out', path.join(empty, 'run'), '--epochs', 'two']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--epochs "two" is not valid/);
  await fs.rm(empty, { recursive: true });
});

test('eval and bench print one JSON object with the documented keys; encode writes a run of a loaded model', async () => {
  const out = await tmpRun();
  assert.equal((await run(['train', sample, '--out', out, '--epochs', '1', ...small])).code, 0);
  const e = await run(['eval', out, '--data', path.join(sample, 'bag'), '--json', '--backend', 'wasm']);
  assert.equal(e.code, 0, e.stderr);
  const result = JSON.parse(e.stdout);
  assert.equal(result.images, 200);
  assert.ok(result.test_neg_elbo > 0 && Math.abs(result.test_neg_elbo - result.test_recon - result.test_kl) < 0.05);
  // encode: the trained model applied to another folder, written as a run the panel can show
  const encoded = path.join(out, 'encoded');
  const en = await run(['encode', out, path.join(sample, 'trouser'), '--out', encoded, '--backend', 'wasm']);
  assert.equal(en.code, 0, en.stderr + en.stdout);
  assert.equal((await fs.readFile(path.join(encoded, 'latents/mu.f32'))).byteLength, 200 * 4 * 4);
  const encodedProjection = JSON.parse(await fs.readFile(path.join(encoded, 'latents/projection.json'), 'utf8'));
  assert.equal(encodedProjection.x.length, 200);
  assert.equal(encodedProjection.method, 'umap', 'the final map is UMAP (the quick PCA map never overwrites it)');
  assert.equal(JSON.parse(await fs.readFile(path.join(encoded, 'status.json'), 'utf8')).status, 'completed');
  const encodedMetrics = await readMetrics(encoded);
  assert.equal(encodedMetrics.length, 1);
  assert.equal(encodedMetrics[0].kind, 'epoch');
  const b = await run(['bench', '--json', '--backend', 'wasm', '--batch-size', '16', '--steps', '2']);
  assert.equal(b.code, 0, b.stderr);
  const bench = JSON.parse(b.stdout);
  assert.equal(bench.backend, 'wasm');
  assert.ok(bench.train_images_per_s > 0);
  await fs.rm(out, { recursive: true });
});

test('train --request <json>: one validated TrainRequest (the extension\'s way); a bad key or value is named, exit code 2', async () => {
  const out = await tmpRun();
  const request = { maxImages: 96, imageSize: 16, batchSize: 32, latentDim: 3, backend: 'wasm', logEvery: 1, epochs: 1, beta: 2 };
  const r = await run(['train', sample, '--out', out, '--request', JSON.stringify(request)]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const config = JSON.parse(await fs.readFile(path.join(out, 'config.json'), 'utf8'));
  assert.deepEqual([config.model.imageHeight, config.model.latentDim, config.training.beta, config.training.batchSize], [16, 3, 2, 32]);
  const badKey = await run(['train', sample, '--out', out, '--request', '{"epoch": 3}']);
  assert.equal(badKey.code, 2);
  assert.match(badKey.stderr, /invalid train request: .*Unrecognized key: "epoch"/);
  const badSize = await run(['train', sample, '--out', out, '--image-size', '9']);
  assert.equal(badSize.code, 2);
  assert.match(badSize.stderr, /--image-size "9" is not valid: .*nearest valid sizes: 8, 10/);
  const hex = await run(['train', sample, '--out', out, '--beta', '0x10']);
  assert.equal(hex.code, 2);
  assert.match(hex.stderr, /--beta "0x10" is not valid/);
  await fs.rm(out, { recursive: true });
});
