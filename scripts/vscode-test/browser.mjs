/**
 * Headless Chromium (Debian's, via playwright-core) that shows the VS Code workbench: a fresh
 * profile per launch, its console and page errors appended to test-results/browser-<name>.log.
 * env: CHROMIUM_PATH (default /usr/bin/chromium).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { results } from './common.mjs';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** @returns {Promise<{ context: import('playwright-core').BrowserContext, page: import('playwright-core').Page, close: () => Promise<void> }>} */
export async function launchBrowser(name) {
  const { chromium } = await import('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `latent-lens-chromium-${name}-`));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  const consoleLog = path.join(results, `browser-${name}.log`);
  page.on('console', (m) => fs.appendFileSync(consoleLog, `${m.type()}: ${m.text()}\n`));
  page.on('pageerror', (e) => fs.appendFileSync(consoleLog, `pageerror: ${e.message}\n`));
  return { context, page, close: async () => { await context.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); } };
}
