/**
 * UI test: in Restricted Mode (an untrusted workspace, on a new server) "VAE: Open Run…" still
 * shows the run left by reloadDuringTraining, while "VAE: Train on Folder" is unavailable (not
 * listed, or listed and doing nothing) and no run folder is created; Open Run… on a stopped run
 * that has a checkpoint offers no resume at all (no question, no error). Stops the UI server
 * first. Screenshots ui-restricted.png, ui-restricted-no-resume.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { freshDir, results, sleep } from '../common.mjs';
import { palette, pickFolder, pollPanel } from './workbench.mjs';

/** @type {import('../uiTests.mjs').UiTest} */
export const restrictedMode = {
  title: 'UI: in Restricted Mode (untrusted workspace) training is unavailable, "VAE: Open Run…" still shows a run and offers no resume',
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

      // A stopped run with a checkpoint (a copy of that run, marked stopped): Open Run… shows it
      // and offers no resume — no "Resume Training" question, no error about the command.
      const stopped = path.join(rws, 'stopped-run');
      fs.cpSync(ui.state.resumedRun, stopped, { recursive: true });
      const statusFile = path.join(stopped, 'status.json');
      fs.writeFileSync(statusFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(statusFile, 'utf8')), status: 'stopped' }));
      if (!fs.existsSync(path.join(stopped, 'checkpoint.json'))) throw new Error('the copied run has no checkpoint to resume from');
      await palette(page, 'VAE: Open Run…');
      await pickFolder(page, stopped, 'Open run');
      const shown = await pollPanel(page, 90_000);
      if (!(shown?.points > 0)) throw new Error('Open Run… in Restricted Mode shows no points for the stopped run');
      await sleep(3000);
      await palette(page, 'Notifications: Show Notifications');
      await sleep(1500);
      await page.screenshot({ path: path.join(results, 'ui-restricted-no-resume.png') });
      const notes = await page.locator('.notifications-center').innerText().catch(() => '');
      if (/Resume training from its last checkpoint|resulted in an error/i.test(notes)) throw new Error(`Restricted Mode offered a resume or failed:\n${notes}`);
      if (await page.getByRole('button', { name: /Resume Training|Resume from Last Checkpoint/ }).count()) throw new Error('a resume button is shown in Restricted Mode');
      if (await page.locator('.monaco-dialog-box').count()) throw new Error(`a dialog is open: ${await page.locator('.monaco-dialog-box').innerText()}`);
      if (fs.readFileSync(statusFile, 'utf8').includes('"training"')) throw new Error('the stopped run was resumed in Restricted Mode');
    } finally {
      await rserver.stop();
    }
  },
};
