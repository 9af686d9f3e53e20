/**
 * Issue 13, 200,000 points: the panel page (the test build of the webview, with a stand-in
 * acquireVsCodeApi) is sent the snapshot of a 200,000-image run — which does not carry the
 * pixels — and every original it shows comes from its `images` requests, which this test answers
 * with `readViewImageRows`, as the extension does. What a user checks: the map says 200,000
 * points; a hovered point's original is its own image; a pinned point's neighbours, a selection
 * page and the outliers show their originals. Then a report whose originals are packed in blocks
 * (unpacked on demand in the page) does the same for hover, pin and neighbours.
 *
 *   node esbuild.mjs && node --import tsx --test test/browser/bigRun.test.ts
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeFakeRun } from './makeFakeRun';
import { loadRunSnapshot, readViewImageRows } from '../../src/run/runSnapshot';
import { makeNonce, renderWebviewHtml } from '../../src/webview/html';
import { writeReport } from '../../src/trainer/report';

const ROOT = process.cwd();
const N = 200_000, SIZE = 28 * 28;
let tmp = '', runDir = '', pixels: Buffer;
let browser: Browser;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'latent-lens-200k-'));
  runDir = path.join(tmp, 'run');
  await makeFakeRun(runDir, N, 8, true);
  // Per-image reconstruction errors (for the outliers): the highest are rows 7, 70, 700 …
  const recon = Float32Array.from({ length: N }, (_, i) => (i % 7 === 0 ? 100 + (i % 1000) : i % 50));
  writeFileSync(path.join(runDir, 'latents', 'recon.f32'), Buffer.from(recon.buffer));
  writeFileSync(path.join(runDir, 'latents', 'kl.f32'), Buffer.alloc(N * 4));
  writeFileSync(path.join(runDir, 'latents', 'meanvar.f32'), Buffer.alloc(N * 4));
  const index = JSON.parse(readFileSync(path.join(runDir, 'latents', 'index.json'), 'utf8'));
  writeFileSync(path.join(runDir, 'latents', 'index.json'), JSON.stringify({ ...index, perImage: ['recon', 'kl', 'meanVar'] }));
  pixels = readFileSync(path.join(runDir, 'data', 'pixels.u8'));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface Hooks {
  data: { count: number; x: Float32Array; y: Float32Array; files: string[]; index: Uint32Array; images: { pixels?: Uint8Array } | null; originals: { stats: { requests: number; rows: number } } };
  map: { toScreen(x: number, y: number): [number, number]; hovered: number | null };
  store: { set(p: object): void };
}
declare global { interface Window { latentLens?: unknown; __toHost?: unknown } }

/** Where point i is on the page, and its dataset row and file. */
const pointAt = (page: Page, i: number) => page.evaluate((i) => {
  const ll = window.latentLens as Hooks;
  const r = document.getElementById('ll-map')!.getBoundingClientRect();
  const [sx, sy] = ll.map.toScreen(ll.data.x[i], ll.data.y[i]);
  return { px: r.left + sx, py: r.top + sy, row: ll.data.index[i], file: ll.data.files[i], inside: sx > 4 && sy > 4 && sx < r.width - 4 && sy < r.height - 4 };
}, i);

/** The grey levels drawn on a canvas (its red channel). */
const drawn = (page: Page, selector: string) => page.$eval(selector, (c) => {
  const cv = c as HTMLCanvasElement;
  return Array.from(cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data.filter((_, k) => k % 4 === 0));
});
const original = (row: number, src: Buffer = pixels) => Array.from(src.subarray(row * SIZE, (row + 1) * SIZE));

/**
 * Hover point `i` if it is on screen; once the point under the mouse (null when none) has its
 * original drawn beside the decoded image, return that point.
 */
async function hoverUntilOriginalShown(page: Page, i: number) {
  const p = await pointAt(page, i);
  if (!p.inside) return null;
  await page.mouse.move(p.px, p.py);
  const hovered = await page.evaluate(() => (window.latentLens as Hooks).map.hovered);
  if (hovered === null) return null;
  const h = { ...(await pointAt(page, hovered)), index: hovered };
  await page.waitForFunction((name) => {
    const cv = document.getElementById('ll-original') as HTMLCanvasElement;
    return cv.dataset.original === 'shown' && cv.getAttribute('aria-label') === name;
  }, `Original: ${h.file}`, { timeout: 20_000 });
  return h;
}

/** Hover the first points (in dataset order from `from`) that are on screen and unhidden: the original beside the decoded image is theirs. */
async function hoverShowsOriginal(page: Page, from: number, times: number): Promise<number> {
  let i = from, last = -1;
  for (let done = 0; done < times; i += 997) {
    const h = await hoverUntilOriginalShown(page, i % N);
    if (!h) continue;
    assert.deepEqual(await drawn(page, '#ll-original'), original(h.row), `the original of ${h.file} is its own image`);
    assert.match(await page.textContent('#ll-map-tooltip') ?? '', new RegExp(h.file.replace(/[.]/g, '\\.')));
    last = h.index;
    done++;
  }
  return last;
}

test('a 200,000-point run loads in the panel and shows the originals it needs, on demand', async () => {
  const snapshot = await loadRunSnapshot(runDir, { maxPoints: N });
  assert.equal(snapshot.count, N);
  assert.ok(snapshot.images && !snapshot.images.pixels, 'the snapshot carries the shape of the images, not their 157 MB');
  const shim = `window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => { window.__posted.push(m); if (m.kind === 'request' && m.message.type === 'images') window.__toHost(m); }, getState: () => undefined, setState: () => {} });`;
  const bundle = readFileSync(path.join(ROOT, 'dist', 'webview.test.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  const css = readFileSync(path.join(ROOT, 'media', 'webview.css'), 'utf8') + readFileSync(path.join(ROOT, 'media', 'report-theme.css'), 'utf8');
  const pageFile = path.join(tmp, 'panel.html');
  writeFileSync(pageFile, renderWebviewHtml({ nonce: makeNonce(), scripts: [{ inline: shim }, { inline: bundle }], styles: [{ inline: css }], bodyClass: 'vscode-dark' }));
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const requested: number[] = [];
  // The extension's side of `images` (LatentPanel.onRequest): the rows read from data/pixels.u8.
  await page.exposeFunction('__toHost', async (env: { id: number; message: { rows: number[] } }) => {
    requested.push(env.message.rows.length);
    const images = await readViewImageRows(runDir, snapshot.config, snapshot.totalCount, env.message.rows);
    await page.evaluate((e) => window.postMessage(e, '*'), { kind: 'reply', inReplyTo: env.id, message: { type: 'images', images } });
  });
  await page.goto(`file://${pageFile}`);
  await page.waitForFunction(() => (window as unknown as { __posted: { kind: string; message?: { type: string } }[] }).__posted.some((m) => m.kind === 'request' && m.message?.type === 'ready'));
  const ready = await page.evaluate(() => (window as unknown as { __posted: { id: number; message?: { type: string } }[] }).__posted.find((m) => m.message?.type === 'ready')!.id);
  const decoder = snapshot.decoder && { ...snapshot.decoder, weights: new Uint8Array(snapshot.decoder.weights) };
  await page.evaluate((e) => {
    const d = e.message.snapshot.decoder as unknown as { weights: Uint8Array | ArrayBuffer } | null;
    if (d) d.weights = (d.weights as Uint8Array).slice().buffer;
    window.postMessage(e, '*');
  }, { kind: 'reply', inReplyTo: ready, message: { type: 'snapshot', snapshot: { ...snapshot, decoder } } });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  assert.match(await page.getAttribute('#ll-map', 'aria-label') ?? '', /^Latent map: 200,000 points, 10 labels shown/);
  assert.equal(await page.evaluate(() => (window.latentLens as Hooks).data.images?.pixels), undefined, 'no pixels arrived with the snapshot');

  // Hover: the original beside the decoded image is the hovered point's own, fetched on demand.
  const last = await hoverShowsOriginal(page, 12345, 4);
  assert.ok(requested.length >= 1 && requested.every((n) => n <= 256));

  // Pin it: the neighbours strip shows 8 originals, each its point's image.
  const pinned = await pointAt(page, last);
  await page.mouse.click(pinned.px, pinned.py);
  await page.waitForFunction(() => [...document.querySelectorAll('#ll-neighbours .ll-tile canvas:first-child')].filter((c) => (c as HTMLElement).dataset.original === 'shown').length === 8, null, { timeout: 20_000 });
  const tiles = await page.$$eval('#ll-neighbours .ll-tile canvas:first-child', (cs) => cs.map((c) => c.getAttribute('aria-label')!.replace(/^Original: /, '')));
  const tilePixels = await page.$$eval('#ll-neighbours .ll-tile canvas:first-child', (cs) => cs.map((c) => {
    const cv = c as HTMLCanvasElement;
    return Array.from(cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data.filter((_, k) => k % 4 === 0));
  }));
  const files = await page.evaluate(() => (window.latentLens as Hooks).data.files);
  tiles.forEach((file, k) => assert.deepEqual(tilePixels[k], original(files.indexOf(file)), `neighbour ${file}`));

  // A selection: its first page (200 tiles) shows 200 originals.
  await page.evaluate(() => (window.latentLens as Hooks).store.set({ selection: { id: 1, points: Uint32Array.from({ length: 500 }, (_, k) => k * 400) }, selectionPage: 0 }));
  await page.waitForFunction(() => {
    const cs = [...document.querySelectorAll('#ll-selection-grid .ll-tile canvas:first-child')];
    return cs.length === 200 && cs.every((c) => (c as HTMLElement).dataset.original === 'shown');
  }, null, { timeout: 60_000 });
  assert.match(await page.getAttribute('#ll-selection-section', 'aria-label') ?? '', /^Selection: 500 images/);
  assert.deepEqual(await drawn(page, '#ll-selection-grid .ll-tile:nth-child(3) canvas'), original(2 * 400));

  // The outliers' thumbnails are their images.
  await page.waitForFunction(() => [...document.querySelectorAll('#ll-outliers canvas')].filter((c) => (c as HTMLElement).dataset.original === 'shown').length === 50, null, { timeout: 60_000 });
  const top = Number(await page.getAttribute('#ll-outliers li:first-child button', 'data-point'));
  assert.deepEqual(await drawn(page, '#ll-outliers li:first-child canvas'), original(top));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a report whose originals are packed in blocks shows them on demand', async () => {
  const small = path.join(tmp, 'small');
  await makeFakeRun(small, 3000, 8, true);
  const smallPixels = readFileSync(path.join(small, 'data', 'pixels.u8'));
  const file = path.join(tmp, 'report.html');
  await writeReport(small, file, { testHooks: true, inlinePixelBytes: 0 });
  const html = readFileSync(file, 'utf8');
  assert.match(html, /id="ll-images-0"/);
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  assert.match(await page.getAttribute('#ll-map', 'aria-label') ?? '', /^Latent map: 3,000 points/);
  assert.equal(await page.evaluate(() => (window.latentLens as Hooks).data.images?.pixels), undefined);
  let shown = -1;
  for (let i = 17; shown < 0; i += 101) {
    const h = await hoverUntilOriginalShown(page, i);
    if (!h) continue;
    const hovered = h.index;
    assert.deepEqual(await drawn(page, '#ll-original'), original(h.row, smallPixels));
    await page.mouse.click(h.px, h.py);
    shown = hovered;
  }
  await page.waitForFunction(() => [...document.querySelectorAll('#ll-neighbours .ll-tile canvas:first-child')].filter((c) => (c as HTMLElement).dataset.original === 'shown').length === 8, null, { timeout: 20_000 });
  assert.deepEqual(errors, []);
  await page.close();
});
