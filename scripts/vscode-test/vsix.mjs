/**
 * Packs the extension as a user gets it: `vsce package` of the current dist/ into
 * test-results/latent-lens.vsix, for the UI tests to install into the server. The packing is
 * itself a test ("vsce package produces a .vsix").
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { log, results, root } from './common.mjs';

/** @returns {{ vsix?: string, test: { title: string, state: string, durationMs?: number, error?: string } }} */
export function packVsix() {
  const vsix = path.join(results, 'latent-lens.vsix');
  log('packing the extension (vsce package) for the UI test');
  const r = spawnSync(path.join(root, 'node_modules', '.bin', 'vsce'), ['package', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    return { vsix: undefined, test: { title: 'vsce package produces a .vsix', state: 'failed', error: `${r.stdout}\n${r.stderr}` } };
  }
  console.log(`  ✔ vsce package produces a .vsix (${(fs.statSync(vsix).size / 1e6).toFixed(1)} MB)`);
  return { vsix, test: { title: 'vsce package produces a .vsix', state: 'passed', durationMs: 0 } };
}
