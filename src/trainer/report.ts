/**
 * `latent-lens report <runDir> --out <file.html>` (and, for 2–4 runs, the compare page below): one self-contained HTML file showing a run —
 * the latent map, KL bars, loss curves, hover and click decode — with no network and no server.
 * The page is the webview bundle (dist/webview.js, or dist/webview.test.js with `testHooks`) and
 * its CSS inlined, plus the RunSnapshot embedded as a JSON data block — its typed arrays as
 * base64 (`toJsonSafe` of src/protocol/rpc.ts; the one place base64 remains) — under the same
 * strict CSP with a fresh nonce. Originals past INLINE_PIXELS_BYTES are not in the snapshot but
 * in raw-deflate blocks the page unpacks on demand (issue 13: a 200,000-point report stays
 * loadable; see `packImages`).
 */
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { COMPARE_MAX_RUNS, INLINE_PIXELS_BYTES, REPORT_IMAGES_ID, type ReportImagesHeader, type RunSnapshot } from '../protocol/panelIpc';
import { toJsonSafe } from '../protocol/rpc';
import { makeNonce, renderWebviewHtml, testHooksRequested, webviewBundleFile } from '../webview/html';
import { loadRunSnapshot, readImageRows } from '../run/runSnapshot';
import { writeFileAtomic } from '../run/atomic';

export interface ReportOptions {
  /** Embed at most this many points (evenly spaced sample). Default 60,000. */
  maxPoints?: number;
  /** Initial theme; the page also follows prefers-color-scheme and has a theme control. */
  theme?: 'light' | 'dark' | 'hc';
  /** Folder holding webview.js and media/ (default: found next to this module, or ./dist). */
  assetsDir?: string;
  /**
   * Embed the test build of the webview (dist/webview.test.js: window.latentLens, for the browser
   * tests and the benchmark). Default: LATENT_LENS_TEST_HOOKS=1 in the environment.
   */
  testHooks?: boolean;
  /** Carry the originals in the snapshot up to this many bytes (default INLINE_PIXELS_BYTES); beyond, packed blocks (issue 13). */
  inlinePixelBytes?: number;
}

/** Bytes of originals per packed block of the report: one block is what a hover unpacks. */
const REPORT_BLOCK_BYTES = 1 << 20;

/**
 * The report's originals when they are too many for its snapshot (issue 13): every point's image,
 * in blocks of about REPORT_BLOCK_BYTES, each raw-deflated and base64'd; the page unpacks a block
 * when it shows one of its images (src/webview/host/reportImages.ts). Read from data/pixels.u8 a
 * block at a time (never the whole file). None when the run has no pixels.
 */
async function packImages(runDir: string, s: RunSnapshot): Promise<{ id: string; json: string }[]> {
  const im = s.images;
  if (!im || im.pixels) return [];
  const size = im.height * im.width * im.channels;
  const chunk = Math.max(16, Math.floor(REPORT_BLOCK_BYTES / size));
  const blocks: { id: string; json: string }[] = [];
  for (let k = 0, start = 0; start < s.count; k++, start += chunk) {
    const rows = await readImageRows(runDir, s.config, s.totalCount, s.index.subarray(start, Math.min(s.count, start + chunk)));
    if (!rows || rows.rows.length !== Math.min(chunk, s.count - start)) return [];
    blocks.push({ id: `${REPORT_IMAGES_ID}-${k}`, json: JSON.stringify(deflateRawSync(rows.pixels, { level: 6 }).toString('base64')) });
  }
  const header: ReportImagesHeader = { height: im.height, width: im.width, channels: im.channels, chunk, blocks: blocks.length };
  return [{ id: REPORT_IMAGES_ID, json: JSON.stringify(header) }, ...blocks];
}

function findAsset(rel: string[], assetsDir?: string): string {
  // __dirname is dist/ in the bundled CLI; under a TS loader it may not be a real path.
  const here = typeof __dirname === 'string' && path.isAbsolute(__dirname) ? __dirname : process.cwd();
  const roots = [...(assetsDir ? [assetsDir] : []), here, path.join(here, '..', '..', 'dist'), path.join(process.cwd(), 'dist')];
  for (const r of roots) {
    const f = path.join(r, ...rel);
    if (existsSync(f)) return f;
  }
  throw new Error(`Cannot find ${rel.join('/')} next to ${here}: run \`npm run build\` first.`);
}

/** Write the standalone report of `runDir` to `outFile` (atomically). */
export async function writeReport(runDir: string, outFile: string, opts: ReportOptions = {}): Promise<void> {
  const snapshot = await loadRunSnapshot(runDir, { maxPoints: opts.maxPoints ?? 60000, inlinePixelBytes: opts.inlinePixelBytes ?? INLINE_PIXELS_BYTES });
  if (!snapshot.count) throw new Error(`${runDir} has no dataset.json with images: is it a Latent Lens run directory?`);
  const dataBlocks = await packImages(runDir, snapshot);
  const bundle = webviewBundleFile(opts.testHooks ?? testHooksRequested(process.env));
  const js = (await fsp.readFile(findAsset([bundle], opts.assetsDir), 'utf8')).replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  const css = await Promise.all([['media', 'webview.css'], ['media', 'report-theme.css']].map((p) => fsp.readFile(findAsset(p, opts.assetsDir), 'utf8')));
  // The wasm binaries of TensorFlow.js, inlined: the page decodes on the wasm backend.
  const wasm = await Promise.all(['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'].map(async (f) => {
    try {
      return (await fsp.readFile(findAsset([f], opts.assetsDir))).toString('base64');
    } catch {
      return null;
    }
  }));
  const html = renderWebviewHtml({
    wasm: wasm[0] && wasm[1] ? { simd: wasm[0], plain: wasm[1], inline: true } : undefined,
    nonce: makeNonce(),
    title: `Latent Lens — ${snapshot.title}`,
    styles: css.map((inline) => ({ inline })),
    scripts: [{ inline: js }],
    snapshotJson: JSON.stringify(toJsonSafe(snapshot)),
    dataBlocks,
    bodyClass: opts.theme === 'dark' ? 'vscode-dark' : opts.theme === 'hc' ? 'vscode-high-contrast' : 'vscode-light',
  });
  await writeFileAtomic(path.resolve(outFile), html);
}

/**
 * `latent-lens report <runA> <runB> … --out compare.html`: the Compare Runs page (2–4 runs: maps
 * side by side with linked hover and selection, KL and loss overlaid, the final figures) as one
 * self-contained file. Each run embeds its map, metrics and labels — no decoder and no pixels
 * (the compare page does not decode), at most `maxPoints` points each (default 20,000).
 */
export async function writeCompareReport(runDirs: string[], outFile: string, opts: ReportOptions = {}): Promise<void> {
  if (runDirs.length < 2 || runDirs.length > COMPARE_MAX_RUNS) throw new Error(`a comparison shows 2 to ${COMPARE_MAX_RUNS} runs, not ${runDirs.length}`);
  const runs = await Promise.all(runDirs.map(async (dir) => {
    const s = await loadRunSnapshot(dir, { maxPoints: opts.maxPoints ?? 20000, includeDecoder: false, includePixels: false });
    if (!s.count) throw new Error(`${dir} has no dataset.json with images: is it a Latent Lens run directory?`);
    return s;
  }));
  const bundle = webviewBundleFile(opts.testHooks ?? testHooksRequested(process.env));
  const js = (await fsp.readFile(findAsset([bundle], opts.assetsDir), 'utf8')).replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  const css = await Promise.all([['media', 'webview.css'], ['media', 'report-theme.css'], ['media', 'compare.css']].map((p) => fsp.readFile(findAsset(p, opts.assetsDir), 'utf8')));
  const html = renderWebviewHtml({
    mode: 'compare',
    nonce: makeNonce(),
    title: `Latent Lens — compare ${runs.map((r) => r.title).join(', ')}`,
    styles: css.map((inline) => ({ inline })),
    scripts: [{ inline: js }],
    snapshotJson: JSON.stringify(toJsonSafe({ runs })),
    bodyClass: opts.theme === 'dark' ? 'vscode-dark' : opts.theme === 'hc' ? 'vscode-high-contrast' : 'vscode-light',
  });
  await writeFileAtomic(path.resolve(outFile), html);
}
