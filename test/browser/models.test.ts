/**
 * Browser test of issue 12's panel parts: a conditional conv VAE at 64×64×3 (filters 32, 64, 128,
 * 256) trained one epoch by the CLI on a generated folder of colour PNGs, its report opened in
 * Debian's headless Chromium. The report must draw colour images (nothing assumes one channel or
 * 28×28), name the model's kind in the header, and offer "Decode as label".
 *
 *   npm run build && node --import tsx --test test/browser/models.test.ts
 *
 * Screenshots: test-results/screenshot-cvae64-light.png and -dark.png.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeReport } from '../../src/trainer/report';
import { mulberry32 } from '../../src/shared/random';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SHOTS = path.join(ROOT, 'test-results');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const COLOURS: Record<string, [number, number, number]> = { red: [230, 40, 30], green: [40, 200, 60], blue: [40, 80, 230] };
const PER_LABEL = 48;

let tmp = '';
let runDir = '';
let reportFile = '';
let browser: Browser;

/** PER_LABEL 64×64 PNGs per colour: a coloured square of random size and place on a dark background. */
async function colourFolder(dir: string): Promise<void> {
  const rand = mulberry32(7);
  for (const [label, [r, g, b]] of Object.entries(COLOURS)) {
    mkdirSync(path.join(dir, label), { recursive: true });
    for (let i = 0; i < PER_LABEL; i++) {
      const px = Buffer.alloc(64 * 64 * 3, 16);
      const s = 16 + Math.floor(rand() * 24), x0 = Math.floor(rand() * (64 - s)), y0 = Math.floor(rand() * (64 - s));
      for (let y = y0; y < y0 + s; y++) for (let x = x0; x < x0 + s; x++) px.set([r, g, b], (y * 64 + x) * 3);
      await sharp(px, { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(path.join(dir, label, `${i}.png`));
    }
  }
}

async function train(cli: string, data: string, out: string): Promise<void> {
  const args = [cli, 'train', data, '--out', out, '--image-size', '64', '--channels', '3', '--conditional', '--epochs', '1', '--batch-size', '16', '--latent-dim', '8', '--val-split', '0.1', '--backend', 'wasm'];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'inherit', 'inherit'], cwd: ROOT,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NODE_TEST'))),
  });
  let exited = false;
  const exit = new Promise<number | null>((res) => child.on('exit', (code) => { exited = true; res(code); }));
  const done = () => {
    try {
      return JSON.parse(readFileSync(path.join(out, 'status.json'), 'utf8')).status === 'completed' && existsSync(path.join(out, 'latents', 'projection.json'));
    } catch { return false; }
  };
  const deadline = Date.now() + 10 * 60_000;
  while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  if (!exited) child.kill('SIGKILL');
  await exit;
  assert.ok(done(), 'the CLI trained one epoch at 64×64×3 and wrote latents and a projection');
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'latent-lens-models-'));
  const dist = path.join(ROOT, 'dist');
  assert.ok(existsSync(path.join(dist, 'webview.test.js')) && existsSync(path.join(dist, 'cli.js')), 'run `npm run build` first');
  runDir = process.env.LATENT_LENS_TEST_RUN ?? '';
  if (!runDir) {
    await colourFolder(path.join(tmp, 'colours'));
    runDir = path.join(tmp, 'run');
    await train(path.join(dist, 'cli.js'), path.join(tmp, 'colours'), runDir);
  }
  const model = JSON.parse(readFileSync(path.join(runDir, 'config.json'), 'utf8')).model;
  assert.deepEqual([model.imageHeight, model.channels, model.filters, model.conditional, model.labels], [64, 3, [32, 64, 128, 256], true, ['blue', 'green', 'red']]);
  reportFile = path.join(tmp, 'report.html');
  await writeReport(runDir, reportFile, { testHooks: true });
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (tmp && !process.env.LATENT_LENS_KEEP) rmSync(tmp, { recursive: true, force: true });
});

async function open(theme: 'light' | 'dark'): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: theme });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`); });
  await page.goto(`file://${reportFile}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await page.waitForFunction(() => (window as unknown as { latentLens: { decoder: { ready: boolean } } }).latentLens.decoder.ready);
  return { page, problems };
}

/** How colourful a canvas is: mean over pixels of max(R, G, B) − min(R, G, B), and its size. */
async function colourfulness(page: Page, selector: string): Promise<{ chroma: number; w: number; h: number }> {
  return page.$eval(selector, (c) => {
    const cv = c as HTMLCanvasElement;
    const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
    let s = 0;
    for (let i = 0; i < d.length; i += 4) s += Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]);
    return { chroma: s / (d.length / 4), w: cv.width, h: cv.height };
  });
}

/** Pin the first point of a label (through the test hooks, as a click on the map does). */
async function pinFirstOf(page: Page, label: string): Promise<void> {
  await page.evaluate((name) => {
    const ll = (window as unknown as { latentLens: { data: { labels: string[]; labelIndex: Uint16Array; index: Uint32Array }; store: { set(p: object): void } } }).latentLens;
    const k = ll.data.labels.indexOf(name);
    const i = ll.data.labelIndex.findIndex((l) => l === k);
    ll.store.set({ pinnedRow: ll.data.index[i] });
  }, label);
}

test('a conditional 64×64×3 run: header names the model, originals and decodes are in colour, Decode as label shows every label', async () => {
  const { page, problems } = await open('light');
  assert.match(await page.textContent('#ll-status') ?? '', /conditional conv VAE \(3 labels\), 64×64×3, latent 8/);

  await pinFirstOf(page, 'red');
  await page.waitForFunction(() => /^Decoded reconstruction of red\//.test(document.getElementById('ll-decoded')!.getAttribute('aria-label') ?? ''));
  const original = await colourfulness(page, '#ll-original');
  assert.deepEqual([original.w, original.h], [64, 64]);
  assert.ok(original.chroma > 10, `the original is drawn in colour (chroma ${original.chroma.toFixed(1)})`);
  const decoded = await colourfulness(page, '#ll-decoded');
  assert.deepEqual([decoded.w, decoded.h], [64, 64]);

  // Decode as label: one image per label, named "Decoded as <label>".
  assert.equal(await page.isVisible('#ll-label-section'), true);
  const rowNames = await page.$$eval('#ll-label-section [aria-label="The pinned point decoded with every label"] canvas', (cs) => cs.map((c) => c.getAttribute('aria-label')));
  assert.deepEqual(rowNames, ['Decoded as blue', 'Decoded as green', 'Decoded as red']);
  const perLabel = [];
  for (let k = 1; k <= 3; k++) perLabel.push(await colourfulness(page, `#ll-label-section [aria-label="The pinned point decoded with every label"] figure:nth-child(${k}) canvas`));
  perLabel.forEach((p) => assert.deepEqual([p.w, p.h], [64, 64]));
  // The images differ with the label: the decoder takes it.
  const pixels = await page.$$eval('#ll-label-section [aria-label="The pinned point decoded with every label"] canvas', (cs) => cs.map((c) => {
    const cv = c as HTMLCanvasElement;
    return Array.from(cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data);
  }));
  const diff = pixels[0].reduce((s, v, i) => s + Math.abs(v - pixels[2][i]), 0) / pixels[0].length;
  assert.ok(diff > 0.5, `decoded as blue and as red differ (mean |Δ| ${diff.toFixed(2)})`);

  // Prior samples for a chosen label.
  const samples = await page.$$eval('#ll-label-section [aria-label="Prior samples decoded with the chosen label"] canvas', (cs) => cs.map((c) => c.getAttribute('aria-label')));
  assert.equal(samples.length, 8);
  assert.match(samples[0] ?? '', /^Prior sample 1 decoded as blue$/);
  await page.evaluate(() => {
    const sel = document.getElementById('ll-sample-label') as HTMLElement & { value: string };
    sel.value = 'red';
    sel.dispatchEvent(new Event('change'));
  });
  await page.waitForFunction(() => /decoded as red$/.test(document.querySelector('[aria-label="Prior samples decoded with the chosen label"] canvas')?.getAttribute('aria-label') ?? ''));
  await page.screenshot({ path: path.join(SHOTS, 'screenshot-cvae64-light.png'), fullPage: true });
  assert.deepEqual(problems, [], 'no errors or CSP violations');
  await page.close();
});

test('dark theme: the Decode as label section follows the theme', async () => {
  const { page, problems } = await open('dark');
  await pinFirstOf(page, 'green');
  await page.waitForFunction(() => /^The μ of green\//.test(document.getElementById('ll-label-caption')?.textContent ?? ''));
  const border = await page.$eval('#ll-label-section canvas', (c) => getComputedStyle(c).borderTopColor);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(31, 31, 31)');
  assert.notEqual(border, 'rgb(0, 0, 0)');
  await page.screenshot({ path: path.join(SHOTS, 'screenshot-cvae64-dark.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
