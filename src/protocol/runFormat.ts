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

// ── live hyperparameters (issue 10): control.jsonl requests, change lines, heartbeat.json ──

/** The training values a run may change while it trains (bounds: PARAMS of ./config). */
export const LIVE_PARAMS = ['beta', 'learningRate', 'klWarmupSteps', 'freeBits'] as const;
export type LiveParam = (typeof LIVE_PARAMS)[number];
/** New values for some of them; strict: an unknown key is refused. */
export const LiveValues = z.strictObject({
  beta: paramSchema('beta').optional(),
  learningRate: paramSchema('learningRate').optional(),
  klWarmupSteps: paramSchema('klWarmupSteps').optional(),
  freeBits: paramSchema('freeBits').optional(),
}).refine((v) => Object.keys(v).length > 0, { message: 'names no value to change' });
export type LiveValues = z.infer<typeof LiveValues>;
export const CONTROL_ACTIONS = ['pause', 'continue', 'step', 'stop'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];
/** One line of control.jsonl (appended by the extension or `latent-lens set|control`; the trainer reads new lines). */
export const ControlRequest = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('set'), id: z.string().min(1), time: z.number(), values: LiveValues }),
  z.strictObject({ kind: z.enum(CONTROL_ACTIONS), id: z.string().min(1), time: z.number() }),
]);
export type ControlRequest = z.infer<typeof ControlRequest>;
/** A line of metrics.jsonl: the trainer applied a control.jsonl `set` before step `step + 1`. */
export const ChangeLine = z.object({
  kind: z.literal('change'),
  step: z.number().int(),
  epoch: z.number().int(),
  /** The control request's id. */
  id: z.string().optional(),
  changes: z.array(z.object({ param: z.enum(LIVE_PARAMS), from: z.number(), to: z.number() })),
  time: z.number(),
});
export type ChangeLine = z.infer<typeof ChangeLine>;
/** heartbeat.json: rewritten by a live trainer every few seconds (kept apart from status.json so a late beat never overwrites a final status). */
export const HeartbeatFile = z.object({
  /** Milliseconds since 1970 of the beat. */
  time: z.number(),
  pid: z.number().int(),
  host: z.string(),
  step: z.number().int().min(0),
  /** Bytes of control.jsonl the trainer has read (every request before that offset is applied or refused). */
  controlOffset: z.number().int().min(0),
  /** The id of the last control request applied or refused, and what became of it. */
  lastControl: z.object({ id: z.string(), applied: z.boolean(), message: z.string() }).optional(),
});
export type HeartbeatFile = z.infer<typeof HeartbeatFile>;

export const MetricsLine = z.discriminatedUnion('kind', [StepMetrics, EpochMetrics, ChangeLine]);
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

/**
 * The per-image quantities of latents/ (one float32 per image, dataset.json order), all in the
 * model's own terms and measured with the model of the same epoch end as μ:
 *  - recon:   −log p(x | z = μ) summed over pixels (nats): the likelihood term of src/model/loss.ts
 *             with the encoder mean instead of a sample, so it does not depend on a random draw;
 *  - kl:      KL(q(z|x) ‖ N(0, I)) summed over dimensions (nats, analytic: loss.ts's formula);
 *  - meanVar: the mean of σ² = exp(log σ²) over the dimensions (how uncertain the encoder is).
 */
export const PER_IMAGE_QUANTITIES = ['recon', 'kl', 'meanVar'] as const;
export const PerImageQuantity = z.enum(PER_IMAGE_QUANTITIES);
export type PerImageQuantity = z.infer<typeof PerImageQuantity>;

/** latents/index.json: describes latents/mu.f32 and latents/logvar.f32 (float32 LE, count × latentDim). */
export const LatentsIndex = z.object({
  epoch: z.number().int().min(0),
  step: z.number().int().min(0),
  count: z.number().int().min(0),
  latentDim: z.number().int().min(1),
  /**
   * The per-image quantities written with these latents (latents/recon.f32, kl.f32, meanvar.f32:
   * float32 LE, `count` values each). Absent in runs written before they existed.
   */
  perImage: z.array(PerImageQuantity).optional(),
});
export type LatentsIndex = z.infer<typeof LatentsIndex>;

export const ProjectionMethod = z.enum(['pca', 'umap']);
export type ProjectionMethod = z.infer<typeof ProjectionMethod>;

/**
 * latents/projection.json: a 2-D map of μ, one (x, y) per image in dataset.json order. An early
 * map of epoch 1 (src/trainer/earlyMap.ts) places a sample only: the others are null (NaN once read).
 */
const Coordinate = z.number().nullable().transform((v) => v ?? NaN);
export const ProjectionFile = z.object({
  epoch: z.number().int().min(0),
  method: ProjectionMethod,
  x: z.array(Coordinate),
  y: z.array(Coordinate),
}).refine((p) => p.x.length === p.y.length, { message: 'x and y have different lengths' });
export type ProjectionFile = z.infer<typeof ProjectionFile>;

// ───────────────────────────── history/ (epoch replay) ─────────────────────────────

/** The fixed grid of z decoded at every epoch end (history/epoch-<n>/samples.u8). */
export const HistorySamples = z.object({
  rows: z.number().int().min(1),
  cols: z.number().int().min(1),
  height: z.number().int().min(1),
  width: z.number().int().min(1),
  channels: z.union([z.literal(1), z.literal(3)]),
  /** z ~ N(0, I) from this seed (src/shared/random.ts), the same z at every epoch. */
  seed: z.number().int(),
});
export type HistorySamples = z.infer<typeof HistorySamples>;

/** One kept epoch: which of its files exist (each written before this entry names it). */
export const HistoryEpoch = z.object({
  epoch: z.number().int().min(1),
  step: z.number().int().min(0),
  /** mu.f16: float16 LE, count × latentDim. */
  mu: z.boolean(),
  /** map.f32: float32 LE, count x then count y (aligned to the previous map); null until the projection lands. */
  map: ProjectionMethod.nullable(),
  /** samples.u8: uint8, rows × cols images of height × width × channels, row-major. */
  samples: z.boolean(),
});
export type HistoryEpoch = z.infer<typeof HistoryEpoch>;

/** history/index.json: the epochs kept, and the sizes every file of history/epoch-<n>/ must have. */
export const HistoryIndex = z.object({
  version: z.literal(1),
  count: z.number().int().min(0),
  latentDim: z.number().int().min(1),
  samples: HistorySamples.nullable(),
  /** The byte budget (src/analysis/historyBudget.ts) and the stride it gave for `totalEpochs`. */
  budgetBytes: z.number().int().min(0),
  totalEpochs: z.number().int().min(0),
  stride: z.number().int().min(1),
  epochs: z.array(HistoryEpoch),
});
export type HistoryIndex = z.infer<typeof HistoryIndex>;

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

// ───────────────────────────── sweep.json (a sweep folder: one run folder per combination) ─────────────────────────────

export const SweepExecutor = z.enum(['local', 'slurm']);
export type SweepExecutor = z.infer<typeof SweepExecutor>;

/** One run of a sweep: its folder (relative to the sweep folder) and its grid values, by flag. */
export const SweepRun = z.object({
  index: z.number().int().min(0),
  name: z.string().regex(/^[^/\\]+$/, 'must be a folder name inside the sweep folder'),
  /** `{ "beta": "0.5", "latent-dim": "8" }`: flag name → value as given on the command line. */
  params: z.record(z.string(), z.string()),
});
export type SweepRun = z.infer<typeof SweepRun>;

/** sweep.json, written by `latent-lens sweep` (src/trainer/sweep); combination i is run i. */
export const SweepFile = z.object({
  version: z.literal(1),
  /** The image folder every run trains on (absolute). */
  dataDir: z.string(),
  created: z.string(),
  /** The grid in the order given: the first key varies slowest. */
  grid: z.array(z.object({ flag: z.string(), values: z.array(z.string()).min(1) })),
  /** `latent-lens train` flags common to every run (e.g. ["--epochs", "1"]). */
  trainArgs: z.array(z.string()),
  executor: SweepExecutor,
  /** At most this many runs at once (local processes, or the array's `%N` throttle). */
  maxParallel: z.number().int().min(1).optional(),
  runs: z.array(SweepRun),
  /** The Slurm submission: the array job's id (absent until sbatch answered), the script, the extra sbatch options. */
  slurm: z.object({ jobId: z.string().optional(), script: z.string(), args: z.array(z.string()) }).optional(),
  /** The local executor's process (what `sweep cancel` signals). */
  local: z.object({ pid: z.number().int(), host: z.string() }).optional(),
});
export type SweepFile = z.infer<typeof SweepFile>;
