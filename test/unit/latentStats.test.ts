// Active units and the trainer's "posterior collapse" warning: when it is given, and that a short
// run (an encoder that has not trained yet) does not get it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { EpochMetrics, TrainerEvent } from '../../src/protocol/trainerIpc';
import { DEFAULT_MODEL, DEFAULT_TRAINING } from '../../src/protocol/config';
import { COLLAPSE_MIN_STEPS, activeDims, isPosteriorCollapse, latentStatistics, muVariance, posteriorCollapseWarning } from '../../src/analysis/collapseRule';
import { TrainControl, train } from '../../src/trainer/train';

const sample = path.resolve(import.meta.dirname, '../../samples/fashion-mnist-2k');

test('active units: dimensions whose μ varies more than 0.01 over the images', () => {
  // 4 images × 3 dimensions: dimension 0 varies (var 1.25), 1 barely (var 0.0025), 2 is constant.
  const mu = new Float32Array([0, 0.1, 5, 1, 0, 5, 2, 0.1, 5, 3, 0, 5]);
  const logVar = new Float32Array(12);
  const { klPerDim, activeUnits, muVariance: variance } = latentStatistics(mu, logVar, 4, 3);
  assert.equal(activeUnits, 1);
  assert.deepEqual(activeDims(variance), [true, false, false]);
  // The one variance convention (collapseRule.ts): population variance over the images, / n.
  assert.ok(Math.abs(variance[0] - 1.25) < 1e-9 && Math.abs(variance[1] - 0.0025) < 1e-9 && variance[2] === 0);
  assert.deepEqual(muVariance(mu, 4, 3), variance);
  assert.ok(Math.abs(klPerDim[2] - 12.5) < 1e-6, 'KL of N(5, 1) against N(0, 1) is 5²/2');
});

test('posterior collapse is reported only once KL warm-up is over and the model has trained COLLAPSE_MIN_STEPS steps at full KL weight', () => {
  const d = 16;
  const warn = (activeUnits: number, step: number, klWarmupSteps = 0) => posteriorCollapseWarning({ activeUnits, latentDim: d, step, klWarmupSteps });
  assert.equal(COLLAPSE_MIN_STEPS, 100);
  // Few active units, no warm-up: only from step 100 on.
  assert.equal(warn(3, 14), undefined, 'epoch 1 of a tiny run: the encoder has not trained yet');
  assert.equal(warn(0, 99), undefined);
  assert.match(warn(3, 100) ?? '', /^posterior collapse: only 3 of 16 latent dimensions are active after 100 steps; try KL warm-up/);
  assert.ok(warn(4, 5000), 'a quarter of the dimensions (4 of 16) still counts as collapsed');
  // Enough active units: never.
  assert.equal(warn(5, 5000), undefined);
  assert.equal(warn(16, 5000), undefined);
  // KL warm-up over 1,000 steps: not while the weight is below 1, nor in the 100 steps after.
  assert.equal(warn(2, 500, 1000), undefined, 'KL weight 0.5');
  assert.equal(warn(2, 1000, 1000), undefined, 'warm-up just ended');
  assert.equal(warn(2, 1099, 1000), undefined);
  assert.ok(warn(2, 1100, 1000), '100 steps at full KL weight');
  // Small latent spaces: floor(D / 4) active units or fewer.
  assert.ok(posteriorCollapseWarning({ activeUnits: 0, latentDim: 2, step: 200, klWarmupSteps: 0 }));
  assert.equal(posteriorCollapseWarning({ activeUnits: 1, latentDim: 2, step: 200, klWarmupSteps: 0 }), undefined);
  // The warning and the verdict written to the epoch line are one rule.
  for (const [a, s, w] of [[3, 100, 0], [3, 99, 0], [5, 5000, 0], [2, 1100, 1000], [2, 1099, 1000]]) {
    const o = { activeUnits: a, latentDim: d, step: s, klWarmupSteps: w };
    assert.equal(isPosteriorCollapse(o), posteriorCollapseWarning(o) !== undefined);
  }
});

test('a short training run with few active units logs them without a collapse warning', async () => {
  await tf.setBackend('cpu');
  const runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'll-collapse-'));
  const events: TrainerEvent[] = [];
  // 80 images of 16×16 (72 for training) at batch 32 and a narrow model on the cpu backend:
  // 2 steps per epoch, 4 steps in all, a few seconds.
  const outcome = await train({
    runDir, backend: 'cpu', emit: (e) => events.push(e), control: new TrainControl(),
    config: {
      version: 1, dataDir: sample,
      model: { ...DEFAULT_MODEL, imageHeight: 16, imageWidth: 16, latentDim: 16, filters: [4, 8] },
      training: { ...DEFAULT_TRAINING, epochs: 2, batchSize: 32, maxImages: 80, backend: 'cpu', logEvery: 1 },
    },
  });
  assert.equal(outcome.status, 'completed', outcome.message);
  const epochs = events.flatMap((e) => (e.type === 'epochEnd' ? [e.metrics as EpochMetrics] : []));
  assert.equal(epochs.length, 2);
  // The regime the warning used to fire in: a quarter of the units or fewer active after a few steps.
  assert.ok(epochs.some((m) => m.activeUnits <= 4), `active units per epoch: ${epochs.map((m) => m.activeUnits).join(', ')}`);
  const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
  assert.ok(logs.some((m) => /active units/.test(m)), 'the epoch line gives the active units');
  // The epoch line carries the trainer's numbers for the panel: Var of μ per dimension and the verdict.
  for (const m of epochs) {
    assert.equal(m.muVariance?.length, 16);
    assert.equal(m.activeUnits, m.muVariance!.filter((v) => v > 0.01).length);
    assert.equal(m.collapsed, false, 'not due after 4 steps');
  }
  assert.deepEqual(logs.filter((m) => /posterior collapse/.test(m)), [], 'no collapse warning after 4 steps');
  await fs.rm(runDir, { recursive: true, force: true });
});
