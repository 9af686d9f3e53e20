// The protocol schemas must not touch `navigator` (the VS Code extension host logs a
// "PendingMigrationError" for every extension that does) nor try `new Function` (the webview's
// CSP refuses it): zod is configured jitless in src/protocol/zod.ts before any schema exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('building and using the protocol schemas neither reads `navigator` nor evaluates code', async () => {
  // What the extension host does: `navigator` is a getter that reports whoever reads it.
  const reads: string[] = [];
  Object.defineProperty(globalThis, 'navigator', {
    configurable: true,
    get() { reads.push(new Error('navigator read').stack ?? ''); return { userAgent: 'latent-lens-test' }; },
  });
  const RealFunction = globalThis.Function;
  let evaluated = 0;
  globalThis.Function = new Proxy(RealFunction, { construct(target, args) { evaluated++; return Reflect.construct(target, args); } });
  try {
    const { parseTrainerEvent, parseMetricsLine } = await import('../../src/protocol/trainerIpc');
    const { parseFromWebviewMessage, parseToWebviewMessage } = await import('../../src/protocol/panelIpc');
    assert.equal(parseTrainerEvent({ type: 'status', status: 'paused' }).type, 'status');
    assert.equal(parseMetricsLine({ kind: 'step', step: 1, epoch: 1, loss: 1, recon: 1, kl: 0, klPerDim: [0], klWeight: 1, imagesPerSec: 1, time: 0 }).kind, 'step');
    assert.equal(parseFromWebviewMessage({ type: 'ready', messageId: 1 }).type, 'ready');
    assert.equal(parseToWebviewMessage({ type: 'error', message: 'x' }).type, 'error');
    assert.throws(() => parseFromWebviewMessage({ type: 'openFile', index: -1 }));
  } finally {
    globalThis.Function = RealFunction;
    delete (globalThis as { navigator?: unknown }).navigator;
  }
  assert.deepEqual(reads, [], 'navigator was read');
  assert.equal(evaluated, 0, 'new Function was called');
});
