/**
 * The trainer process wrapper (src/extension/runs/trainerProcess.ts): the command lines, and a real
 * fork of a tiny stand-in trainer that speaks the IPC protocol — validation, log lines, commands,
 * exit — under the Run model.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Run } from '../../src/extension/runs/run';
import { TrainerProcess, encodeArgs, resumeArgs, trainArgs } from '../../src/extension/runs/trainerProcess';
import { parseTrainRequestJson } from '../../src/protocol/trainRequest';

test('command lines of train, resume and encode: train hands the trainer one validated TrainRequest', () => {
  const args = trainArgs('/d', '/r', { epochs: 2, imageSize: '32x48', beta: 0, learningRate: 0.001, valSplit: 0 });
  assert.deepEqual(args.slice(0, 5), ['train', '/d', '--out', '/r', '--request']);
  assert.equal(args.length, 6, 'no other flags');
  assert.deepEqual(parseTrainRequestJson(args[5]), { epochs: 2, imageSize: '32x48', beta: 0, learningRate: 0.001, valSplit: 0 });
  // What the trainer would refuse is refused here, before a process is forked.
  assert.throws(() => trainArgs('/d', '/r', { imageSize: 9 }), /image size 9 is not usable.*nearest valid sizes: 8, 10/);
  assert.throws(() => trainArgs('/d', '/r', { epochs: 0 }), /epochs/);
  assert.throws(() => trainArgs('/d', '/r', { extraArgs: ['--x'] } as never), /extraArgs/);
  assert.deepEqual(resumeArgs('/r', { backend: 'wasm' }), ['resume', '/r', '--backend', 'wasm']);
  assert.deepEqual(resumeArgs('/r', { epochs: 4 }), ['resume', '/r', '--epochs', '4']);
  assert.deepEqual(encodeArgs('/m', '/d', '/r', 'auto'), ['encode', '/m', '/d', '--out', '/r', '--backend', 'auto']);
});

// A stand-in for dist/cli.js speaking the envelope (src/protocol/rpc.ts): one valid event, an
// invalid message, a message outside the envelope, stdout/stderr lines; it answers the first
// `project` request with a reply (after the event) and the second with an error, then waits for
// `stop` and answers like the trainer (checkpoint, done, exit 0).
const STAND_IN = `
const event = (message) => process.send({ kind: 'event', message });
process.send({ kind: 'event', message: { type: 'log', level: 'info', message: 'hello' }, probe: new Float32Array([1.5]) });
event({ type: 'step', metrics: { kind: 'nope' } });
process.send({ type: 'status', status: 'training' });
process.stdout.write('loading 10%\\rloading 100%\\n');
process.stderr.write('a warning\\n');
let projects = 0;
process.on('message', (e) => {
  if (e.kind === 'request' && e.message.type === 'project') {
    if (++projects === 1) {
      const done = { type: 'projection', epoch: 1, method: 'umap', millis: 7 };
      event(done);
      process.send({ kind: 'reply', inReplyTo: e.id, message: done });
    } else {
      process.send({ kind: 'error', inReplyTo: e.id, error: 'no latents yet' });
    }
  }
  if (e.kind === 'event' && e.message.type === 'stop') {
    event({ type: 'checkpoint', step: 0, epoch: 0 });
    process.send({ kind: 'event', message: { type: 'done', status: 'stopped', message: 'stopped at step 0' } }, () => process.exit(0));
  }
});
event({ type: 'status', status: 'training' });
`;

test('a forked stand-in trainer: the envelope, validated events, dropped invalid ones, a request and its reply, log lines, stop', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'll-trainer-'));
  const cliPath = path.join(dir, 'cli.cjs');
  fs.writeFileSync(cliPath, STAND_IN);
  const proc = new TrainerProcess({ cliPath, args: [], niceness: 0 });
  const raw: unknown[] = [];
  proc.child.on('message', (m) => raw.push(m));
  const run = new Run(proc, { runDir: dir, kind: 'train', hasCheckpoint: () => true });
  const events: string[] = [];
  const logs: string[] = [];
  run.onDidReceiveEvent((e) => events.push(e.type));
  run.onDidLog((l) => logs.push(l));
  await new Promise<void>((resolve) => { const d = run.onDidChange((s) => { if (s.status === 'training') { d.dispose(); resolve(); } }); });
  assert.deepEqual(await run.requestProjection(), { type: 'projection', epoch: 1, method: 'umap', millis: 7 }, 'the reply to project');
  await assert.rejects(run.requestProjection(), /no latents yet/, 'an error reply rejects the request');
  const exit = await run.stop(10_000);
  assert.equal(exit.code, 0);
  assert.equal(exit.unexpected, false);
  assert.equal(run.state.status, 'stopped');
  assert.deepEqual(events, ['log', 'status', 'projection', 'checkpoint', 'done']);
  assert.equal(run.droppedMessages, 2, 'an invalid message and one outside the envelope');
  assert.ok((raw[0] as { probe: unknown }).probe instanceof Float32Array, 'the fork uses structured clone: a Float32Array arrives as one');
  assert.ok(logs.some((l) => l.startsWith('[extension] dropped an invalid trainer message')), logs.join('\n'));
  assert.ok(logs.some((l) => /not a Latent Lens envelope/.test(l)), logs.join('\n'));
  assert.ok(logs.includes('loading 100%'), 'a \\r-redrawn line keeps its last frame');
  assert.ok(logs.includes('a warning'));
  assert.equal(exit.stderrTail, 'a warning');
  assert.equal(proc.send({ type: 'pause' }), false, 'nothing is sent to an ended process');
  await assert.rejects(proc.request({ type: 'project' }), /ended/, 'no request to an ended process');
  await assert.rejects(run.requestProjection(), /not running/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a trainer that cannot start ends as a failure, not a hang', async () => {
  const proc = new TrainerProcess({ cliPath: '/nonexistent/cli.js', args: [], execPath: '/nonexistent/node', niceness: 0 });
  const run = new Run(proc, { runDir: '/nonexistent/run', kind: 'train', hasCheckpoint: () => false });
  const exit = await run.exited;
  assert.equal(exit.unexpected, true);
  assert.equal(run.state.status, 'failed');
  assert.match(exit.stderrTail, /could not start/);
});
