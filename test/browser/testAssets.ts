/**
 * A folder of page assets for tests and the benchmark that serves the *test build* of the webview
 * (dist/webview.test.js, with window.latentLens) under the name the report writer looks for
 * (webview.js), next to dist's media and wasm binaries — until src/trainer/report.ts selects the
 * bundle itself (html.ts webviewBundleFile).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';

export function testAssetsDir(dist: string, into: string): string {
  const test = path.join(dist, 'webview.test.js');
  if (!existsSync(test)) throw new Error('dist/webview.test.js is missing: run `npm run build` first');
  mkdirSync(into, { recursive: true });
  for (const f of readdirSync(dist)) {
    if (f.endsWith('.wasm') || f === 'media') symlinkSync(path.join(dist, f), path.join(into, f));
  }
  cpSync(test, path.join(into, 'webview.js'));
  return into;
}
