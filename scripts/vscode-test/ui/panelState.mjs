/**
 * UI test (issue 9): the latent panel's view state survives a tab switch and a real window
 * reload, driven like a person would in the browser workbench. Works with the production webview
 * (no test hooks): everything is read from the page — the map's accessible name (points and
 * labels shown, "zoomed N×"), the decode caption ("Pinned: …"), the smoothing slider, the
 * legend's checkboxes. Needs the trained run of trainOnFolder with its "Latent Space" panel in
 * the window. Screenshots ui-panel-state-tab-switch.png, ui-panel-state-reload.png.
 */
import { log, sleep } from '../common.mjs';
import { palette } from './workbench.mjs';

/** The frame of the panel's page (its body carries data-run-dir), or null. */
async function panelFrame(page) {
  for (const f of page.frames()) {
    try {
      if (await f.evaluate(() => Boolean(document.body?.dataset?.runDir) && document.body.dataset.ready === 'true')) return f;
    } catch { /* a cross-origin frame still loading */ }
  }
  return null;
}

/** What the page shows of the view state. */
async function readView(frame) {
  return frame.evaluate(() => ({
    mapName: document.getElementById('ll-map')?.getAttribute('aria-label') ?? '',
    caption: document.getElementById('ll-decode-caption')?.textContent ?? '',
    smoothing: document.getElementById('ll-smoothing')?.value ?? '',
    pointSize: document.getElementById('ll-point-size')?.value ?? '',
    firstLabelShown: document.querySelector('#ll-legend-section vscode-checkbox')?.checked ?? null,
  }));
}

async function waitForView(page, want, what, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < end) {
    const f = await panelFrame(page);
    if (f) {
      try {
        last = await readView(f);
        if (JSON.stringify(last) === JSON.stringify(want)) return last;
      } catch { /* the frame went away */ }
    }
    await sleep(1000);
  }
  throw new Error(`${what}: the panel shows ${JSON.stringify(last)}, expected ${JSON.stringify(want)}`);
}

/** @type {import('../uiTests.mjs').UiTest} */
export const panelState = {
  title: 'UI: the panel keeps zoom, pin, hidden labels, point size and smoothing across a tab switch and a window reload',
  when: (state) => Boolean(state.trained),
  run: (ui) => panelStateUiTest(ui.page, ui.shot),
};

/** @param {import('playwright-core').Page} page @param {(name: string) => Promise<unknown>} shot */
async function panelStateUiTest(page, shot) {
  const tab = page.locator('.tab', { hasText: 'Latent Space' }).first();
  await tab.click();
  let frame = null;
  const end = Date.now() + 60_000;
  while (!(frame = await panelFrame(page))) {
    if (Date.now() > end) throw new Error('no panel page');
    await sleep(1000);
  }

  // The user: hides the first label, pins a point (keyboard: N, Enter), zooms in, smooths the loss.
  await frame.locator('#ll-legend-section vscode-checkbox').first().click();
  await frame.locator('#ll-map').focus();
  await page.keyboard.press('n');
  await page.keyboard.press('Enter');
  await frame.waitForFunction(() => /^Pinned: /.test(document.getElementById('ll-decode-caption')?.textContent ?? ''), null, { timeout: 60_000 });
  const box = await frame.locator('#ll-map').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  await frame.waitForFunction(() => /zoomed/.test(document.getElementById('ll-map')?.getAttribute('aria-label') ?? ''), null, { timeout: 30_000 });
  await frame.locator('#ll-smoothing').fill('0.9');
  await frame.locator('#ll-point-size').fill('5');
  // Leave the map (a hover would change the caption) and let the state be saved.
  await page.mouse.move(5, 5);
  await sleep(1500);
  const want = await readView(frame);
  if (want.firstLabelShown !== false || !/zoomed/.test(want.mapName) || want.smoothing !== '0.9' || !/^Pinned: /.test(want.caption)) {
    throw new Error(`the changes did not take: ${JSON.stringify(want)}`);
  }
  log(`panel state set: ${JSON.stringify(want)}`);

  // Tab switch: a new untitled file in the panel's group hides the panel (its webview is torn down).
  await palette(page, 'File: New Untitled Text File');
  await sleep(2000);
  if (await panelFrame(page)) log('note: the panel page is still loaded after the tab switch');
  await tab.click();
  await waitForView(page, want, 'after a tab switch');
  await shot('ui-panel-state-tab-switch.png');

  // A real window reload: VS Code restores the panel (serializer) with the state the webview saved.
  await page.reload();
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  await page.locator('.tab', { hasText: 'Latent Space' }).first().waitFor({ timeout: 60_000 });
  await page.locator('.tab', { hasText: 'Latent Space' }).first().click();
  await waitForView(page, want, 'after a window reload');
  await shot('ui-panel-state-reload.png');
}
