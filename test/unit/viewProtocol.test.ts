import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeF32, decodeU16, decodeU32, decodeU8, encodeF32, encodeU16, encodeU32, encodeU8,
  parseFromWebviewMessage, parseToWebviewMessage,
} from '../../src/protocol/panelIpc';

test('typed arrays round-trip through base64', () => {
  const f = new Float32Array([0, -1.5, 3.25, Number.MAX_VALUE, 1e-30]);
  assert.deepEqual(Array.from(decodeF32(encodeF32(f))), Array.from(f));
  const u16 = new Uint16Array([0, 9, 65535]);
  assert.deepEqual(Array.from(decodeU16(encodeU16(u16))), [0, 9, 65535]);
  const u32 = new Uint32Array([0, 7, 4294967295]);
  assert.deepEqual(Array.from(decodeU32(encodeU32(u32))), [0, 7, 4294967295]);
  const u8 = new Uint8Array([0, 128, 255]);
  assert.deepEqual(Array.from(decodeU8(encodeU8(u8))), [0, 128, 255]);
  // a view at an offset encodes only its own bytes
  const sub = new Float32Array([1, 2, 3, 4]).subarray(1, 3);
  assert.deepEqual(Array.from(decodeF32(encodeF32(sub))), [2, 3]);
});

test('webview → host messages are validated', () => {
  assert.deepEqual(parseFromWebviewMessage({ type: 'ready', messageId: 1 }), { type: 'ready', messageId: 1 });
  assert.equal(parseFromWebviewMessage({ type: 'openFile', index: 3 }).type, 'openFile');
  assert.throws(() => parseFromWebviewMessage({ type: 'openFile', index: -1 }));
  assert.throws(() => parseFromWebviewMessage({ type: 'openFile', path: '/etc/passwd' }));
  assert.throws(() => parseFromWebviewMessage({ type: 'nope' }));
});

test('host → webview messages are validated', () => {
  const status = { type: 'status', status: { status: 'training', step: 10, epoch: 1 } };
  assert.deepEqual(parseToWebviewMessage(status), status);
  assert.throws(() => parseToWebviewMessage({ type: 'status', status: { status: 'dancing', step: 1, epoch: 1 } }));
  const proj = { type: 'projection', projection: { epoch: 1, method: 'umap', x: encodeF32(new Float32Array(2)), y: encodeF32(new Float32Array(2)) } };
  assert.equal(parseToWebviewMessage(proj).type, 'projection');
  assert.throws(() => parseToWebviewMessage({ type: 'projection', projection: { epoch: 1, method: 'tsne', x: '', y: '' } }));
  const snap = {
    type: 'snapshot', inReplyTo: 1,
    snapshot: {
      version: 1, title: 'run', config: null, labels: ['a'], count: 1, totalCount: 1, files: ['a/1.png'],
      labelIndex: encodeU16(new Uint16Array([0])), index: encodeU32(new Uint32Array([0])), split: encodeU8(new Uint8Array([0])),
      latents: null, projection: null, steps: [], epochs: [], klPerDim: [], activeUnits: null, status: null, decoder: null, images: null,
    },
  };
  assert.equal(parseToWebviewMessage(snap).type, 'snapshot');
  assert.throws(() => parseToWebviewMessage({ ...snap, snapshot: { ...snap.snapshot, files: [1] } }));
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
    assert.equal(decodeF32(full.latents!.mu).length, 1000 * 8);
    const s = RunSnapshot.parse(await loadRunSnapshot(dir, { maxPoints: 300, includePixels: false }));
    assert.equal(s.count, 300);
    assert.equal(s.files.length, 300);
    assert.equal(s.images, null);
    const index = decodeU32(s.index);
    assert.equal(index.length, 300);
    // sampled rows keep their own μ, label and position
    const muFull = decodeF32(full.latents!.mu), mu = decodeF32(s.latents!.mu);
    const xFull = decodeF32(full.projection!.x), x = decodeF32(s.projection!.x);
    for (const i of [0, 150, 299]) {
      assert.equal(mu[i * 8 + 3], muFull[index[i] * 8 + 3]);
      assert.equal(x[i], xFull[index[i]]);
      assert.equal(decodeU16(s.labelIndex)[i], decodeU16(full.labelIndex)[index[i]]);
    }
    // only the last step line keeps its KL per dimension
    assert.ok(s.steps.length > 1 && s.steps[0].klPerDim.length === 0 && s.steps[s.steps.length - 1].klPerDim.length === 8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
