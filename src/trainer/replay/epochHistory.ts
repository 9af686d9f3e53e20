/**
 * The training loop's side of the epoch replay (history/, src/run/history.ts): opened once per
 * training session, called at every epoch end (μ + the decoded grid of fixed z) and when an
 * epoch's projection lands (its aligned map). A failure to keep history is a warning, never the
 * end of a run: the history is a view of training, not part of it.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ImageShape, ProjectionMethod, RunConfig } from '../../protocol/runFormat';
import { describeKept } from '../../analysis/historyBudget';
import { HistoryWriter, historyEpochBytes } from '../../run/history';
import { decodeGrid, fixedZ, sampleGridSpec } from './sampleGrid';

export interface EpochHistory {
  epochEnd(epoch: number, step: number, mu: Float32Array, decoder: tf.LayersModel): Promise<void>;
  map(epoch: number, layout: { method: ProjectionMethod; x: Float32Array; y: Float32Array }): Promise<void>;
}

export async function openEpochHistory(runDir: string, count: number, config: RunConfig, shape: ImageShape, log: (m: string, level?: 'info' | 'warn') => void): Promise<EpochHistory> {
  const samples = sampleGridSpec(shape);
  const latentDim = config.model.latentDim;
  const total = config.training.epochs;
  const writer = await HistoryWriter.open(runDir, { count, latentDim, samples }, total).catch((e: Error) => {
    log(`epoch history is off: ${e.message}`, 'warn');
    return undefined;
  });
  if (writer && writer.current.stride > 1) {
    const kept = Array.from({ length: total }, (_, i) => i + 1).filter((e) => e === 1 || e === total || (e - 1) % writer.current.stride === 0);
    const mb = (historyEpochBytes(writer.current) / 1e6).toFixed(1);
    log(`epoch history: ${mb} MB per epoch; within ${Math.round(writer.current.budgetBytes / 2 ** 20)} MB it keeps ${describeKept(kept)}`);
  }
  const z = fixedZ(samples, latentDim);
  let warned = false;
  const warn = (e: unknown) => {
    if (!warned) log(`epoch history: ${(e as Error).message}`, 'warn');
    warned = true;
  };
  return {
    epochEnd: async (epoch, step, mu, decoder) => {
      if (!writer) return;
      try {
        await writer.epochEnd(epoch, step, mu, decodeGrid(decoder, samples, z, config.model.conditional ? config.model.labels?.length ?? 0 : 0));
      } catch (e) { warn(e); }
    },
    map: async (epoch, layout) => {
      await writer?.map(epoch, layout.method, layout.x, layout.y).catch(warn);
    },
  };
}
