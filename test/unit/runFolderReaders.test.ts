/** The extension's run-folder readers (src/extension/runs/runFolder.ts) on folders made here. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  findModelFolder, isRunFolder, readCheckpointInfo, readDatasetIndex, readRunConfig, readRunStatus, resumeInfo,
} from '../../src/extension/runs/runFolder';

function runFolder(files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'll-runfolder-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

test('an empty folder: not a run, nothing to read, not resumable', async () => {
  const dir = runFolder({});
  assert.equal(isRunFolder(dir), false);
  assert.equal(readRunStatus(dir), undefined);
  assert.equal(readCheckpointInfo(dir), undefined);
  assert.equal(await readDatasetIndex(dir), undefined);
  assert.equal(readRunConfig(dir), undefined);
  assert.equal(findModelFolder(dir), undefined);
  assert.deepEqual(resumeInfo(dir), { status: undefined, epoch: 0, epochs: 0, resumable: false });
});

test('a stopped run with a checkpoint is resumable; a completed one is not', () => {
  const dir = runFolder({
    'config.json': { version: 1, dataDir: '/data', training: { epochs: 5 } },
    'status.json': { status: 'stopped', step: 120, epoch: 2, backend: 'wasm', message: '', updated: 'x' },
    'checkpoint.json': { dir: 'checkpoints/ckpt-120', step: 120, epoch: 2, stepInEpoch: 20 },
  });
  assert.equal(isRunFolder(dir), true);
  assert.deepEqual(readRunStatus(dir), { status: 'stopped', step: 120, epoch: 2, backend: 'wasm', message: '' });
  assert.deepEqual(readCheckpointInfo(dir), { step: 120, epoch: 2, stepInEpoch: 20, dir: 'checkpoints/ckpt-120' });
  assert.equal(readRunConfig(dir)?.training?.epochs, 5);
  assert.deepEqual(resumeInfo(dir), { status: 'stopped', epoch: 2, epochs: 5, resumable: true });
  fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify({ status: 'completed', step: 250, epoch: 5 }));
  assert.equal(resumeInfo(dir).resumable, false);
});

test('a torn or foreign file reads as absent', () => {
  const dir = runFolder({ 'status.json': '{"status": "trai', 'checkpoint.json': '42' });
  assert.equal(readRunStatus(dir), undefined);
  assert.equal(readCheckpointInfo(dir), undefined);
});

test('readDatasetIndex: the data folder and the images in row order', async () => {
  const dir = runFolder({ 'dataset.json': { dataDir: '/data', labels: ['a'], images: [{ path: 'a/1.png', label: 0 }] } });
  assert.deepEqual(await readDatasetIndex(dir), { dataDir: '/data', labels: ['a'], images: [{ path: 'a/1.png', label: 0 }] });
});

test('findModelFolder: a run folder, its model/ folder, or a bare encoder/decoder pair', () => {
  const model = { 'model/encoder/model.json': '{}', 'model/decoder/model.json': '{}' };
  const run = runFolder({ 'config.json': {}, ...model });
  assert.deepEqual(findModelFolder(run), { dir: path.join(run, 'model'), runDir: run });
  assert.deepEqual(findModelFolder(path.join(run, 'model')), { dir: path.join(run, 'model'), runDir: run });
  const bare = runFolder(model);
  assert.deepEqual(findModelFolder(bare), { dir: path.join(bare, 'model'), runDir: undefined });
  assert.deepEqual(findModelFolder(path.join(bare, 'model')), { dir: path.join(bare, 'model'), runDir: undefined });
});
