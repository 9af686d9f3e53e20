/**
 * `latent-lens bench`: training throughput of a model (shared/bench/CANONICAL.md) at a given
 * batch size: the canonical model by default, or the model the train flags describe
 * (`--preset canonical-mlp`, `--image-size 64 --channels 3`, `--arch mlp`, `--conditional`).
 * 28×28×1 models train on real Fashion-MNIST images when Debian's dataset-fashion-mnist is
 * installed; other shapes on random binary images, as `torch_ref.py --synthetic` (the speed of
 * dense kernels does not depend on values). Median images/s of several timed steps after warm-up steps.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_TRAINING, modelKind, PRESETS } from '../protocol/config';
import { configFromRequest, type TrainRequest } from '../protocol/trainRequest';
import type { ModelConfig } from '../protocol/runFormat';
import { VaeModel } from '../model/vaeModel';
import { oneHotLabels } from '../model/vae';
import { createAdam } from '../backend/fusedAdam';
import { nativeKernels } from '../backend/wasm/nativeKernels';
import { mulberry32 } from '../model/random';

const FASHION_MNIST = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
/** Labels of a conditional model under test (Fashion-MNIST has 10). */
const BENCH_LABELS = 10;

export interface BenchResult {
  train_images_per_s: number; backend: string; batch_size: number; timed_steps: number; step_ms_median: number; data: string;
  model: string; shape: [number, number, number];
  /** Whether the wasm backend's convolutions and matrix products ran on the native kernels (src/backend/wasm/nativeKernels.ts). */
  native_kernels: boolean;
  /**
   * Process CPU time (all threads: the main thread and the wasm pool's workers) per timed step,
   * median, and its ratio to the step's wall time: ≈ the cores the step actually got. Wall time
   * swings with the machine's other load; CPU time much less (docs/performance.md).
   */
  cpu_ms_per_step_median: number; cores_used_median: number;
}

const MODEL_KEYS = ['preset', 'imageSize', 'channels', 'latentDim', 'likelihood', 'arch', 'conditional'] as const;

/** The model a bench request describes: the canonical preset when it names none of the model's parameters. */
export function benchModel(request: TrainRequest = {}): ModelConfig {
  const named = MODEL_KEYS.some((k) => request[k] !== undefined);
  const { config } = configFromRequest('/bench', named ? request : { ...request, preset: 'canonical' });
  const model = config.model;
  return model.conditional ? { ...model, labels: Array.from({ length: BENCH_LABELS }, (_, i) => `label ${i}`) } : model;
}

export async function runBench(opts: { backend: string; batchSize: number; steps: number; warmup?: number; log: (m: string) => void; request?: TrainRequest }): Promise<BenchResult> {
  const { batchSize, steps } = opts;
  const warmup = opts.warmup ?? 3;
  const model = benchModel(opts.request);
  const { imageHeight: h, imageWidth: w, channels: c } = model;
  const size = h * w * c;
  let pixels: Float32Array;
  let data = 'random binary';
  const rand = mulberry32(1234);
  if (h === 28 && w === 28 && c === 1 && existsSync(FASHION_MNIST)) {
    const raw = gunzipSync(readFileSync(FASHION_MNIST));
    pixels = Float32Array.from(raw.subarray(16, 16 + batchSize * 784), (v) => v / 255);
    data = 'fashion-mnist';
  } else {
    pixels = Float32Array.from({ length: batchSize * size }, () => (rand() < 0.5 ? 0 : 1));
  }
  const preset = opts.request?.preset ?? 'canonical';
  const vae = new VaeModel(model, { ...DEFAULT_TRAINING, ...(PRESETS[preset]?.training ?? {}) }, { createAdam });
  const x = tf.tensor4d(pixels, [batchSize, h, w, c]);
  const y = model.conditional ? oneHotLabels(Array.from({ length: batchSize }, () => Math.floor(rand() * BENCH_LABELS)), BENCH_LABELS) : undefined;
  opts.log(`${modelKind(model)}, ${h}×${w}×${c}, latent ${model.latentDim}${model.arch === 'mlp' ? '' : `, filters ${model.filters.join(',')}`}; ${data} images`);
  const times: number[] = [], cpus: number[] = [], cores: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    vae.trainStep(x, y);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (i >= warmup) {
      times.push(ms);
      cpus.push((c.user + c.system) / 1000);
      cores.push((c.user + c.system) / 1000 / ms);
    }
    opts.log(`${i < warmup ? 'warm-up' : 'timed'} step ${i + 1}: ${ms.toFixed(0)} ms`);
  }
  x.dispose();
  y?.dispose();
  vae.dispose();
  const mid = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
  const median = mid(times);
  return {
    train_images_per_s: Math.round((batchSize * 1000 * 10) / median) / 10, backend: opts.backend, batch_size: batchSize, timed_steps: steps,
    step_ms_median: Math.round(median), data, model: modelKind(model), shape: [h, w, c], native_kernels: opts.backend === 'wasm' && nativeKernels() !== null,
    cpu_ms_per_step_median: Math.round(mid(cpus)), cores_used_median: Math.round(100 * mid(cores)) / 100,
  };
}
