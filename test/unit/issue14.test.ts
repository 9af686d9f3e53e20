// Issue 14, "nothing outside the run folder, one truth on screen": the loading progress (trainer
// event → Run state → status bar text, terminal), damaged files in the panel's snapshot, the
// `project` command for a finished run, `train --out` refusing an existing run, and the whole
// validator message in the log of a dropped message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import * as tf from '@tensorflow/tfjs';
import { Run } from '../../src/extension/runs/run';
import { progressText, statusBarText } from '../../src/extension/runs/runText';
import { IMAGE_EXTENSIONS as EXTENSION_LIST } from '../../src/extension/runs/datasetImage';
import { IMAGE_EXTENSIONS as TRAINER_LIST, loadDataset } from '../../src/trainer/dataset';
import { IMAGE_EXTENSIONS, decodingImagesText } from '../../src/protocol/images';
import { ProgressPrinter } from '../../src/trainer/progress';
import { main } from '../../src/trainer/cli';
import { projectRun } from '../../src/trainer/projectCommand';
import { Endpoint, parserOf, type Wire } from '../../src/protocol/rpc';
import { FromWebviewMessage, RunSnapshot } from '../../src/protocol/panelIpc';
import { parseTrainerEvent } from '../../src/protocol/trainerIpc';
import { loadRunSnapshot } from '../../src/run/runSnapshot';
import { readProjection, runPaths, writeConfig, writeDataset, writeLatents } from '../../src/run/runDir';
import { saveRunModel } from '../../src/run/modelFiles';
import { configFromRequest } from '../../src/protocol/trainRequest';
import type { RunConfig } from '../../src/protocol/runFormat';
import { FakeTrainer } from './fakeTrainer';

const SAMPLE = path.join(__dirname, '..', '..', 'samples', 'fashion-mnist-2k');

// ───────────── loading progress ─────────────

test('while the images load, the status bar and progress say "decoding images 4,000 / 10,000"', () => {
  const trainer = new FakeTrainer();
  const run = new Run(trainer, { runDir: '/runs/r', kind: 'train', hasCheckpoint: () => false });
  assert.equal(statusBarText(run.state), '$(loading~spin) VAE starting…');
  trainer.event({ type: 'loading', done: 4000, total: 10000 });
  assert.deepEqual(run.state.loading, { done: 4000, total: 10000 });
  assert.equal(progressText(run.state), 'decoding images 4,000 / 10,000');
  assert.equal(statusBarText(run.state), '$(loading~spin) VAE decoding images 4,000 / 10,000');
  assert.equal(progressText(run.state, 'encode'), 'decoding images 4,000 / 10,000', 'Load Model… loads its images the same way');
  trainer.started();
  assert.equal(run.state.loading, undefined, 'started ends the loading');
  assert.match(statusBarText(run.state), /VAE epoch 1\/3/);
  assert.throws(() => parseTrainerEvent({ type: 'loading', done: -1, total: 3 }), /done/);
});

test('loadDataset reports progress at the start, at most every progressMs, and at the end', async () => {
  const calls: [number, number][] = [];
  const data = await loadDataset(SAMPLE, { height: 28, width: 28, channels: 1, maxImages: 300, valSplit: 0.1, seed: 1, exclude: [], onProgress: (d, t) => calls.push([d, t]), progressMs: 0 });
  assert.equal(data.images.length, 300);
  assert.deepEqual(calls[0], [0, 300]);
  assert.deepEqual(calls[calls.length - 1], [300, 300]);
  assert.ok(calls.length > 3, `${calls.length} calls with progressMs 0`);
  for (let i = 1; i < calls.length; i++) assert.ok(calls[i][0] >= calls[i - 1][0], 'never goes back');
  const few: [number, number][] = [];
  await loadDataset(SAMPLE, { height: 28, width: 28, channels: 1, maxImages: 300, valSplit: 0.1, seed: 1, exclude: [], onProgress: (d, t) => few.push([d, t]), progressMs: 60_000 });
  assert.deepEqual(few, [[0, 300], [300, 300]], 'a long interval: only the first and the last');
});

test('the terminal shows the loading progress (a pipe: throttled lines, always the last)', () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => { text += b.toString(); });
  const printer = new ProgressPrinter(out as unknown as NodeJS.WriteStream, false);
  printer.handle({ type: 'loading', done: 0, total: 10000 });
  printer.handle({ type: 'loading', done: 4000, total: 10000 });
  printer.handle({ type: 'loading', done: 10000, total: 10000 });
  assert.equal(text, 'decoding images 0 / 10,000\ndecoding images 10,000 / 10,000\n');
  const tty = new PassThrough();
  let shown = '';
  tty.on('data', (b: Buffer) => { shown += b.toString(); });
  new ProgressPrinter(tty as unknown as NodeJS.WriteStream, true).handle({ type: 'loading', done: 4000, total: 10000 });
  assert.equal(shown, `\r\x1b[2K${decodingImagesText(4000, 10000)}`);
});

test('IMAGE_EXTENSIONS is one list (src/protocol/images.ts) for the trainer and the extension', () => {
  assert.equal(TRAINER_LIST, IMAGE_EXTENSIONS);
  assert.equal(EXTENSION_LIST, IMAGE_EXTENSIONS);
  assert.ok(IMAGE_EXTENSIONS.has('.png') && IMAGE_EXTENSIONS.has('.avif'));
});

// ───────────── damaged files in the snapshot ─────────────

const config: RunConfig = (() => {
  const c = configFromRequest('/data', { latentDim: 2 }).config;
  return { ...c, model: { ...c.model, imageHeight: 8, imageWidth: 8, channels: 1 } };
})();

function withRun(fn: (run: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const run = await fs.mkdtemp(path.join(os.tmpdir(), 'll-issue14-'));
    await writeConfig(run, config);
    const images = Array.from({ length: 5 }, (_, i) => ({ path: `a/${i}.png`, label: i % 2, split: i === 4 ? 'val' as const : 'train' as const }));
    await writeDataset(run, { dataDir: '/data', shape: { height: 8, width: 8, channels: 1 }, labels: ['x', 'y'], images, skipped: [], pixels: new Uint8Array(5 * 64).fill(7) });
    await writeLatents(run, 1, 3, 2, Float32Array.from({ length: 10 }, (_, i) => Math.sin(i)), new Float32Array(10));
    await fs.writeFile(runPaths(run).status, JSON.stringify({ status: 'completed', step: 3, epoch: 1 }));
    try { await fn(run); } finally { await fs.rm(run, { recursive: true, force: true }); }
  };
}

async function truncate(file: string, bytes: number): Promise<void> {
  await fs.writeFile(file, (await fs.readFile(file)).subarray(0, bytes));
}

test('a snapshot names a truncated mu.f32 and what it affects; the rest of the run is still there', withRun(async (run) => {
  const sound = await loadRunSnapshot(run);
  assert.deepEqual(sound.problems, []);
  assert.ok(sound.latents);
  await truncate(runPaths(run).mu, 8);
  const s = await loadRunSnapshot(run);
  RunSnapshot.parse(s);
  assert.equal(s.latents, null);
  assert.equal(s.count, 5, 'the points are still there');
  assert.ok(s.images, 'the pixels still are');
  assert.equal(s.status?.status, 'completed');
  assert.deepEqual(s.problems?.map((p) => [p.file, p.kind]), [['latents/mu.f32', 'damaged']]);
  assert.match(s.problems![0].message, /^latents\/mu.f32 is truncated: it holds 8 bytes, 40 expected/);
  assert.match(s.problems![0].affects, /map of μ/);
  assert.ok(!JSON.stringify(s.problems).includes(run), 'no absolute path (the report is shared)');
  assert.deepEqual((await loadRunSnapshot(run, { diagnose: false })).problems, [], 'diagnose: false reads nothing more');
}));

test('a snapshot names truncated decoder weights (not a TensorFlow.js shape error)', withRun(async (run) => {
  await tf.setBackend('cpu');
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 64 })] });
  await saveRunModel(run, 'decoder', model);
  model.dispose();
  assert.ok((await loadRunSnapshot(run)).decoder);
  const dir = runPaths(run).decoder;
  const weights = (await fs.readdir(dir)).find((f) => f.startsWith('weights-'))!;
  await truncate(path.join(dir, weights), 10);
  const s = await loadRunSnapshot(run);
  assert.equal(s.decoder, null);
  assert.ok(s.latents, 'μ still loads');
  assert.deepEqual(s.problems?.map((p) => p.file), [`model/decoder/${weights}`]);
  assert.match(s.problems![0].message, /is truncated/);
  assert.match(s.problems![0].affects, /decoding/);
}));

// ───────────── project: the map of a finished run ─────────────

test('latent-lens project writes a new layout of a finished run; a folder that is no run is named', withRun(async (run) => {
  await fs.rm(runPaths(run).projection, { force: true });
  const r = await projectRun(run);
  assert.equal(r.count, 5);
  assert.equal(r.epoch, 1);
  const p = await readProjection(run);
  assert.equal(p?.x.length, 5);
  assert.equal(p?.method, r.method);
  const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'll-issue14-empty-'));
  try {
    await assert.rejects(projectRun(empty), /is not a run folder \(it has no config.json\)/);
    await writeConfig(empty, config);
    await assert.rejects(projectRun(empty), /latents\/index.json is missing: the run has no latent vectors to project yet/);
  } finally { await fs.rm(empty, { recursive: true, force: true }); }
}));

// ───────────── train --out an existing run ─────────────

test('train --out an existing run folder is refused and leaves it untouched', withRun(async (run) => {
  const before = await snapshotFiles(run);
  await assert.rejects(main(['train', SAMPLE, '--out', run, '--epochs', '1']), (e: Error) => {
    assert.match(e.message, /already holds a run \(config.json, status.json, dataset.json …\): training would write over it/);
    assert.match(e.message, /latent-lens resume .*or give --out a new folder/);
    return true;
  });
  assert.deepEqual(await snapshotFiles(run), before, 'no file written, changed or removed');
}));

async function snapshotFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const f = path.join(e.parentPath, e.name);
    const st = await fs.stat(f);
    out[path.relative(dir, f)] = `${st.size}:${st.mtimeMs}:${(await fs.readFile(f)).toString('base64').slice(0, 64)}`;
  }
  return out;
}

// ───────────── a dropped message's log line ─────────────

test('a dropped message is logged with the validator\'s whole message on one line (describeIssues), not "["', () => {
  let receive: (raw: unknown) => void = () => undefined;
  const wire: Wire = { post: () => undefined, listen: (r) => { receive = r; return () => undefined; } };
  const logged: string[] = [];
  const endpoint = new Endpoint(wire, { parse: parserOf(FromWebviewMessage), onInvalid: (error) => logged.push(`[panel] dropped an invalid webview message: ${error}`) });
  receive({ kind: 'event', message: { type: 'openFile', index: -2 } }); // not an envelope (no `v`/ids)
  receive({ nonsense: true });
  endpoint.dispose();
  assert.equal(logged.length, 2);
  for (const line of logged) {
    assert.ok(!line.includes('\n'), `one line: ${line}`);
    assert.ok(!/: \[$/.test(line) && !line.endsWith('['), line);
    assert.match(line, /dropped an invalid webview message: .+: .+/);
  }
});
