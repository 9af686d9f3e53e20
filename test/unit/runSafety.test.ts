// A run folder is untrusted input (src/run/safePath.ts): every path src/run reads or writes must
// stay inside the run, links inside a run are refused with a message naming them, and the
// trainer deletes only what it created. Each case plants a folder outside the run (the links'
// target) and proves that nothing in it changed: contents and mtimes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  RunFileError, appendMetrics, assertNoLinks, loadCheckpoint, readCheckpointInfo, readConfig, readMetrics, readModelFolder, readRunStatus,
  runPaths, saveCheckpoint, truncateMetrics, writeConfig, writeStatus,
} from '../../src/run/runDir';
import { loadLayersModelFromDir, saveLayersModel, saveRunModel } from '../../src/run/modelFiles';
import { relativeNameProblem, resolveInsideRun } from '../../src/run/safePath';
import { configFromRequest } from '../../src/protocol/trainRequest';
import { assertUnchanged, plantOutside, snapshotFolder } from './fixtures/plantedFolder';

const state = (step: number) => [{ name: 'w', shape: [3], data: new Float32Array(3).fill(step) }];

/** A fresh run (config.json) with a planted folder beside it. */
function withRun(fn: (run: string, outside: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'll-safety-'));
    const run = path.join(parent, 'run');
    await fs.mkdir(run);
    await writeConfig(run, configFromRequest('/data', {}).config);
    try { await fn(run, await plantOutside(parent)); } finally { await fs.rm(parent, { recursive: true, force: true }); }
  };
}

/** The refusal: a RunFileError of kind `unsafe` whose message starts with the file it names. */
function refused(file: string, pattern: RegExp = /is a symbolic link .* refuses links inside a run folder/) {
  return (e: Error) => {
    assert.ok(e instanceof RunFileError, `${e.name}: ${e.message}`);
    assert.equal(e.kind, 'unsafe', e.message);
    assert.ok(e.message.startsWith(file), `${e.message} does not start with ${file}`);
    assert.match(e.message, pattern);
    return true;
  };
}

function tinyModel(): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
}

test('names that leave the run are refused: .., absolute, drive, backslash, empty parts', () => {
  for (const bad of ['..', '../x', 'checkpoints/..', 'a/../../b', '/etc/passwd', 'C:/x', 'c:x', 'a\\..\\b', 'a//b', './a', 'a/.']) {
    assert.ok(relativeNameProblem(bad), `${bad} accepted`);
  }
  for (const good of ['config.json', 'checkpoints/ckpt-12/state.json', 'model/decoder/weights-abc.bin', 'a..b']) assert.equal(relativeNameProblem(good), undefined, good);
});

test('a symlinked checkpoints/ is refused: saving does not write or delete in its target, loading does not read it', withRun(async (run, outside) => {
  await fs.mkdir(path.join(outside, 'ckpt-1'));
  await fs.writeFile(path.join(outside, 'ckpt-1', 'state.json'), '{"precious": true}');
  await fs.writeFile(path.join(outside, 'ckpt-7'), 'a file named like a checkpoint');
  const before = await snapshotFolder(outside);
  await fs.symlink(outside, runPaths(run).checkpoints);
  await assert.rejects(saveCheckpoint(run, { step: 2, epoch: 0, stepInEpoch: 2 }, state(2)), refused(runPaths(run).checkpoints));
  await fs.writeFile(runPaths(run).checkpointPointer, JSON.stringify({ dir: 'checkpoints/ckpt-1', step: 1, epoch: 0, stepInEpoch: 1 }));
  await assert.rejects(readCheckpointInfo(run), refused(runPaths(run).checkpoints));
  await assert.rejects(loadCheckpoint(run), refused(runPaths(run).checkpoints));
  await assert.rejects(assertNoLinks(run), refused(runPaths(run).checkpoints));
  await assertUnchanged(outside, before, 'symlinked checkpoints/');
}));

test('old checkpoints: only real ckpt-<digits> folders are deleted, and only the files the trainer wrote in them', withRun(async (run, outside) => {
  const before = await snapshotFolder(outside);
  await saveCheckpoint(run, { step: 1, epoch: 0, stepInEpoch: 1 }, state(1));
  const c = runPaths(run).checkpoints;
  await fs.symlink(outside, path.join(c, 'ckpt-3')); // a link named like a checkpoint
  await fs.mkdir(path.join(c, 'ckpt-5'));
  await fs.writeFile(path.join(c, 'ckpt-5', 'state.json'), '{}');
  await fs.writeFile(path.join(c, 'ckpt-5', 'notes.txt'), 'a user file inside a checkpoint folder');
  await fs.mkdir(path.join(c, 'my-notes'));
  await fs.writeFile(path.join(c, 'ckpt-9'), 'a file, not a folder');
  await saveCheckpoint(run, { step: 2, epoch: 0, stepInEpoch: 2 }, state(2));
  assert.deepEqual((await fs.readdir(c)).sort(), ['ckpt-2', 'ckpt-3', 'ckpt-5', 'ckpt-9', 'my-notes']);
  assert.deepEqual(await fs.readdir(path.join(c, 'ckpt-5')), ['notes.txt'], 'the checkpoint files went, the user file stayed');
  assert.equal((await fs.lstat(path.join(c, 'ckpt-3'))).isSymbolicLink(), true, 'the link itself is left alone');
  assert.equal((await loadCheckpoint(run))!.meta.step, 2);
  await assertUnchanged(outside, before, 'a ckpt-3 link inside checkpoints/');
}));

test('a symlinked model/encoder (or model/) is refused: no weights written into, deleted from or read from its target', withRun(async (run, outside) => {
  await tf.setBackend('cpu');
  const model = tinyModel();
  const p = runPaths(run);
  await fs.mkdir(path.join(outside, 'encoder'));
  await fs.writeFile(path.join(outside, 'encoder', 'weights-old.bin'), new Uint8Array(8));
  await fs.writeFile(path.join(outside, 'encoder', 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['weights-old.bin'], weights: [] }] }));
  const before = await snapshotFolder(outside);
  await fs.mkdir(p.model);
  await fs.symlink(path.join(outside, 'encoder'), p.encoder);
  await assert.rejects(saveRunModel(run, 'encoder', model), refused(p.encoder));
  await assert.rejects(saveLayersModel(model, p.encoder), refused(p.encoder));
  await assert.rejects(readModelFolder(p.encoder), refused(p.encoder));
  await assert.rejects(loadLayersModelFromDir(p.encoder), refused(p.encoder));
  await fs.rm(p.model, { recursive: true });
  await fs.symlink(outside, p.model);
  await assert.rejects(saveRunModel(run, 'encoder', model), refused(p.model));
  await assert.rejects(readModelFolder(p.encoder), refused(p.model));
  await assertUnchanged(outside, before, 'symlinked model/encoder');
  model.dispose();
}));

test('a weights-* link inside a real model folder is neither followed nor deleted when the model is saved', withRun(async (run, outside) => {
  await tf.setBackend('cpu');
  const model = tinyModel();
  const before = await snapshotFolder(outside);
  await saveRunModel(run, 'decoder', model);
  await fs.symlink(path.join(outside, 'precious.txt'), path.join(runPaths(run).decoder, 'weights-zzz.bin'));
  await saveRunModel(run, 'decoder', model);
  const files = await fs.readdir(runPaths(run).decoder);
  assert.equal(files.filter((f) => f.startsWith('weights-')).length, 2, files.join(', '));
  assert.ok((await readModelFolder(runPaths(run).decoder))!.weights.byteLength > 0);
  await assertUnchanged(outside, before, 'a weights link');
  model.dispose();
}));

test('checkpoint.json naming a folder outside the run ("..", absolute, checkpoints/..) is refused, naming checkpoint.json', withRun(async (run, outside) => {
  await fs.writeFile(path.join(outside, 'state.json'), JSON.stringify({ step: 1, epoch: 0, stepInEpoch: 0, tensors: [] }));
  await fs.writeFile(path.join(outside, 'tensors.bin'), '');
  const before = await snapshotFolder(outside);
  const pointer = runPaths(run).checkpointPointer;
  for (const dir of ['../outside', outside, 'checkpoints/..', 'checkpoints/../../outside', 'checkpoints/ckpt-1/../..', 'checkpoints\\..\\..\\outside']) {
    await fs.writeFile(pointer, JSON.stringify({ dir, step: 1, epoch: 0, stepInEpoch: 0 }));
    const named = (e: Error) => e instanceof RunFileError && e.message.startsWith(pointer) && /must be checkpoints\/<name>|leaves the run folder|not a checkpoint of this run/.test(e.message);
    await assert.rejects(readCheckpointInfo(run), named, dir);
    await assert.rejects(loadCheckpoint(run), named, dir);
  }
  await assertUnchanged(outside, before, 'checkpoint.json dir outside');
}));

test('a symlinked metrics.jsonl or status.json is refused for reading, appending and rewriting; a dangling link is not created through', withRun(async (run, outside) => {
  const before = await snapshotFolder(outside);
  const p = runPaths(run);
  await fs.symlink(path.join(outside, 'precious.txt'), p.metrics);
  const line = { kind: 'epoch' as const, epoch: 1, step: 1, valNegElbo: 1, valRecon: 1, valKl: 0, klPerDim: [0], activeUnits: 0, time: 0 };
  await assert.rejects(appendMetrics(run, [line]), refused(p.metrics));
  await assert.rejects(readMetrics(run), refused(p.metrics));
  await assert.rejects(truncateMetrics(run, 0), refused(p.metrics));
  await fs.symlink(path.join(outside, 'precious.txt'), p.status);
  await assert.rejects(writeStatus(run, { status: 'training', step: 0, epoch: 0, backend: 'cpu', message: '' }), refused(p.status));
  await assert.rejects(readRunStatus(run), refused(p.status));
  await fs.rm(p.status);
  await fs.symlink(path.join(outside, 'created-through-link.json'), p.status);
  await assert.rejects(writeStatus(run, { status: 'training', step: 0, epoch: 0, backend: 'cpu', message: '' }), refused(p.status));
  assert.equal(existsSync(path.join(outside, 'created-through-link.json')), false);
  await fs.rm(p.config);
  await fs.symlink(path.join(outside, 'precious.txt'), p.config);
  await assert.rejects(readConfig(run), refused(p.config));
  await assertUnchanged(outside, before, 'symlinked metrics.jsonl / status.json');
}));

test('a link deeper in the run (latents/mu.f32) is found before a resume; a FIFO is refused without hanging', withRun(async (run, outside) => {
  const p = runPaths(run);
  await fs.mkdir(p.latents);
  await fs.symlink(path.join(outside, 'precious.txt'), p.mu);
  await assert.rejects(assertNoLinks(run), refused(p.mu));
  await fs.rm(p.mu);
  await assertNoLinks(run);
  execFileSync('mkfifo', [p.status]);
  await assert.rejects(readRunStatus(run), refused(p.status, /is not a regular file \(a device, socket or pipe\)/));
}));

test('a run folder that is itself a link (the user chose it) is followed; the files land in the real folder', withRun(async (run) => {
  const alias = `${run}-alias`;
  await fs.symlink(run, alias);
  await writeStatus(alias, { status: 'training', step: 3, epoch: 0, backend: 'cpu', message: '' });
  assert.equal((await readRunStatus(run))!.step, 3);
  const at = await resolveInsideRun(alias, 'status.json');
  assert.equal(at.file, path.join(await fs.realpath(run), 'status.json'));
  await fs.rm(alias);
}));
