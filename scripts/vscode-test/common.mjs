/**
 * Paths and small helpers shared by the VS Code test scripts (scripts/test-vscode.mjs and
 * scripts/test-electron.mjs): where the repository, its results folder and the sample images are,
 * a timestamped log, sleeping and polling, fresh folders.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Everything the tests write: logs, bundles, workspaces, screenshots, summary.json. */
export const results = path.join(root, 'test-results');
/** The images the tests train on. */
export const sample = path.join(root, 'samples', 'fashion-mnist-2k');
/** The UI test's screenshots: test-results/, or the committed docs/ when asked to update them. */
export const shots = process.env.LATENT_LENS_UPDATE_SCREENSHOTS === '1' ? path.join(root, 'docs') : results;

const t0 = Date.now();
/** Seconds since the run started. */
export const elapsedS = () => (Date.now() - t0) / 1000;
export const log = (...a) => console.log(`[test-vscode ${elapsedS().toFixed(0).padStart(4)}s]`, ...a);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Empty the folder `p` (creating it if needed) and return it. */
export function freshDir(p) {
  fs.rmSync(p, { recursive: true, force: true });
  fs.mkdirSync(p, { recursive: true });
  return p;
}

export function readJsonOr(file, fallback) {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return fallback; }
}

/** Poll `probe` every 500 ms until it returns something truthy (returned), or throw after `timeoutMs`. */
export async function waitUntil(what, probe, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}
