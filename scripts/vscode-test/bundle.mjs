/**
 * Bundles the integration suite (test/integration/, mocha) with esbuild into one CommonJS file
 * the extension host loads as `extensionTestsPath`. Shared by scripts/test-vscode.mjs (VS Code
 * server) and scripts/test-electron.mjs (desktop VS Code).
 */
import path from 'node:path';
import { root } from './common.mjs';

/** Bundle test/integration/index.ts into `outDir`/index.js; returns `outDir`. */
export async function bundleIntegrationTests(outDir) {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(root, 'test', 'integration', 'index.ts')],
    outfile: path.join(outDir, 'index.js'), bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline',
    external: ['vscode', 'mocha', 'sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'], logLevel: 'warning',
  });
  return outDir;
}
