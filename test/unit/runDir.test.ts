import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { appendMetrics, loadCheckpoint, readMetrics } from '../../src/run/runDir';
import { loadLayersModelFromDir, saveLayersModel } from '../../src/run/modelFiles';
import { writeFileAtomic } from '../../src/run/atomic';

const tmp = (p: string) => fs.mkdtemp(path.join(os.tmpdir(), p));

test('killing a writer at random instants always leaves the last checkpoint complete and loadable', async () => {
  const run = await tmp('ll-kill-');
  const writer = path.join(import.meta.dirname, 'fixtures', 'checkpoint-writer.ts');
  let lastStep = 0;
  for (let round = 0; round < 20; round++) {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, run], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 150));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const ckpt = await loadCheckpoint(run);
    assert.ok(ckpt, `round ${round}: no checkpoint`);
    for (const t of ckpt.state) {
      assert.ok(t.data.every((v) => v === ckpt.meta.step), `round ${round}: tensor ${t.name} is torn (step ${ckpt.meta.step})`);
    }
    const status = JSON.parse(await fs.readFile(path.join(run, 'status.json'), 'utf8'));
    assert.ok(status.step >= 1);
    const dirs = await fs.readdir(path.join(run, 'checkpoints'));
    assert.ok(dirs.length <= 2, `old checkpoints pile up: ${dirs}`);
    lastStep = ckpt.meta.step;
  }
  assert.ok(lastStep >= 1);
  await fs.rm(run, { recursive: true });
});

test('a layers model saved to a run loads back with tf.loadLayersModel and predicts the same', async () => {
  await tf.setBackend('cpu');
  const dir = await tmp('ll-model-');
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
  await saveLayersModel(model, path.join(dir, 'decoder'));
  await saveLayersModel(model, path.join(dir, 'decoder')); // a second save replaces the weights file
  const files = await fs.readdir(path.join(dir, 'decoder'));
  assert.equal(files.filter((f) => f.endsWith('.bin')).length, 1, files.join(', '));
  const loaded = await loadLayersModelFromDir(path.join(dir, 'decoder'));
  const x = tf.tensor2d([[1, 2, 3]]);
  assert.deepEqual(Array.from((loaded.predict(x) as tf.Tensor).dataSync()), Array.from((model.predict(x) as tf.Tensor).dataSync()));
  const json = JSON.parse(await fs.readFile(path.join(dir, 'decoder', 'model.json'), 'utf8'));
  assert.equal(json.format, 'layers-model');
  await fs.rm(dir, { recursive: true });
});

test('metrics.jsonl: a torn last line (kill during append) is ignored, a torn middle line is an error', async () => {
  const run = await tmp('ll-metrics-');
  const line = { kind: 'epoch' as const, epoch: 1, step: 10, valNegElbo: 250, valRecon: 240, valKl: 10, klPerDim: [1, 2], activeUnits: 2, time: 0 };
  await appendMetrics(run, [line]);
  await fs.appendFile(path.join(run, 'metrics.jsonl'), '{"kind":"step","st');
  assert.equal((await readMetrics(run)).length, 1);
  await fs.appendFile(path.join(run, 'metrics.jsonl'), '\n' + JSON.stringify(line) + '\n');
  await assert.rejects(readMetrics(run), /metrics.jsonl line 2 is invalid/);
  await fs.rm(run, { recursive: true });
});

test('writeFileAtomic leaves no temporary file behind', async () => {
  const dir = await tmp('ll-atomic-');
  await writeFileAtomic(path.join(dir, 'a.json'), '1');
  await writeFileAtomic(path.join(dir, 'a.json'), '2');
  assert.deepEqual(await fs.readdir(dir), ['a.json']);
  assert.equal(await fs.readFile(path.join(dir, 'a.json'), 'utf8'), '2');
  await fs.rm(dir, { recursive: true });
});
