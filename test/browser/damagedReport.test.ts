/**
 * Browser test of a damaged run's report (issue 14): a fake run (test/browser/makeFakeRun.ts)
 * with a truncated latents/mu.f32, and one with truncated decoder weights, each rendered as a
 * report in headless Chromium. The notice (role="status") names the damaged file and what it
 * breaks; the map still draws; the decoded-image area says "decoding unavailable: <file>",
 * never "no decoder yet" or "the run has not finished an epoch".
 *
 *   node esbuild.mjs && node --import tsx --test test/browser/damagedReport.test.ts
 *
 * Screenshots: test-results/damaged-{mu,decoder}-{light,dark}.png.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeReport } from '../../src/trainer/report';
import { makeFakeRun } from './makeFakeRun';

const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = path.join(ROOT, 'test-results');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

let tmp = '';
let browser: Browser;

before(async () => {
  assert.ok(existsSync(path.join(ROOT, 'dist', 'webview.test.js')), 'run `node esbuild.mjs` first');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'latent-lens-damaged-'));
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function truncate(file: string, bytes: number): void {
  writeFileSync(file, readFileSync(file).subarray(0, bytes));
}

/** A fake run of 500 points with one file damaged by `damage`, as a report; the page opened on it. */
async function openDamaged(name: string, damage: (run: string) => void, theme: 'light' | 'dark' = 'light'): Promise<{ page: Page; errors: string[] }> {
  const run = path.join(tmp, name);
  if (!existsSync(run)) {
    await makeFakeRun(run, 500, 8, true);
    damage(run);
    await writeReport(run, path.join(tmp, `${name}.html`), { testHooks: true });
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, colorScheme: theme });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.goto(`file://${path.join(tmp, `${name}.html`)}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { page, errors };
}

/** Standard deviation of the map canvas's grey levels: > 0 when points are drawn. */
async function mapContrast(page: Page): Promise<number> {
  return page.$eval('canvas.ll-map-base', (c) => {
    const cv = c as HTMLCanvasElement;
    const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
    let s = 0, s2 = 0;
    const n = d.length / 4;
    for (let i = 0; i < d.length; i += 4) { const v = (d[i] + d[i + 1] + d[i + 2]) / 3; s += v; s2 += v * v; }
    return Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
  });
}

async function hoverPoint(page: Page, i: number): Promise<void> {
  const p = await page.evaluate((idx) => {
    const ll = (window as unknown as { latentLens: { map: { toScreen(x: number, y: number): [number, number] }; state: { x: Float32Array; y: Float32Array } } }).latentLens;
    const [sx, sy] = ll.map.toScreen(ll.state.x[idx], ll.state.y[idx]);
    const r = document.getElementById('ll-map')!.getBoundingClientRect();
    return { x: r.left + sx, y: r.top + sy };
  }, i);
  await page.mouse.move(p.x, p.y);
}

test('a report of a run with a truncated mu.f32 names the file; the map still draws', async () => {
  for (const theme of ['light', 'dark'] as const) {
    const { page, errors } = await openDamaged('mu', (run) => truncate(path.join(run, 'latents', 'mu.f32'), 100), theme);
    const notice = page.getByRole('status', { name: /damaged file/ });
    assert.equal(await notice.count(), 1, 'one notice, found by its accessible name');
    const text = await notice.innerText();
    assert.match(text, /latents\/mu\.f32 is truncated: it holds 100 bytes, 16000 expected/);
    assert.match(text, /does not work: the map of μ and the per-image statistics/);
    assert.ok(!text.includes(tmp), 'no absolute path in a shared report');
    assert.match((await page.getAttribute('#ll-map', 'aria-label')) ?? '', /500 points/);
    assert.ok(await mapContrast(page) > 1, 'the map draws its points');
    await hoverPoint(page, 42);
    await page.waitForFunction(() => /Decoding unavailable/.test(document.getElementById('ll-decode-caption')?.textContent ?? ''), null, { timeout: 10_000 });
    const caption = await page.textContent('#ll-decode-caption');
    assert.match(caption ?? '', /Decoding unavailable: latents\/mu\.f32 is truncated/);
    assert.doesNotMatch(caption ?? '', /has not finished an epoch/);
    assert.match((await page.getAttribute('#ll-decoded', 'aria-label')) ?? '', /decoding unavailable: latents\/mu\.f32 is damaged/);
    await page.screenshot({ path: path.join(SHOTS, `damaged-mu-${theme}.png`) });
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('a report of a run with truncated decoder weights says decoding is unavailable and why', async () => {
  const { page, errors } = await openDamaged('decoder', (run) => {
    const dir = path.join(run, 'model', 'decoder');
    const weights = readdirSync(dir).find((f) => f !== 'model.json')!;
    truncate(path.join(dir, weights), 64);
  });
  const text = await page.getByRole('status', { name: /damaged file/ }).innerText();
  assert.match(text, /model\/decoder\/\S+ is truncated/);
  assert.match(text, /does not work: decoding \(hover, traversals, interpolation, samples\)/);
  assert.match((await page.textContent('#ll-status')) ?? '', /decoding unavailable: model\/decoder\/\S+ is damaged/);
  assert.ok(await mapContrast(page) > 1, 'the map draws its points');
  await hoverPoint(page, 7);
  await page.waitForFunction(() => /Decoding unavailable/.test(document.getElementById('ll-decode-caption')?.textContent ?? ''), null, { timeout: 10_000 });
  assert.doesNotMatch((await page.getAttribute('#ll-decoded', 'aria-label')) ?? '', /no decoder yet/);
  await page.screenshot({ path: path.join(SHOTS, 'damaged-decoder-light.png') });
  assert.deepEqual(errors, []);
  await page.close();
});
