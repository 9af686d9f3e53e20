// src/run/reader.ts: every run file read with its schema; absent = undefined, damaged = an error
// naming the file and the problem, a torn last metrics line skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  RunFileError, appendMetrics, findModelFolder, isRunFolder, readCheckpointInfo, readConfig, readDatasetIndex, readLatents,
  readMetrics, readProjection, readRunInfo, readRunStatus, runPaths, saveCheckpoint, writeConfig, writeLatents, writeProjection, writeStatus,
} from '../../src/run/runDir';
import { configFromRequest } from '../../src/protocol/trainRequest';
import { loadRunSnapshot } from '../../src/run/runSnapshot';

function withRun(fn: (run: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const run = mkdtempSync(path.join(os.tmpdir(), 'll-reader-'));
    try { await fn(run); } finally { rmSync(run, { recursive: true, force: true }); }
  };
}

test('absent files read as undefined; a folder without config.json is not a run', withRun(async (run) => {
  assert.equal(isRunFolder(run), false);
  assert.equal(await readRunStatus(run), undefined);
  assert.equal(await readCheckpointInfo(run), undefined);
  assert.equal(await readDatasetIndex(run), undefined);
  assert.equal(await readLatents(run), undefined);
  assert.equal(await readProjection(run), undefined);
  assert.deepEqual(await readMetrics(run), []);
  await assert.rejects(readConfig(run), /is not a Latent Lens run: it has no config.json/);
  assert.deepEqual(await readRunInfo(run), { status: undefined, step: 0, epoch: 0, epochs: 0, checkpoint: undefined, resumable: false });
}));

test('what the trainer writes reads back typed; run info says whether it can resume', withRun(async (run) => {
  await writeConfig(run, configFromRequest('/data', { epochs: 3 }).config);
  assert.equal(isRunFolder(run), true);
  await writeStatus(run, { status: 'stopped', step: 8, epoch: 1, backend: 'wasm', message: '' });
  await saveCheckpoint(run, { step: 8, epoch: 1, stepInEpoch: 0 }, [{ name: 'w', shape: [2], data: new Float32Array([1, 2]) }]);
  await writeLatents(run, 1, 8, 2, new Float32Array([1, 2, 3, 4, 5, 6]), new Float32Array(6));
  await writeProjection(run, { epoch: 1, method: 'pca', x: [0, 1, 2], y: [2, 1, 0] });
  assert.equal((await readRunStatus(run))!.status, 'stopped');
  assert.deepEqual(await readCheckpointInfo(run), { dir: 'checkpoints/ckpt-8', step: 8, epoch: 1, stepInEpoch: 0 });
  const latents = await readLatents(run, { withLogVar: true });
  assert.deepEqual([latents!.index.count, latents!.index.latentDim, Array.from(latents!.mu)], [3, 2, [1, 2, 3, 4, 5, 6]]);
  assert.equal((await readProjection(run))!.method, 'pca');
  const info = await readRunInfo(run);
  assert.deepEqual([info.status, info.step, info.epoch, info.epochs, info.resumable], ['stopped', 8, 1, 3, true]);
  await writeStatus(run, { status: 'completed', step: 8, epoch: 3, backend: 'wasm', message: '' });
  assert.equal((await readRunInfo(run)).resumable, false);
}));

test('a damaged file gives an error that names the file and what is wrong', withRun(async (run) => {
  const p = runPaths(run);
  writeFileSync(p.status, '{"status": "dancing", "step": 1, "epoch": 0}');
  await assert.rejects(readRunStatus(run), (e: Error) => e instanceof RunFileError && e.message.startsWith(p.status) && /status: Invalid option/.test(e.message));
  writeFileSync(p.config, '{"version": 1,');
  await assert.rejects(readConfig(run), (e: Error) => e.message.startsWith(`${p.config} is not valid JSON`));
  writeFileSync(p.checkpointPointer, JSON.stringify({ dir: '../../etc', step: 1, epoch: 0 }));
  await assert.rejects(readCheckpointInfo(run), /checkpoint.json is not a valid checkpoint pointer: dir: must be checkpoints\/<name>/);
  writeFileSync(p.checkpointPointer, JSON.stringify({ dir: 'checkpoints/ckpt-5', step: 5, epoch: 0 }));
  await assert.rejects(readCheckpointInfo(run), /names checkpoints\/ckpt-5, which has no state.json/);
  mkdirSync(p.latents, { recursive: true });
  writeFileSync(p.latentsIndex, JSON.stringify({ epoch: 1, step: 1, count: 10, latentDim: 4 }));
  writeFileSync(p.mu, Buffer.alloc(12));
  await assert.rejects(readLatents(run), /mu.f32 is truncated: it holds 12 bytes, 160 expected/);
  writeFileSync(p.projection, JSON.stringify({ epoch: 1, method: 'umap', x: [1, 2], y: [1] }));
  await assert.rejects(readProjection(run), /projection.json is not a valid 2-D projection: .*x and y have different lengths/);
  // The snapshot (for display) shows damaged files as absent rather than failing.
  writeFileSync(p.config, JSON.stringify(configFromRequest('/data', {}).config));
  const snapshot = await loadRunSnapshot(run);
  assert.equal(snapshot.latents, null);
  assert.equal(snapshot.projection, null);
  assert.equal(snapshot.status, null);
}));

test('metrics.jsonl: a torn last line is skipped, a bad earlier line names its line, lenient reading skips both', withRun(async (run) => {
  const line = { kind: 'epoch' as const, epoch: 1, step: 10, valNegElbo: 250, valRecon: 240, valKl: 10, klPerDim: [1, 2], activeUnits: 2, muVariance: [0.5, 0], collapsed: false, time: 0 };
  await appendMetrics(run, [line]);
  writeFileSync(runPaths(run).metrics, JSON.stringify(line) + '\n{"kind":"epoch","epoch":2}\n' + JSON.stringify(line) + '\n{"kind":"st', { flag: 'w' });
  await assert.rejects(readMetrics(run), /metrics.jsonl line 2 is invalid: /);
  assert.equal((await readMetrics(run, { lenient: true })).length, 2);
  // Lines written before muVariance / collapsed existed still parse.
  writeFileSync(runPaths(run).metrics, JSON.stringify({ ...line, muVariance: undefined, collapsed: undefined }) + '\n');
  assert.equal((await readMetrics(run))[0].kind, 'epoch');
}));

test('findModelFolder: the one model-folder detection (a run, its model/ folder, or a bare pair)', withRun(async (run) => {
  assert.equal(findModelFolder(run), undefined);
  const p = runPaths(run);
  for (const d of [p.encoder, p.decoder]) { mkdirSync(d, { recursive: true }); writeFileSync(path.join(d, 'model.json'), '{}'); }
  assert.deepEqual(findModelFolder(run), { modelDir: p.model, encoderDir: p.encoder, decoderDir: p.decoder, runDir: undefined });
  await writeConfig(run, configFromRequest('/data', {}).config);
  assert.equal(findModelFolder(run)!.runDir, run);
  assert.equal(findModelFolder(p.model)!.runDir, path.resolve(run));
  assert.equal(findModelFolder(p.model)!.encoderDir, p.encoder);
  rmSync(p.decoder, { recursive: true });
  assert.equal(findModelFolder(run), undefined, 'an encoder without a decoder is no model');
}));
