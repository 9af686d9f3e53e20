// Issue 13: a short training run shows a map (a PCA of a sample, src/trainer/earlyMap.ts) before
// the end of epoch 1, through the usual projection path; the epoch-end map then replaces it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrainerEvent } from '../../src/protocol/trainerIpc';
import { configFromRequest } from '../../src/protocol/trainRequest';
import { initBackend } from '../../src/backend/backendInit';
import { TrainControl, train } from '../../src/trainer/train';
import { readProjection } from '../../src/run/runDir';
import { projectLatents } from '../../src/trainer/projection';

test('a projection (epoch 0, a sample placed) comes before the end of epoch 1, refreshed, then the full epoch-end map', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'll-earlymap-'));
  process.env.LATENT_LENS_CACHE_DIR ??= path.join(tmp, 'cache');
  try {
    await initBackend('wasm', () => undefined);
    const { config } = configFromRequest(path.resolve('samples/fashion-mnist-2k'), { maxImages: 400, batchSize: 16, epochs: 1, latentDim: 4, valSplit: 0.1 });
    const runDir = path.join(tmp, 'run');
    const events: TrainerEvent[] = [];
    const maps: { epoch: number; finite: number; count: number }[] = [];
    const emit = (e: TrainerEvent) => {
      events.push(e);
      if (e.type === 'projection' && e.epoch === 0) {
        void readProjection(runDir).then((p) => maps.push({ epoch: p!.epoch, finite: p!.x.filter(Number.isFinite).length, count: p!.x.length }));
      }
    };
    const out = await train({
      runDir, config, channels: 1, backend: 'wasm', emit, control: new TrainControl(), noCache: true,
      project: (mu, count, dim, previous, onPca) => projectLatents(mu, count, dim, previous, { onPca, method: 'pca' }),
      earlyMap: { sampleSize: 100, firstAfterMs: 0, firstAfterSteps: 3, everySteps: 8, refreshMs: 1e9 },
    });
    assert.equal(out.status, 'completed');
    const kinds = events.map((e) => (e.type === 'projection' ? `projection:${e.epoch}` : e.type));
    const firstEarly = kinds.indexOf('projection:0');
    const epochEnd = kinds.indexOf('epochEnd');
    assert.ok(firstEarly >= 0 && firstEarly < epochEnd, kinds.join(' '));
    assert.ok(kinds.indexOf('started') < firstEarly, 'once training runs');
    // 22 steps: maps at steps 3, 11, 19 at most (a refresh also waits 20× the last map's cost)
    const early = kinds.filter((k) => k === 'projection:0').length;
    assert.ok(early >= 1 && early <= 3, `${early} early maps`);
    assert.ok(kinds.lastIndexOf('projection:1') > epochEnd, 'the epoch-end map follows');
    assert.ok(maps.length >= 1);
    for (const m of maps) assert.deepEqual(m, { epoch: 0, finite: 100, count: 400 });
    assert.ok(events.some((e) => e.type === 'log' && /\d+ early maps? of 100 images in [\d.]+ s \([\d.]+% of epoch 1\)/.test(e.message)));
    const final = (await readProjection(runDir))!;
    assert.equal(final.epoch, 1);
    assert.equal(final.x.filter(Number.isFinite).length, 400, 'the epoch-end map places every image');
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});
