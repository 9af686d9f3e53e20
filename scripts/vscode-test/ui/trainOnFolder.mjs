/**
 * UI test: in a fresh workbench, the command palette → "VAE: Train on Folder" → the folder
 * picker → the quick confirmation (which must show Epochs: 1 from the settings) → training →
 * the panel's map shows points. Screenshots train-on-folder-confirm.png and
 * vscode-train-on-folder.png (the README's, with LATENT_LENS_UPDATE_SCREENSHOTS=1).
 * Leaves state.trained for the tests that need a trained run in the window.
 */
import path from 'node:path';
import { log, root, sample, shots, sleep } from '../common.mjs';
import { palette, pickFolder, pollPanel } from './workbench.mjs';

/** @type {import('../uiTests.mjs').UiTest} */
export const trainOnFolder = {
  title: (ui) => `UI: command palette → "VAE: Train on Folder" → folder picker → confirm → the panel shows points${ui.vsix ? ' (installed .vsix)' : ''}`,
  async run(ui) {
    const { page } = ui;
    await page.goto(ui.urlFor(ui.server, ui.ws));
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.locator('.statusbar').waitFor({ timeout: 60_000 });
    await palette(page, 'VAE: Train on Folder');
    await pickFolder(page, sample, 'Train on this folder');
    // The quick confirmation of image size, latent dimensions, epochs, β.
    const start = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Start training' });
    await start.first().waitFor({ timeout: 30_000 });
    const confirmText = await page.locator('.quick-input-list').innerText();
    if (!/Epochs: 1/.test(confirmText)) throw new Error(`the confirmation should show Epochs: 1 from the settings:\n${confirmText}`);
    await ui.shot('train-on-folder-confirm.png');
    await start.first().click();
    // Training starts; the panel opens beside, the status bar shows progress.
    await page.locator('.tab', { hasText: 'Latent Space' }).first().waitFor({ timeout: 60_000 });
    await page.locator('.statusbar-item', { hasText: /VAE/ }).first().waitFor({ timeout: 120_000 });
    await page.locator('.statusbar-item', { hasText: /completed/ }).first().waitFor({ timeout: 15 * 60_000 });
    await sleep(3000);
    const probe = await pollPanel(page, 60_000);
    if (!probe) throw new Error('the panel webview never showed its content');
    if (!(probe.points > 0)) throw new Error(`the panel shows no points: ${JSON.stringify(probe).slice(0, 500)}`);
    if (!probe.canvases.some((c) => c.w > 0 && c.h > 0) && probe.circles === 0) throw new Error(`the panel has no drawing: ${JSON.stringify(probe).slice(0, 500)}`);
    await ui.shot('vscode-train-on-folder.png');
    log(`screenshot: ${path.relative(root, path.join(shots, 'vscode-train-on-folder.png'))} (panel: ${probe.canvases.length} canvas, text: ${probe.text.replace(/\s+/g, ' ').slice(0, 160)})`);
    ui.state.trained = true;
  },
};
