/**
 * The run directory's file formats (docs/run-directory.md): one zod schema and type per file.
 * The trainer writes these files, everything else reads them, and src/run is the only code that
 * knows their names; this file only says what is inside them. Contracts only: no I/O.
 *
 * Readers are tolerant of runs written by older versions: fields added later are optional.
 */
import { z } from './zod';
import { ARCHS, BACKENDS, LIKELIHOODS, paramSchema, IMAGE_SIDE_MAX, IMAGE_SIDE_MIN } from './config';

// ───────────────────────────── config.json ─────────────────────────────

export const BackendName = z.enum(BACKENDS);
export type BackendName = z.infer<typeof BackendName>;

export const Likelihood = z.enum(LIKELIHOODS);
export type Likelihood = z.infer<typeof Likelihood>;

export const ModelArch = z.enum(ARCHS);
export type ModelArch = z.infer<typeof ModelArch>;

const imageSide = z.number().int().min(IMAGE_SIDE_MIN).max(IMAGE_SIDE_MAX);

/** Everything that defines a model; stored in config.json as `model`. Bounds: src/protocol/config.ts. */
export const ModelConfig = z.object({
  imageHeight: imageSide,
  imageWidth: imageSide,
  channels: z.union([z.literal(1), z.literal(3)]),
  latentDim: paramSchema('latentDim'),
  /** Filters of each stride-2 encoder stage; the decoder mirrors them. */
  filters: z.array(z.number().int().min(1)).min(1),
  likelihood: Likelihood,
  /** conv (default, and every run written before it was recorded) or mlp (filters unused). */
  arch: ModelArch.optional(),
  /** A conditional VAE: the label's one-hot vector joins the encoder's features and z. Absent = false. */
  conditional: z.boolean().optional(),
  /**
   * A conditional model's labels, in one-hot order: fixed when training starts (the training
   * folder's labels) and stored with the model; encode and eval map a folder's labels onto it.
   */
  labels: z.array(z.string()).optional(),
});
export type ModelConfig = z.infer<typeof ModelConfig>;

/** Everything that defines how a model is trained; stored in config.json as `training`. */
export const TrainingConfig = z.object({
  epochs: paramSchema('epochs'),
  batchSize: paramSchema('batchSize'),
  learningRate: paramSchema('learningRate'),
  /** Weight of the KL term (Higgins et al. 2017, β-VAE). */
  beta: paramSchema('beta'),
  /** Steps over which the KL weight rises linearly from 0 to β (Bowman et al. 2016). 0 = off. */
  klWarmupSteps: paramSchema('klWarmupSteps'),
  /** Nats per latent dimension below which KL is not penalised (Kingma et al. 2016). 0 = off. */
  freeBits: paramSchema('freeBits'),
  seed: paramSchema('seed'),
  valSplit: paramSchema('valSplit'),
  /** 0 = all images. */
  maxImages: paramSchema('maxImages'),
  backend: BackendName,
  /** Log a metrics line every this many steps. */
  logEvery: paramSchema('logEvery'),
});
export type TrainingConfig = z.infer<typeof TrainingConfig>;

/** config.json */
export const RunConfig = z.object({
  version: z.literal(1),
  dataDir: z.string(),
  preset: z.string().optional(),
  model: ModelConfig,
  training: TrainingConfig,
});
export type RunConfig = z.infer<typeof RunConfig>;

// ───────────────────────────── status.json ─────────────────────────────

export const RunStatus = z.enum(['starting', 'training', 'paused', 'completed', 'stopped', 'failed']);
export type RunStatus = z.infer<typeof RunStatus>;

/** status.json: what the run is doing, or how it ended. */
export const StatusFile = z.object({
  status: RunStatus,
  step: z.number().int().min(0),
  epoch: z.number().int().min(0),
  backend: z.string().optional(),
  message: z.string().optional(),
  /** ISO time of the write (older tools wrote a millisecond timestamp). */
  updated: z.union([z.string(), z.number()]).optional(),
});
export type StatusFile = z.infer<typeof StatusFile>;

// ───────────────────────────── dataset.json (+ data/pixels.u8) ─────────────────────────────

export const SkippedFile = z.object({ path: z.string(), reason: z.string() });
export type SkippedFile = z.infer<typeof SkippedFile>;

/** The shape every image is decoded to; data/pixels.u8 holds count × height × width × channels bytes. */
export const ImageShape = z.object({
  height: z.number().int().min(1),
  width: z.number().int().min(1),
  channels: z.union([z.literal(1), z.literal(3)]),
});
export type ImageShape = z.infer<typeof ImageShape>;

export const DatasetImage = z.object({
  /** Relative to dataDir, `/`-separated. */
  path: z.string(),
  /** Index into `labels`. */
  label: z.number().int().min(0),
  split: z.enum(['train', 'val']),
});
export type DatasetImage = z.infer<typeof DatasetImage>;

/** dataset.json: images in the order of the rows of latents/*.f32 and data/pixels.u8. */
export const DatasetFile = z.object({
  dataDir: z.string(),
  /** Absent in runs written before it was recorded: then config.json's model gives the shape. */
  shape: ImageShape.optional(),
  labels: z.array(z.string()),
  images: z.array(DatasetImage),
  skipped: z.array(SkippedFile).default([]),
});
export type DatasetFile = z.infer<typeof DatasetFile>;

// ───────────────────────────── metrics.jsonl ─────────────────────────────

/** A line of metrics.jsonl written every `logEvery` steps (training batch, one z sample). */
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

/** A line of metrics.jsonl written at every epoch end (validation images; μ of every image). */
export const EpochMetrics = z.object({
  kind: z.literal('epoch'),
  epoch: z.number().int(),
  step: z.number().int(),
  valNegElbo: z.number(),
  valRecon: z.number(),
  valKl: z.number(),
  /** Mean KL of each latent dimension over every image (nats). */
  klPerDim: z.array(z.number()),
  /** Dimensions whose μ varies over the images: the rule of src/analysis/collapseRule.ts. */
  activeUnits: z.number().int(),
  /** Variance of μ of each dimension over every image (the quantity `activeUnits` thresholds). Since format 2. */
  muVariance: z.array(z.number()).optional(),
  /** The posterior-collapse verdict of src/analysis/collapseRule.ts at this epoch end. Since format 2. */
  collapsed: z.boolean().optional(),
  time: z.number(),
});
export type EpochMetrics = z.infer<typeof EpochMetrics>;

export const MetricsLine = z.discriminatedUnion('kind', [StepMetrics, EpochMetrics]);
export type MetricsLine = z.infer<typeof MetricsLine>;

// ───────────────────────────── checkpoints ─────────────────────────────

/** Where training stands in a checkpoint. */
export const CheckpointMeta = z.object({
  step: z.number().int().min(0),
  /** Completed epochs. */
  epoch: z.number().int().min(0),
  /** Batches done in the current epoch. */
  stepInEpoch: z.number().int().min(0).default(0),
});
export type CheckpointMeta = z.infer<typeof CheckpointMeta>;

/** checkpoint.json: names the latest complete checkpoint folder (relative to the run). */
export const CheckpointPointer = CheckpointMeta.extend({
  dir: z.string().regex(/^checkpoints\/[^/\\]+$/, 'must be checkpoints/<name>'),
});
export type CheckpointPointer = z.infer<typeof CheckpointPointer>;

export const TensorIndexEntry = z.object({
  name: z.string(),
  shape: z.array(z.number().int().min(0)),
  /** In float32 values from the start of tensors.bin. */
  offset: z.number().int().min(0),
  length: z.number().int().min(0),
});
export type TensorIndexEntry = z.infer<typeof TensorIndexEntry>;

/** checkpoints/ckpt-<step>/state.json; tensors.bin holds the float32 values it indexes. */
export const CheckpointState = CheckpointMeta.extend({ tensors: z.array(TensorIndexEntry) });
export type CheckpointState = z.infer<typeof CheckpointState>;

// ───────────────────────────── latents/ ─────────────────────────────

/** latents/index.json: describes latents/mu.f32 and latents/logvar.f32 (float32 LE, count × latentDim). */
export const LatentsIndex = z.object({
  epoch: z.number().int().min(0),
  step: z.number().int().min(0),
  count: z.number().int().min(0),
  latentDim: z.number().int().min(1),
});
export type LatentsIndex = z.infer<typeof LatentsIndex>;

export const ProjectionMethod = z.enum(['pca', 'umap']);
export type ProjectionMethod = z.infer<typeof ProjectionMethod>;

/** latents/projection.json: a 2-D map of μ, one (x, y) per image in dataset.json order. */
export const ProjectionFile = z.object({
  epoch: z.number().int().min(0),
  method: ProjectionMethod,
  x: z.array(z.number()),
  y: z.array(z.number()),
}).refine((p) => p.x.length === p.y.length, { message: 'x and y have different lengths' });
export type ProjectionFile = z.infer<typeof ProjectionFile>;

// ───────────────────────────── model/encoder, model/decoder ─────────────────────────────

/** model/{encoder,decoder}/model.json: TensorFlow.js layers format (tf.loadLayersModel reads it). */
export const LayersModelJson = z.looseObject({
  format: z.string().optional(),
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(z.looseObject({
    /** Weight files, relative names inside the model's folder. */
    paths: z.array(z.string().refine((p) => !/(^|[/\\])\.\.([/\\]|$)/.test(p) && !/^([/\\]|[a-zA-Z]:)/.test(p), 'must be a file name inside the model folder')),
    weights: z.array(z.looseObject({ name: z.string(), shape: z.array(z.number()), dtype: z.string() })),
  })),
});
export type LayersModelJson = z.infer<typeof LayersModelJson>;
