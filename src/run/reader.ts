/**
 * The tolerant, typed reader of a run directory. Every file is parsed with its schema of
 * src/protocol/runFormat.ts:
 *  - a file that is absent reads as `undefined` (a run that just started has no latents yet);
 *  - a file that is damaged (not JSON, wrong shape, too short) throws a RunFileError that names
 *    the file and what is wrong;
 *  - metrics.jsonl is appended to, so a kill during an append can leave a torn last line: it is
 *    skipped, not an error (a bad line before the last one is an error).
 * No TensorFlow.js here (the extension bundle reads runs with it); model weights: ./modelFiles.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { describeIssues, type z } from '../protocol/zod';
import {
  CheckpointPointer, CheckpointState, DatasetFile, LatentsIndex, LayersModelJson, MetricsLine, ProjectionFile, RunConfig, StatusFile,
  type EpochMetrics, type RunStatus, type StepMetrics,
} from '../protocol/runFormat';
import { PER_IMAGE_QUANTITIES, type PerImageQuantity } from '../protocol/runFormat';
import { CHECKPOINT_FILES, MODEL_JSON, MODEL_PARTS, RUN_FILES, runPaths } from './paths';

/** A run file that exists but cannot be used; the message names the file and the problem. */
export class RunFileError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file} ${problem}`);
    this.name = 'RunFileError';
  }
}

/** The bytes of a file, or undefined when it does not exist. */
export async function readBytesIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new RunFileError(file, `cannot be read: ${(e as Error).message}`);
  }
}

/** Parse a value with a schema, or throw a RunFileError naming the file and the bad keys. */
export function parseWith<S extends z.ZodType>(file: string, schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RunFileError(file, `is not a valid ${what}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** A JSON file parsed with its schema; undefined when absent. */
export async function readJsonFile<S extends z.ZodType>(file: string, schema: S, what: string): Promise<z.output<S> | undefined> {
  const buf = await readBytesIfExists(file);
  if (buf === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new RunFileError(file, `is not valid JSON: ${(e as Error).message}`);
  }
  return parseWith(file, schema, value, what);
}

// ───────────────────────────── what the run is ─────────────────────────────

/** True when `dir` is a run folder (it has a config.json). */
export function isRunFolder(dir: string): boolean {
  return existsSync(runPaths(dir).config);
}

/**
 * The one model-folder detection: `dir` is a run (its model/ holds encoder/ and decoder/) or a
 * model folder itself (encoder/model.json and decoder/model.json, TensorFlow.js layers format).
 * `runDir` is the run the model belongs to, when there is one (it knows the likelihood and the
 * filters). undefined when `dir` holds no encoder/decoder pair.
 */
export function findModelFolder(dir: string): ModelFolder | undefined {
  const at = (modelDir: string, runDir?: string): ModelFolder => ({ modelDir, encoderDir: path.join(modelDir, MODEL_PARTS.encoder), decoderDir: path.join(modelDir, MODEL_PARTS.decoder), runDir });
  const hasPair = (d: string) => existsSync(path.join(d, MODEL_PARTS.encoder, MODEL_JSON)) && existsSync(path.join(d, MODEL_PARTS.decoder, MODEL_JSON));
  const inRun = runPaths(dir).model;
  if (hasPair(inRun)) return at(inRun, isRunFolder(dir) ? dir : undefined);
  if (hasPair(dir)) {
    const parent = path.dirname(path.resolve(dir));
    return at(dir, path.basename(path.resolve(dir)) === RUN_FILES.model && isRunFolder(parent) ? parent : undefined);
  }
  return undefined;
}

export interface ModelFolder {
  /** The folder holding encoder/ and decoder/. */
  modelDir: string;
  encoderDir: string;
  decoderDir: string;
  /** The run the model belongs to, if it is one's model/ folder. */
  runDir?: string;
}

/** config.json; throws when the folder is not a run. */
export async function readConfig(run: string): Promise<RunConfig> {
  const config = await readJsonFile(runPaths(run).config, RunConfig, 'run configuration');
  if (!config) throw new RunFileError(run, `is not a Latent Lens run: it has no ${RUN_FILES.config}`);
  return config;
}

/** status.json: what the run is doing or how it ended; undefined before the trainer wrote it. */
export function readRunStatus(run: string): Promise<StatusFile | undefined> {
  return readJsonFile(runPaths(run).status, StatusFile, 'run status');
}

export interface CheckpointInfo {
  /** Relative to the run: checkpoints/ckpt-<step>. */
  dir: string;
  step: number;
  /** Completed epochs. */
  epoch: number;
  stepInEpoch: number;
}

/** checkpoint.json, when it names a checkpoint folder that exists: a run can resume from it. */
export async function readCheckpointInfo(run: string): Promise<CheckpointInfo | undefined> {
  const file = runPaths(run).checkpointPointer;
  const pointer = await readJsonFile(file, CheckpointPointer, 'checkpoint pointer');
  if (!pointer) return undefined;
  if (!existsSync(path.join(run, ...pointer.dir.split('/'), CHECKPOINT_FILES.state))) throw new RunFileError(file, `names ${pointer.dir}, which has no ${CHECKPOINT_FILES.state}`);
  return { dir: pointer.dir, step: pointer.step, epoch: pointer.epoch, stepInEpoch: pointer.stepInEpoch };
}

/** state.json of a checkpoint folder (relative to the run). */
export async function readCheckpointState(run: string, dir: string): Promise<CheckpointState> {
  const file = path.join(run, ...dir.split('/'), CHECKPOINT_FILES.state);
  const state = await readJsonFile(file, CheckpointState, 'checkpoint state');
  if (!state) throw new RunFileError(file, 'is missing');
  return state;
}

export interface RunInfo {
  status?: RunStatus;
  step: number;
  /** Completed epochs (of the checkpoint when there is one). */
  epoch: number;
  /** Epochs the run is configured for (0 when config.json is missing). */
  epochs: number;
  checkpoint?: CheckpointInfo;
  /** Has a checkpoint and has not completed. */
  resumable: boolean;
}

/** What a run folder says about itself (status.json, checkpoint.json, config.json); damaged files count as absent. */
export async function readRunInfo(run: string): Promise<RunInfo> {
  const quiet = <T>(p: Promise<T>) => p.catch(() => undefined);
  const [status, checkpoint, config] = await Promise.all([quiet(readRunStatus(run)), quiet(readCheckpointInfo(run)), quiet(readConfig(run))]);
  return {
    status: status?.status,
    step: checkpoint?.step ?? status?.step ?? 0,
    epoch: checkpoint?.epoch ?? status?.epoch ?? 0,
    epochs: config?.training.epochs ?? 0,
    checkpoint,
    resumable: !!checkpoint && status?.status !== 'completed',
  };
}

/** dataset.json: labels, every image (path, label, split) in row order, skipped files. */
export function readDatasetIndex(run: string): Promise<DatasetFile | undefined> {
  return readJsonFile(runPaths(run).dataset, DatasetFile, 'dataset index');
}

/** data/pixels.u8; when `expectedBytes` is given, a shorter file is an error (longer: trimmed). */
export async function readPixels(run: string, expectedBytes?: number): Promise<Uint8Array | undefined> {
  const file = runPaths(run).pixels;
  const buf = await readBytesIfExists(file);
  if (!buf) return undefined;
  if (expectedBytes !== undefined && buf.byteLength < expectedBytes) throw new RunFileError(file, `holds ${buf.byteLength} bytes, ${expectedBytes} expected`);
  return new Uint8Array(buf.buffer, buf.byteOffset, expectedBytes ?? buf.byteLength);
}

// ───────────────────────────── metrics.jsonl ─────────────────────────────

export interface ReadMetricsOptions {
  /** Skip every line that does not parse instead of throwing (for display). Default false. */
  lenient?: boolean;
}

/** Every line of metrics.jsonl. A torn last line is skipped; any other bad line throws unless `lenient`. */
export async function readMetrics(run: string, opts: ReadMetricsOptions = {}): Promise<MetricsLine[]> {
  const file = runPaths(run).metrics;
  const buf = await readBytesIfExists(file);
  if (!buf) return [];
  const lines = buf.toString('utf8').split('\n');
  const last = lines.reduce((k, l, i) => (l.trim() ? i : k), -1);
  const out: MetricsLine[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let problem: string | undefined;
    try {
      const m = MetricsLine.safeParse(JSON.parse(line));
      if (m.success) out.push(m.data);
      else problem = describeIssues(m.error);
    } catch (e) {
      problem = (e as Error).message;
    }
    if (problem !== undefined && i !== last && !opts.lenient) throw new RunFileError(file, `line ${i + 1} is invalid: ${problem}`);
  });
  return out;
}

/** metrics.jsonl split by kind (lenient: for display). */
export async function readMetricsByKind(run: string): Promise<{ steps: StepMetrics[]; epochs: EpochMetrics[] }> {
  const all = await readMetrics(run, { lenient: true });
  return { steps: all.filter((m): m is StepMetrics => m.kind === 'step'), epochs: all.filter((m): m is EpochMetrics => m.kind === 'epoch') };
}

// ───────────────────────────── latents/ ─────────────────────────────

/** latents/index.json. */
export function readLatentsIndex(run: string): Promise<LatentsIndex | undefined> {
  return readJsonFile(runPaths(run).latentsIndex, LatentsIndex, 'latents index');
}

function f32(buf: Buffer, values: number): Float32Array {
  const out = new Float32Array(values);
  new Uint8Array(out.buffer).set(buf.subarray(0, values * 4));
  return out;
}

/**
 * latents/mu.f32 (and logvar.f32 with `withLogVar`) as described by latents/index.json;
 * undefined when either is absent, an error when a file is shorter than the index says.
 */
export async function readLatents(run: string, opts: { withLogVar?: boolean } = {}): Promise<{ index: LatentsIndex; mu: Float32Array; logVar?: Float32Array } | undefined> {
  const p = runPaths(run);
  const index = await readLatentsIndex(run);
  if (!index) return undefined;
  const values = index.count * index.latentDim;
  const read = async (file: string) => {
    const buf = await readBytesIfExists(file);
    if (buf && buf.byteLength < values * 4) throw new RunFileError(file, `holds ${buf.byteLength} bytes, ${values * 4} expected (latents/index.json: ${index.count} × ${index.latentDim} float32)`);
    return buf && f32(buf, values);
  };
  const mu = await read(p.mu);
  if (!mu) return undefined;
  const logVar = opts.withLogVar ? await read(p.logVar) : undefined;
  if (opts.withLogVar && !logVar) return undefined;
  return { index, mu, logVar };
}

/** The per-image quantities of latents/ (runFormat.ts PER_IMAGE_QUANTITIES) and the epoch end they belong to. */
export interface PerImage {
  /** −log p(x | z = μ) per image, nats. */
  recon: Float32Array;
  /** KL(q(z|x) ‖ N(0, I)) per image, nats. */
  kl: Float32Array;
  /** Mean σ² over the latent dimensions, per image. */
  meanVar: Float32Array;
  epoch: number;
  step: number;
}

/**
 * latents/recon.f32, kl.f32 and meanvar.f32 as described by latents/index.json: undefined when
 * the index is absent or does not list them (a run written before they existed) or a file is
 * absent; a RunFileError naming the file when one is shorter than `count` float32 values.
 */
export async function readPerImage(run: string): Promise<PerImage | undefined> {
  const p = runPaths(run);
  const index = await readLatentsIndex(run);
  if (!index || !PER_IMAGE_QUANTITIES.every((q) => index.perImage?.includes(q))) return undefined;
  const out: Partial<Record<PerImageQuantity, Float32Array>> = {};
  for (const q of PER_IMAGE_QUANTITIES) {
    const buf = await readBytesIfExists(p[q]);
    if (!buf) return undefined;
    if (buf.byteLength < index.count * 4) throw new RunFileError(p[q], `holds ${buf.byteLength} bytes, ${index.count * 4} expected (latents/index.json: ${index.count} images × 1 float32)`);
    out[q] = f32(buf, index.count);
  }
  return { recon: out.recon!, kl: out.kl!, meanVar: out.meanVar!, epoch: index.epoch, step: index.step };
}

/** latents/projection.json. */
export function readProjection(run: string): Promise<ProjectionFile | undefined> {
  return readJsonFile(runPaths(run).projection, ProjectionFile, '2-D projection');
}

// ───────────────────────────── model folders (no tfjs) ─────────────────────────────

/** <modelDir>/model.json of a layers model. */
export function readModelJson(modelDir: string): Promise<LayersModelJson | undefined> {
  return readJsonFile(path.join(modelDir, MODEL_JSON), LayersModelJson, 'TensorFlow.js layers model');
}

/** model.json and its weight files concatenated in manifest order; undefined when absent. */
export async function readModelFolder(modelDir: string): Promise<{ modelJson: LayersModelJson; weights: Buffer } | undefined> {
  const modelJson = await readModelJson(modelDir);
  if (!modelJson) return undefined;
  const parts: Buffer[] = [];
  for (const name of modelJson.weightsManifest.flatMap((g) => g.paths)) {
    const file = path.join(modelDir, name);
    const buf = await readBytesIfExists(file);
    if (!buf) throw new RunFileError(path.join(modelDir, MODEL_JSON), `names the weights file ${name}, which is missing`);
    parts.push(buf);
  }
  return { modelJson, weights: Buffer.concat(parts) };
}
