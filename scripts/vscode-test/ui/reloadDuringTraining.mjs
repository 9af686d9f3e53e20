/**
 * UI test: train again with Epochs changed to 3 in the confirmation, reload the window while it
 * trains (the trainer writes a final checkpoint and stops), then "VAE: Open Run…" offers
 * "Resume Training" and the run resumes to completion with points in its panel.
 * Screenshots ui-open-run.png, ui-resumed.png. Leaves state.resumedRun (the run folder, as soon
 * as it exists) for the Restricted Mode test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { log, readJsonOr, results, sample, sleep, waitUntil } from '../common.mjs';
import { newestRun, palette, pickFolder, pollPanel } from './workbench.mjs';

/** @type {import('../uiTests.mjs').UiTest} */
export const reloadDuringTraining = {
  title: 'UI: a window reload during training leaves a run that "VAE: Open Run…" resumes to completion',
  when: (state) => Boolean(state.trained),
  async run(ui) {
    const { page } = ui;
    const runsDir = path.join(ui.ws, '.vae-runs');
    const before = newestRun(runsDir);
    await palette(page, 'VAE: Train on Folder');
    await pickFolder(page, sample, 'Train on this folder');
    // Change epochs in the confirmation: pick the setting, type the new value.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Epochs: 1' }).first().click();
    const input = page.locator('.quick-input-widget input');
    await sleep(500);
    await input.fill('3');
    await page.keyboard.press('Enter');
    const start = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Start training' }).first();
    await start.waitFor({ timeout: 30_000 });
    if (!/Epochs: 3/.test(await page.locator('.quick-input-list').innerText())) throw new Error('the confirmation did not take Epochs: 3');
    await start.click();
    const runDir = await waitUntil('the new run folder', () => { const r = newestRun(runsDir); return r !== before && r; }, 60_000);
    ui.state.resumedRun = runDir;
    await page.locator('.statusbar-item', { hasText: /VAE epoch 1\/3 · step/ }).first().waitFor({ timeout: 120_000 });
    // Reload the window mid-training: the extension host goes away, the trainer writes a
    // final checkpoint and stops.
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    const status = await waitUntil('the interrupted run to stop with a checkpoint', () => {
      const st = readJsonOr(path.join(runDir, 'status.json'), {});
      return st.status === 'stopped' && fs.existsSync(path.join(runDir, 'checkpoint.json')) && st;
    }, 120_000);
    log(`reloaded during training: ${path.basename(runDir)} ${status.status} at step ${status.step}`);
    await palette(page, 'VAE: Open Run…');
    await pickFolder(page, runDir, 'Open run');
    await sleep(2000);
    // The offer to resume is a notification; open the notification list in case the toast
    // was already tucked away.
    const resume = page.getByRole('button', { name: 'Resume Training' }).first();
    if (!(await resume.isVisible())) await palette(page, 'Notifications: Show Notifications');
    await sleep(1000);
    await page.screenshot({ path: path.join(results, 'ui-open-run.png') });
    await resume.waitFor({ timeout: 60_000 });
    await resume.click();
    await page.locator('.statusbar-item', { hasText: /VAE .*completed/ }).first().waitFor({ timeout: 15 * 60_000 });
    const done = readJsonOr(path.join(runDir, 'status.json'), {});
    if (done.status !== 'completed') throw new Error(`status.json after resuming: ${JSON.stringify(done)}`);
    const probe = await pollPanel(page, 60_000);
    if (!(probe?.points > 0)) throw new Error('the resumed run\'s panel shows no points');
    await page.screenshot({ path: path.join(results, 'ui-resumed.png') });
  },
};
