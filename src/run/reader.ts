/**
 * The tolerant, typed reader of a run directory. Every file is parsed with its schema of
 * src/protocol/runFormat.ts:
 *  - a file that is absent reads as `undefined` (a run that just started has no latents yet);
 *  - a file that is damaged (not JSON, wrong shape, shorter or longer than the file that
 *    describes it says) throws a RunFileError that names the file and what is wrong;
 *  - metrics.jsonl is appended to, so a kill during an append can leave a torn last line: it is
 *    skipped, not an error (a bad line before the last one is an error);
 *  - every path goes through the path guard (./safePath): a symbolic link inside the run, or a
 *    name read from a file that leaves the run (checkpoint.json's dir, model.json's weight
 *    paths), is a RunFileError of kind `unsafe`.
 * No TensorFlow.js here (the extension bundle reads runs with it); model weights: ./modelFiles.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describeIssues, type z } from '../protocol/zod';
import {
  CheckpointPointer, CheckpointState, DatasetFile, LatentsIndex, LayersModelJson, MetricsLine, ProjectionFile, RunConfig, StatusFile,
  type ChangeLine, type EpochMetrics, type RunStatus, type StepMetrics,
} from '../protocol/runFormat';
import { PER_IMAGE_QUANTITIES, type PerImageQuantity } from '../protocol/runFormat';
import { CHECKPOINT_FILES, MODEL_JSON, MODEL_PARTS, RUN_FILES, runPaths } from './paths';
import { RunFileError } from './runFileError';
import { OWNED_CHECKPOINT, readRunFile, relativeNameProblem, resolveInsideRun, shownPath } from './safePath';

export { RunFileError, type RunFileProblem } from './runFileError';

/** Parse a value with a schema, or throw a RunFileError naming the file and the bad keys. */
export function parseWith<S extends z.ZodType>(file: string, schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RunFileError(file, `is not a valid ${what}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** A JSON file of a run (run-relative name) parsed with its schema; undefined when absent. */
export async function readJsonFile<S extends z.ZodType>(run: string, rel: string, schema: S, what: string): Promise<z.output<S> | undefined> {
  const buf = await readRunFile(run, rel);
  if (buf === undefined) return undefined;
  const file = shownPath(run, rel);
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
  const config = await readJsonFile(run, RUN_FILES.config, RunConfig, 'run configuration');
  if (!config) throw new RunFileError(run, `is not a Latent Lens run: it has no ${RUN_FILES.config}`, 'missing');
  return config;
}

/** status.json: what the run is doing or how it ended; undefined before the trainer wrote it. */
export function readRunStatus(run: string): Promise<StatusFile | undefined> {
  return readJsonFile(run, RUN_FILES.status, StatusFile, 'run status');
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
  const pointer = await readJsonFile(run, RUN_FILES.checkpointPointer, CheckpointPointer, 'checkpoint pointer');
  if (!pointer) return undefined;
  checkCheckpointDir(file, pointer.dir);
  const state = await resolveInsideRun(run, `${pointer.dir}/${CHECKPOINT_FILES.state}`);
  if (!state.stat) throw new RunFileError(file, `names ${pointer.dir}, which has no ${CHECKPOINT_FILES.state}`, 'missing');
  return { dir: pointer.dir, step: pointer.step, epoch: pointer.epoch, stepInEpoch: pointer.stepInEpoch };
}

/** A checkpoint folder named by checkpoint.json must be one the trainer writes: checkpoints/ckpt-<step>. */
function checkCheckpointDir(pointerFile: string, dir: string): void {
  const problem = relativeNameProblem(dir);
  if (problem) throw new RunFileError(pointerFile, `names the checkpoint folder "${dir}", which ${problem}: refused, a checkpoint must be inside the run`, 'unsafe');
  const [parent, name, ...rest] = dir.split('/');
  if (parent !== RUN_FILES.checkpoints || !OWNED_CHECKPOINT.test(name ?? '') || rest.length) {
    throw new RunFileError(pointerFile, `names the checkpoint folder "${dir}", which is not a checkpoint of this run (${RUN_FILES.checkpoints}/ckpt-<step>)`, 'unsafe');
  }
}

/** state.json of a checkpoint folder (relative to the run). */
export async function readCheckpointState(run: string, dir: string): Promise<CheckpointState> {
  checkCheckpointDir(runPaths(run).checkpointPointer, dir);
  const rel = `${dir}/${CHECKPOINT_FILES.state}`;
  const state = await readJsonFile(run, rel, CheckpointState, 'checkpoint state');
  if (!state) throw new RunFileError(shownPath(run, rel), 'is missing', 'missing');
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
  return readJsonFile(run, RUN_FILES.dataset, DatasetFile, 'dataset index');
}

/** data/pixels.u8; when `expectedBytes` is given, a shorter file is an error (longer: trimmed). */
export async function readPixels(run: string, expectedBytes?: number): Promise<Uint8Array | undefined> {
  const buf = await readRunFile(run, RUN_FILES.pixels);
  if (!buf) return undefined;
  if (expectedBytes !== undefined && buf.byteLength < expectedBytes) {
    throw new RunFileError(runPaths(run).pixels, `is truncated: it holds ${buf.byteLength} bytes, ${expectedBytes} expected (the images of ${RUN_FILES.dataset})`);
  }
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
  const buf = await readRunFile(run, RUN_FILES.metrics);
  if (!buf) return [];
  const lines = buf.toString('utf8').split('\n');
  const last = lines.reduce((k, l, i) => (l.trim() ? i : k), -1);
  const out: MetricsLine[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let problem: string | undefined;
    try {
      const value: unknown = JSON.parse(line);
      const m = MetricsLine.safeParse(value);
      if (m.success) out.push(m.data);
      // A kind this version does not know (written by a newer trainer) is skipped, not an error.
      else if (!isKnownMetricsKind(value)) return;
      else problem = describeIssues(m.error);
    } catch (e) {
      problem = (e as Error).message;
    }
    if (problem !== undefined && i !== last && !opts.lenient) throw new RunFileError(file, `line ${i + 1} is invalid: ${problem}`);
  });
  return out;
}

const METRICS_KINDS = new Set(['step', 'epoch', 'change']);
function isKnownMetricsKind(v: unknown): boolean {
  const kind = (v as { kind?: unknown } | null)?.kind;
  return typeof kind !== 'string' || METRICS_KINDS.has(kind);
}

/** metrics.jsonl split by kind (lenient: for display). */
export async function readMetricsByKind(run: string): Promise<{ steps: StepMetrics[]; epochs: EpochMetrics[]; changes: ChangeLine[] }> {
  const all = await readMetrics(run, { lenient: true });
  return {
    steps: all.filter((m): m is StepMetrics => m.kind === 'step'), epochs: all.filter((m): m is EpochMetrics => m.kind === 'epoch'),
    changes: all.filter((m): m is ChangeLine => m.kind === 'change'),
  };
}

// ───────────────────────────── latents/ ─────────────────────────────

/** latents/index.json. */
export function readLatentsIndex(run: string): Promise<LatentsIndex | undefined> {
  return readJsonFile(run, RUN_FILES.latentsIndex, LatentsIndex, 'latents index');
}

function f32(buf: Buffer, values: number): Float32Array {
  const out = new Float32Array(values);
  new Uint8Array(out.buffer).set(buf.subarray(0, values * 4));
  return out;
}

/**
 * latents/mu.f32 (and logvar.f32 with `withLogVar`) as described by latents/index.json;
 * undefined when either is absent, an error naming the file when its size is not what the
 * index says (truncated, or from another save).
 */
export async function readLatents(run: string, opts: { withLogVar?: boolean } = {}): Promise<{ index: LatentsIndex; mu: Float32Array; logVar?: Float32Array } | undefined> {
  const index = await readLatentsIndex(run);
  if (!index) return undefined;
  const values = index.count * index.latentDim;
  const read = async (rel: string) => {
    const buf = await readRunFile(run, rel);
    if (buf && buf.byteLength !== values * 4) {
      const what = buf.byteLength < values * 4 ? 'is truncated' : 'is longer than it should be';
      throw new RunFileError(shownPath(run, rel), `${what}: it holds ${buf.byteLength} bytes, ${values * 4} expected (${RUN_FILES.latentsIndex}: ${index.count} images × ${index.latentDim} dimensions of float32)`);
    }
    return buf && f32(buf, values);
  };
  const mu = await read(RUN_FILES.mu);
  if (!mu) return undefined;
  const logVar = opts.withLogVar ? await read(RUN_FILES.logVar) : undefined;
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
  const index = await readLatentsIndex(run);
  if (!index || !PER_IMAGE_QUANTITIES.every((q) => index.perImage?.includes(q))) return undefined;
  const out: Partial<Record<PerImageQuantity, Float32Array>> = {};
  for (const q of PER_IMAGE_QUANTITIES) {
    const buf = await readRunFile(run, RUN_FILES[q]);
    if (!buf) return undefined;
    if (buf.byteLength !== index.count * 4) {
      const what = buf.byteLength < index.count * 4 ? 'is truncated' : 'is longer than it should be';
      throw new RunFileError(shownPath(run, RUN_FILES[q]), `${what}: it holds ${buf.byteLength} bytes, ${index.count * 4} expected (${RUN_FILES.latentsIndex}: ${index.count} images × 1 float32)`);
    }
    out[q] = f32(buf, index.count);
  }
  return { recon: out.recon!, kl: out.kl!, meanVar: out.meanVar!, epoch: index.epoch, step: index.step };
}

/** latents/projection.json. */
export function readProjection(run: string): Promise<ProjectionFile | undefined> {
  return readJsonFile(run, RUN_FILES.projection, ProjectionFile, '2-D projection');
}

// ───────────────────────────── model folders (no tfjs) ─────────────────────────────

/**
 * Where a model folder's files are checked from: a run's model/encoder or model/decoder is
 * guarded from the run folder (so a linked model/ or model/decoder is refused); any other
 * model folder (what `encode` is given) from the folder itself.
 */
export function modelLocation(modelDir: string): { root: string; rel: string } {
  const abs = path.resolve(modelDir);
  const parent = path.dirname(abs);
  if (path.basename(parent) === RUN_FILES.model && isRunFolder(path.dirname(parent))) return { root: path.dirname(parent), rel: `${RUN_FILES.model}/${path.basename(abs)}` };
  return { root: abs, rel: '' };
}

const inModel = (rel: string, name: string) => (rel ? `${rel}/${name}` : name);

/** <modelDir>/model.json of a layers model. */
export function readModelJson(modelDir: string): Promise<LayersModelJson | undefined> {
  const at = modelLocation(modelDir);
  return readJsonFile(at.root, inModel(at.rel, MODEL_JSON), LayersModelJson, 'TensorFlow.js layers model');
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

/** The bytes a weights-manifest group needs, or undefined when it cannot be told (quantized, strings). */
function groupBytes(weights: LayersModelJson['weightsManifest'][number]['weights']): number | undefined {
  let total = 0;
  for (const w of weights) {
    const size = DTYPE_BYTES[w.dtype];
    if (size === undefined || (w as { quantization?: unknown }).quantization !== undefined) return undefined;
    total += w.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}

/**
 * model.json and its weight files concatenated in manifest order; undefined when absent. A weight
 * file that is missing, or whose size is not what model.json's weights need (truncated, or from
 * another save), is a RunFileError naming it.
 */
export async function readModelFolder(modelDir: string): Promise<{ modelJson: LayersModelJson; weights: Buffer } | undefined> {
  const modelJson = await readModelJson(modelDir);
  if (!modelJson) return undefined;
  const at = modelLocation(modelDir);
  const jsonFile = path.join(modelDir, MODEL_JSON);
  const parts: Buffer[] = [];
  for (const group of modelJson.weightsManifest) {
    const bufs: Buffer[] = [];
    for (const name of group.paths) {
      const problem = relativeNameProblem(name);
      if (problem || name.includes('/')) throw new RunFileError(jsonFile, `names the weights file "${name}", which ${problem ?? 'is not a file of the model folder'}: refused`, 'unsafe');
      const buf = await readRunFile(at.root, inModel(at.rel, name));
      if (!buf) throw new RunFileError(jsonFile, `names the weights file ${name}, which is missing`, 'missing');
      bufs.push(buf);
    }
    const need = groupBytes(group.weights);
    const have = bufs.reduce((s, b) => s + b.byteLength, 0);
    if (need !== undefined && have !== need) {
      const files = group.paths.map((n) => path.join(modelDir, n)).join(', ');
      throw new RunFileError(files, `${have < need ? 'is truncated' : 'is longer than it should be'}: it holds ${have} bytes, ${MODEL_JSON} lists ${group.weights.length} weights of ${need} bytes`);
    }
    parts.push(...bufs);
  }
  return { modelJson, weights: Buffer.concat(parts) };
}
