/**
 * UI test: in Restricted Mode (an untrusted workspace, on a new server) "VAE: Open Run…" still
 * shows the run left by reloadDuringTraining, while "VAE: Train on Folder" is unavailable (not
 * listed, or listed and doing nothing) and no run folder is created. Stops the UI server first.
 * Screenshot ui-restricted.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { freshDir, results, sleep } from '../common.mjs';
import { palette, pickFolder, pollPanel } from './workbench.mjs';

/** @type {import('../uiTests.mjs').UiTest} */
export const restrictedMode = {
  title: 'UI: in Restricted Mode (untrusted workspace) training is unavailable and "VAE: Open Run…" still shows a run',
  when: (state) => Boolean(state.resumedRun),
  async run(ui) {
    const { page } = ui;
    await ui.server.stop();
    const rws = freshDir(path.join(results, 'workspace-restricted'));
    const rserver = ui.newServer('restricted', { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' });
    await rserver.start();
    try {
      await page.goto(ui.urlFor(rserver, rws));
      await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
      await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 60_000 });
      // Open Run… works (and activates the extension).
      await palette(page, 'VAE: Open Run…');
      await pickFolder(page, ui.state.resumedRun, 'Open run');
      const probe = await pollPanel(page, 90_000);
      if (!(probe?.points > 0)) throw new Error('Open Run… in Restricted Mode shows no points');
      // Train on Folder is disabled: not listed, or listed and does nothing.
      const input = page.locator('.quick-input-widget input');
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      await input.fill('>VAE: Train on Folder');
      await sleep(2000);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'VAE: Train on Folder' }).first();
      if (await row.count()) {
        await row.click();
        await sleep(2000);
        const t = await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '');
        if ((await page.locator('.quick-input-widget').isVisible()) && /Train on Folder —/.test(t)) throw new Error('Train on Folder opened its folder picker in Restricted Mode');
      }
      await page.keyboard.press('Escape');
      if (fs.existsSync(path.join(rws, '.vae-runs'))) throw new Error('a run folder was created in Restricted Mode');
      await page.screenshot({ path: path.join(results, 'ui-restricted.png') });
    } finally {
      await rserver.stop();
    }
  },
};
