/**
 * Every file name of the run directory, once (docs/run-directory.md; their contents:
 * src/protocol/runFormat.ts). No other module names a run file: they ask `runPaths(run)`.
 */
import path from 'node:path';

/** Names relative to the run folder, `/`-separated. */
export const RUN_FILES = {
  config: 'config.json',
  status: 'status.json',
  dataset: 'dataset.json',
  pixels: 'data/pixels.u8',
  metrics: 'metrics.jsonl',
  checkpointPointer: 'checkpoint.json',
  checkpoints: 'checkpoints',
  model: 'model',
  encoder: 'model/encoder',
  decoder: 'model/decoder',
  latents: 'latents',
  latentsIndex: 'latents/index.json',
  mu: 'latents/mu.f32',
  logVar: 'latents/logvar.f32',
  /** The per-image quantities (runFormat.ts PER_IMAGE_QUANTITIES), float32 LE, one per image. */
  recon: 'latents/recon.f32',
  kl: 'latents/kl.f32',
  meanVar: 'latents/meanvar.f32',
  projection: 'latents/projection.json',
  /** Epoch replay (runFormat.ts HistoryIndex; files of one epoch: historyEpochFile). */
  history: 'history',
  historyIndex: 'history/index.json',
  /** Live control requests, one JSON line each (runFormat.ts ControlRequest): appended, never rewritten. */
  control: 'control.jsonl',
  /** The live trainer's heartbeat (runFormat.ts HeartbeatFile). */
  heartbeat: 'heartbeat.json',
} as const;

/** The files of one kept epoch of history/ (mu.f16, map.f32, samples.u8). */
export const HISTORY_PARTS = { mu: 'mu.f16', map: 'map.f32', samples: 'samples.u8' } as const;
export type HistoryPart = keyof typeof HISTORY_PARTS;
/** history/epoch-<n> (folder) and history/epoch-<n>/<part>, run-relative. */
export function historyEpochDir(epoch: number): string {
  return `${RUN_FILES.history}/epoch-${epoch}`;
}
export function historyEpochFile(epoch: number, part: HistoryPart): string {
  return `${historyEpochDir(epoch)}/${HISTORY_PARTS[part]}`;
}

/** Names inside a sweep folder (`latent-lens sweep`; sweep.json: SweepFile of src/protocol/runFormat.ts). */
export const SWEEP_FILES = { sweep: 'sweep.json', script: 'sweep.sbatch', logs: 'logs' } as const;

/** Inside a checkpoint folder (checkpoints/ckpt-<step>/). */
export const CHECKPOINT_FILES = { state: 'state.json', tensors: 'tensors.bin' } as const;
/** The two layers models of a model folder (a run's model/, or any folder `encode` is given). */
export const MODEL_PARTS = { encoder: 'encoder', decoder: 'decoder' } as const;
/** Inside a layers-model folder (model/encoder, model/decoder). */
export const MODEL_JSON = 'model.json';
/** Weight files of a layers-model folder: a fresh name per save (see modelFiles.ts). */
export const WEIGHTS_PREFIX = 'weights-';

/** The folder name of the checkpoint at a step, and its path relative to the run. */
export function checkpointName(step: number): string {
  return `ckpt-${step}`;
}
export function checkpointRelDir(step: number): string {
  return `${RUN_FILES.checkpoints}/${checkpointName(step)}`;
}

export type RunPaths = { -readonly [K in keyof typeof RUN_FILES]: string };

/** Absolute (or run-relative, as `run` is) paths of every file of a run. */
export function runPaths(run: string): RunPaths {
  const out = {} as RunPaths;
  for (const [k, rel] of Object.entries(RUN_FILES)) out[k as keyof RunPaths] = path.join(run, ...rel.split('/'));
  return out;
}
