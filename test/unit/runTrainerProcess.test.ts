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

// A stand-in for dist/cli.js: one valid event, one invalid message, stdout/stderr lines, then it
// waits for `stop` and answers like the trainer (checkpoint, done, exit 0).
const STAND_IN = `
process.send({ type: 'log', level: 'info', message: 'hello' });
process.send({ type: 'step', metrics: { kind: 'nope' } });
process.stdout.write('loading 10%\\rloading 100%\\n');
process.stderr.write('a warning\\n');
process.on('message', (m) => {
  if (m.type === 'stop') {
    process.send({ type: 'checkpoint', step: 0, epoch: 0 });
    process.send({ type: 'done', status: 'stopped', message: 'stopped at step 0' }, () => process.exit(0));
  }
});
process.send({ type: 'status', status: 'training' });
`;

test('a forked stand-in trainer: validated events, dropped invalid ones, log lines, stop', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'll-trainer-'));
  const cliPath = path.join(dir, 'cli.cjs');
  fs.writeFileSync(cliPath, STAND_IN);
  const proc = new TrainerProcess({ cliPath, args: [], niceness: 0 });
  const run = new Run(proc, { runDir: dir, kind: 'train', hasCheckpoint: () => true });
  const events: string[] = [];
  const logs: string[] = [];
  run.onDidReceiveEvent((e) => events.push(e.type));
  run.onDidLog((l) => logs.push(l));
  await new Promise<void>((resolve) => { const d = run.onDidChange((s) => { if (s.status === 'training') { d.dispose(); resolve(); } }); });
  const exit = await run.stop(10_000);
  assert.equal(exit.code, 0);
  assert.equal(exit.unexpected, false);
  assert.equal(run.state.status, 'stopped');
  assert.deepEqual(events, ['log', 'status', 'checkpoint', 'done']);
  assert.equal(run.droppedMessages, 1);
  assert.ok(logs.some((l) => l.startsWith('[extension] dropped an invalid trainer message')), logs.join('\n'));
  assert.ok(logs.includes('loading 100%'), 'a \\r-redrawn line keeps its last frame');
  assert.ok(logs.includes('a warning'));
  assert.equal(exit.stderrTail, 'a warning');
  assert.equal(proc.send({ type: 'pause' }), false, 'nothing is sent to an ended process');
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
