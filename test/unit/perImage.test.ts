// The per-image quantities of latents/ (recon with z = μ, KL, mean σ²): src/analysis/perImage.ts,
// src/trainer/perImagePass.ts, written and read back through src/run.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildDecoder, buildEncoder } from '../../src/model/vae';
import { klPerImageAndDim, reconstructionPerImage } from '../../src/model/loss';
import { encodeAll } from '../../src/analysis/latentStats';
import { klPerImage, meanVariancePerImage } from '../../src/analysis/perImage';
import { perImageQuantities, reconAtMean } from '../../src/trainer/perImagePass';
import { RunFileError, readLatents, readPerImage, runPaths, writeLatents } from '../../src/run/runDir';
import type { ModelConfig } from '../../src/protocol/runFormat';

before(async () => { await tf.setBackend('cpu'); });

const tiny: ModelConfig = { imageHeight: 8, imageWidth: 12, channels: 1, latentDim: 3, filters: [4], likelihood: 'bernoulli' };
const shape = { height: 8, width: 12, channels: 1 as const };
// More than one batch of 256, the last one partial.
const count = 300;

function randomPixels(n: number, seed = 1): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: n * 8 * 12 }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24));
}

const close = (a: number, b: number, rel = 1e-5) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

for (const likelihood of ['bernoulli', 'gaussian'] as const) {
  test(`recon with z = μ is loss.ts's likelihood term of the decoded μ, per image (${likelihood})`, () => {
    const model = { ...tiny, likelihood };
    const encoder = buildEncoder(model, 3), decoder = buildDecoder(model, 3);
    const pixels = randomPixels(count);
    const { mu } = encodeAll(encoder, pixels, count, shape, 3);
    const recon = reconAtMean(decoder, mu, pixels, count, shape, 3, likelihood);
    const direct = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(pixels, (v) => v / 255), [count, 8, 12, 1]);
      const logits = decoder.predict(tf.tensor2d(mu, [count, 3])) as tf.Tensor4D;
      return reconstructionPerImage(x, logits, likelihood).dataSync();
    });
    assert.equal(recon.length, count);
    for (let i = 0; i < count; i++) assert.ok(close(recon[i], direct[i]), `image ${i}: ${recon[i]} vs ${direct[i]}`);
    assert.ok(recon.every((v) => v > 0 && Number.isFinite(v)));
    encoder.dispose(); decoder.dispose();
  });
}

test('KL per image is the analytic formula of loss.ts summed over dimensions; mean σ² = mean(exp(log σ²))', () => {
  const d = 4, n = 50;
  const mu = Float32Array.from({ length: n * d }, (_, k) => Math.sin(k) * 2);
  const logVar = Float32Array.from({ length: n * d }, (_, k) => Math.cos(k * 1.7) * 3);
  const kl = klPerImage(mu, logVar, n, d);
  const meanVar = meanVariancePerImage(logVar, n, d);
  const viaLoss = tf.tidy(() => tf.sum(klPerImageAndDim(tf.tensor2d(mu, [n, d]), tf.tensor2d(logVar, [n, d])), 1).dataSync());
  for (let i = 0; i < n; i++) {
    let formula = 0, v = 0;
    for (let j = 0; j < d; j++) {
      const m = mu[i * d + j], lv = logVar[i * d + j];
      formula += 0.5 * (Math.exp(lv) + m * m - 1 - lv);
      v += Math.exp(lv) / d;
    }
    assert.ok(close(kl[i], formula), `KL of image ${i}: ${kl[i]} vs ${formula}`);
    assert.ok(close(kl[i], viaLoss[i], 1e-5), `KL of image ${i}: ${kl[i]} vs loss.ts ${viaLoss[i]}`);
    assert.ok(close(meanVar[i], v), `mean σ² of image ${i}`);
  }
  // The prior itself: μ = 0, σ = 1 → KL 0, mean σ² 1.
  assert.deepEqual([...klPerImage([0, 0], [0, 0], 1, 2)], [0]);
  assert.deepEqual([...meanVariancePerImage([0, 0], 1, 2)], [1]);
});

test('written with the latents, listed in latents/index.json, read back; a truncated file is named', async () => {
  const run = mkdtempSync(path.join(os.tmpdir(), 'll-perimage-'));
  try {
    const encoder = buildEncoder(tiny, 5), decoder = buildDecoder(tiny, 5);
    const pixels = randomPixels(count, 7);
    const latents = encodeAll(encoder, pixels, count, shape, 3);
    const values = perImageQuantities(decoder, latents, pixels, count, shape, 3, 'bernoulli');
    encoder.dispose(); decoder.dispose();
    assert.equal(await readPerImage(run), undefined, 'no latents: undefined');
    // latents written without per-image quantities (a run of an older version): undefined
    await writeLatents(run, 1, 10, 3, latents.mu, latents.logVar);
    assert.equal(await readPerImage(run), undefined);
    await writeLatents(run, 2, 20, 3, latents.mu, latents.logVar, values);
    assert.deepEqual((await readLatents(run))!.index.perImage, ['recon', 'kl', 'meanVar']);
    const back = (await readPerImage(run))!;
    assert.deepEqual([back.epoch, back.step], [2, 20]);
    assert.deepEqual([...back.recon], [...values.recon]);
    assert.deepEqual([...back.kl], [...values.kl]);
    assert.deepEqual([...back.meanVar], [...values.meanVar]);
    const p = runPaths(run);
    truncateSync(p.kl, 100);
    await assert.rejects(readPerImage(run), (e: Error) => e instanceof RunFileError && e.message.includes(p.kl) && /holds 100 bytes, 1200 expected/.test(e.message));
    writeFileSync(p.kl, Buffer.alloc(count * 4));
    await assert.rejects(writeLatents(run, 3, 30, 3, latents.mu, latents.logVar, { ...values, meanVar: new Float32Array(5) }), /per-image meanVar has 5 values for 300 images/);
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
});
