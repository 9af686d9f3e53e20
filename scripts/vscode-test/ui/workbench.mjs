/**
 * Driving the VS Code workbench like a person would, for the UI tests: the command palette, the
 * folder picker (the browser workbench's simple file dialog), and probing the Latent Lens panel's
 * webview (points drawn, canvases); plus finding the newest run folder on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { results, sleep } from '../common.mjs';

/** What the panel's webview shows: canvases, text, points ("N of M images shown"), SVG circles; null before it has a run. */
export async function panelProbe(page) {
  for (const f of page.frames()) {
    try {
      const r = await f.evaluate(() => {
        if (!document.body?.dataset?.runDir) return null;
        const canvases = [...document.querySelectorAll('canvas')].map((c) => ({ w: c.width, h: c.height }));
        const text = document.body.innerText.slice(0, 2000);
        // The panel's status line says "N of M images shown" once it has drawn a snapshot.
        const m = /([\d,]+) of ([\d,]+) images shown/i.exec(text);
        return { canvases, text, points: m ? Number(m[1].replace(/,/g, '')) : null, circles: document.querySelectorAll('svg circle').length };
      });
      if (r) return r;
    } catch { /* cross-origin frame still loading */ }
  }
  return null;
}

/** Probe the panel every second until it shows points and a drawing; the last probe after `timeoutMs`. */
export async function pollPanel(page, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < end) {
    last = await panelProbe(page);
    if (last && last.points > 0 && (last.canvases.length || last.circles)) return last;
    await sleep(1000);
  }
  return last;
}

/** Run a command from the command palette (retrying until the extension's commands are listed). */
export async function palette(page, title) {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (let attempt = 0; ; attempt++) {
    // Keys typed while a webview has focus may not reach the workbench: focus the side bar's title first.
    await page.locator('.part.sidebar .composite.title').first().click({ timeout: 5000 }).catch(() => {});
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(`>${title}`);
    try { await row.waitFor({ timeout: 5000 }); break; } catch (e) {
      if (attempt >= 24) throw e;
      await page.keyboard.press('Escape');
      await sleep(2000);
    }
  }
  await row.click();
}

/**
 * Answer VS Code's folder picker (the simple file dialog of the browser workbench): type the
 * path, wait until the dialog shows it, press its OK button (`okLabel`); retry if the dialog
 * was still loading and reset the text.
 */
export async function pickFolder(page, folder, okLabel) {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input').first();
  const title = widget.locator('.quick-input-title');
  const want = folder.endsWith('/') ? folder : `${folder}/`;
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await widget.locator('.monaco-button', { hasText: okLabel }).first().waitFor({ timeout: 30_000 });
  const dialogTitle = await title.innerText();
  for (let attempt = 0; attempt < 6; attempt++) {
    await input.fill(want);
    await sleep(1000);
    if ((await input.inputValue()) !== want) continue;
    const ok = widget.locator('.monaco-button', { hasText: okLabel }).first();
    if (await ok.isVisible()) await ok.click(); else await page.keyboard.press('Enter');
    await sleep(1500);
    const open = await widget.isVisible() && (await title.innerText().catch(() => '')) === dialogTitle;
    if (!open) return;
  }
  await page.screenshot({ path: path.join(results, 'ui-pick-failed.png') });
  throw new Error(`the folder picker did not take ${folder}`);
}

/** The most recently modified run folder (one with a config.json) in `runsDir`. */
export function newestRun(runsDir) {
  if (!fs.existsSync(runsDir)) return undefined;
  const dirs = fs.readdirSync(runsDir).map((d) => path.join(runsDir, d)).filter((d) => fs.existsSync(path.join(d, 'config.json')));
  dirs.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return dirs[0];
}
