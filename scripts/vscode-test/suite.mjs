/**
 * The integration suite (test/integration/, mocha) in the real extension host: bundles it with
 * esbuild, starts a VS Code server, opens the workbench in headless Chromium with the payload
 * extensionDevelopmentPath + extensionTestsPath, prints the suite's progress as it goes and
 * returns its JSON results ({ passed, failed, tests, figures, vscodeVersion, node }).
 * A suite that does not finish (timeout, server exit) comes back as one more failed test.
 * env: LATENT_LENS_TEST_TIMEOUT_MIN (whole suite, default 30).
 */
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from './browser.mjs';
import { bundleIntegrationTests } from './bundle.mjs';
import { freshDir, log, results, root, sample, sleep } from './common.mjs';
import { Server } from './server.mjs';

const suiteTimeoutMs = Number(process.env.LATENT_LENS_TEST_TIMEOUT_MIN ?? 30) * 60_000;

/** @param {{ grep?: string, port?: number, keepOpen?: boolean }} opts */
export async function runSuite(opts) {
  const testsDir = await bundleIntegrationTests(path.join(results, 'integration'));
  const resultsFile = path.join(results, 'integration-results.json');
  fs.rmSync(resultsFile, { force: true });
  fs.rmSync(`${resultsFile}.log`, { force: true });
  const ws = freshDir(path.join(results, 'workspace-suite'));
  const server = new Server('suite', {
    LATENT_LENS_TEST_RESULTS: resultsFile,
    LATENT_LENS_SAMPLE: sample,
    ...(opts.grep ? { LATENT_LENS_TEST_GREP: opts.grep } : {}),
  }, {}, { port: opts.port });
  await server.start();
  log(`VS Code server on ${server.authority}; opening the workbench with the test payload`);
  const browser = await launchBrowser('suite');
  let printed = 0;
  const printNew = () => {
    if (!fs.existsSync(`${resultsFile}.log`)) return;
    const lines = fs.readFileSync(`${resultsFile}.log`, 'utf8').split('\n').filter(Boolean);
    for (; printed < lines.length; printed++) console.log(lines[printed]);
  };
  try {
    await browser.page.goto(server.url(ws, [
      ['extensionDevelopmentPath', server.remote(root)],
      ['extensionTestsPath', server.remote(testsDir)],
    ]));
    const deadline = Date.now() + suiteTimeoutMs;
    for (;;) {
      printNew();
      if (fs.existsSync(resultsFile)) {
        const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
        if (r.finishedAt) { printNew(); return r; }
      }
      if (Date.now() > deadline) throw new Error(`the suite did not finish within ${suiteTimeoutMs / 60000} min`);
      if (server.proc.exitCode !== null) throw new Error('the VS Code server exited during the suite');
      await sleep(500);
    }
  } catch (e) {
    await browser.page.screenshot({ path: path.join(results, 'suite-failure.png') }).catch(() => {});
    const partial = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : { passed: 0, failed: 0, tests: [], figures: {} };
    partial.failed++;
    partial.tests.push({ title: 'integration suite', state: 'failed', error: String(e?.stack ?? e) });
    return partial;
  } finally {
    if (!opts.keepOpen) { await browser.close(); await server.stop(); }
  }
}
