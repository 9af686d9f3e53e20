/** The words users see about a run (src/extension/runs/runText.ts). */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { RunState } from '../../src/extension/runs/run';
import {
  END_ACTION_LABELS, STATUS_ICON, completedMessage, endNotice, exitLine, failureMessage, outputTail, outsideWorkspaceDetail, progressText, progressTitle,
  resumeQuestion, sentence, statusBarText, statusTooltip, stoppedMessage,
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
  const t = statusTooltip('shoes-20250101-120000', { ...training, status: 'failed', failure: { message: 'the trainer was killed by SIGKILL', stderrTail: '', resumable: true, started: true } });
  assert.match(t, /^\*\*Latent Lens\*\* — shoes-20250101-120000/);
  assert.match(t, /Ended unexpectedly/);
  assert.match(t, /backend wasm/);
  assert.match(t, /killed by SIGKILL/);
  assert.match(statusTooltip('r', { ...training, status: 'paused' }), /Continue Training/);
  assert.match(statusTooltip('r', { ...training, status: 'stopped' }), /Resume Run from Last Checkpoint/);
});

test('failure message of a trainer that died without a word: the reason and the last two lines of output, at most 300 characters of them', () => {
  assert.equal(failureMessage('r1', 'train', { message: 'the trainer was killed by SIGKILL', stderrTail: '' }), 'Latent Lens: training of r1 ended unexpectedly: the trainer was killed by SIGKILL.');
  assert.equal(
    failureMessage('r1', 'train', { message: 'the trainer exited with code 1', stderrTail: 'a\nb\nError: out of memory' }),
    'Latent Lens: training of r1 ended unexpectedly: the trainer exited with code 1. Last output: b Error: out of memory',
  );
  const long = failureMessage('r1', 'train', { message: 'x', stderrTail: 'y'.repeat(1000) });
  assert.ok(long.endsWith(' Last output: ' + 'y'.repeat(300)));
});

// What the trainer does after a bad argument (src/trainer/cli.ts): stderr "latent-lens: <reason>",
// a blank line, the usage text; then `done` failed with the reason, and exit code 2.
const USAGE_TAIL = 'latent-lens: --request: imageSize: image size 9 is not usable.\n\nusage:\n  latent-lens train <folder> --out <runDir> [--request <json>]\n        [--epochs N] [--batch-size N]';
const cannotStart = { message: 'training failed: --request: imageSize: image size 9 is not usable.', stderrTail: USAGE_TAIL, done: { type: 'done' as const, status: 'failed' as const, message: '--request: imageSize: image size 9 is not usable.' } };

test('issue 14: a trainer that could not start: one message, the reason once, one full stop, no usage text, not "ended unexpectedly"', () => {
  const text = failureMessage('shoes-1', 'train', cannotStart, false);
  assert.equal(text, 'Latent Lens: training shoes-1 could not start: --request: imageSize: image size 9 is not usable.');
  assert.equal(text.split('image size 9').length, 2, 'the reason appears once');
  assert.doesNotMatch(text, /\.\.|usage|ended unexpectedly|Last output/);
  // Without a `done` (the process died before it could say why): the output, minus the usage text.
  assert.equal(
    failureMessage('shoes-1', 'train', { message: 'the trainer exited with code 2', stderrTail: USAGE_TAIL }, false),
    'Latent Lens: training shoes-1 could not start: the trainer exited with code 2. Last output: latent-lens: --request: imageSize: image size 9 is not usable.',
  );
  assert.equal(failureMessage('r1', 'resume', { ...cannotStart, done: { ...cannotStart.done, message: 'checkpoint.json names ckpt-5, which has no state.json' } }, false),
    'Latent Lens: resuming r1 could not start: checkpoint.json names ckpt-5, which has no state.json.');
  assert.equal(failureMessage('r1', 'encode', { ...cannotStart, done: { ...cannotStart.done, message: 'no usable image in "/d"' } }, false),
    'Latent Lens: encoding r1 could not start: no usable image in "/d".');
});

test('a trainer that failed after it started and said why: "failed: <reason>." without its output', () => {
  const exit = { message: 'training failed: the loss became NaN at step 3', stderrTail: 'the loss became NaN at step 3', done: { type: 'done' as const, status: 'failed' as const, message: 'the loss became NaN at step 3' } };
  assert.equal(failureMessage('r1', 'train', exit), 'Latent Lens: training of r1 failed: the loss became NaN at step 3.');
  assert.equal(failureMessage('r1', 'encode', exit), 'Latent Lens: encoding of r1 failed: the loss became NaN at step 3.');
});

test('sentence and outputTail: one full stop; no usage block, no line repeating the reason', () => {
  assert.equal(sentence('done.'), 'done.');
  assert.equal(sentence('done..  '), 'done.');
  assert.equal(sentence('done'), 'done.');
  assert.equal(outputTail('x\nlatent-lens: bad\n\nusage:\n  latent-lens train', 'bad'), 'x');
  assert.equal(outputTail('a\nb\nc', 'zzz'), 'b c');
});

test('the end of a run: one message, and the one click that goes on from it', () => {
  const base = { ...training, epochs: 5, epoch: 2, step: 120 };
  const stopped = { ...base, status: 'stopped' as const };
  assert.deepEqual(endNotice('r1', 'train', stopped, { message: 'stopped: stopped at step 120', stderrTail: '' }, true), {
    severity: 'info', text: 'Latent Lens: training of r1 stopped at epoch 2/5, step 120, with a checkpoint to resume from.', actions: ['resume', 'show'],
  });
  assert.deepEqual(endNotice('r1', 'train', stopped, { message: '', stderrTail: '' }, false)?.actions, ['show']);
  assert.equal(stoppedMessage('r1', { ...stopped, epochs: 0 }, false), 'Latent Lens: training of r1 stopped.');
  assert.deepEqual(endNotice('r1', 'train', { ...base, status: 'completed' }, { message: '', stderrTail: '' }, false), { severity: 'info', text: completedMessage('r1'), actions: ['show'] });
  const failed = { ...base, status: 'failed' as const, failure: { message: 'the trainer was killed by SIGKILL', stderrTail: '', resumable: true, started: true } };
  const n = endNotice('r1', 'train', failed, { message: 'the trainer was killed by SIGKILL', stderrTail: '' }, false)!;
  assert.equal(n.severity, 'error');
  assert.deepEqual(n.actions, ['resume', 'showLog'], 'a checkpoint is left: resuming is one click');
  const never = { ...training, status: 'failed' as const, failure: { message: cannotStart.message, stderrTail: USAGE_TAIL, resumable: false, started: false } };
  assert.deepEqual(endNotice('r1', 'train', never, cannotStart, false), {
    severity: 'error', text: 'Latent Lens: training r1 could not start: --request: imageSize: image size 9 is not usable.', actions: ['showLog'],
  });
  assert.equal(endNotice('r1', 'encode', { ...base, status: 'completed' }, { message: '', stderrTail: '' }, false), undefined, 'an encoding shows its result in the panel');
  assert.equal(END_ACTION_LABELS.resume, 'Resume from Last Checkpoint');
});

test('Load Model… speaks of encoding in the tooltip too', () => {
  assert.match(statusTooltip('r', { ...training }, 'encode'), /Encoding the images/);
  assert.doesNotMatch(statusTooltip('r', { ...training }, 'encode'), /Training|Pause/);
  assert.match(statusTooltip('r', { ...training, status: 'completed' }, 'encode'), /Encoding completed/);
});

test('the question before writing outside the workspace says where', () => {
  assert.match(outsideWorkspaceDetail('/elsewhere/run-1', 'resume'), /^Resuming writes .* into \/elsewhere\/run-1, which is outside the open workspace/);
  assert.match(outsideWorkspaceDetail('/elsewhere/run-1', 'train'), /writes the run folder \/elsewhere\/run-1/);
});

test('completed message, exit line, resume question', () => {
  assert.equal(completedMessage('r1'), 'Latent Lens: training of r1 completed.');
  assert.equal(exitLine('r1', { code: 0, signal: null, unexpected: false, message: 'completed: trained 2 epochs', stderrTail: '' }), '✔ r1: completed: trained 2 epochs (exit code 0)');
  assert.equal(exitLine('r1', { code: null, signal: 'SIGKILL', unexpected: true, message: 'killed', stderrTail: '' }), '✖ r1: killed (exit code —, SIGKILL)');
  assert.equal(resumeQuestion('r1', { status: 'stopped', epoch: 2, epochs: 5 }), 'r1 is stopped at epoch 2/5. Resume training from its last checkpoint?');
  assert.equal(resumeQuestion('r1', { epoch: 0, epochs: 5 }), 'r1 is interrupted at epoch 0/5. Resume training from its last checkpoint?');
});
