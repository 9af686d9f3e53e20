/**
 * THE configuration schema of Latent Lens: one table (PARAMS) of every training parameter with
 * its default, bounds, choices, description, CLI flag and VS Code setting key. Everything else
 * derives from it:
 *  - the zod schemas of config.json (`ModelConfig`, `TrainingConfig` in ./runFormat) take their
 *    bounds from `paramSchema`;
 *  - the CLI's parseArgs options, flag validation and usage text (src/trainer/cli.ts via
 *    ./configCli);
 *  - the VS Code settings (package.json `contributes.configuration`, checked by
 *    test/unit/configSchema.test.ts against `settingSpecs()`);
 *  - the quick-pick wizard's validation (`parseField`) and the TrainRequest the extension hands
 *    the trainer (./trainRequest).
 * Contracts only: no I/O, no `node:*`, no `vscode`.
 */
import { z } from './zod';
import type { ModelConfig, TrainingConfig } from './runFormat';

export const BACKENDS = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export const LIKELIHOODS = ['bernoulli', 'gaussian'] as const;
export const ARCHS = ['conv', 'mlp'] as const;
/** Latent size of the MLP VAE when none is given (pytorch/examples vae/main.py uses 20). */
export const MLP_LATENT_DEFAULT = 20;
/** Hidden units of each MLP layer (pytorch/examples vae/main.py). */
export const MLP_HIDDEN = 400;
export const CHANNEL_CHOICES = ['auto', '1', '3'] as const;

/** Image sides the model accepts (pixels), before the stage rule (see `checkImageSize`). */
export const IMAGE_SIDE_MIN = 8;
export const IMAGE_SIDE_MAX = 512;

/** How a parameter is written as text (CLI flag value, wizard input) and stored. */
export type ParamKind = 'int' | 'number' | 'enum' | 'imageSize' | 'string' | 'boolean';

export interface ParamSpec {
  kind: ParamKind;
  /** Where it lands: config.json `model` / `training`, the run itself, or the extension's UI only. */
  group: 'model' | 'training' | 'run' | 'ui';
  default: number | string | boolean;
  min?: number;
  max?: number;
  /** A value must be > this (e.g. the learning rate > 0). */
  exclusiveMin?: number;
  choices?: readonly string[];
  description: string;
  /** `--<flag>` of `latent-lens train`; absent: not a train flag. */
  flag?: string;
  /** Placeholder in the usage text, e.g. `N`. */
  metavar?: string;
  /** `latentLens.<setting>` in VS Code; absent: no setting. */
  setting?: string;
  /** Extra JSON-schema keys for the setting (scope, markdownDescription, enumDescriptions). */
  settingExtra?: Record<string, unknown>;
}

/**
 * Every parameter. Keys are the TrainRequest keys (and, for model/training parameters, the
 * config.json keys; `imageSize` becomes `model.imageHeight` / `model.imageWidth`).
 */
export const PARAMS = {
  preset: {
    kind: 'enum', group: 'run', default: '', choices: ['canonical', 'canonical-mlp', 'canonical-cvae'], flag: 'preset', metavar: 'canonical',
    description: 'A fixed model (and its optimiser settings): canonical = 28×28×1, conv 32 → 64, latent 16, Bernoulli, Adam 1e-3, batch 128; ' +
      'canonical-mlp = the PyTorch example\'s MLP VAE (784-400-20); canonical-cvae = canonical made conditional on the label.',
  },
  imageSize: {
    kind: 'imageSize', group: 'model', default: 28, min: IMAGE_SIDE_MIN, max: IMAGE_SIDE_MAX, flag: 'image-size', metavar: 'N | HxW', setting: 'imageSize',
    description: 'Side in pixels images are resized to before training (N, or HxW).',
    settingExtra: { markdownDescription: 'Side in pixels images are resized to before training (the quick confirmation also accepts `HxW`).' },
  },
  channels: { kind: 'enum', group: 'model', default: 'auto', choices: CHANNEL_CHOICES, flag: 'channels', description: 'Colour channels: 1 (grayscale), 3 (RGB) or auto (detected from the images).' },
  latentDim: { kind: 'int', group: 'model', default: 16, min: 1, max: 512, flag: 'latent-dim', metavar: 'N', setting: 'latentDim', description: 'Number of latent dimensions (size of z).' },
  likelihood: { kind: 'enum', group: 'model', default: 'bernoulli', choices: LIKELIHOODS, flag: 'likelihood', description: 'Decoder likelihood of a pixel.' },
  arch: {
    kind: 'enum', group: 'model', default: 'conv', choices: ARCHS, flag: 'arch', setting: 'arch',
    description: `Model: conv (stride-2 convolutions, the canonical VAE) or mlp (Dense ${MLP_HIDDEN}, ReLU each way, as the PyTorch example; latent ${MLP_LATENT_DEFAULT} unless given).`,
    settingExtra: {
      enumDescriptions: [
        'Convolutional VAE: one 3×3 stride-2 convolution per stage, mirrored by transposed convolutions.',
        `MLP VAE (pytorch/examples vae/main.py): Dense ${MLP_HIDDEN}, ReLU → μ, log σ²; Dense ${MLP_HIDDEN}, ReLU → pixels.`,
      ],
    },
  },
  conditional: {
    kind: 'boolean', group: 'model', default: false, flag: 'conditional', setting: 'conditional',
    description: 'Conditional VAE: the label (first-level subfolder) as a one-hot vector joins the encoder features and z, so the decoder can be asked for a label.',
  },
  epochs: { kind: 'int', group: 'training', default: 10, min: 1, max: 10000, flag: 'epochs', metavar: 'N', setting: 'epochs', description: 'Passes over the training images.' },
  batchSize: { kind: 'int', group: 'training', default: 128, min: 1, max: 65536, flag: 'batch-size', metavar: 'N', setting: 'batchSize', description: 'Images per training step.' },
  learningRate: { kind: 'number', group: 'training', default: 0.001, exclusiveMin: 0, flag: 'lr', metavar: 'LR', setting: 'learningRate', description: 'Adam learning rate.' },
  beta: {
    kind: 'number', group: 'training', default: 1, min: 0, flag: 'beta', metavar: 'B', setting: 'beta',
    description: 'Weight β of the KL term (β-VAE, Higgins et al. 2017); 1 is the plain ELBO.',
    settingExtra: { markdownDescription: 'Weight β of the KL term (β-VAE, Higgins et al. 2017). `1` is the plain ELBO.' },
  },
  klWarmupSteps: { kind: 'int', group: 'training', default: 0, min: 0, flag: 'kl-warmup', metavar: 'STEPS', setting: 'klWarmupSteps', description: 'Steps over which the KL weight rises linearly from 0 to β (Bowman et al. 2016); 0 = off.' },
  freeBits: { kind: 'number', group: 'training', default: 0, min: 0, flag: 'free-bits', metavar: 'NATS', setting: 'freeBits', description: 'Nats per latent dimension below which KL is not penalised (Kingma et al. 2016); 0 = off.' },
  seed: { kind: 'int', group: 'training', default: 0, flag: 'seed', metavar: 'N', description: 'Seed of the weights, the shuffling and the validation split.' },
  valSplit: { kind: 'number', group: 'training', default: 0.1, min: 0, max: 0.9, flag: 'val-split', metavar: 'F', description: 'Fraction of the images held out for validation.' },
  maxImages: { kind: 'int', group: 'training', default: 0, min: 0, flag: 'max-images', metavar: 'N', setting: 'maxImages', description: 'Train on at most this many images (0 = all).' },
  backend: {
    kind: 'enum', group: 'training', default: 'auto', choices: BACKENDS, flag: 'backend', setting: 'backend', description: 'TensorFlow.js backend of the trainer process.',
    settingExtra: {
      enumDescriptions: [
        'The first that loads: tfjs-node-gpu, tfjs-node, wasm, cpu.',
        'Native TensorFlow with CUDA (optional dependency).',
        'Native TensorFlow on the CPU (optional dependency).',
        'WebAssembly (always available).',
        'Plain JavaScript (slowest).',
      ],
    },
  },
  noCache: { kind: 'boolean', group: 'run', default: false, flag: 'no-cache', description: 'Decode every image again, without reading or writing the decoded-pixel cache (LATENT_LENS_CACHE_DIR, else ~/.cache/latent-lens/pixels).' },
  logEvery: { kind: 'int', group: 'training', default: 5, min: 1, flag: 'log-every', metavar: 'N', description: 'Log a metrics line every this many steps.' },
  // ── settings of the extension only (no train flag) ──
  runsDirectory: {
    kind: 'string', group: 'ui', default: '.vae-runs', setting: 'runsDirectory', description: 'Folder runs are written to.',
    settingExtra: { scope: 'resource', markdownDescription: 'Folder runs are written to. Relative paths are resolved against the first workspace folder; `~` is your home folder.' },
  },
  maxPoints: { kind: 'int', group: 'ui', default: 200000, min: 100, setting: 'maxPoints', description: 'Most points drawn in the latent-space map (an even sample of the dataset beyond that).' },
  confirmBeforeTraining: { kind: 'boolean', group: 'ui', default: true, setting: 'confirmBeforeTraining', description: 'Show a quick confirmation of image size, latent dimensions, epochs and β before training starts.' },
  nativeBackendPath: {
    kind: 'string', group: 'ui', default: '', setting: 'nativeBackendPath',
    description: 'A folder holding @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu (4.22, installed by you) for the trainer to load; empty = the one "VAE: Install Native Backend…" installed, if any.',
    settingExtra: {
      scope: 'machine',
      markdownDescription: 'A folder where you installed `@tensorflow/tfjs-node` or `@tensorflow/tfjs-node-gpu` 4.22 (the `--prefix` of `npm install`, its `node_modules`, or the package folder itself) for the trainer to load when `latentLens.backend` is `auto`, `tfjs-node` or `tfjs-node-gpu`. Empty: the one **VAE: Install Native Backend…** installed, if any. A machine setting: on a remote, the path on the remote machine.',
    },
  },
} as const satisfies Record<string, ParamSpec>;

export type ParamName = keyof typeof PARAMS;
/** The parameters a training run takes (everything but the extension's UI settings). */
export type TrainParamName = { [K in ParamName]: (typeof PARAMS)[K]['group'] extends 'ui' ? never : K }[ParamName];
export const PARAM_NAMES = Object.keys(PARAMS) as ParamName[];
export const TRAIN_PARAM_NAMES = PARAM_NAMES.filter((k) => PARAMS[k].group !== 'ui') as TrainParamName[];

export function paramSpec(name: ParamName): ParamSpec {
  return PARAMS[name] as ParamSpec;
}

/** A number schema with the bounds of a numeric parameter. */
export function paramSchema(name: ParamName): z.ZodNumber {
  const s = paramSpec(name);
  let n = s.kind === 'int' || s.kind === 'imageSize' ? z.number().int() : z.number();
  if (s.min !== undefined) n = n.min(s.min);
  if (s.max !== undefined) n = n.max(s.max);
  if (s.exclusiveMin !== undefined) n = n.gt(s.exclusiveMin);
  return n;
}

/** "a whole number from 1 to 512", "a number > 0", "one of auto, 1, 3". */
export function describeRange(name: ParamName): string {
  const s = paramSpec(name);
  if (s.kind === 'enum') return `one of ${s.choices!.join(', ')}`;
  if (s.kind === 'imageSize') return `N or HxW (e.g. 28, 64, 32x48), each side from ${s.min} to ${s.max}`;
  if (s.kind === 'boolean') return 'true or false';
  if (s.kind === 'string') return 'text';
  const what = s.kind === 'int' ? 'a whole number' : 'a number';
  if (s.min !== undefined && s.max !== undefined) return `${what} from ${s.min} to ${s.max}`;
  if (s.min !== undefined) return `${what} ≥ ${s.min}`;
  if (s.exclusiveMin !== undefined) return `${what} > ${s.exclusiveMin}`;
  if (s.max !== undefined) return `${what} ≤ ${s.max}`;
  return what;
}

// ───────────────────────────── defaults, presets, the stage rule ─────────────────────────────

export const DEFAULT_MODEL: ModelConfig = {
  imageHeight: PARAMS.imageSize.default,
  imageWidth: PARAMS.imageSize.default,
  channels: 1,
  latentDim: PARAMS.latentDim.default,
  filters: [32, 64],
  likelihood: PARAMS.likelihood.default,
  arch: PARAMS.arch.default,
  conditional: PARAMS.conditional.default,
};

export const DEFAULT_TRAINING: TrainingConfig = {
  epochs: PARAMS.epochs.default,
  batchSize: PARAMS.batchSize.default,
  learningRate: PARAMS.learningRate.default,
  beta: PARAMS.beta.default,
  klWarmupSteps: PARAMS.klWarmupSteps.default,
  freeBits: PARAMS.freeBits.default,
  seed: PARAMS.seed.default,
  valSplit: PARAMS.valSplit.default,
  maxImages: PARAMS.maxImages.default,
  backend: PARAMS.backend.default,
  logEvery: PARAMS.logEvery.default,
};

/**
 * Presets fix the model (and the optimiser settings that define it); the data shape is fixed too.
 * Each is exactly a model of shared/bench/CANONICAL.md, trained by torch_ref.py:
 *  - `canonical`: 28×28×1, conv 32 → conv 64 (3×3, stride 2, same, ReLU), latent 16, Bernoulli
 *    likelihood, Adam 1e-3, batch 128;
 *  - `canonical-mlp`: pytorch/examples vae/main.py, 784 → 400 → (20, 20), 20 → 400 → 784 (`--arch mlp`);
 *  - `canonical-cvae`: `canonical` with the one-hot label joined to the flattened encoder features
 *    and to z (`--conditional`); the labels are the training folder's.
 */
const CANONICAL_TRAINING: Partial<TrainingConfig> = { batchSize: 128, learningRate: 1e-3, beta: 1, klWarmupSteps: 0, freeBits: 0 };
export const PRESETS: Record<string, { model: ModelConfig; training: Partial<TrainingConfig> }> = {
  canonical: {
    model: { imageHeight: 28, imageWidth: 28, channels: 1, latentDim: 16, filters: [32, 64], likelihood: 'bernoulli', arch: 'conv', conditional: false },
    training: CANONICAL_TRAINING,
  },
  'canonical-mlp': {
    model: { imageHeight: 28, imageWidth: 28, channels: 1, latentDim: MLP_LATENT_DEFAULT, filters: [32, 64], likelihood: 'bernoulli', arch: 'mlp', conditional: false },
    training: CANONICAL_TRAINING,
  },
  'canonical-cvae': {
    model: { imageHeight: 28, imageWidth: 28, channels: 1, latentDim: 16, filters: [32, 64], likelihood: 'bernoulli', arch: 'conv', conditional: true },
    training: CANONICAL_TRAINING,
  },
};

/** conv or mlp (runs written before the field: conv). */
export function archOf(model: Pick<ModelConfig, 'arch'>): 'conv' | 'mlp' {
  return model.arch ?? 'conv';
}

/** Size of the one-hot label vector the model takes: 0 for an unconditional model. */
export function labelCount(model: Pick<ModelConfig, 'conditional' | 'labels'>): number {
  return model.conditional ? model.labels?.length ?? 0 : 0;
}

/** "conv VAE", "MLP VAE", "conditional conv VAE (10 labels)": the model's kind in words (run header, report, CLI). */
export function modelKind(model: Pick<ModelConfig, 'arch' | 'conditional' | 'labels'>): string {
  const arch = archOf(model) === 'mlp' ? 'MLP' : 'conv';
  if (!model.conditional) return `${arch} VAE`;
  const n = model.labels?.length;
  return `conditional ${arch} VAE${n ? ` (${n} label${n === 1 ? '' : 's'})` : ''}`;
}

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
export function bottleneckShape(model: Pick<ModelConfig, 'imageHeight' | 'imageWidth' | 'filters'>): [number, number] {
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

export type Arch = (typeof ARCHS)[number];

/**
 * True when the model can be built for this size: each side within the bounds, and for the conv
 * arch the stage rule of `bottleneckShape` (stride-2 stages need even sides). The MLP flattens
 * the image, so it takes any size within the bounds.
 */
export function isValidImageSize(height: number, width: number, arch: Arch = 'conv'): boolean {
  if (![height, width].every((s) => Number.isInteger(s) && s >= IMAGE_SIDE_MIN && s <= IMAGE_SIDE_MAX)) return false;
  if (arch === 'mlp') return true;
  try {
    bottleneckShape({ imageHeight: height, imageWidth: width, filters: defaultFilters(stagesFor(height, width)) });
    return true;
  } catch {
    return false;
  }
}

/** The valid sizes nearest to height × width for the arch (at most `count`, nearest first), as text: "8", "10", "32x48". */
export function nearestImageSizes(height: number, width: number, count = 2, arch: Arch = 'conv'): string[] {
  const clamp = (v: number) => Math.min(IMAGE_SIDE_MAX, Math.max(IMAGE_SIDE_MIN, Math.round(Number.isFinite(v) ? v : IMAGE_SIDE_MIN)));
  const near = (v: number) => Array.from({ length: 17 }, (_, i) => clamp(v) + i - 8).filter((s) => s >= IMAGE_SIDE_MIN && s <= IMAGE_SIDE_MAX);
  const square = height === width;
  const found: { h: number; w: number; d: number }[] = [];
  for (const h of near(height)) {
    for (const w of square ? [h] : near(width)) {
      if (isValidImageSize(h, w, arch)) found.push({ h, w, d: Math.abs(h - height) + Math.abs(w - width) });
    }
  }
  found.sort((a, b) => a.d - b.d || a.h - b.h || a.w - b.w);
  return found.slice(0, count).map((f) => (f.h === f.w ? String(f.h) : `${f.h}x${f.w}`));
}

/** undefined when the size is usable by the arch (default conv, the stricter), else why not, with the nearest valid sizes. */
export function checkImageSize(height: number, width: number, arch: Arch = 'conv'): string | undefined {
  if (isValidImageSize(height, width, arch)) return undefined;
  const text = height === width ? String(height) : `${height}x${width}`;
  const why = [height, width].some((s) => s < IMAGE_SIDE_MIN || s > IMAGE_SIDE_MAX)
    ? `each side must be from ${IMAGE_SIDE_MIN} to ${IMAGE_SIDE_MAX} pixels`
    : 'each side must be even for the conv arch: the encoder halves the image at least once (stride-2 stages) and the decoder doubles it back (--arch mlp takes any size)';
  return `image size ${text} is not usable: ${why}; nearest valid sizes: ${nearestImageSizes(height, width, 2, arch).join(', ')}`;
}

// ───────────────────────────── VS Code settings ─────────────────────────────

/** A `latentLens.*` setting as package.json `contributes.configuration.properties` declares it. */
export interface SettingSpec {
  /** `latentLens.<setting>` */
  key: string;
  param: ParamName;
  type: 'integer' | 'number' | 'string' | 'boolean';
  default: number | string | boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  enum?: readonly string[];
  description: string;
}

export const SETTINGS_SECTION = 'latentLens';

/** Every VS Code setting derived from PARAMS (test/unit/configSchema.test.ts holds package.json to it). */
export function settingSpecs(): SettingSpec[] {
  return PARAM_NAMES.flatMap((name) => {
    const s = paramSpec(name);
    if (!s.setting) return [];
    const type = s.kind === 'int' || s.kind === 'imageSize' ? 'integer' : s.kind === 'enum' ? 'string' : s.kind;
    return [{
      key: `${SETTINGS_SECTION}.${s.setting}`, param: name, type, default: s.default, description: s.description,
      ...(s.min !== undefined ? { minimum: s.min } : {}),
      ...(s.max !== undefined ? { maximum: s.max } : {}),
      ...(s.exclusiveMin !== undefined ? { exclusiveMinimum: s.exclusiveMin } : {}),
      ...(s.choices ? { enum: s.choices } : {}),
    }];
  });
}
