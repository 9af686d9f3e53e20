/**
 * Browser test of the inspector (issue 15) and the panel layout (issue 14) on the report of a
 * real run (samples/fashion-mnist-2k, with per-image quantities), in Debian's headless Chromium:
 * colour by each quantity changes the map's colours and the legend; a lasso and a box select and
 * the grid "Selection: N images" shows decoded, non-blank tiles; Escape clears; the outliers are
 * sorted by reconstruction error; the neighbours strip has 8 images and 8 highlighted points; at
 * 746 and 1100 px wide the map, the decoded image and the KL and loss charts are all in view.
 *
 *   node esbuild.mjs && LATENT_LENS_TEST_RUN=<runDir> node --import tsx --test test/browser/inspector.test.ts
 *
 * Without LATENT_LENS_TEST_RUN, two epochs are trained into a temporary folder (minutes).
 * Screenshots go to test-results/ (docs/ with LATENT_LENS_UPDATE_SCREENSHOTS=1).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeReport } from '../../src/trainer/report';

const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = path.join(ROOT, process.env.LATENT_LENS_UPDATE_SCREENSHOTS === '1' ? 'docs' : 'test-results');
let tmp = '', reportFile = '';
let browser: Browser;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'latent-lens-inspector-'));
  assert.ok(existsSync(path.join(ROOT, 'dist', 'cli.js')), 'run `node esbuild.mjs` first');
  let runDir = process.env.LATENT_LENS_TEST_RUN ?? '';
  if (!runDir) {
    runDir = path.join(tmp, 'run');
    execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'train', path.join(ROOT, 'samples', 'fashion-mnist-2k'), '--out', runDir, '--epochs', '2'], {
      stdio: 'inherit', env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NODE_TEST'))),
    });
  }
  reportFile = path.join(tmp, 'report.html');
  await writeReport(runDir, reportFile, { testHooks: true });
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open(width: number, height = 800, theme: 'light' | 'dark' = 'light'): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height }, colorScheme: theme });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(`file://${reportFile}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { page, problems };
}

/** The test hooks (window.latentLens), loosely typed: only what these tests read. */
interface Hooks {
  store: { get(): { selection: { points: Uint32Array } | null; mapOverlays: { highlight: { id: string; points: Uint32Array }[] } }; set(p: object): void };
  data: { count: number; perImage: { recon: Float32Array } };
}
declare global { interface Window { latentLens?: unknown } }

/** A hash of the map's base canvas pixels (changes when the colours change). */
const mapPixels = (page: Page) => page.evaluate(() => {
  const c = document.querySelector('.ll-map-base') as HTMLCanvasElement;
  const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  let h = 0;
  for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i] * 7 + d[i + 1] * 3 + d[i + 2]) >>> 0;
  return h;
});

/** Standard deviation of the grey levels of canvases matched by `selector` (each). */
const canvasStds = (page: Page, selector: string) => page.$$eval(selector, (els) => els.map((c) => {
  const cv = c as HTMLCanvasElement;
  if (!cv.width) return 0;
  const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
  let s = 0, s2 = 0;
  const n = d.length / 4;
  for (let i = 0; i < d.length; i += 4) { const v = (d[i] + d[i + 1] + d[i + 2]) / 3; s += v; s2 += v * v; }
  return Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
}));

/** Drag on the map from the centre through `pts` (fractions of its box) with a modifier. */
async function dragOnMap(page: Page, pts: [number, number][], modifier: 'Shift' | 'Alt'): Promise<void> {
  const r = (await page.locator('#ll-map').boundingBox())!;
  await page.keyboard.down(modifier);
  await page.mouse.move(r.x + pts[0][0] * r.width, r.y + pts[0][1] * r.height);
  await page.mouse.down();
  for (const [fx, fy] of pts.slice(1)) await page.mouse.move(r.x + fx * r.width, r.y + fy * r.height, { steps: 4 });
  await page.mouse.up();
  await page.keyboard.up(modifier);
}

test('colour by each quantity changes the colours and the legend', async () => {
  const { page, problems } = await open(1100);
  const colourBy = page.getByRole('combobox', { name: 'Colour by' });
  let last = await mapPixels(page);
  assert.equal(await page.locator('#ll-color-scale').isHidden(), true, 'no continuous scale when coloured by label');
  for (const v of ['recon', 'kl', 'meanVar', 'mu:0']) {
    await colourBy.selectOption(v);
    await page.waitForFunction(() => !document.getElementById('ll-color-scale')!.hidden);
    await page.waitForTimeout(100);
    const now = await mapPixels(page);
    assert.notEqual(now, last, `colouring by ${v} changes the map`);
    last = now;
    const legend = await page.getByRole('img', { name: /^Colour scale: / }).getAttribute('aria-label');
    assert.match(legend ?? '', v === 'recon' ? /reconstruction error/ : v === 'kl' ? /KL/ : v === 'meanVar' ? /mean σ²/ : /μ dimension 0/);
    assert.match(await page.getAttribute('#ll-map', 'aria-label') ?? '', /coloured by/);
  }
  await colourBy.selectOption('recon');
  await page.screenshot({ path: path.join(SHOTS, 'inspector-colour-by.png') });
  await colourBy.selectOption('label');
  await page.waitForFunction(() => document.getElementById('ll-color-scale')!.hidden);
  assert.deepEqual(problems, []);
  await page.close();
});

test('lasso and box select; the grid shows decoded tiles; Escape clears', async () => {
  const { page, problems } = await open(1100, 1000);
  await dragOnMap(page, [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8], [0.2, 0.25]], 'Shift');
  const region = page.getByRole('region', { name: /^Selection: [\d,]+ images?$/ });
  await region.waitFor();
  const name = (await region.getAttribute('aria-label'))!;
  const n = Number(/Selection: ([\d,]+)/.exec(name)![1].replace(/,/g, ''));
  const inStore = await page.evaluate(() => (window.latentLens as Hooks).store.get().selection!.points.length);
  assert.ok(n > 0 && n === inStore, `the grid names the ${inStore} selected images (${name})`);
  await page.waitForSelector('#ll-selection-grid[data-decoded]', { timeout: 60_000 });
  const tiles = await page.locator('#ll-selection-grid .ll-tile').count();
  assert.equal(tiles, Math.min(200, n), 'one tile per image, 200 per page');
  const stds = await canvasStds(page, '#ll-selection-grid canvas[aria-label^="Reconstruction of"]');
  assert.equal(stds.length, tiles, 'every tile has a decoded reconstruction');
  assert.ok(stds.filter((s) => s > 5).length >= tiles * 0.9, 'the reconstructions are not blank');
  assert.match(await page.textContent('#ll-selection-stats') ?? '', /mean reconstruction error [\d.]+ nats · mean KL [\d.]+ nats/);
  assert.match(await page.getAttribute('#ll-map', 'aria-label') ?? '', /selected/);
  await page.screenshot({ path: path.join(SHOTS, 'inspector-selection-map.png') });
  await page.locator('#ll-selection-section').screenshot({ path: path.join(SHOTS, 'inspector-selection.png') });
  // A tile pins its point.
  await page.locator('#ll-selection-grid .ll-tile').first().click();
  await page.waitForFunction(() => /^Pinned: /.test(document.getElementById('ll-decode-caption')!.textContent ?? ''));
  // Escape on the map clears the selection.
  await page.focus('#ll-map');
  await page.keyboard.press('Escape');
  await page.getByRole('region', { name: 'Selection: none' }).waitFor();
  // A box (Alt+drag) selects too; S on the map selects the points in view (the keyboard way).
  await dragOnMap(page, [[0.1, 0.1], [0.6, 0.7]], 'Alt');
  await region.waitFor();
  await page.focus('#ll-map');
  await page.keyboard.press('Escape');
  await page.keyboard.press('s');
  const all = await page.evaluate(() => (window.latentLens as Hooks).store.get().selection?.points.length ?? 0);
  assert.equal(all, await page.evaluate(() => (window.latentLens as Hooks).data.count), 'S selects every point in the fitted view');
  // The grid renders in a task of its own after the map (selectionGrid.ts): wait for its name.
  await page.getByRole('region', { name: 'Selection: 2,000 images' }).waitFor({ timeout: 10_000 });
  assert.ok(await page.getByRole('button', { name: 'Next page of the selection' }).isVisible(), 'paged beyond 200 tiles');
  assert.deepEqual(problems, []);
  await page.close();
});

test('outliers sorted by reconstruction error; neighbours strip of 8 highlighted on the map', async () => {
  const { page, problems } = await open(1100, 1000);
  const recon = await page.$$eval('#ll-outliers button', (bs) => bs.map((b) => Number(b.getAttribute('data-recon'))));
  assert.equal(recon.length, 50);
  for (let k = 1; k < recon.length; k++) assert.ok(recon[k - 1] >= recon[k], 'highest first');
  const top = await page.evaluate(() => Math.max(...(window.latentLens as Hooks).data.perImage.recon));
  assert.ok(Math.abs(recon[0] - top) < 1e-3 * Math.abs(top), 'the first is the worst image');
  await page.locator('#ll-outliers button').first().click();
  await page.waitForFunction(() => /^Pinned: /.test(document.getElementById('ll-decode-caption')!.textContent ?? ''));
  const strip = page.getByRole('list', { name: /^Nearest neighbours of / });
  await strip.waitFor();
  await page.waitForSelector('#ll-neighbours[data-decoded="8"]', { timeout: 30_000 });
  assert.equal(await strip.getByRole('listitem').count(), 8);
  const stds = await canvasStds(page, '#ll-neighbours canvas[aria-label^="Reconstruction of"]');
  assert.equal(stds.length, 8);
  assert.ok(stds.every((s) => s > 5), 'neighbour reconstructions are not blank');
  const hl = await page.evaluate(() => (window.latentLens as Hooks).store.get().mapOverlays.highlight.find((h) => h.id === 'inspector-neighbours')?.points.length);
  assert.equal(hl, 8, 'the 8 neighbours are highlighted on the map');
  await page.screenshot({ path: path.join(SHOTS, 'inspector-neighbours-map.png') });
  await page.locator('#ll-neighbours-section').screenshot({ path: path.join(SHOTS, 'inspector-neighbours.png') });
  await page.locator('#ll-outliers-section').screenshot({ path: path.join(SHOTS, 'inspector-outliers.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

for (const width of [746, 1100]) {
  test(`layout at ${width} px: map, decoded image, KL and loss charts all in view`, async () => {
    const height = 800;
    const { page, problems } = await open(width, height);
    await page.evaluate(() => (window.latentLens as Hooks).store.set({ pinnedRow: 5 }));
    await page.waitForFunction(() => /^Decoded reconstruction of /.test(document.getElementById('ll-decoded')!.getAttribute('aria-label') ?? ''));
    for (const sel of ['#ll-map', '#ll-decoded', '#ll-original', '#ll-kl-section svg', '#ll-loss-section svg']) {
      const b = await page.locator(sel).first().boundingBox();
      assert.ok(b, `${sel} is laid out`);
      assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= width + 0.5 && b.y + b.height <= height + 0.5,
        `${sel} is within the ${width}×${height} viewport (${JSON.stringify(b)})`);
    }
    await page.screenshot({ path: path.join(SHOTS, `panel-${width}.png`) });
    assert.deepEqual(problems, []);
    await page.close();
  });
}
