/**
 * `latent-lens bench`: training throughput of the canonical model (shared/bench/CANONICAL.md)
 * at a given batch size, on real Fashion-MNIST images when Debian's dataset-fashion-mnist is
 * installed (random pixels otherwise: the speed of dense conv kernels does not depend on values).
 * Median images/s of several timed steps after warm-up steps.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { PRESETS, DEFAULT_TRAINING } from '../protocol/config';
import { VaeModel } from '../model/vaeModel';
import { createAdam } from '../backend/fusedAdam';

const FASHION_MNIST = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';

export interface BenchResult { train_images_per_s: number; backend: string; batch_size: number; timed_steps: number; step_ms_median: number; data: string }

export async function runBench(opts: { backend: string; batchSize: number; steps: number; warmup?: number; log: (m: string) => void }): Promise<BenchResult> {
  const { batchSize, steps } = opts;
  const warmup = opts.warmup ?? 3;
  let pixels: Float32Array;
  let data = 'random';
  if (existsSync(FASHION_MNIST)) {
    const raw = gunzipSync(readFileSync(FASHION_MNIST));
    pixels = Float32Array.from(raw.subarray(16, 16 + batchSize * 784), (v) => v / 255);
    data = 'fashion-mnist';
  } else {
    pixels = Float32Array.from({ length: batchSize * 784 }, () => Math.random());
  }
  const model = new VaeModel(PRESETS.canonical.model, { ...DEFAULT_TRAINING, ...PRESETS.canonical.training }, { createAdam });
  const x = tf.tensor4d(pixels, [batchSize, 28, 28, 1]);
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    model.trainStep(x);
    const ms = performance.now() - t0;
    if (i >= warmup) times.push(ms);
    opts.log(`${i < warmup ? 'warm-up' : 'timed'} step ${i + 1}: ${ms.toFixed(0)} ms`);
  }
  x.dispose();
  model.dispose();
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  return { train_images_per_s: Math.round((batchSize * 1000 * 10) / median) / 10, backend: opts.backend, batch_size: batchSize, timed_steps: steps, step_ms_median: Math.round(median), data };
}
