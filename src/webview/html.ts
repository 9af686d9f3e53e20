/**
 * The HTML page of the latent-space view — the one builder of it, for both hosts:
 *
 * - the VS Code webview (LatentPanel, src/extension/latentPanel.ts): style sheet and bundle
 *   linked from dist/ through `asWebviewUri`, the wasm binaries fetched from the same origin;
 * - a self-contained page (the standalone report, src/trainer/report.ts, and the browser tests):
 *   bundle, CSS and wasm binaries inlined, the run embedded as a JSON data block, no network.
 *
 * Pure string building, no DOM and no Node imports, so both the extension and the trainer
 * bundle import it.
 *
 * Security: CSP `default-src 'none'`; scripts only with the per-load nonce (plus
 * 'wasm-unsafe-eval' when the page decodes on the wasm backend); images only from data:/blob:
 * (decoded canvases) and, in VS Code, the webview's own resource origin — no remote resource of
 * any kind. Styles: in VS Code the webview origin and inline styles (the policy the panel has
 * always had); in a self-contained page only `<style>` elements carrying the nonce.
 */

/** A style sheet or a classic script: linked by URL, or its text inlined. */
export type PageAsset = { href: string } | { inline: string };

export interface WebviewHtmlOptions {
  /** A fresh random nonce for every load (makeNonce()). */
  nonce: string;
  /**
   * VS Code: `webview.cspSource`, the origin linked assets are served from; the page then gets
   * the webview policy (see above). Omitted: a self-contained page.
   */
  cspSource?: string;
  /** Style sheets, in order. */
  styles?: PageAsset[];
  /** Scripts, in the order they run (e.g. a host shim before the bundle). */
  scripts?: PageAsset[];
  /** Self-contained page: JSON of the RunSnapshot, embedded as a data block. */
  snapshotJson?: string;
  /** Self-contained page: more JSON data blocks after the snapshot (the report's packed originals, issue 13). */
  dataBlocks?: { id: string; json: string }[];
  title?: string;
  /** Self-contained page: initial theme class (VS Code sets its own body class). */
  bodyClass?: string;
  /** `data-*` attributes of <body>, e.g. `{ 'run-dir': … }` → `data-run-dir="…"`. */
  bodyData?: Record<string, string>;
  /**
   * The TensorFlow.js wasm binaries the webview decodes with (much faster than the cpu
   * backend). VS Code: URLs from asWebviewUri(dist/tfjs-backend-wasm-simd.wasm) and
   * (dist/tfjs-backend-wasm.wasm). Self-contained page: `inline` base64 of the same files.
   * Omitted: the webview decodes on the cpu backend.
   */
  wasm?: { simd: string; plain: string; inline?: boolean };
  /** Which page the bundle builds: a run's (default) or Compare Runs' (src/webview/compare). */
  mode?: 'compare';
}

/**
 * The webview bundle (in dist/) a page loads: `webview.test.js` — the same program plus the test
 * hooks (src/webview/testHooks.ts) — when `testHooks`, else `webview.js`. The extension passes
 * true in test mode (ExtensionMode.Test or LATENT_LENS_TEST_HOOKS=1), the report writer when
 * asked (LATENT_LENS_TEST_HOOKS=1); production pages never carry the hooks.
 */
export function webviewBundleFile(testHooks = false): string {
  return testHooks ? 'webview.test.js' : 'webview.js';
}

/** True when an environment (process.env) asks for the test build: LATENT_LENS_TEST_HOOKS=1. */
export function testHooksRequested(env: Record<string, string | undefined>): boolean {
  return env.LATENT_LENS_TEST_HOOKS === '1';
}

/** Settings the page reads from the `ll-config` data block. */
export interface WebviewPageConfig {
  wasm?: { simd: string; plain: string; inline?: boolean };
  mode?: 'compare';
}

/** 32 random alphanumerics (crypto.getRandomValues: Node ≥ 19 and browsers). */
export function makeNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => chars[b % chars.length]).join('');
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
/** Text that goes inside <script> or <style>: it must not close the element early. */
function rawTextSafe(s: string): string {
  return s.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
/** JSON inside a <script type="application/json"> data block. */
function jsonBlock(id: string, json: string): string {
  return `<script type="application/json" id="${id}">${json.replace(/</g, '\\u003c')}</script>`;
}

/** The Content-Security-Policy of the page (exported for tests). */
export function webviewCsp(o: Pick<WebviewHtmlOptions, 'nonce' | 'cspSource' | 'wasm'>): string {
  const origin = o.cspSource;
  const nonce = `'nonce-${o.nonce}'`;
  return [
    "default-src 'none'",
    `img-src ${origin ? `${origin} ` : ''}data: blob:`,
    origin ? `style-src ${origin} 'unsafe-inline'` : `style-src ${nonce}`,
    ...(origin ? [`font-src ${origin}`] : []),
    // WebAssembly compilation needs 'wasm-unsafe-eval' (not 'unsafe-eval'); the binary is
    // fetched from the webview's own origin (VS Code) or from a blob: made of inlined bytes.
    `script-src ${nonce}${o.wasm ? " 'wasm-unsafe-eval'" : ''}`,
    ...(o.wasm ? [`connect-src ${o.wasm.inline ? 'blob:' : origin ?? "'none'"}`] : []),
    ...(origin ? [`worker-src ${origin} blob:`] : []),
  ].join('; ');
}

export function renderWebviewHtml(o: WebviewHtmlOptions): string {
  const n = escapeAttr(o.nonce);
  const styles = (o.styles ?? []).map((s) => 'href' in s ?
    `<link rel="stylesheet" nonce="${n}" href="${escapeAttr(s.href)}">` :
    `<style nonce="${n}">${rawTextSafe(s.inline)}</style>`);
  const scripts = (o.scripts ?? []).map((s) => 'href' in s ?
    `<script nonce="${n}" src="${escapeAttr(s.href)}"></script>` :
    `<script nonce="${n}">${rawTextSafe(s.inline)}</script>`);
  const bodyData = Object.entries(o.bodyData ?? {}).map(([k, v]) => ` data-${k.replace(/[^a-z0-9-]/g, '')}="${escapeAttr(v)}"`).join('');
  const config: WebviewPageConfig = { wasm: o.wasm, ...(o.mode ? { mode: o.mode } : {}) };
  const data = [
    jsonBlock('ll-config', JSON.stringify(config)),
    ...(o.snapshotJson === undefined ? [] : [jsonBlock('ll-snapshot', o.snapshotJson)]),
    ...(o.dataBlocks ?? []).map((b) => jsonBlock(b.id.replace(/[^a-z0-9-]/g, ''), b.json)),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(webviewCsp(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeText(o.title ?? 'Latent Lens')}</title>
${styles.join('\n')}
</head>
<body${o.bodyClass ? ` class="${escapeAttr(o.bodyClass)}"` : ''}${bodyData}>
<div id="app"></div>
${data.join('\n')}
${scripts.join('\n')}
</body>
</html>
`;
}
