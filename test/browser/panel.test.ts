/**
 * The webview as VS Code hosts it, in headless Chromium: a stand-in `acquireVsCodeApi` records
 * what the webview posts and the test plays the host — answers `ready` with a snapshot, then
 * sends live events, and an invalid message. Uses a synthetic run (test/browser/makeFakeRun.ts).
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
import { encodeF32 } from '../../src/protocol/panelIpc';

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

test('pulls its snapshot with ready, applies live events, rejects invalid messages', async () => {
  const p = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(`file://${page}`);
  await p.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  const ready = await p.evaluate(() => (window as unknown as { __posted: { type: string; messageId: number }[] }).__posted.find((m) => m.type === 'ready')!);

  // The host answers with the snapshot (no projection yet: the webview shows PCA of μ at once).
  const snapshot = await loadRunSnapshot(path.join(tmp, 'run'));
  await p.evaluate((msg) => window.postMessage(msg, '*'), { type: 'snapshot', inReplyTo: ready.messageId, snapshot });
  await p.waitForSelector('body[data-ready="true"]');
  await p.waitForFunction(() => /500 points, 10 labels shown \(PCA/.test(document.getElementById('ll-map')!.getAttribute('aria-label') ?? ''));

  // Live: metrics, an epoch end, a UMAP projection, a status change.
  const step = { kind: 'step', step: 400, epoch: 4, loss: 90, recon: 80, kl: 10, klPerDim: Array(8).fill(0.001), klWeight: 1, imagesPerSec: 100, time: Date.now() };
  await p.evaluate((msg) => window.postMessage(msg, '*'), { type: 'metrics', steps: [step] });
  await p.waitForFunction(() => /step 400/.test(document.getElementById('ll-loss-chart')!.getAttribute('aria-label') ?? ''));
  // The KL chart shows the trainer's active-unit count (6 of 8 in the fake run): no warning yet.
  assert.match(await p.textContent('#ll-kl-summary') ?? '', /^Active units: 6 of 8 \(trainer, epoch 3/);
  assert.equal(await p.$eval('#ll-kl-section [role="alert"]', (e) => (e as HTMLElement).hidden), true);
  // An epoch end where the trainer counts 1 active unit of 8 after 400 steps: the collapse warning (the trainer's rule).
  const epoch = { kind: 'epoch', epoch: 4, step: 400, valNegElbo: 100, valRecon: 90, valKl: 10, klPerDim: Array(8).fill(0.001), activeUnits: 1, time: Date.now() };
  await p.evaluate((msg) => window.postMessage(msg, '*'), { type: 'epoch', metrics: epoch });
  await p.waitForFunction(() => /Posterior collapse: only 1 of 8 latent dimensions are active after 400 steps/.test(document.querySelector('#ll-kl-section [role="alert"]')?.textContent ?? ''));
  assert.match(await p.textContent('#ll-kl-summary') ?? '', /^Active units: 1 of 8 \(trainer, epoch 4/);
  const x = new Float32Array(500).map((_, i) => Math.cos(i)), y = new Float32Array(500).map((_, i) => Math.sin(i));
  await p.evaluate((msg) => window.postMessage(msg, '*'), { type: 'projection', projection: { epoch: 4, method: 'umap', x: encodeF32(x), y: encodeF32(y) } });
  await p.waitForFunction(() => /\(UMAP, epoch 4\)/.test(document.getElementById('ll-map')!.getAttribute('aria-label') ?? ''));
  await p.evaluate((msg) => window.postMessage(msg, '*'), { type: 'status', status: { status: 'training', step: 400, epoch: 4, epochs: 10 } });
  await p.waitForFunction(() => /^Training · epoch 4 of 10/.test(document.getElementById('ll-status')!.textContent ?? ''));

  // An invalid message is not applied; the webview reports it to the host.
  await p.evaluate(() => window.postMessage({ type: 'status', status: { status: '<img src=x onerror=alert(1)>', step: 1, epoch: 1 } }, '*'));
  await p.waitForFunction(() => (window as unknown as { __posted: { type: string; message?: string }[] }).__posted.some((m) => m.type === 'log' && /Invalid message/.test(m.message ?? '')));
  assert.match(await p.textContent('#ll-status') ?? '', /^Training/);

  // Recompute projection and open file go to the host as protocol messages.
  await p.click('#ll-reproject');
  await p.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'requestProjection'));
  assert.deepEqual(errors, []);
  await p.close();
});
