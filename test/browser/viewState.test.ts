/**
 * The view state survives a reload (issue 9): zoom/pan, the pinned point, hidden labels, point
 * size, loss smoothing and scale, KL sort.
 *  - report: kept in sessionStorage; the page is reloaded in the same tab;
 *  - panel: kept with the VS Code API's setState; a stand-in API carries the state from one page
 *    load to the next, as VS Code does across a tab switch (the hidden webview is torn down) and
 *    a window reload (the serializer hands it back).
 * Synthetic run (makeFakeRun), test build of the webview (window.latentLens).
 *
 *   npm run build && node --import tsx --test test/browser/viewState.test.ts
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeFakeRun } from './makeFakeRun';
import { loadRunSnapshot } from '../../src/run/runSnapshot';
import { writeReport } from '../../src/trainer/report';
import { makeNonce, renderWebviewHtml } from '../../src/webview/html';

const ROOT = process.cwd();
const DIST = path.join(ROOT, 'dist');
let tmp = '';
let browser: Browser;

interface Hooks {
  store: { get(): Record<string, unknown> };
  data: { x: Float32Array; y: Float32Array; index: Uint32Array };
  map: { toScreen(x: number, y: number): [number, number] };
  flushState(): void;
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'latent-lens-viewstate-'));
  await makeFakeRun(path.join(tmp, 'run'), 600, 8, true);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const mapName = (p: Page) => p.getAttribute('#ll-map', 'aria-label').then((s) => s ?? '');

/** Do what a user does: pin point 7, zoom in there, hide the first label, smoothing 0.9, log scale, sort by KL. */
async function changeEverything(p: Page): Promise<Record<string, unknown>> {
  const pt = await p.evaluate(() => {
    const ll = (window as unknown as { latentLens: Hooks }).latentLens;
    const [sx, sy] = ll.map.toScreen(ll.data.x[7], ll.data.y[7]);
    const r = document.getElementById('ll-map')!.getBoundingClientRect();
    return { x: r.left + sx, y: r.top + sy };
  });
  await p.mouse.click(pt.x, pt.y);
  await p.waitForFunction(() => /^Pinned: /.test(document.getElementById('ll-decode-caption')!.textContent ?? ''));
  // Zoom in around the pinned point (it stays in view).
  await p.mouse.wheel(0, -300);
  await p.waitForFunction(() => /zoomed/.test(document.getElementById('ll-map')!.getAttribute('aria-label') ?? ''));
  await p.click('#ll-legend-section vscode-checkbox >> nth=0');
  await p.waitForFunction(() => /540 points, 9 labels shown/.test(document.getElementById('ll-map')!.getAttribute('aria-label') ?? ''));
  await p.locator('#ll-smoothing').fill('0.9');
  await p.locator('#ll-point-size').fill('5');
  await p.click('#ll-log-scale');
  await p.evaluate(() => {
    const s = document.getElementById('ll-kl-sort') as HTMLElement & { value: string };
    s.value = 'kl-desc';
    s.dispatchEvent(new Event('change'));
  });
  await p.mouse.move(0, 0);
  const view = await p.evaluate(() => {
    const ll = (window as unknown as { latentLens: Hooks }).latentLens;
    ll.flushState();
    const { hovered: _h, timelineEpoch: _t, selectMode: _m, selection: _s, selectionPage: _p, mapOverlays: _o, ...rest } = /* transient: not persisted */ ll.store.get();
    return rest;
  });
  assert.equal(view.pinnedRow, 7);
  assert.deepEqual(view.hiddenLabels, ['T-shirt']);
  assert.equal(view.smoothing, 0.9);
  assert.equal(view.pointSize, 5);
  assert.equal(view.logScale, true);
  assert.equal(view.klSort, 'kl-desc');
  assert.ok((view.viewport as { k: number }).k > 1, 'zoomed in');
  return view;
}

/** After a reload: the same view, and the page shows it. */
async function assertRestored(p: Page, want: Record<string, unknown>, zoomName: string): Promise<void> {
  const got = await p.evaluate(() => {
    const { hovered: _h, timelineEpoch: _t, selectMode: _m, selection: _s, selectionPage: _p, mapOverlays: _o, ...rest } = /* transient: not persisted */ (window as unknown as { latentLens: Hooks }).latentLens.store.get();
    return rest;
  });
  assert.deepEqual(got, want);
  await p.waitForFunction(() => /^Pinned: /.test(document.getElementById('ll-decode-caption')!.textContent ?? ''));
  assert.match(await mapName(p), /540 points, 9 labels shown/);
  assert.ok((await mapName(p)).endsWith(zoomName), `${await mapName(p)} ends with ${zoomName}`);
  assert.equal(await p.inputValue('#ll-smoothing'), '0.9');
  assert.equal(await p.textContent('#ll-loss-section output'), '0.90');
  assert.equal(await p.inputValue('#ll-point-size'), '5');
  assert.equal(await p.$eval('#ll-log-scale', (e) => (e as HTMLElement & { checked: boolean }).checked), true);
  assert.equal(await p.$eval('#ll-kl-sort', (e) => (e as HTMLElement & { value: string }).value), 'kl-desc');
  assert.equal(await p.$eval('#ll-legend-section vscode-checkbox >> nth=0', (e) => (e as HTMLElement & { checked: boolean }).checked), false);
  assert.equal(await p.getAttribute('#ll-unpin', 'disabled'), null, 'Unpin is enabled for the restored pin');
}

test('report: the view state survives a reload of the page (sessionStorage)', async () => {
  const report = path.join(tmp, 'report.html');
  await writeReport(path.join(tmp, 'run'), report, { testHooks: true });
  const p = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(`file://${report}`);
  await p.waitForSelector('body[data-ready="true"]');
  assert.doesNotMatch(await mapName(p), /zoomed/);
  const view = await changeEverything(p);
  const zoom = /, zoomed [\d.]+×$/.exec(await mapName(p))![0];
  await p.reload();
  await p.waitForSelector('body[data-ready="true"]');
  await assertRestored(p, view, zoom);
  // Reset view goes back to "fit all", and that is saved too.
  await p.click('#ll-reset-view');
  await p.waitForFunction(() => !/zoomed/.test(document.getElementById('ll-map')!.getAttribute('aria-label') ?? ''));
  assert.deepEqual(errors, []);
  await p.close();
});

test('panel: the view state survives the webview being torn down and loaded again (setState)', async () => {
  const bundle = readFileSync(path.join(DIST, 'webview.test.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  const css = readFileSync(path.join(ROOT, 'media', 'webview.css'), 'utf8') + readFileSync(path.join(ROOT, 'media', 'report-theme.css'), 'utf8');
  const snapshot = await loadRunSnapshot(path.join(tmp, 'run'));
  /** A page whose stand-in VS Code API starts from `state` and records every setState. */
  const load = async (state: unknown) => {
    const file = path.join(tmp, `panel-${Date.now()}.html`);
    const shim = `window.__posted = []; window.__state = ${JSON.stringify(state ?? null)};
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => window.__state ?? undefined, setState: (s) => { window.__state = s; } });`;
    writeFileSync(file, renderWebviewHtml({ nonce: makeNonce(), scripts: [{ inline: shim }, { inline: bundle }], styles: [{ inline: css }], bodyClass: 'vscode-dark' }));
    const p = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await p.goto(`file://${file}`);
    await p.waitForFunction(() => (window as unknown as { __posted: { message?: { type: string } }[] }).__posted.some((m) => m.message?.type === 'ready'));
    // A snapshot event (the envelope of src/protocol/rpc.ts), as the host sends one after a reset.
    // playwright carries typed arrays into the page but not a bare ArrayBuffer: the weights go as bytes.
    const decoder = snapshot.decoder && { ...snapshot.decoder, weights: new Uint8Array(snapshot.decoder.weights) };
    await p.evaluate((message) => {
      const d = message.snapshot.decoder as unknown as { weights: Uint8Array | ArrayBuffer } | null;
      if (d) d.weights = (d.weights as Uint8Array).slice().buffer;
      window.postMessage({ kind: 'event', message }, '*');
    }, { type: 'snapshot', snapshot: { ...snapshot, decoder } });
    await p.waitForFunction(() => /540|600 points/.test(document.getElementById('ll-map')!.getAttribute('aria-label') ?? ''));
    return p;
  };
  const first = await load({ latentLensRunDir: '/runs/a' });
  const view = await changeEverything(first);
  const zoom = /, zoomed [\d.]+×$/.exec(await mapName(first))![0];
  const saved = await first.evaluate(() => (window as unknown as { __state: unknown }).__state) as { latentLensRunDir: string; view: Record<string, unknown> };
  // What the host keeps in the state is left as it is; the view sits beside it.
  assert.equal(saved.latentLensRunDir, '/runs/a');
  assert.deepEqual(saved.view, { v: 1, ...view });
  await first.close();
  const second = await load(saved);
  await assertRestored(second, view, zoom);
  await second.close();
});
