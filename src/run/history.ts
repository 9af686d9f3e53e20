/**
 * history/ — the epoch replay of a run (docs/run-directory.md): per kept epoch, μ of every image
 * as float16 (mu.f16), that epoch's map aligned to the previous one (map.f32, written when the
 * projection lands, which for UMAP is after the epoch end) and a fixed grid of z decoded at the
 * epoch end (samples.u8), described by history/index.json (runFormat.ts HistoryIndex).
 *
 * Budget (src/analysis/historyBudget.ts): the bytes of one epoch × the configured epochs must
 * stay under HISTORY_BUDGET_BYTES; beyond that the first, the last and every s-th epoch are kept.
 * The newest epoch is always written; when the next one arrives, the previous one is removed
 * again if the rule does not keep it (so a run stopped early still has its last epoch).
 *
 * Writes are atomic (files first, the index last, so the index never names a file not yet
 * written) and serialised (epoch end and a late projection never interleave on index.json).
 * The reader checks every file's size against the index and names a truncated file.
 */
import { promises as fs } from 'node:fs';
import { fromFloat16, toFloat16 } from '../analysis/float16';
import { HISTORY_BUDGET_BYTES, historyStride, isKeptEpoch } from '../analysis/historyBudget';
import { alignTo, pca2d } from '../analysis/projectionMath';
import { HistoryIndex, type HistoryEpoch, type HistorySamples, type ProjectionMethod } from '../protocol/runFormat';
import { bytesOf, writeRunJson } from './atomic';
import { HISTORY_PARTS, RUN_FILES, historyEpochDir, historyEpochFile, type HistoryPart } from './paths';
import { readJsonFile } from './reader';
import { RunFileError } from './runFileError';
import { readRunFile, removeOwnedFile, resolveInsideRun, shownPath, writeRunFile } from './safePath';

export interface HistoryShape {
  count: number;
  latentDim: number;
  samples: HistorySamples | null;
}

/** Bytes of one kept epoch: μ float16, the map's x and y float32, the decoded grid. */
export function historyEpochBytes(shape: HistoryShape): number {
  const s = shape.samples;
  return shape.count * shape.latentDim * 2 + shape.count * 8 + (s ? s.rows * s.cols * s.height * s.width * s.channels : 0);
}

/** Expected byte size of one file of an epoch. */
export function historyPartBytes(index: Pick<HistoryIndex, 'count' | 'latentDim' | 'samples'>, part: HistoryPart): number {
  if (part === 'mu') return index.count * index.latentDim * 2;
  if (part === 'map') return index.count * 8;
  const s = index.samples;
  return s ? s.rows * s.cols * s.height * s.width * s.channels : 0;
}

export function readHistoryIndex(run: string): Promise<HistoryIndex | undefined> {
  return readJsonFile(run, RUN_FILES.historyIndex, HistoryIndex, 'history index');
}

/** The bytes of one file of a kept epoch, checked against the index. */
async function readPart(run: string, index: HistoryIndex, epoch: number, part: HistoryPart): Promise<Buffer> {
  const rel = historyEpochFile(epoch, part);
  const buf = await readRunFile(run, rel);
  const want = historyPartBytes(index, part);
  if (!buf) throw new RunFileError(shownPath(run, rel), `is missing, but ${RUN_FILES.historyIndex} lists epoch ${epoch} with it`);
  if (buf.byteLength !== want) {
    const what = buf.byteLength < want ? 'is truncated' : 'is longer than it should be';
    throw new RunFileError(shownPath(run, rel), `${what}: it holds ${buf.byteLength} bytes, ${want} expected (${RUN_FILES.historyIndex}: ${index.count} images, ${index.latentDim} dimensions)`);
  }
  return buf;
}

function entryOf(run: string, index: HistoryIndex, epoch: number): HistoryEpoch {
  const e = index.epochs.find((x) => x.epoch === epoch);
  if (!e) throw new RunFileError(shownPath(run, RUN_FILES.historyIndex), `keeps no epoch ${epoch} (it keeps ${index.epochs.map((x) => x.epoch).join(', ') || 'none'})`);
  return e;
}

/** μ of every image at a kept epoch (float32, count × latentDim). */
export async function readHistoryMu(run: string, index: HistoryIndex, epoch: number): Promise<Float32Array> {
  if (!entryOf(run, index, epoch).mu) throw new RunFileError(shownPath(run, historyEpochFile(epoch, 'mu')), 'was not written for this epoch');
  const buf = await readPart(run, index, epoch, 'mu');
  return fromFloat16(new Uint16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
}

/** The map of a kept epoch, or undefined when its projection never landed. */
export async function readHistoryMap(run: string, index: HistoryIndex, epoch: number): Promise<{ method: ProjectionMethod; x: Float32Array; y: Float32Array } | undefined> {
  const method = entryOf(run, index, epoch).map;
  if (!method) return undefined;
  const buf = await readPart(run, index, epoch, 'map');
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return { method, x: all.slice(0, index.count), y: all.slice(index.count) };
}

/** The decoded grid of a kept epoch (rows × cols images, row-major), or undefined. */
export async function readHistorySamples(run: string, index: HistoryIndex, epoch: number): Promise<Uint8Array | undefined> {
  if (!index.samples || !entryOf(run, index, epoch).samples) return undefined;
  const buf = await readPart(run, index, epoch, 'samples');
  return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/**
 * The map of every kept epoch, in order. An epoch whose projection never landed (the trainer
 * skips a projection while the last one still computes) gets PCA of its μ, aligned to the map
 * before it, so a replay still has one frame per kept epoch (`method` says which).
 */
export async function readHistoryLayouts(run: string, index: HistoryIndex, epochs = index.epochs.map((e) => e.epoch)): Promise<{ epoch: number; method: ProjectionMethod | 'pca of μ'; x: Float32Array; y: Float32Array }[]> {
  const out: { epoch: number; method: ProjectionMethod | 'pca of μ'; x: Float32Array; y: Float32Array }[] = [];
  for (const epoch of epochs) {
    const map = await readHistoryMap(run, index, epoch);
    if (map) { out.push({ epoch, ...map }); continue; }
    const { x, y } = pca2d(await readHistoryMu(run, index, epoch), index.count, index.latentDim);
    const prev = out[out.length - 1];
    if (prev) alignTo(x, y, prev.x, prev.y);
    out.push({ epoch, method: 'pca of μ', x, y });
  }
  return out;
}

/** The trainer's side: opened once per training session (a resumed run continues its index). */
export class HistoryWriter {
  private queue: Promise<void> = Promise.resolve();

  private constructor(private readonly run: string, private index: HistoryIndex) {}

  /** `totalEpochs`: the configured epochs (the thinning rule needs them). */
  static async open(run: string, shape: HistoryShape, totalEpochs: number, budget = HISTORY_BUDGET_BYTES): Promise<HistoryWriter> {
    const stride = historyStride(totalEpochs, historyEpochBytes(shape), budget);
    const old = await readHistoryIndex(run).catch(() => undefined);
    const same = old && old.count === shape.count && old.latentDim === shape.latentDim && JSON.stringify(old.samples) === JSON.stringify(shape.samples);
    const index: HistoryIndex = { version: 1, ...shape, budgetBytes: budget, totalEpochs, stride, epochs: same ? old.epochs : [] };
    return new HistoryWriter(run, index);
  }

  get current(): Readonly<HistoryIndex> { return this.index; }

  private serial(job: () => Promise<void>): Promise<void> {
    const next = this.queue.then(job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** μ (float32, count × latentDim) and the decoded grid of epoch `epoch` (1-based). */
  epochEnd(epoch: number, step: number, mu: Float32Array, samples: Uint8Array | null): Promise<void> {
    return this.serial(async () => {
      const ix = this.index;
      if (mu.length !== ix.count * ix.latentDim) throw new Error(`history: μ has ${mu.length} values for ${ix.count} × ${ix.latentDim}`);
      await writeRunFile(this.run, historyEpochFile(epoch, 'mu'), bytesOf(toFloat16(mu)));
      const withSamples = !!(samples && ix.samples);
      if (withSamples) {
        if (samples!.length !== historyPartBytes(ix, 'samples')) throw new Error(`history: the decoded grid has ${samples!.length} bytes, ${historyPartBytes(ix, 'samples')} expected`);
        await writeRunFile(this.run, historyEpochFile(epoch, 'samples'), samples!);
      }
      // A resumed run re-trains the epochs after its checkpoint: those entries are replaced.
      const dropped = ix.epochs.filter((e) => e.epoch >= epoch || !isKeptEpoch(e.epoch, ix.totalEpochs, ix.stride));
      const kept = ix.epochs.filter((e) => !dropped.includes(e));
      this.index = { ...ix, epochs: [...kept, { epoch, step, mu: true, map: null, samples: withSamples }] };
      await writeRunJson(this.run, RUN_FILES.historyIndex, this.index);
      for (const e of dropped) if (e.epoch !== epoch) await this.remove(e.epoch);
    });
  }

  /** The map of epoch `epoch` (aligned to the previous one), when its projection lands. Ignored for an epoch not kept. */
  map(epoch: number, method: ProjectionMethod, x: Float32Array, y: Float32Array): Promise<void> {
    return this.serial(async () => {
      const ix = this.index;
      if (!ix.epochs.some((e) => e.epoch === epoch) || x.length !== ix.count || y.length !== ix.count) return;
      const xy = new Float32Array(ix.count * 2);
      xy.set(x, 0);
      xy.set(y, ix.count);
      await writeRunFile(this.run, historyEpochFile(epoch, 'map'), bytesOf(xy));
      this.index = { ...ix, epochs: ix.epochs.map((e) => (e.epoch === epoch ? { ...e, map: method } : e)) };
      await writeRunJson(this.run, RUN_FILES.historyIndex, this.index);
    });
  }

  /** Wait for every write queued so far. */
  flush(): Promise<void> {
    return this.queue;
  }

  /** Deletes history/epoch-<n>: its own files by name, then the folder if that left it empty. */
  private async remove(epoch: number): Promise<void> {
    for (const part of Object.keys(HISTORY_PARTS) as HistoryPart[]) await removeOwnedFile(this.run, historyEpochFile(epoch, part));
    const at = await resolveInsideRun(this.run, historyEpochDir(epoch)).catch(() => undefined);
    if (at?.stat?.isDirectory()) await fs.rmdir(at.file).catch(() => undefined);
  }
}
