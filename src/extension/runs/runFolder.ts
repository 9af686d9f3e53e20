/**
 * Everything the extension reads from a run folder by hand, in one place (format:
 * docs/run-directory.md). src/run is the module that owns the run directory's file names; once it
 * offers these same functions, this file is replaced by imports from there — keep the names and
 * the simple signatures. Every reader is tolerant: a missing or unreadable file is `undefined`.
 *
 * No `vscode` here (plain Node tests use it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunStatus } from '../../protocol/trainerIpc';

/** status.json: what the trainer last said about the run. `epoch` = epochs completed. */
export interface RunStatusInfo {
  status: RunStatus;
  step: number;
  epoch: number;
  backend?: string;
  message?: string;
}

/** checkpoint.json: the last complete checkpoint. `epoch` = epochs completed when it was written. */
export interface CheckpointInfo {
  step: number;
  epoch: number;
  stepInEpoch?: number;
  /** The checkpoint folder, relative to the run folder. */
  dir?: string;
}

/** dataset.json: the images of the run, in row order. */
export interface DatasetIndex {
  dataDir: string;
  labels?: string[];
  images: { path: string; label?: number | string }[];
}

/** The parts of config.json the extension needs (the whole schema is RunConfig in src/protocol). */
export interface RunConfigInfo {
  dataDir?: string;
  training?: { epochs?: number };
}

function readJsonSync<T>(file: string): Partial<T> | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Partial<T>) : undefined;
  } catch {
    return undefined;
  }
}

const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

export function readRunStatus(runDir: string): RunStatusInfo | undefined {
  const s = readJsonSync<RunStatusInfo>(path.join(runDir, 'status.json'));
  if (!s || typeof s.status !== 'string') return undefined;
  return { status: s.status, step: num(s.step), epoch: num(s.epoch), backend: s.backend, message: s.message };
}

export function readCheckpointInfo(runDir: string): CheckpointInfo | undefined {
  const c = readJsonSync<CheckpointInfo>(path.join(runDir, 'checkpoint.json'));
  if (!c) return undefined;
  return { step: num(c.step), epoch: num(c.epoch), stepInEpoch: c.stepInEpoch, dir: c.dir };
}

/** dataset.json can hold tens of thousands of rows: read without blocking. */
export async function readDatasetIndex(runDir: string): Promise<DatasetIndex | undefined> {
  try {
    const d = JSON.parse(await fs.promises.readFile(path.join(runDir, 'dataset.json'), 'utf8')) as Partial<DatasetIndex>;
    if (typeof d?.dataDir !== 'string' || !Array.isArray(d.images)) return undefined;
    return { dataDir: d.dataDir, labels: d.labels, images: d.images };
  } catch {
    return undefined;
  }
}

export function readRunConfig(runDir: string): RunConfigInfo | undefined {
  return readJsonSync<RunConfigInfo>(path.join(runDir, 'config.json'));
}

/** A run folder has a config.json. */
export function isRunFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'config.json'));
}

/**
 * The model folder (with encoder/model.json and decoder/model.json) in `dir`: a run folder (its
 * model/) or a model folder itself; `runDir` is the run it belongs to, if any.
 */
export function findModelFolder(dir: string): { dir: string; runDir?: string } | undefined {
  const has = (d: string) => fs.existsSync(path.join(d, 'encoder', 'model.json')) && fs.existsSync(path.join(d, 'decoder', 'model.json'));
  if (has(path.join(dir, 'model'))) return { dir: path.join(dir, 'model'), runDir: isRunFolder(dir) ? dir : undefined };
  if (has(dir)) return { dir, runDir: isRunFolder(path.dirname(dir)) ? path.dirname(dir) : undefined };
  return undefined;
}

/**
 * Whether training can continue from the run folder's last checkpoint: it has one and the run
 * did not complete. Built from the readers above.
 */
export function resumeInfo(runDir: string): { resumable: boolean; status?: RunStatus; epoch: number; epochs: number } {
  const status = readRunStatus(runDir);
  const ckpt = readCheckpointInfo(runDir);
  const epochs = num(readRunConfig(runDir)?.training?.epochs);
  return { status: status?.status, epoch: ckpt?.epoch ?? status?.epoch ?? 0, epochs, resumable: !!ckpt && status?.status !== 'completed' };
}
