/**
 * The webview as VS Code hosts it, in headless Chromium: a stand-in `acquireVsCodeApi` records
 * the envelopes the webview posts (src/protocol/rpc.ts) and the test plays the host — replies to
 * the `ready` request with a snapshot (typed arrays, structured clone as VS Code delivers them),
 * then sends live events, an invalid message, and an error reply to `requestProjection`. Uses a
 * synthetic run (test/browser/makeFakeRun.ts).
 *
 *   npm run build && node --import tsx --test test/browser/panel.test.ts
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { makeFakeRun } from './makeFakeRun';
import { loadRunSnapshot } from '../../src/run/runSnapshot';
import { makeNonce, renderWebviewHtml } from '../../src/webview/html';

const ROOT = process.cwd();
let tmp = '';
let browser: Browser;
let page = '';

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'latent-lens-panel-'));
  await makeFakeRun(path.join(tmp, 'run'), 500, 8, false);
  const shim = `window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });`;
  const bundle = readFileSync(path.join(ROOT, 'dist', 'webview.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  const css = readFileSync(path.join(ROOT, 'media', 'webview.css'), 'utf8') + readFileSync(path.join(ROOT, 'media', 'report-theme.css'), 'utf8');
  page = path.join(tmp, 'panel.html');
  writeFileSync(page, renderWebviewHtml({ nonce: makeNonce(), scripts: [{ inline: shim }, { inline: bundle }], styles: [{ inline: css }], bodyClass: 'vscode-dark' }));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

type Posted = { kind: string; id?: number; message?: { type: string; message?: string } };

test('pulls its snapshot with a ready request, applies live events, rejects invalid messages', async () => {
  const p = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(`file://${page}`);
  const posted = () => p.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);
  const event = (message: unknown) => p.evaluate((m) => window.postMessage({ kind: 'event', message: m }, '*'), message);
  await p.waitForFunction(() => (window as unknown as { __posted: Posted[] }).__posted.some((m) => m.kind === 'request' && m.message?.type === 'ready'));
  const ready = (await posted()).find((m) => m.message?.type === 'ready')!;
  assert.equal(typeof ready.id, 'number');
  assert.equal((ready.message as Record<string, unknown>).messageId, undefined, 'the id is the envelope\'s');

  // The host replies with the snapshot (no projection yet: the webview shows PCA of μ at once).
  const snapshot = await loadRunSnapshot(path.join(tmp, 'run'));
  // playwright carries typed arrays into the page but not a bare ArrayBuffer: the weights go as bytes.
  const decoder = snapshot.decoder && { ...snapshot.decoder, weights: new Uint8Array(snapshot.decoder.weights) };
  await p.evaluate((e) => {
    const d = e.message.snapshot.decoder as unknown as { weights: Uint8Array | ArrayBuffer } | null;
    if (d) d.weights = (d.weights as Uint8Array).slice().buffer;
    window.postMessage(e, '*');
  }, { kind: 'reply', inReplyTo: ready.id, message: { type: 'snapshot', snapshot: { ...snapshot, decoder } } });
  await p.waitForSelector('body[data-ready="true"]');
  await p.waitForFunction(() => /500 points, 10 labels shown \(PCA/.test(document.getElementById('ll-map')!.getAttribute('aria-label') ?? ''));

  // Live: metrics, an epoch end, a UMAP projection, a status change.
  const step = { kind: 'step', step: 400, epoch: 4, loss: 90, recon: 80, kl: 10, klPerDim: Array(8).fill(0.001), klWeight: 1, imagesPerSec: 100, time: Date.now() };
  await event({ type: 'metrics', steps: [step] });
  await p.waitForFunction(() => /step 400/.test(document.getElementById('ll-loss-chart')!.getAttribute('aria-label') ?? ''));
  // The KL chart shows the trainer's active-unit count (6 of 8 in the fake run): no warning yet.
  assert.match(await p.textContent('#ll-kl-summary') ?? '', /^Active units: 6 of 8 \(trainer, epoch 3/);
  assert.equal(await p.$eval('#ll-kl-section [role="alert"]', (e) => (e as HTMLElement).hidden), true);
  // An epoch end where the trainer counts 1 active unit of 8 after 400 steps: the collapse warning (the trainer's rule).
  const epoch = { kind: 'epoch', epoch: 4, step: 400, valNegElbo: 100, valRecon: 90, valKl: 10, klPerDim: Array(8).fill(0.001), activeUnits: 1, time: Date.now() };
  await event({ type: 'epoch', metrics: epoch });
  await p.waitForFunction(() => /Posterior collapse: only 1 of 8 latent dimensions are active after 400 steps/.test(document.querySelector('#ll-kl-section [role="alert"]')?.textContent ?? ''));
  assert.match(await p.textContent('#ll-kl-summary') ?? '', /^Active units: 1 of 8 \(trainer, epoch 4/);
  const x = new Float32Array(500).map((_, i) => Math.cos(i)), y = new Float32Array(500).map((_, i) => Math.sin(i));
  await event({ type: 'projection', projection: { epoch: 4, method: 'umap', x, y } });
  await p.waitForFunction(() => /\(UMAP, epoch 4\)/.test(document.getElementById('ll-map')!.getAttribute('aria-label') ?? ''));
  await event({ type: 'status', status: { status: 'training', step: 400, epoch: 4, epochs: 10 } });
  await p.waitForFunction(() => /^Training · epoch 4 of 10/.test(document.getElementById('ll-status')!.textContent ?? ''));

  // An invalid message (and a base64 string where a Float32Array belongs) is not applied; the webview reports it to the host.
  await event({ type: 'status', status: { status: '<img src=x onerror=alert(1)>', step: 1, epoch: 1 } });
  await event({ type: 'projection', projection: { epoch: 5, method: 'pca', x: 'AAAA', y: 'AAAA' } });
  await p.waitForFunction(() => (window as unknown as { __posted: Posted[] }).__posted.filter((m) => m.kind === 'event' && m.message?.type === 'log' && /Invalid message/.test(m.message.message ?? '')).length === 2);
  assert.match((await posted()).filter((m) => m.message?.type === 'log').pop()!.message!.message!, /expected a Float32Array/);
  assert.match(await p.textContent('#ll-status') ?? '', /^Training/);
  assert.match(await p.getAttribute('#ll-map', 'aria-label') ?? '', /UMAP, epoch 4/);

  // Recompute projection is a request; an error reply is shown to the user. Open file is an event.
  await p.click('#ll-reproject');
  await p.waitForFunction(() => (window as unknown as { __posted: Posted[] }).__posted.some((m) => m.kind === 'request' && m.message?.type === 'requestProjection'));
  const request = (await posted()).find((m) => m.message?.type === 'requestProjection')!;
  await p.evaluate((e) => window.postMessage(e, '*'), { kind: 'error', inReplyTo: request.id, error: 'The trainer is not running' });
  await p.waitForFunction(() => /^Error: The trainer is not running/.test(document.getElementById('ll-status')!.textContent ?? ''));
  assert.deepEqual(errors, []);
  await p.close();
});
