/**
 * Entry of the integration suite inside a real VS Code extension host.
 *
 * VS Code loads this module (extensionTestsPath) and awaits `run()`. The same bundle runs in
 * the VS Code server of the `code-server` npm package (scripts/test-vscode.mjs, driven by
 * headless Chromium) and in desktop VS Code (@vscode/test-electron, scripts/test-electron.mjs).
 *
 * Results go to the JSON file named by LATENT_LENS_TEST_RESULTS (the runner prints them: the
 * browser-hosted workbench has no stdout of its own), and `run()` rejects when a test failed,
 * which is what @vscode/test-electron reads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

export interface SuiteResults {
  passed: number;
  failed: number;
  pending: number;
  tests: TestResult[];
  /** Figures tests chose to report (e.g. event-loop delay). */
  figures: Record<string, unknown>;
  startedAt: string;
  finishedAt?: string;
  vscodeVersion?: string;
  node: string;
}

export const figures: Record<string, unknown> = {};

export async function run(): Promise<void> {
  const out = process.env.LATENT_LENS_TEST_RESULTS;
  const results: SuiteResults = { passed: 0, failed: 0, pending: 0, tests: [], figures, startedAt: new Date().toISOString(), node: process.version };
  try { results.vscodeVersion = (await import('vscode')).version; } catch { /* not in VS Code */ }
  const write = () => {
    if (!out) return;
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(`${out}.tmp`, JSON.stringify(results, null, 2));
    fs.renameSync(`${out}.tmp`, out);
  };
  const mocha = new Mocha({ ui: 'bdd', timeout: Number(process.env.LATENT_LENS_TEST_TIMEOUT ?? 600_000), color: false, reporter: 'spec' });
  const grep = process.env.LATENT_LENS_TEST_GREP;
  if (grep) mocha.grep(grep);
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  await import('./extension.test');
  await import('./panelState.test');
  await import('./compare.test');
  await import('./issue14.test');
  await import('./inspector.test');
  await import('./follow.test');
  await import('./originals.test');
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    const log = (line: string) => { console.log(line); if (out) fs.appendFileSync(`${out}.log`, line + '\n'); };
    runner.on('pass', (t) => { results.passed++; results.tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration ?? 0 }); log(`  ✔ ${t.fullTitle()} (${t.duration} ms)`); write(); });
    runner.on('fail', (t, err: Error) => {
      results.failed++;
      results.tests.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration ?? 0, error: `${err?.stack ?? err}` });
      log(`  ✖ ${t.fullTitle()}: ${err?.message}`);
      write();
    });
    runner.on('pending', (t) => { results.pending++; results.tests.push({ title: t.fullTitle(), state: 'pending', durationMs: 0 }); write(); });
  });
  results.finishedAt = new Date().toISOString();
  write();
  if (results.failed > 0) throw new Error(`${results.failed} integration test(s) failed`);
}
