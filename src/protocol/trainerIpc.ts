/**
 * The one typed protocol of Latent Lens.
 *
 * Three processes talk: the trainer (a forked Node process that owns TensorFlow.js),
 * the extension host (VS Code), and the webview (Chromium). Every message is a member
 * of a discriminated union on `type`, defined once here as a zod schema so that the
 * TypeScript type and the runtime validator can never disagree. Every message that
 * arrives from another process goes through `parse*` before it is used.
 */
import { z } from './zod';

// ───────────────────────────── configuration ─────────────────────────────

export const BACKENDS = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export const BackendName = z.enum(BACKENDS);
export type BackendName = z.infer<typeof BackendName>;

export const Likelihood = z.enum(['bernoulli', 'gaussian']);
export type Likelihood = z.infer<typeof Likelihood>;

/** Everything that defines a model; stored in config.json as `model`. */
export const ModelConfig = z.object({
  imageHeight: z.number().int().min(8).max(512),
  imageWidth: z.number().int().min(8).max(512),
  channels: z.union([z.literal(1), z.literal(3)]),
  latentDim: z.number().int().min(1).max(512),
  /** Filters of each stride-2 encoder stage; the decoder mirrors them. */
  filters: z.array(z.number().int().min(1)).min(1),
  likelihood: Likelihood,
});
export type ModelConfig = z.infer<typeof ModelConfig>;

/** Everything that defines how a model is trained; stored in config.json as `training`. */
export const TrainingConfig = z.object({
  epochs: z.number().int().min(1),
  batchSize: z.number().int().min(1),
  learningRate: z.number().positive(),
  /** Weight of the KL term (Higgins et al. 2017, β-VAE). */
  beta: z.number().min(0),
  /** Steps over which the KL weight rises linearly from 0 to β (Bowman et al. 2016). 0 = off. */
  klWarmupSteps: z.number().int().min(0),
  /** Nats per latent dimension below which KL is not penalised (Kingma et al. 2016). 0 = off. */
  freeBits: z.number().min(0),
  seed: z.number().int(),
  valSplit: z.number().min(0).max(0.9),
  /** 0 = all images. */
  maxImages: z.number().int().min(0),
  backend: BackendName,
  /** Log a metrics line every this many steps. */
  logEvery: z.number().int().min(1),
});
export type TrainingConfig = z.infer<typeof TrainingConfig>;

export const RunConfig = z.object({
  version: z.literal(1),
  dataDir: z.string(),
  preset: z.string().optional(),
  model: ModelConfig,
  training: TrainingConfig,
});
export type RunConfig = z.infer<typeof RunConfig>;

// ───────────────────────────── metrics (also the lines of metrics.jsonl) ─────────────────────────────

export const StepMetrics = z.object({
  kind: z.literal('step'),
  step: z.number().int(),
  epoch: z.number().int(),
  loss: z.number(),
  recon: z.number(),
  kl: z.number(),
  klPerDim: z.array(z.number()),
  klWeight: z.number(),
  imagesPerSec: z.number(),
  time: z.number(),
});
export type StepMetrics = z.infer<typeof StepMetrics>;

export const EpochMetrics = z.object({
  kind: z.literal('epoch'),
  epoch: z.number().int(),
  step: z.number().int(),
  valNegElbo: z.number(),
  valRecon: z.number(),
  valKl: z.number(),
  klPerDim: z.array(z.number()),
  activeUnits: z.number().int(),
  time: z.number(),
});
export type EpochMetrics = z.infer<typeof EpochMetrics>;

export const MetricsLine = z.discriminatedUnion('kind', [StepMetrics, EpochMetrics]);
export type MetricsLine = z.infer<typeof MetricsLine>;

export const SkippedFile = z.object({ path: z.string(), reason: z.string() });
export type SkippedFile = z.infer<typeof SkippedFile>;

export const DatasetSummary = z.object({
  images: z.number().int(),
  trainImages: z.number().int(),
  valImages: z.number().int(),
  labels: z.array(z.string()),
  skipped: z.number().int(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

export const RunStatus = z.enum(['starting', 'training', 'paused', 'completed', 'stopped', 'failed']);
export type RunStatus = z.infer<typeof RunStatus>;

// ───────────────────────────── trainer → host ─────────────────────────────

export const TrainerEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  z.object({ type: z.literal('started'), runDir: z.string(), backend: z.string(), config: RunConfig, dataset: DatasetSummary, step: z.number().int(), stepsPerEpoch: z.number().int() }),
  z.object({ type: z.literal('step'), metrics: StepMetrics, stepsPerEpoch: z.number().int() }),
  z.object({ type: z.literal('epochEnd'), metrics: EpochMetrics }),
  /** New μ for every image were written to the run directory (latents/). */
  z.object({ type: z.literal('latents'), epoch: z.number().int(), step: z.number().int(), count: z.number().int() }),
  /** A 2-D layout of μ was written to latents/projection.json. */
  z.object({ type: z.literal('projection'), epoch: z.number().int(), method: z.enum(['pca', 'umap']), millis: z.number() }),
  /** Decoder weights were saved to model/decoder (for decoding in the webview). */
  z.object({ type: z.literal('decoderSaved'), step: z.number().int() }),
  z.object({ type: z.literal('checkpoint'), step: z.number().int(), epoch: z.number().int() }),
  z.object({ type: z.literal('status'), status: RunStatus }),
  z.object({ type: z.literal('done'), status: RunStatus, message: z.string() }),
]);
export type TrainerEvent = z.infer<typeof TrainerEvent>;

// ───────────────────────────── host → trainer ─────────────────────────────

export const TrainerCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  /** Write a final checkpoint, then exit. */
  z.object({ type: z.literal('stop') }),
  /** Recompute the 2-D projection now. */
  z.object({ type: z.literal('project') }),
]);
export type TrainerCommand = z.infer<typeof TrainerCommand>;

/** Parse an unknown value; throws an Error naming the offending field. */
export function parseTrainerEvent(value: unknown): TrainerEvent {
  return TrainerEvent.parse(value);
}
export function parseTrainerCommand(value: unknown): TrainerCommand {
  return TrainerCommand.parse(value);
}
export function parseMetricsLine(value: unknown): MetricsLine {
  return MetricsLine.parse(value);
}
