// Bundles the three programs of Latent Lens and copies the runtime assets they need.
//   dist/extension.js  – VS Code extension host (node, 'vscode' external)
//   dist/cli.js        – the trainer process and the `latent-lens` CLI (node)
//   dist/webview.js    – the latent-space panel and standalone report (browser)
//   dist/webview.test.js – the same with the test hooks (src/webview/testHooks.ts: window.latentLens,
//                        the integration suite's test channel); pages load it only when asked
//                        (src/webview/html.ts webviewBundleFile: the panel in ExtensionMode.Test
//                        or with LATENT_LENS_TEST_HOOKS=1, the report with its `testHooks` option).
// Usage: node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, existsSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const out = 'dist';
mkdirSync(out, { recursive: true });

// The wasm backend loads its .wasm binaries at run time from next to the bundle.
const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  cpSync(path.join(wasmDir, f), path.join(out, f));
}
if (existsSync('media')) cpSync('media', path.join(out, 'media'), { recursive: true });

const common = { bundle: true, sourcemap: true, minify: production, logLevel: 'info', legalComments: 'none' };
// Native and optional packages stay outside the bundle: sharp ships per-platform binaries,
// the tfjs-node packages are optional and may be absent.
const nodeExternal = ['sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: `${out}/extension.js`, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', ...nodeExternal] },
  { ...common, entryPoints: ['src/trainer/cli.ts'], outfile: `${out}/cli.js`, platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal, banner: { js: '#!/usr/bin/env node' } },
  // UMAP runs in this worker thread of the trainer (src/trainer/projection.ts finds it next to cli.js).
  { ...common, entryPoints: ['src/trainer/projectionWorker.ts'], outfile: `${out}/projectionWorker.js`, platform: 'node', format: 'cjs', target: 'node20' },
  ...[false, true].map((testBuild) => ({
    ...common,
    entryPoints: ['src/webview/entry.ts'],
    outfile: `${out}/${testBuild ? 'webview.test.js' : 'webview.js'}`,
    platform: 'browser', format: 'iife', target: 'chrome114',
    define: { __LATENT_LENS_TEST_HOOKS__: String(testBuild) },
  })),
].filter((b) => existsSync(b.entryPoints[0]));

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  if (existsSync(`${out}/cli.js`)) chmodSync(`${out}/cli.js`, 0o755);
}
