/**
 * Browser test of the generators (issue 15) in the standalone report: each view found by its
 * accessible name, its images named as the issue says, decoded and not blank; the interpolation's
 * path and the prior samples' hollow markers set in the store's mapOverlays (the map draws them).
 *
 *   npm run build && node --import tsx --test test/browser/generators.test.ts
 *
 * LATENT_LENS_TEST_RUN=<runDir> reuses a run; otherwise two epochs on 800 images (batch 32: a model that decodes more than blur) are trained into a
 * temporary folder. Screenshots of every view, light and dark: test-results/generators-*.png
 * (LATENT_LENS_UPDATE_SCREENSHOTS=1: docs/).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeReport } from '../../src/trainer/report';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, process.env.LATENT_LENS_UPDATE_SCREENSHOTS === '1' ? 'docs' : 'test-results');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'];

let tmp = '', runDir = '', reportFile = '';
let browser: Browser;

before(async () => {
  assert.ok(existsSync(path.join(ROOT, 'dist', 'webview.test.js')), 'run `npm run build` first');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'll-gen-'));
  runDir = process.env.LATENT_LENS_TEST_RUN ?? path.join(tmp, 'run');
  if (!process.env.LATENT_LENS_TEST_RUN) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'train', path.join(ROOT, 'samples', 'fashion-mnist-2k'), '--out', runDir, '--epochs', '2', '--max-images', '800', '--batch-size', '32', '--backend', 'wasm'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_TEST_CONTEXT: '' } });
    assert.equal(r.status, 0, r.stderr);
  }
  reportFile = path.join(tmp, 'report.html');
  await writeReport(runDir, reportFile, { testHooks: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open(theme: 'light' | 'dark'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`file://${reportFile}?theme=${theme}`);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

/** Wait for the open view's render; then per image: its name, and whether it has more than one grey level. */
async function images(page: Page, panel: string): Promise<{ name: string; varied: boolean }[]> {
  await page.evaluate(async () => { await (window as unknown as { latentLens: { generators: { pending: Promise<void> } } }).latentLens.generators.pending; });
  return page.getByRole('tabpanel', { name: panel }).getByRole('img').evaluateAll((els) => els.map((e) => {
    const cv = e as HTMLCanvasElement;
    const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
    let lo = 255, hi = 0;
    for (let i = 0; i < d.length; i += 4) { lo = Math.min(lo, d[i]); hi = Math.max(hi, d[i]); }
    return { name: e.getAttribute('aria-label') ?? '', varied: cv.width > 1 && hi - lo > 8 };
  }));
}

const overlays = (page: Page) => page.evaluate(() => {
  const o = (window as unknown as { latentLens: { store: { get(): { mapOverlays: { paths: { id: string; xy: Float32Array; label: string }[]; hollow: { id: string; xy: Float32Array; label: string }[] } } } } }).latentLens.store.get().mapOverlays;
  return { paths: o.paths.map((p) => ({ id: p.id, n: p.xy.length / 2, finite: Array.from(p.xy).every(Number.isFinite), label: p.label })), hollow: o.hollow.map((p) => ({ id: p.id, n: p.xy.length / 2, label: p.label })) };
});

/** What the map's overlay canvas last drew (overlayLayers.ts: data-overlays-drawn), after the next frame. */
const drawn = async (page: Page) => {
  await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res))));
  return (await page.locator('#ll-map').getAttribute('data-overlays-drawn')) ?? '';
};

test('Latent traversal: 16 rows × 9 columns named "Dimension d at vσ", decoded; a KL bar opens one dimension', async () => {
  for (const theme of ['light', 'dark'] as const) {
    const page = await open(theme);
    await page.getByRole('tab', { name: 'Latent traversal' }).click();
    const ims = await images(page, 'Latent traversal');
    assert.equal(ims.length, 16 * 9);
    assert.ok(ims.some((i) => /^Dimension \d+ at \+1\.5σ$/.test(i.name)), ims[0].name);
    assert.ok(ims.filter((i) => i.varied).length > ims.length / 2, 'most traversal images are not blank');
    mkdirSync(SHOTS, { recursive: true });
    await page.locator('#ll-generators-section').screenshot({ path: path.join(SHOTS, `generators-traversal-${theme}.png`) });
    if (theme === 'light') {
      await page.locator('#ll-kl-section rect.ll-bar').first().click();
      const one = await images(page, 'Latent traversal');
      assert.equal(one.length, 9 + 1, 'one row and the slider\'s image');
      await page.getByRole('slider', { name: 'Value of the dimension, in σ of the prior' }).fill('1.5');
      await images(page, 'Latent traversal');
      assert.match(await page.locator('.ll-gen-single').getAttribute('aria-label') ?? '', /^Dimension \d+ at \+1\.5σ$/);
    }
    await page.close();
  }
});

test('Interpolation: "Step k of N" between the pin and B, a path on the map; keyboard reachable', async () => {
  for (const theme of ['light', 'dark'] as const) {
    const page = await open(theme);
    // Keyboard: focus the traversal tab, arrow right to Interpolation.
    await page.getByRole('tab', { name: 'Latent traversal' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Interpolation');
    await page.evaluate(() => (window as unknown as { latentLens: { store: { set(p: object): void } } }).latentLens.store.set({ pinnedRow: 3 }));
    await page.locator('#ll-gen-pin-b').click();
    await page.evaluate(() => (window as unknown as { latentLens: { store: { set(p: object): void } } }).latentLens.store.set({ pinnedRow: 17 }));
    const ims = await images(page, 'Interpolation');
    assert.deepEqual(ims.map((i) => i.name), Array.from({ length: 8 }, (_, k) => `Step ${k + 1} of 8`));
    assert.ok(ims.every((i) => i.varied), `every step decoded: ${JSON.stringify(ims)}`);
    const o = await overlays(page);
    assert.equal(o.paths.length, 1);
    assert.deepEqual([o.paths[0].id, o.paths[0].n, o.paths[0].finite], ['interpolation', 8, true]);
    assert.match(await drawn(page), /^paths 1 \(8 vertices\), rings 0,/, 'the map draws the path with a marker per step');
    await page.locator('#ll-map').screenshot({ path: path.join(SHOTS, `generators-interpolation-map-${theme}.png`) });
    await page.locator('#ll-generators-section').screenshot({ path: path.join(SHOTS, `generators-interpolation-${theme}.png`) });
    await page.close();
  }
});

test('Interpolation from the map: click pins A, Shift+click pins B (Shift+Enter from the keyboard)', async () => {
  const page = await open('light');
  type LL = { latentLens: { store: { get(): { pinnedRow: number | null; pinnedRowB: number | null } }; state: { x: Float32Array; y: Float32Array; count: number }; map: { toScreen(x: number, y: number): [number, number] }; data: { index: Int32Array | number[] } } };
  await page.getByRole('tab', { name: 'Interpolation' }).click();
  // Two points apart on screen (the 20th and 80th percentile in x), clicked as a person would.
  const [a, b] = await page.evaluate(() => {
    const ll = (window as unknown as LL).latentLens;
    const order = Array.from({ length: ll.state.count }, (_, i) => i).filter((i) => Number.isFinite(ll.state.x[i])).sort((p, q) => ll.state.x[p] - ll.state.x[q]);
    return [order[Math.floor(order.length * 0.2)], order[Math.floor(order.length * 0.8)]].map((i) => ({ i, xy: ll.map.toScreen(ll.state.x[i], ll.state.y[i]) }));
  });
  await page.locator('#ll-map').scrollIntoViewIfNeeded();
  const box = (await page.locator('#ll-map').boundingBox())!;
  await page.mouse.click(box.x + a.xy[0], box.y + a.xy[1]);
  await page.keyboard.down('Shift');
  await page.mouse.click(box.x + b.xy[0], box.y + b.xy[1]);
  await page.keyboard.up('Shift');
  const pins = await page.evaluate(() => { const s = (window as unknown as LL).latentLens.store.get(); return [s.pinnedRow, s.pinnedRowB]; });
  assert.notEqual(pins[0], null, `the click pinned A (${JSON.stringify([a, b, box])})`);
  assert.notEqual(pins[1], null, 'the Shift+click pinned B');
  assert.notEqual(pins[0], pins[1]);
  const ims = await images(page, 'Interpolation');
  assert.equal(ims.length, 8, 'the interpolation between A and B is decoded');
  assert.ok(ims.every((i) => i.varied));
  assert.equal((await overlays(page)).paths.length, 1, 'and drawn on the map as a path');
  // The keyboard: Shift+Enter on the focused map pins the point under the keyboard cursor as B.
  await page.evaluate(() => (window as unknown as { latentLens: { store: { set(p: object): void } } }).latentLens.store.set({ pinnedRowB: null }));
  await page.locator('#ll-map').focus();
  await page.keyboard.press('n');
  await page.keyboard.press('Shift+Enter');
  const b2 = await page.evaluate(() => (window as unknown as LL).latentLens.store.get().pinnedRowB);
  assert.notEqual(b2, null, 'Shift+Enter pinned B');
  await page.close();
});

test('Prior samples: 64 named "Sample k of 64", reseed, hollow markers where they land', async () => {
  for (const theme of ['light', 'dark'] as const) {
    const page = await open(theme);
    await page.getByRole('tab', { name: 'Prior samples' }).click();
    const ims = await images(page, 'Prior samples');
    assert.equal(ims.length, 64);
    assert.equal(ims[4].name, 'Sample 5 of 64');
    assert.ok(ims.filter((i) => i.varied).length > 48, 'samples decoded, not blank');
    const o = await overlays(page);
    assert.deepEqual(o.hollow.map((h) => [h.id, h.n]), [['prior-samples', 64]]);
    assert.equal(o.paths.length, 0, 'the interpolation path is not shown from another view');
    assert.match(await drawn(page), /^paths 0 \(0 vertices\), rings 64,/, 'the map draws a ring per sample');
    await page.locator('#ll-map').screenshot({ path: path.join(SHOTS, `generators-samples-map-${theme}.png`) });
    await page.locator('#ll-generators-section').screenshot({ path: path.join(SHOTS, `generators-samples-${theme}.png`) });
    if (theme === 'light') {
      const before = await page.locator('#ll-gen-samples canvas').first().evaluate((c) => (c as HTMLCanvasElement).toDataURL());
      await page.getByRole('button', { name: 'Reseed' }).click();
      await images(page, 'Prior samples');
      const after = await page.locator('#ll-gen-samples canvas').first().evaluate((c) => (c as HTMLCanvasElement).toDataURL());
      assert.notEqual(after, before, 'Reseed draws new samples');
    }
    await page.close();
  }
});
