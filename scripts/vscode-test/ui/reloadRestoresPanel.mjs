/**
 * UI test: after a window reload the Latent Lens panel comes back with its points (the webview
 * serializer). Needs the trained run of trainOnFolder in the window. Screenshot ui-restored.png.
 */
import path from 'node:path';
import { results } from '../common.mjs';
import { pollPanel } from './workbench.mjs';

/** @type {import('../uiTests.mjs').UiTest} */
export const reloadRestoresPanel = {
  title: 'UI: after a window reload the panel is restored (webview serializer)',
  when: (state) => Boolean(state.trained),
  async run({ page }) {
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    const tab = page.locator('.tab', { hasText: 'Latent Space' }).first();
    await tab.waitFor({ timeout: 60_000 });
    // Another editor may be active after the reload (e.g. an untitled one): show the panel's tab.
    await tab.click();
    const probe = await pollPanel(page, 90_000);
    await page.screenshot({ path: path.join(results, 'ui-restored.png') });
    if (!(probe?.points > 0)) throw new Error(`the restored panel shows no points: ${JSON.stringify(probe)?.slice(0, 500)}`);
  },
};
