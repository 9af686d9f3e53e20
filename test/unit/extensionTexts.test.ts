/** The words users see about a run (src/extension/runs/runText.ts). */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { RunState } from '../../src/extension/runs/run';
import {
  STATUS_ICON, completedMessage, exitLine, failureMessage, progressText, progressTitle, resumeQuestion, statusBarText, statusTooltip,
} from '../../src/extension/runs/runText';

const training: RunState = { status: 'training', epoch: 3, epochs: 10, epochsDone: 2, step: 125, stepsPerEpoch: 50, loss: 212.44, imagesPerSec: 850.4, backend: 'wasm' };

test('progress text while training: the trainer\'s epoch, step, loss, speed', () => {
  assert.equal(progressText(training), 'epoch 3/10 · step 125 · loss 212.4 · 850 img/s');
  assert.equal(statusBarText(training), '$(sync~spin) VAE epoch 3/10 · step 125 · loss 212.4 · 850 img/s');
});

test('starting, and before any step', () => {
  const starting: RunState = { status: 'starting', epoch: 0, epochs: 0, epochsDone: 0, step: 0, stepsPerEpoch: 0 };
  assert.equal(progressText(starting), 'starting…');
  assert.equal(statusBarText(starting), '$(loading~spin) VAE starting…');
  // What the UI test waits for right after "started".
  assert.equal(statusBarText({ ...starting, status: 'training', epoch: 1, epochs: 3, stepsPerEpoch: 14 }), '$(sync~spin) VAE epoch 1/3 · step 0');
});

test('paused, stopped, failed and completed each have their own icon and word', () => {
  const icons = new Set(Object.values(STATUS_ICON));
  assert.equal(icons.size, Object.keys(STATUS_ICON).length, 'no two statuses share an icon');
  assert.equal(statusBarText({ ...training, status: 'paused' }), '$(debug-pause) VAE epoch 3/10 · step 125 · loss 212.4 · paused');
  assert.equal(statusBarText({ ...training, status: 'stopped' }), '$(debug-stop) VAE epoch 3/10 · step 125 · loss 212.4 · stopped');
  assert.equal(statusBarText({ ...training, status: 'failed' }), '$(error) VAE epoch 3/10 · step 125 · loss 212.4 · failed');
  assert.equal(statusBarText({ ...training, status: 'completed', epoch: 10, step: 500 }), '$(check) VAE epoch 10/10 · step 500 · loss 212.4 · completed');
});

test('the epoch shown never exceeds the configured epochs', () => {
  assert.match(progressText({ ...training, epoch: 11 }), /^epoch 10\/10 /);
  assert.match(progressText({ ...training, epochs: 0 }), /^epoch 3\/\? /);
});

test('an encode run speaks of encoding', () => {
  assert.equal(progressText(training, 'encode'), 'encoding…');
  assert.equal(progressText({ ...training, status: 'completed' }, 'encode'), 'encoding completed');
  assert.equal(progressTitle('encode', 'shoes'), 'Encoding shoes');
  assert.equal(progressTitle('train', 'shoes'), 'Training VAE on shoes');
  assert.equal(progressTitle('resume', 'shoes-1'), 'Resuming VAE run shoes-1');
});

test('the tooltip names the run, says what the status means, the backend and a failure', () => {
  const t = statusTooltip('shoes-20250101-120000', { ...training, status: 'failed', failure: { message: 'the trainer was killed by SIGKILL', stderrTail: '', resumable: true } });
  assert.match(t, /^\*\*Latent Lens\*\* — shoes-20250101-120000/);
  assert.match(t, /Ended unexpectedly/);
  assert.match(t, /backend wasm/);
  assert.match(t, /killed by SIGKILL/);
  assert.match(statusTooltip('r', { ...training, status: 'paused' }), /Continue Training/);
  assert.match(statusTooltip('r', { ...training, status: 'stopped' }), /Resume Run from Last Checkpoint/);
});

test('failure message: the reason and the last two lines of output, at most 300 characters of them', () => {
  assert.equal(failureMessage('r1', { message: 'the trainer was killed by SIGKILL', stderrTail: '' }), 'Latent Lens: training of r1 ended unexpectedly — the trainer was killed by SIGKILL.');
  assert.equal(
    failureMessage('r1', { message: 'the trainer exited with code 1', stderrTail: 'a\nb\nError: out of memory' }),
    'Latent Lens: training of r1 ended unexpectedly — the trainer exited with code 1. Last output: b Error: out of memory',
  );
  const long = failureMessage('r1', { message: 'x', stderrTail: 'y'.repeat(1000) });
  assert.ok(long.endsWith(' Last output: ' + 'y'.repeat(300)));
});

test('completed message, exit line, resume question', () => {
  assert.equal(completedMessage('r1'), 'Latent Lens: training of r1 completed.');
  assert.equal(exitLine('r1', { code: 0, signal: null, unexpected: false, message: 'completed: trained 2 epochs', stderrTail: '' }), '✔ r1: completed: trained 2 epochs (exit code 0)');
  assert.equal(exitLine('r1', { code: null, signal: 'SIGKILL', unexpected: true, message: 'killed', stderrTail: '' }), '✖ r1: killed (exit code —, SIGKILL)');
  assert.equal(resumeQuestion('r1', { status: 'stopped', epoch: 2, epochs: 5 }), 'r1 is stopped at epoch 2/5. Resume training from its last checkpoint?');
  assert.equal(resumeQuestion('r1', { epoch: 0, epochs: 5 }), 'r1 is interrupted at epoch 0/5. Resume training from its last checkpoint?');
});
