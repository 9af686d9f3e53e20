/** Model and training defaults, presets, and the derived architecture. No tensors here. */
import type { ModelConfig, TrainingConfig } from './trainerIpc';

export const DEFAULT_MODEL: ModelConfig = {
  imageHeight: 28,
  imageWidth: 28,
  channels: 1,
  latentDim: 16,
  filters: [32, 64],
  likelihood: 'bernoulli',
};

export const DEFAULT_TRAINING: TrainingConfig = {
  epochs: 10,
  batchSize: 128,
  learningRate: 1e-3,
  beta: 1,
  klWarmupSteps: 0,
  freeBits: 0,
  seed: 0,
  valSplit: 0.1,
  maxImages: 0,
  backend: 'auto',
  logEvery: 5,
};

/**
 * Presets fix the model (and the optimiser settings that define it); the data shape is fixed too.
 * `canonical` is exactly the model of shared/bench/CANONICAL.md: 28×28×1, conv 32 → conv 64
 * (3×3, stride 2, same, ReLU), latent 16, Bernoulli likelihood, Adam 1e-3, batch 128.
 */
export const PRESETS: Record<string, { model: ModelConfig; training: Partial<TrainingConfig> }> = {
  canonical: {
    model: { imageHeight: 28, imageWidth: 28, channels: 1, latentDim: 16, filters: [32, 64], likelihood: 'bernoulli' },
    training: { batchSize: 128, learningRate: 1e-3, beta: 1, klWarmupSteps: 0, freeBits: 0 },
  },
};

/** Filters of the first stride-2 stages, doubling from 32 and capped at 256. */
export function defaultFilters(stages: number): number[] {
  return Array.from({ length: stages }, (_, i) => Math.min(256, 32 * 2 ** i));
}

/**
 * Number of stride-2 stages for an image size: halve while both sides stay whole numbers
 * and the smaller side stays ≥ 4 (28 → 14 → 7: 2 stages; 32 → … → 4: 3; 64 → … → 4: 4).
 */
export function stagesFor(height: number, width: number): number {
  let stages = 0;
  let h = height, w = width;
  while (h % 2 === 0 && w % 2 === 0 && Math.min(h, w) / 2 >= 4) {
    h /= 2; w /= 2; stages++;
  }
  return Math.max(stages, 1);
}

/** Spatial size after the encoder's stride-2 stages; throws a clear error when the size does not divide. */
export function bottleneckShape(model: ModelConfig): [number, number] {
  const factor = 2 ** model.filters.length;
  if (model.imageHeight % factor !== 0 || model.imageWidth % factor !== 0) {
    throw new Error(
      `image size ${model.imageHeight}×${model.imageWidth} is not divisible by 2^${model.filters.length} = ${factor} ` +
        `(one halving per entry of filters ${JSON.stringify(model.filters)}); choose a size such as ${factor * Math.max(1, Math.round(model.imageHeight / factor))} or fewer filter stages`,
    );
  }
  return [model.imageHeight / factor, model.imageWidth / factor];
}

/** A model config for a given image size, with the stage count derived from the size. */
export function modelForSize(height: number, width: number, channels: 1 | 3, latentDim: number): ModelConfig {
  return { ...DEFAULT_MODEL, imageHeight: height, imageWidth: width, channels, latentDim, filters: defaultFilters(stagesFor(height, width)) };
}
