/**
 * Browser test of the epoch timeline (issue 10, epoch replay) in the standalone report: a run
 * trained 3 epochs by the CLI on part of samples/fashion-mnist-2k keeps history/; its report has
 * a slider named "Epoch timeline" under the map; moving it to epoch 1 moves the map's points
 * (read through the test hooks: the map's own coordinates), the keyboard reaches it, and
 * "Play epochs" advances. Screenshots: test-results/timeline-{light,dark}.png.
 *
 *   node esbuild.mjs && node --import tsx --test test/browser/timeline.test.ts
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeReport } from '../../src/trainer/report';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SHOTS = path.join(ROOT, 'test-results');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

let tmp = '', reportFile = '';
let browser: Browser;

function train(out: string): Promise<number | null> {
  const args = ['train', path.join(ROOT, 'samples', 'fashion-mnist-2k'), '--out', out, '--epochs', '3', '--max-images', '300', '--batch-size', '64'];
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), ...args], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NODE_TEST'))),
  });
  return new Promise((resolve) => child.on('exit', resolve));
}

before(async () => {
  assert.ok(existsSync(path.join(ROOT, 'dist', 'webview.test.js')), 'build first: node esbuild.mjs');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'latent-lens-timeline-'));
  const runDir = path.join(tmp, 'run');
  assert.equal(await train(runDir), 0);
  reportFile = path.join(tmp, 'report.html');
  await writeReport(runDir, reportFile, { testHooks: true });
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open(theme: 'light' | 'dark'): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: theme });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(`file://${reportFile}?theme=${theme}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { page, problems };
}

/** The coordinates the map itself draws (its props' frame), first few points. */
function mapXY(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const ll = (window as unknown as { latentLens: { map: { props: { frame: { x: Float32Array; y: Float32Array } } } } }).latentLens;
    const f = ll.map.props.frame;
    return [...Array.from(f.x.subarray(0, 20)), ...Array.from(f.y.subarray(0, 20))];
  });
}

test('the timeline: a slider named "Epoch timeline" moves the points; keyboard; play advances', async () => {
  const { page, problems } = await open('light');
  const slider = page.getByRole('slider', { name: 'Epoch timeline' });
  assert.equal(await slider.count(), 1);
  assert.equal(await slider.getAttribute('aria-valuetext'), 'epoch 3 / 3');
  assert.match(await slider.getAttribute('title') ?? '', /epochs 1–3, all kept/);
  const latest = await mapXY(page);

  // Epoch 1: the same points, elsewhere.
  await slider.fill('0');
  assert.equal(await slider.getAttribute('aria-valuetext'), 'epoch 1 / 3');
  const first = await mapXY(page);
  assert.equal(first.length, latest.length);
  assert.ok(first.some((v, i) => Math.abs(v - latest[i]) > 1e-4), 'the points moved to epoch 1');
  const shownEpoch = await page.evaluate(() => (window as unknown as { latentLens: { store: { get(): { timelineEpoch: number | null } } } }).latentLens.store.get().timelineEpoch);
  assert.equal(shownEpoch, 1);
  // The map's heading badge and accessible name say the epoch shown, not the latest.
  assert.match(await page.locator('#ll-method').textContent() ?? '', /^\(\w[^)]*, epoch 1 of 3\)$/);
  assert.equal(await page.getByRole('application', { name: /^Latent map: .*, epoch 1 of 3\)/ }).count(), 1);

  // Keyboard: End goes back to the latest layout, Home to the first.
  await slider.focus();
  await page.keyboard.press('End');
  assert.equal(await slider.getAttribute('aria-valuetext'), 'epoch 3 / 3');
  assert.deepEqual(await mapXY(page), latest);
  assert.match(await page.locator('#ll-method').textContent() ?? '', /, epoch 3\)$/, 'back at the latest: the latest projection');
  await page.keyboard.press('Home');
  assert.equal(await slider.getAttribute('aria-valuetext'), 'epoch 1 / 3');
  await page.screenshot({ path: path.join(SHOTS, 'timeline-light.png') });

  // Play advances to the last epoch and stops there.
  const play = page.getByRole('button', { name: 'Play epochs' });
  await play.click();
  assert.equal(await page.getByRole('button', { name: 'Pause epochs' }).getAttribute('aria-pressed'), 'true');
  await page.waitForFunction(() => document.querySelector('.ll-timeline-slider')?.getAttribute('aria-valuetext') === 'epoch 2 / 3', null, { timeout: 5000 });
  await page.waitForFunction(() => document.querySelector('.ll-timeline-play')?.getAttribute('aria-pressed') === 'false', null, { timeout: 5000 });
  assert.equal(await slider.getAttribute('aria-valuetext'), 'epoch 3 / 3');
  assert.deepEqual(await mapXY(page), latest);
  assert.deepEqual(problems, []);
  await page.close();

  const dark = await open('dark');
  await dark.page.getByRole('slider', { name: 'Epoch timeline' }).fill('1');
  await dark.page.screenshot({ path: path.join(SHOTS, 'timeline-dark.png') });
  await dark.page.close();
});
