/**
 * The HTML shell of the latent-space panel, shared by the VS Code webview (LatentPanel) and
 * the standalone report. Pure string building, no DOM and no Node imports.
 *
 * Security: CSP `default-src 'none'`; scripts and styles only with the per-load nonce (plus,
 * in VS Code, the webview's own resource origin); images only from data:/blob: (decoded
 * canvases) — no remote resource of any kind.
 */

export interface WebviewHtmlOptions {
  /** A fresh random nonce for every load (makeNonce()). */
  nonce: string;
  /** VS Code: `webview.cspSource`. Report: omit. */
  cspSource?: string;
  /** VS Code: `webview.asWebviewUri(dist/webview.js)`. */
  scriptUri?: string;
  /** Report: the bundle's text, inlined. */
  inlineScript?: string;
  /** VS Code: asWebviewUri(dist/media/webview.css). */
  styleUris?: string[];
  /** Report: style sheets' text, inlined. */
  inlineStyles?: string[];
  /** Report: JSON of the RunSnapshot, embedded as a data block. */
  snapshotJson?: string;
  title?: string;
  /** Report: initial theme class (VS Code sets its own body class). */
  bodyClass?: string;
  /**
   * The TensorFlow.js wasm binaries the webview decodes with (much faster than the cpu
   * backend). VS Code: URLs from asWebviewUri(dist/tfjs-backend-wasm-simd.wasm) and
   * (dist/tfjs-backend-wasm.wasm). Report: `inline` base64 of the same files. Omitted: the
   * webview decodes on the cpu backend.
   */
  wasm?: { simd: string; plain: string; inline?: boolean };
}

/** Settings the page reads from the `ll-config` data block. */
export interface WebviewPageConfig {
  wasm?: { simd: string; plain: string; inline?: boolean };
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

export function renderWebviewHtml(o: WebviewHtmlOptions): string {
  const src = o.cspSource ? `${o.cspSource} ` : '';
  // WebAssembly compilation needs 'wasm-unsafe-eval' (not 'unsafe-eval'); the binary is
  // fetched from the webview's own origin (VS Code) or from a blob: made of inlined bytes.
  const wasm = o.wasm ? " 'wasm-unsafe-eval'" : '';
  const csp = [
    "default-src 'none'",
    `img-src ${src}data: blob:`,
    `style-src ${src}'nonce-${o.nonce}'`,
    `script-src 'nonce-${o.nonce}'${wasm}`,
    ...(o.wasm ? [`connect-src ${o.wasm.inline ? 'blob:' : o.cspSource ?? "'none'"}`] : []),
    ...(o.cspSource ? [`font-src ${o.cspSource}`] : []),
  ].join('; ');
  const n = escapeAttr(o.nonce);
  const styles = [
    ...(o.styleUris ?? []).map((u) => `<link rel="stylesheet" nonce="${n}" href="${escapeAttr(u)}">`),
    ...(o.inlineStyles ?? []).map((css) => `<style nonce="${n}">${rawTextSafe(css)}</style>`),
  ].join('\n');
  const config: WebviewPageConfig = { wasm: o.wasm };
  const data = `<script type="application/json" id="ll-config">${JSON.stringify(config).replace(/</g, '\\u003c')}</script>` +
    (o.snapshotJson === undefined ? '' :
      `\n<script type="application/json" id="ll-snapshot">${o.snapshotJson.replace(/</g, '\\u003c')}</script>`);
  const script = o.scriptUri ? `<script nonce="${n}" src="${escapeAttr(o.scriptUri)}"></script>` :
    o.inlineScript !== undefined ? `<script nonce="${n}">${rawTextSafe(o.inlineScript)}</script>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeText(o.title ?? 'Latent Lens')}</title>
${styles}
</head>
<body${o.bodyClass ? ` class="${escapeAttr(o.bodyClass)}"` : ''}>
<div id="app"></div>
${data}
${script}
</body>
</html>
`;
}
