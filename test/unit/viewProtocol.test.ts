// The host ↔ webview protocol (src/protocol/panelIpc.ts): messages validated on both sides,
// typed arrays as binary payloads (base64 only in the report), the snapshot read from a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFromWebviewMessage, parseToWebviewMessage, RunSnapshot } from '../../src/protocol/panelIpc';
import { fromJsonSafe, toJsonSafe } from '../../src/protocol/rpc';

test('webview → host messages are validated; ids belong to the envelope, not the message', () => {
  assert.deepEqual(parseFromWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseFromWebviewMessage({ type: 'ready', messageId: 1 }), { type: 'ready' }, 'an old id is dropped');
  assert.equal(parseFromWebviewMessage({ type: 'openFile', index: 3 }).type, 'openFile');
  assert.throws(() => parseFromWebviewMessage({ type: 'openFile', index: -1 }));
  assert.throws(() => parseFromWebviewMessage({ type: 'openFile', path: '/etc/passwd' }));
  assert.throws(() => parseFromWebviewMessage({ type: 'nope' }));
});

const snapshot = () => ({
  version: 1, title: 'run', config: null, labels: ['a'], count: 1, totalCount: 1, files: ['a/1.png'],
  labelIndex: new Uint16Array([0]), index: new Uint32Array([0]), split: new Uint8Array([0]),
  latents: { epoch: 1, step: 5, latentDim: 2, mu: new Float32Array([0.5, -1]) },
  projection: null, steps: [], epochs: [], klPerDim: [], activeUnits: null, status: null,
  decoder: { step: 5, modelJson: { format: 'layers-model' }, weights: new Float32Array([1, 2]).buffer },
  images: { height: 1, width: 1, channels: 1 as const, pixels: new Uint8Array([200]) },
});

test('host → webview messages are validated; arrays must be typed arrays, not base64 strings', () => {
  const status = { type: 'status', status: { status: 'training', step: 10, epoch: 1 } };
  assert.deepEqual(parseToWebviewMessage(status), status);
  assert.throws(() => parseToWebviewMessage({ type: 'status', status: { status: 'dancing', step: 1, epoch: 1 } }));
  const proj = { type: 'projection', projection: { epoch: 1, method: 'umap', x: new Float32Array(2), y: new Float32Array(2) } };
  assert.equal(parseToWebviewMessage(proj).type, 'projection');
  assert.throws(() => parseToWebviewMessage({ type: 'projection', projection: { epoch: 1, method: 'tsne', x: new Float32Array(2), y: new Float32Array(2) } }));
  assert.throws(() => parseToWebviewMessage({ type: 'projection', projection: { epoch: 1, method: 'umap', x: 'AAAAAA==', y: 'AAAAAA==' } }), /Float32Array/);
  const snap = { type: 'snapshot', snapshot: snapshot() };
  const parsed = parseToWebviewMessage(snap);
  assert.ok(parsed.type === 'snapshot' && parsed.snapshot.latents!.mu === snap.snapshot.latents.mu, 'the typed array itself, not a copy');
  assert.throws(() => parseToWebviewMessage({ ...snap, snapshot: { ...snap.snapshot, files: [1] } }));
  assert.throws(() => parseToWebviewMessage({ ...snap, snapshot: { ...snap.snapshot, index: new Float32Array(1) } }), /Uint32Array/);
  assert.throws(() => parseToWebviewMessage({ ...snap, snapshot: { ...snap.snapshot, decoder: { ...snap.snapshot.decoder, weights: 'AAAA' } } }), /ArrayBuffer/);
});

test('the report embeds a snapshot as JSON (toJsonSafe) and restores it (fromJsonSafe) to a valid one', () => {
  const s = snapshot();
  const text = JSON.stringify(toJsonSafe(s));
  assert.ok(!text.includes('"0":'), 'no typed array as an object of numbers');
  const back = RunSnapshot.parse(fromJsonSafe(JSON.parse(text)));
  assert.ok(back.latents!.mu instanceof Float32Array && back.index instanceof Uint32Array && back.images!.pixels instanceof Uint8Array);
  assert.deepEqual([...back.latents!.mu], [0.5, -1]);
  assert.deepEqual([...new Float32Array(back.decoder!.weights)], [1, 2]);
  assert.deepEqual([...back.images!.pixels], [200]);
});

test('loadRunSnapshot reads a run directory into a valid, sampled snapshot', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { makeFakeRun } = await import('../browser/makeFakeRun');
  const { loadRunSnapshot } = await import('../../src/run/runSnapshot');
  const { RunSnapshot } = await import('../../src/protocol/panelIpc');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'll-snapshot-'));
  try {
    await makeFakeRun(dir, 1000, 8, true);
    const full = await loadRunSnapshot(dir);
    assert.equal(full.count, 1000);
    assert.equal(full.totalCount, 1000);
    assert.equal(full.labels.length, 10);
    assert.ok(full.decoder && full.images && full.latents && full.projection);
    assert.equal(full.latents!.mu.length, 1000 * 8);
    for (const a of [full.latents!.mu, full.projection!.x, full.index, full.labelIndex, full.split, full.images!.pixels!]) {
      assert.equal(a.constructor.name === 'Buffer', false);
      assert.equal(a.byteLength, a.buffer.byteLength, 'a compact array: VS Code sends a view\'s whole buffer');
    }
    const s = RunSnapshot.parse(await loadRunSnapshot(dir, { maxPoints: 300, includePixels: false }));
    assert.equal(s.count, 300);
    assert.equal(s.files.length, 300);
    assert.equal(s.images, null);
    const index = s.index;
    assert.equal(index.length, 300);
    // sampled rows keep their own μ, label and position
    const muFull = full.latents!.mu, mu = s.latents!.mu;
    const xFull = full.projection!.x, x = s.projection!.x;
    for (const i of [0, 150, 299]) {
      assert.equal(mu[i * 8 + 3], muFull[index[i] * 8 + 3]);
      assert.equal(x[i], xFull[index[i]]);
      assert.equal(s.labelIndex[i], full.labelIndex[index[i]]);
    }
    // only the last step line keeps its KL per dimension
    assert.ok(s.steps.length > 1 && s.steps[0].klPerDim.length === 0 && s.steps[s.steps.length - 1].klPerDim.length === 8);
    // The cache: unchanged pixels and decoder are not read again; a rewritten decoder is.
    const { SnapshotCache } = await import('../../src/run/runSnapshot');
    const { utimesSync } = await import('node:fs');
    const cache = new SnapshotCache();
    const a = await loadRunSnapshot(dir, { cache }), b = await loadRunSnapshot(dir, { cache });
    assert.equal(cache.hits, 2);
    assert.equal(a.images!.pixels, b.images!.pixels);
    assert.equal(a.decoder!.weights, b.decoder!.weights);
    utimesSync(path.join(dir, 'model', 'decoder', 'weights.bin'), new Date(), new Date(Date.now() + 5000));
    const c = await loadRunSnapshot(dir, { cache });
    assert.notEqual(c.decoder!.weights, a.decoder!.weights, 'new weights are read');
    assert.equal(c.images!.pixels, a.images!.pixels);

    // Issue 13: above the inline budget the snapshot carries the shape only, and the originals
    // come by dataset row from the file (adjacent rows in one read, rows outside the dataset left out).
    const { readViewImageRows } = await import('../../src/run/runSnapshot');
    const lazy = RunSnapshot.parse(await loadRunSnapshot(dir, { inlinePixelBytes: 0 }));
    assert.deepEqual(lazy.images, { height: 28, width: 28, channels: 1 });
    const rows = await readViewImageRows(dir, lazy.config, lazy.totalCount, [7, 8, 9, 500, 5000, 3]);
    assert.deepEqual([...rows!.rows], [7, 8, 9, 500, 3]);
    const size = 28 * 28;
    for (const [k, r] of [7, 8, 9, 500, 3].entries()) {
      assert.deepEqual(rows!.pixels.subarray(k * size, (k + 1) * size), full.images!.pixels!.subarray(r * size, (r + 1) * size), `row ${r}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
