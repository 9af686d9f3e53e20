#!/usr/bin/env node
/**
 * The same integration suite as scripts/test-vscode.mjs, in desktop VS Code downloaded by
 * @vscode/test-electron — for machines that can reach VS Code's download server (this project's
 * own machines cannot: there, `npm test` uses the VS Code server of the code-server npm package).
 * The suite bundle and the paths are shared with it (scripts/vscode-test/bundle.mjs, common.mjs).
 *
 * usage: npm run test:electron   [env VSCODE_VERSION=stable|insiders|1.9x.y, LATENT_LENS_TEST_GREP]
 * Closes with `N passed, N failed`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { bundleIntegrationTests } from './vscode-test/bundle.mjs';
import { results, root, sample } from './vscode-test/common.mjs';

const testsDir = path.join(results, 'integration-electron');
const resultsFile = path.join(results, 'integration-electron-results.json');

await bundleIntegrationTests(testsDir);

const ws = path.join(results, 'workspace-electron');
fs.rmSync(ws, { recursive: true, force: true });
fs.mkdirSync(ws, { recursive: true });
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latent-lens-vscode-user-'));
fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({
  'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
}));
fs.rmSync(resultsFile, { force: true });

let code = 0;
try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: testsDir,
    launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', userDataDir, '--disable-gpu'],
    extensionTestsEnv: {
      LATENT_LENS_TEST_RESULTS: resultsFile,
      LATENT_LENS_SAMPLE: sample,
      ...(process.env.LATENT_LENS_TEST_GREP ? { LATENT_LENS_TEST_GREP: process.env.LATENT_LENS_TEST_GREP } : {}),
    },
  });
} catch (e) {
  console.error(`VS Code exited with a failure: ${e?.message ?? e}`);
  code = 1;
}
const r = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : { passed: 0, failed: 1, figures: {} };
for (const [k, v] of Object.entries(r.figures ?? {})) console.log(`  ${k}: ${v}`);
console.log(`${r.passed} passed, ${r.failed} failed`);
process.exit(code || r.failed || !r.passed ? 1 : 0);
