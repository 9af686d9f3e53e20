#!/usr/bin/env node
/**
 * Latent Lens integration tests in a real VS Code, offline (DESIGN.md, "Tests in a real VS Code,
 * offline"). The entry point; the parts are in scripts/vscode-test/:
 *
 * 1. harness.mjs — installs the harness of test/vscode-server/ if needed: the `code-server` npm
 *    package (which bundles VS Code's server build) and the Node 24 it needs.
 * 2. suite.mjs — bundles test/integration/ (mocha) with esbuild (bundle.mjs), starts
 *    `server-main.js --enable-smoke-test-driver` (server.mjs) and opens the workbench in headless
 *    Chromium (browser.mjs) with the payload extensionDevelopmentPath + extensionTestsPath, so
 *    the suite's run() runs in the real extension host; the suite writes its results as JSON.
 * 3. uiTests.mjs — the UI tests (ui/*.mjs), on the extension packed as a .vsix (vsix.mjs) and
 *    installed into the server: a fresh workbench; the command palette → "VAE: Train on Folder"
 *    → the folder picker → the confirmation → the panel's map with points; screenshots to
 *    test-results/ (to docs/, the README's, with LATENT_LENS_UPDATE_SCREENSHOTS=1); then a
 *    reload, and the panel must come back (webview serializer); …
 *
 * Closes with `N passed, N failed` (scripts/test.sh reads it) and exits non-zero when anything
 * failed. Writes test-results/summary.json.
 *
 * usage: node scripts/test-vscode.mjs [--setup-only] [--no-ui] [--ui-only] [--grep TEXT]
 *                                     [--vsix FILE | --dev-ui] [--port N] [--keep-open]
 *   The UI test installs a .vsix into the server (`--install-extension`): by default one packed
 *   from the current dist/ with vsce into test-results/; --vsix FILE uses FILE; --dev-ui runs the
 *   development folder instead.
 * env: CHROMIUM_PATH (default /usr/bin/chromium), LATENT_LENS_BACKEND (trainer backend for the
 *      suite), LATENT_LENS_TEST_TIMEOUT_MIN (whole suite, default 30),
 *      LATENT_LENS_UPDATE_SCREENSHOTS=1 (write the UI screenshots into docs/)
 */
import fs from 'node:fs';
import path from 'node:path';
import { elapsedS, log, results, root } from './vscode-test/common.mjs';
import { setupHarness } from './vscode-test/harness.mjs';
import { runSuite } from './vscode-test/suite.mjs';
import { runUiTests } from './vscode-test/uiTests.mjs';
import { packVsix } from './vscode-test/vsix.mjs';

const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
const opt = (n) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : undefined; };
const opts = {
  grep: opt('--grep'),
  port: opt('--port') !== undefined ? Number(opt('--port')) : undefined,
  keepOpen: flag('--keep-open'),
};

async function main() {
  fs.mkdirSync(results, { recursive: true });
  setupHarness();
  if (flag('--setup-only')) { log('harness ready'); return 0; }
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js')) || !fs.existsSync(path.join(root, 'dist', 'cli.js'))) {
    throw new Error('dist/extension.js and dist/cli.js are missing: run `npm run build` first (npm run test:integration does)');
  }
  const all = { passed: 0, failed: 0, tests: [], figures: {} };
  if (!flag('--ui-only')) {
    const r = await runSuite(opts);
    all.tests.push(...r.tests);
    Object.assign(all.figures, r.figures ?? {});
    if (r.vscodeVersion) all.figures.vscodeVersion = r.vscodeVersion;
    if (r.node) all.figures.extensionHostNode = r.node;
  }
  if (!flag('--no-ui')) {
    // The UI test runs the extension as a user gets it: a .vsix installed into the server with
    // `--install-extension` (packed here from the current dist/ unless --vsix names one).
    let vsix = opt('--vsix');
    if (!vsix && !flag('--dev-ui')) {
      const packed = packVsix();
      all.tests.push(packed.test);
      vsix = packed.vsix;
    }
    log(`UI test: a fresh workbench, driven like a person would (${vsix ? `extension installed from ${path.relative(root, vsix)}` : 'development folder'})`);
    all.tests.push(...await runUiTests(vsix, opts));
  }
  all.passed = all.tests.filter((t) => t.state === 'passed').length;
  all.failed = all.tests.filter((t) => t.state === 'failed').length;
  console.log('');
  for (const t of all.tests.filter((t) => t.state === 'failed')) console.log(`FAILED ${t.title}\n${t.error}\n`);
  for (const [k, v] of Object.entries(all.figures)) console.log(`  ${k}: ${v}`);
  fs.writeFileSync(path.join(results, 'summary.json'), JSON.stringify(all, null, 2));
  log(`done in ${elapsedS().toFixed(0)} s`);
  console.log(`${all.passed} passed, ${all.failed} failed`);
  return all.failed === 0 && all.passed > 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e?.stack ?? e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
