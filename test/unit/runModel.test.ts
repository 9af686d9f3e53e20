/** The Run model (src/extension/runs/run.ts) driven by a fake trainer: state, events, exits. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Run, type RunState } from '../../src/extension/runs/run';
import { progressText } from '../../src/extension/runs/runText';
import { FakeTrainer } from './fakeTrainer';

function newRun(opts: { hasCheckpoint?: boolean; kind?: 'train' | 'resume' | 'encode' } = {}) {
  const trainer = new FakeTrainer();
  const run = new Run(trainer, { runDir: '/runs/r', kind: opts.kind ?? 'train', hasCheckpoint: () => opts.hasCheckpoint ?? false });
  const states: RunState[] = [];
  run.onDidChange((s) => states.push(s));
  return { trainer, run, states };
}

test('a new run is starting, with nothing known yet', () => {
  const { run } = newRun();
  assert.equal(run.running, true);
  assert.deepEqual(run.state, { status: 'starting', epoch: 0, epochs: 0, epochsDone: 0, step: 0, stepsPerEpoch: 0 });
  assert.equal(run.fraction, 0);
});

test('started: training, epoch 1 of the configured epochs, the backend', () => {
  const { trainer, run, states } = newRun();
  trainer.started({ epochs: 10, stepsPerEpoch: 50, backend: 'tfjs-node' });
  assert.equal(states.length, 1);
  assert.equal(run.state.status, 'training');
  assert.equal(run.state.epoch, 1);
  assert.equal(run.state.epochs, 10);
  assert.equal(run.state.backend, 'tfjs-node');
});

test('issue 14: the epoch is the trainer\'s own 1-based epoch, not one more', () => {
  const { trainer, run } = newRun();
  trainer.started({ epochs: 10, stepsPerEpoch: 50 });
  trainer.trainEpochs(1, 2);
  // Step 125 is in the third epoch (steps 101…150); the trainer says epoch 3.
  while (trainer.step < 125) trainer.trainStep(3);
  assert.equal(run.state.step, 125);
  assert.equal(run.state.epoch, 3);
  assert.equal(run.state.epochsDone, 2);
  assert.match(progressText(run.state), /^epoch 3\/10 · step 125 · /);
  assert.equal(run.fraction, 125 / 500);
});

test('an epoch end keeps the epoch that ended until the next step', () => {
  const { trainer, run } = newRun();
  trainer.started({ epochs: 3, stepsPerEpoch: 10 });
  trainer.trainEpochs(1, 1);
  assert.equal(run.state.epoch, 1);
  assert.equal(run.state.epochsDone, 1);
  assert.equal(run.state.lastEpoch?.epoch, 1);
  trainer.trainStep(2);
  assert.equal(run.state.epoch, 2);
});

test('a resumed run starts in the epoch of its checkpoint', () => {
  const { trainer, run } = newRun({ kind: 'resume' });
  trainer.started({ epochs: 5, stepsPerEpoch: 50, step: 120 });
  assert.equal(run.state.epoch, 3);
  assert.equal(run.state.step, 120);
  trainer.started({ epochs: 5, stepsPerEpoch: 50, step: 100 });
  assert.equal(run.state.epoch, 3, 'at an epoch boundary the next epoch begins');
});

test('completed: a clean exit, the last epoch, fraction 1', async () => {
  const { trainer, run } = newRun();
  trainer.started({ epochs: 2, stepsPerEpoch: 5 });
  trainer.trainEpochs(1, 2);
  trainer.complete();
  const exit = await run.exited;
  assert.equal(exit.unexpected, false);
  assert.equal(exit.done?.status, 'completed');
  assert.equal(run.running, false);
  assert.equal(run.state.status, 'completed');
  assert.equal(run.state.epoch, 2);
  assert.equal(run.fraction, 1);
  assert.equal(run.state.failure, undefined);
});

test('pause and continue send the trainer\'s pause / resume commands; the status follows the trainer', async () => {
  const { trainer, run } = newRun();
  trainer.started();
  assert.equal(run.pause(), true);
  await Promise.resolve();
  assert.equal(run.state.status, 'paused');
  assert.equal(run.continue(), true);
  await Promise.resolve();
  assert.equal(run.state.status, 'training');
  assert.deepEqual(trainer.sent.map((c) => c.type), ['pause', 'resume']);
});

test('stop: the trainer writes a checkpoint and exits 0; stopped, not failed', async () => {
  const { trainer, run } = newRun();
  trainer.started({ epochs: 3, stepsPerEpoch: 10 });
  trainer.trainStep(1);
  const exit = await run.stop(1000);
  assert.equal(exit.unexpected, false);
  assert.equal(run.state.status, 'stopped');
  assert.equal(run.state.failure, undefined);
  assert.deepEqual(trainer.sent.map((c) => c.type), ['stop']);
  assert.equal(await run.stop(), exit, 'stopping an ended run answers its exit');
});

test('stop: a trainer that does not obey is terminated after the grace period', async () => {
  const { trainer, run } = newRun();
  trainer.obey = false;
  trainer.started();
  const exit = await run.stop(20);
  assert.deepEqual(trainer.signals, ['SIGTERM']);
  assert.equal(exit.signal, 'SIGTERM');
  assert.equal(exit.unexpected, true);
});

test('killed (out of memory): failed, with the reason, the stderr tail and whether it can resume', async () => {
  const { trainer, run } = newRun({ hasCheckpoint: true });
  trainer.started();
  trainer.trainStep(1);
  trainer.log('allocating 3 GB', true);
  trainer.log('an info line', false);
  const exits: unknown[] = [];
  run.onDidExit((e) => exits.push(e));
  run.kill('SIGKILL');
  const exit = await run.exited;
  assert.equal(exits.length, 1);
  assert.equal(exit.unexpected, true);
  assert.match(exit.message, /killed by SIGKILL \(out of memory/);
  assert.equal(exit.stderrTail, 'allocating 3 GB');
  assert.equal(run.state.status, 'failed');
  assert.deepEqual(run.state.failure, { message: exit.message, stderrTail: 'allocating 3 GB', resumable: true, started: true });
});

test('a trainer that reports failed and exits 1: "training failed: …", not resumable without a checkpoint', async () => {
  const { trainer, run } = newRun({ hasCheckpoint: false });
  trainer.started();
  trainer.event({ type: 'log', level: 'error', message: 'the loss became NaN' });
  trainer.event({ type: 'done', status: 'failed', message: 'the loss became NaN at step 3' });
  trainer.exit(1, null);
  const exit = await run.exited;
  assert.equal(exit.message, 'training failed: the loss became NaN at step 3');
  assert.equal(run.state.failure?.resumable, false);
  assert.equal(run.state.failure?.stderrTail, 'the loss became NaN');
});

test('a trainer that exits 0 without "done" ended unexpectedly', async () => {
  const { trainer, run } = newRun();
  trainer.started();
  trainer.exit(0, null);
  const exit = await run.exited;
  assert.equal(exit.unexpected, true);
  assert.equal(exit.message, 'the trainer exited without finishing');
  assert.equal(run.state.status, 'failed');
});

test('every event reaches onDidReceiveEvent after the state took it in; logs reach onDidLog', () => {
  const { trainer, run } = newRun();
  const seen: string[] = [];
  run.onDidReceiveEvent((e) => seen.push(`${e.type}@${run.state.step}`));
  const lines: string[] = [];
  run.onDidLog((l) => lines.push(l));
  trainer.started({ stepsPerEpoch: 10 });
  trainer.trainStep(1);
  trainer.event({ type: 'latents', epoch: 1, step: 1, count: 100 });
  trainer.emit('invalid', 'type: expected step');
  trainer.log('hello');
  assert.deepEqual(seen, ['started@0', 'step@1', 'latents@1']);
  assert.equal(run.droppedMessages, 1);
  assert.deepEqual(lines, ['[extension] dropped an invalid trainer message: type: expected step', 'hello']);
});

test('events after the exit change nothing; requestProjection needs a live trainer', async () => {
  const { trainer, run } = newRun();
  trainer.started();
  assert.equal((await run.requestProjection()).type, 'projection');
  trainer.complete();
  await run.exited;
  const before = run.state;
  trainer.emit('event', { type: 'status', status: 'training' });
  assert.equal(run.state, before);
  await assert.rejects(run.requestProjection(), /not running/);
});

test('an encode run is never offered a resume', async () => {
  const { trainer, run } = newRun({ kind: 'encode', hasCheckpoint: true });
  trainer.started({ epochs: 1, stepsPerEpoch: 1 });
  trainer.exit(1, null);
  await run.exited;
  assert.equal(run.state.failure?.resumable, false);
});

test('a trainer that could not start: failed, not started, with its own reason', async () => {
  const { trainer, run } = newRun();
  trainer.log('latent-lens: train needs exactly one image folder', true);
  trainer.event({ type: 'done', status: 'failed', message: 'train needs exactly one image folder' });
  trainer.exit(2, null);
  const exit = await run.exited;
  assert.equal(run.hasStarted, false);
  assert.equal(run.state.status, 'failed');
  assert.equal(run.state.failure?.started, false);
  assert.equal(exit.message, 'training failed: train needs exactly one image folder');
});

test('an encode run that fails says "encoding failed"', async () => {
  const { trainer, run } = newRun({ kind: 'encode' });
  trainer.started({ epochs: 1, stepsPerEpoch: 1 });
  trainer.event({ type: 'done', status: 'failed', message: 'the model does not fit the images' });
  trainer.exit(1, null);
  assert.equal((await run.exited).message, 'encoding failed: the model does not fit the images');
});

test('whether a checkpoint is left may be read asynchronously; the exit waits for it, and every subscriber sees it', async () => {
  const trainer = new FakeTrainer();
  let release!: (v: boolean) => void;
  const run = new Run(trainer, { runDir: '/runs/r', kind: 'train', hasCheckpoint: () => new Promise<boolean>((r) => { release = r; }) });
  const seen: (boolean | undefined)[] = [];
  run.onDidExit(() => seen.push(run.state.failure?.resumable));
  trainer.started();
  trainer.exit(null, 'SIGKILL');
  await Promise.resolve();
  assert.equal(seen.length, 0, 'not ended before the checkpoint is known');
  trainer.emit('event', { type: 'status', status: 'paused' });
  assert.equal(run.state.status, 'training', 'events after the process exit change nothing');
  release(true);
  await run.exited;
  assert.deepEqual(seen, [true]);
  assert.equal(run.running, false);
});
