// The epoch history (history/, src/run/history.ts): the float16 converter, the budget's thinning
// rule, the writer and reader round trip, the rolling last epoch, and a truncated file named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromFloat16, fromHalfBits, toFloat16, toHalfBits } from '../../src/analysis/float16';
import { describeKept, historyStride, isKeptEpoch, thinEpochs } from '../../src/analysis/historyBudget';
import { HistoryWriter, readHistoryIndex, readHistoryLayouts, readHistoryMap, readHistoryMu, readHistorySamples } from '../../src/run/history';
import { historyEpochFile } from '../../src/run/paths';
import { RunFileError } from '../../src/run/runFileError';

test('float16: round trip within half precision, special values kept', () => {
  const values = Float32Array.from({ length: 2000 }, (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 9) - 4));
  const back = fromFloat16(toFloat16(values));
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const tol = Math.abs(v) >= 6.1e-5 ? Math.abs(v) * 2 ** -11 : 2 ** -25; // half an ulp (normal), half the subnormal step
    assert.ok(Math.abs(back[i] - v) <= tol, `${v} came back as ${back[i]}`);
  }
  assert.equal(fromHalfBits(toHalfBits(65504)), 65504);
  assert.equal(fromHalfBits(toHalfBits(70000)), Infinity);
  assert.equal(fromHalfBits(toHalfBits(-70000)), -Infinity);
  assert.ok(Number.isNaN(fromHalfBits(toHalfBits(NaN))));
  assert.equal(toHalfBits(1), 0x3c00);
  assert.equal(toHalfBits(-2), 0xc000);
  assert.equal(toHalfBits(1 + 2 ** -11), 0x3c00, 'a tie rounds to even');
  assert.equal(toHalfBits(1 + 3 * 2 ** -11), 0x3c02, 'a tie rounds to even (up)');
  assert.equal(fromHalfBits(1), 2 ** -24, 'the smallest subnormal');
});

test('budget: all epochs when they fit; else first, last and every s-th, within the budget', () => {
  assert.equal(historyStride(50, 1e6, 200e6), 1);
  const stride = historyStride(50, 10e6, 200e6);
  const kept = Array.from({ length: 50 }, (_, i) => i + 1).filter((e) => isKeptEpoch(e, 50, stride));
  assert.equal(stride, 3);
  assert.ok(kept.length * 10e6 <= 200e6, `${kept.length} epochs of 10 MB`);
  assert.equal(kept[0], 1);
  assert.equal(kept[kept.length - 1], 50);
  assert.deepEqual(kept.slice(0, 4), [1, 4, 7, 10]);
  assert.equal(describeKept(kept), `epochs 1–50, every 3rd kept (${kept.length} of 50)`);
  assert.equal(describeKept([1, 2, 3]), 'epochs 1–3, all kept');
  assert.deepEqual(thinEpochs([1, 2, 3, 4, 5, 6, 7], 4), [1, 3, 5, 7]);
  assert.deepEqual(thinEpochs([1, 2, 3], 5), [1, 2, 3]);
});

async function tmpRun(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'll-history-'));
}

const shape = { count: 5, latentDim: 3, samples: { rows: 2, cols: 2, height: 2, width: 2, channels: 1 as const, seed: 1 } };
const mu = (e: number) => Float32Array.from({ length: 15 }, (_, i) => i * 0.25 + e);
const grid = (e: number) => Uint8Array.from({ length: 16 }, (_, i) => i * 10 + e);
const xy = (e: number) => Float32Array.from({ length: 5 }, (_, i) => i + e / 10);

test('writer → reader: μ, map and samples per epoch; the index written last', async () => {
  const run = await tmpRun();
  const w = await HistoryWriter.open(run, shape, 3);
  for (let e = 1; e <= 3; e++) {
    await w.epochEnd(e, e * 10, mu(e), grid(e));
    if (e !== 2) await w.map(e, 'umap', xy(e), xy(-e)); // epoch 2's projection never landed
  }
  const index = (await readHistoryIndex(run))!;
  assert.deepEqual(index.epochs.map((e) => [e.epoch, e.step, e.map]), [[1, 10, 'umap'], [2, 20, null], [3, 30, 'umap']]);
  assert.deepEqual(Array.from(await readHistoryMu(run, index, 3)), Array.from(mu(3)));
  assert.deepEqual(Array.from(await readHistorySamples(run, index, 2) ?? []), Array.from(grid(2)));
  const map = (await readHistoryMap(run, index, 1))!;
  assert.deepEqual(Array.from(map.x), Array.from(xy(1)));
  assert.deepEqual(Array.from(map.y), Array.from(xy(-1)));
  assert.equal(await readHistoryMap(run, index, 2), undefined);
  const layouts = await readHistoryLayouts(run, index);
  assert.deepEqual(layouts.map((l) => [l.epoch, l.method]), [[1, 'umap'], [2, 'pca of μ'], [3, 'umap']], 'a missing map is PCA of μ');
  // A map for an epoch that is not kept is ignored.
  await w.map(7, 'pca', xy(7), xy(7));
  assert.equal((await readHistoryIndex(run))!.epochs.length, 3);
});

test('writer: beyond the budget the last epoch rolls, thinned epochs are removed', async () => {
  const run = await tmpRun();
  const perEpoch = 5 * 3 * 2 + 5 * 8 + 16;
  const w = await HistoryWriter.open(run, shape, 9, perEpoch * 4); // 4 fit: 1, 4, 7, 9
  for (let e = 1; e <= 6; e++) await w.epochEnd(e, e, mu(e), grid(e));
  assert.deepEqual((await readHistoryIndex(run))!.epochs.map((e) => e.epoch), [1, 4, 6], 'the newest epoch is kept until the next');
  await fs.access(path.join(run, historyEpochFile(6, 'mu')));
  await assert.rejects(fs.access(path.join(run, 'history', 'epoch-5')), 'epoch 5 was removed, folder and all');
  for (let e = 7; e <= 9; e++) await w.epochEnd(e, e, mu(e), grid(e));
  assert.deepEqual((await readHistoryIndex(run))!.epochs.map((e) => e.epoch), [1, 4, 7, 9]);
});

test('reader: a truncated file is named, with the size it should have', async () => {
  const run = await tmpRun();
  const w = await HistoryWriter.open(run, shape, 2);
  await w.epochEnd(1, 1, mu(1), grid(1));
  const file = path.join(run, historyEpochFile(1, 'mu'));
  await fs.truncate(file, 7);
  const index = (await readHistoryIndex(run))!;
  await assert.rejects(readHistoryMu(run, index, 1), (e: Error) => {
    assert.ok(e instanceof RunFileError);
    assert.match(e.message, /mu\.f16/);
    assert.match(e.message, /is truncated: it holds 7 bytes, 30 expected/);
    return true;
  });
  await fs.rm(path.join(run, historyEpochFile(1, 'samples')));
  await assert.rejects(readHistorySamples(run, index, 1), /samples\.u8.*is missing/);
  await assert.rejects(readHistoryMu(run, index, 2), /keeps no epoch 2/);
});
