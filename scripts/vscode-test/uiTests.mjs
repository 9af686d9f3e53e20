/**
 * The UI tests: the extension as a user gets it (a .vsix installed into the server with
 * `--install-extension`, or the development folder with --dev-ui), in a fresh workbench in
 * headless Chromium, driven like a person would. Each UI test is its own file in ui/ exporting a
 * UiTest; they run in the order of UI_TESTS in one window, each as one reported test (a failure
 * leaves test-results/ui-failure-N.png). A test whose `when` says no (an earlier one it builds
 * on failed) is skipped, not reported.
 *
 * To add a UI test: write ui/<name>.mjs exporting `{ title, when?, run(ui) }` (see UiContext
 * below; ui/workbench.mjs has the palette, folder-picker and panel helpers) and add it to
 * UI_TESTS at the point in the sequence it belongs.
 */
import path from 'node:path';
import { launchBrowser } from './browser.mjs';
import { freshDir, results, root, shots } from './common.mjs';
import { Server } from './server.mjs';
import { panelState } from './ui/panelState.mjs';
import { reloadDuringTraining } from './ui/reloadDuringTraining.mjs';
import { reloadRestoresPanel } from './ui/reloadRestoresPanel.mjs';
import { restrictedMode } from './ui/restrictedMode.mjs';
import { trainOnFolder } from './ui/trainOnFolder.mjs';

/**
 * @typedef {object} UiContext
 * @property {import('playwright-core').Page} page the workbench's page
 * @property {Server} server the UI server (started; `ws` open in it once trainOnFolder ran)
 * @property {string} ws the workspace folder
 * @property {string | undefined} vsix the installed .vsix (undefined: the development folder)
 * @property {(server: Server, folder: string) => string} urlFor the workbench URL opening `folder`
 *   on `server`, with extensionDevelopmentPath unless a .vsix is installed
 * @property {(name: string, settings?: Record<string, unknown>) => Server} newServer another
 *   server (not started) with the same extension installed
 * @property {(name: string) => Promise<unknown>} shot a screenshot into the screenshots folder
 *   (test-results/, or docs/ with LATENT_LENS_UPDATE_SCREENSHOTS=1)
 * @property {Record<string, any>} state what earlier UI tests leave for later ones
 *   (trained, resumedRun)
 *
 * @typedef {object} UiTest
 * @property {string | ((ui: UiContext) => string)} title
 * @property {(state: Record<string, any>) => boolean} [when] run only when this says yes
 * @property {(ui: UiContext) => Promise<void>} run throws on failure
 */

/** @type {UiTest[]} */
export const UI_TESTS = [trainOnFolder, panelState, reloadRestoresPanel, reloadDuringTraining, restrictedMode];

/**
 * @param {string | undefined} vsix
 * @param {{ port?: number, keepOpen?: boolean }} opts
 * @returns {Promise<Array<{ title: string, state: string, durationMs: number, error?: string }>>}
 */
export async function runUiTests(vsix, opts) {
  const tests = [];
  const ws = freshDir(path.join(results, 'workspace-ui'));
  const newServer = (name, settings = {}) => {
    const s = new Server(name, {}, settings, { port: opts.port });
    if (vsix) s.installExtension(path.resolve(vsix));
    return s;
  };
  const server = newServer('ui', { 'latentLens.epochs': 1, ...(process.env.LATENT_LENS_BACKEND ? { 'latentLens.backend': process.env.LATENT_LENS_BACKEND } : {}) });
  await server.start();
  const browser = await launchBrowser('ui');
  const { page } = browser;
  /** @type {UiContext} */
  const ui = {
    page, server, ws, vsix, newServer, state: {},
    urlFor: (s, folder) => (vsix ? s.url(folder) : s.url(folder, [['extensionDevelopmentPath', s.remote(root)]])),
    shot: (name) => page.screenshot({ path: path.join(shots, name) }),
  };
  try {
    for (const t of UI_TESTS) {
      if (t.when && !t.when(ui.state)) continue;
      const title = typeof t.title === 'function' ? t.title(ui) : t.title;
      const s = Date.now();
      try {
        await t.run(ui);
        tests.push({ title, state: 'passed', durationMs: Date.now() - s });
        console.log(`  ✔ ${title} (${Date.now() - s} ms)`);
      } catch (e) {
        tests.push({ title, state: 'failed', durationMs: Date.now() - s, error: String(e?.stack ?? e) });
        console.log(`  ✖ ${title}: ${e?.message ?? e}`);
        await page.screenshot({ path: path.join(results, `ui-failure-${tests.length}.png`) }).catch(() => {});
      }
    }
  } finally {
    if (!opts.keepOpen) { await browser.close(); await server.stop(); }
  }
  return tests;
}
