/**
 * Browser test of Compare Runs (issue 10): two real short runs on samples/fashion-mnist-2k with
 * different β (`--max-images 400 --epochs 2`), their compare report
 * (`writeCompareReport`, the test build) in Debian's headless Chromium: two maps found by their
 * accessible names, the "Final figures" table with a row per run and its β, and a real mouse hover
 * on a point of map A ringing the same image in map B.
 *
 *   npm run build && node --import tsx --test test/browser/compare.test.ts
 *
 * LATENT_LENS_TEST_COMPARE_RUNS=<runA>:<runB> reuses two runs (β 1 and β 4). Screenshot:
 * test-results/compare.png (1400×900); LATENT_LENS_UPDATE_SCREENSHOTS=1 writes docs/compare.png.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeCompareReport } from '../../src/trainer/report';

const ROOT = path.resolve(__dirname.startsWith('/') ? path.join(__dirname, '..', '..') : process.cwd());
const SHOTS = path.join(ROOT, process.env.LATENT_LENS_UPDATE_SCREENSHOTS === '1' ? 'docs' : 'test-results');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

let tmp = '';
let runs: string[] = [];
let reportFile = '';
let browser: Browser;

function train(out: string, beta: number): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'train', path.join(ROOT, 'samples', 'fashion-mnist-2k'), '--out', out, '--epochs', '2', '--max-images', '400', '--beta', String(beta)], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: 10 * 60_000,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NODE_TEST'))),
  });
  assert.ok(existsSync(path.join(out, 'latents', 'projection.json')), `training β=${beta} wrote a projection (exit ${r.status})`);
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'latent-lens-compare-'));
  assert.ok(existsSync(path.join(ROOT, 'dist', 'webview.test.js')), 'run `npm run build` first');
  runs = process.env.LATENT_LENS_TEST_COMPARE_RUNS?.split(':') ?? [];
  if (runs.length !== 2) {
    runs = [path.join(tmp, 'beta-1'), path.join(tmp, 'beta-4')];
    train(runs[0], 1);
    train(runs[1], 4);
  }
  reportFile = path.join(tmp, 'compare.html');
  await writeCompareReport(runs, reportFile, { testHooks: true });
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${reportFile}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  assert.deepEqual(errors, []);
  return page;
}

test('the compare report shows two maps and the final figures of both runs', async () => {
  const page = await open();
  const [a, b] = runs.map((r) => path.basename(r));
  await page.getByRole('application', { name: new RegExp(`^Map of ${a}:`) }).waitFor();
  await page.getByRole('application', { name: new RegExp(`^Map of ${b}:`) }).waitFor();
  const table = page.getByRole('table', { name: 'Final figures' });
  const header = await table.locator('thead th').allTextContents();
  assert.deepEqual(header, ['Run', 'β', 'Epochs', 'Validation −ELBO', 'Reconstruction', 'KL', 'Active units']);
  const rows = table.locator('tbody tr');
  assert.equal(await rows.count(), 2);
  const cells = async (i: number) => rows.nth(i).locator('th, td').allTextContents();
  const [r0, r1] = [await cells(0), await cells(1)];
  assert.equal(r0[0], a); assert.equal(r0[1], '1'); assert.equal(r0[2], '2 / 2');
  assert.equal(r1[0], b); assert.equal(r1[1], '4');
  assert.match(r0[3], /^\d+\.\d\d$/, 'validation −ELBO from the last epoch line');
  assert.ok(await page.locator('#llc-kl-chart rect.llc-bar').count() >= 2, 'KL bars of both runs');
  assert.equal(await page.locator('#llc-loss-chart path.llc-line').count(), 2, 'one loss curve per run');
  await page.screenshot({ path: path.join(SHOTS, 'compare.png') });
  await page.close();
});

test('hovering a point in map A rings the same image in map B', async () => {
  const page = await open();
  // A point of run A whose image is also in run B, and where map A draws it.
  const target = await page.evaluate(() => {
    const c = (window as unknown as { latentLens: { compare: { page: { runs: { files: string[]; x: Float32Array; y: Float32Array }[]; maps: { maps: { toScreen(x: number, y: number): [number, number]; pick(px: number, py: number): number | null }[] } } } } }).latentLens.compare.page;
    const [A, B] = c.runs;
    for (let i = 0; i < A.files.length; i += 7) {
      if (!B.files.includes(A.files[i])) continue;
      const [px, py] = c.maps.maps[0].toScreen(A.x[i], A.y[i]);
      if (c.maps.maps[0].pick(px, py) === i) return { i, px, py, file: A.files[i], inB: B.files.indexOf(A.files[i]) };
    }
    return null;
  });
  assert.ok(target, 'a point of run A that run B also shows');
  const box = await page.locator('#ll-map').boundingBox();
  await page.mouse.move(box!.x + target.px, box!.y + target.py);
  await page.waitForFunction(() => (window as unknown as { latentLens: { compare: { view(): { hovered: (number | null)[] } } } }).latentLens.compare.view().hovered[1] !== null);
  const view = await page.evaluate(() => (window as unknown as { latentLens: { compare: { view(): { hovered: (number | null)[]; hoveredFiles: (string | null)[] } } } }).latentLens.compare.view());
  assert.equal(view.hovered[0], target.i);
  assert.equal(view.hovered[1], target.inB);
  assert.deepEqual(view.hoveredFiles, [target.file, target.file]);
  await page.close();
});
