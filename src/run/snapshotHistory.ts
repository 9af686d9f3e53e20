/**
 * The epoch replay's part of the snapshot (RunSnapshot.history, src/protocol/panelIpc.ts): the
 * map of every kept epoch of history/ for the snapshot's points. At most HISTORY_SNAPSHOT_BYTES
 * of coordinates go in one snapshot; beyond, the epochs are thinned (first, last, even middle,
 * src/analysis/historyBudget.ts) and the `kept` text says so. A damaged history is left out
 * (for display, like every other file of the snapshot).
 */
import { describeKept, thinEpochs } from '../analysis/historyBudget';
import type { ViewHistory } from '../protocol/panelIpc';
import { readHistoryIndex, readHistoryLayouts } from './history';

/** 32 MB of x, y per snapshot: 60k points × 66 epochs; the report embeds it as base64. */
export const HISTORY_SNAPSHOT_BYTES = 32 * 1024 * 1024;

export async function readViewHistory(runDir: string, index: Uint32Array | null, count: number, budget = HISTORY_SNAPSHOT_BYTES): Promise<ViewHistory | null> {
  try {
    const hist = await readHistoryIndex(runDir);
    if (!hist || hist.epochs.length === 0) return null;
    if (index ? index.length && index[index.length - 1] >= hist.count : hist.count !== count) return null;
    const all = hist.epochs.map((e) => e.epoch);
    const epochs = thinEpochs(all, Math.max(1, Math.floor(budget / Math.max(1, count * 8))));
    const layouts = await readHistoryLayouts(runDir, hist, epochs);
    const pick = (a: Float32Array) => (index ? Float32Array.from(index, (row) => a[row]) : a);
    return {
      epochs, methods: layouts.map((l) => l.method), x: layouts.map((l) => pick(l.x)), y: layouts.map((l) => pick(l.y)),
      kept: describeKept(epochs) + (hist.stride > 1 ? ` within the run's ${Math.round(hist.budgetBytes / 2 ** 20)} MB history budget` : '') + (epochs.length < all.length ? `; ${all.length} on disk` : ''),
    };
  } catch {
    return null;
  }
}
