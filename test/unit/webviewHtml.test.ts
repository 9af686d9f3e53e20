/**
 * The one page builder of the latent-space view (src/webview/html.ts): the Content-Security-
 * Policy each host gets, and what a self-contained page may contain.
 *
 *   node --import tsx --test test/unit/webviewHtml.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNonce, renderWebviewHtml, webviewCsp } from '../../src/webview/html';

const origin = 'https://file+.vscode-resource.vscode-cdn.net';

test('VS Code webview: the panel policy, directive for directive', () => {
  const csp = webviewCsp({ nonce: 'N0nce', cspSource: origin, wasm: { simd: `${origin}/a.wasm`, plain: `${origin}/b.wasm` } });
  assert.deepEqual(csp.split('; ').sort(), [
    "default-src 'none'",
    `img-src ${origin} data: blob:`,
    `style-src ${origin} 'unsafe-inline'`,
    `font-src ${origin}`,
    "script-src 'nonce-N0nce' 'wasm-unsafe-eval'",
    `connect-src ${origin}`,
    `worker-src ${origin} blob:`,
  ].sort());
});

test('self-contained page: nonce-only scripts and styles, blob: only for the inlined wasm', () => {
  assert.equal(webviewCsp({ nonce: 'N0nce', wasm: { simd: 'AA==', plain: 'AA==', inline: true } }),
    "default-src 'none'; img-src data: blob:; style-src 'nonce-N0nce'; script-src 'nonce-N0nce' 'wasm-unsafe-eval'; connect-src blob:");
  assert.equal(webviewCsp({ nonce: 'N0nce' }), "default-src 'none'; img-src data: blob:; style-src 'nonce-N0nce'; script-src 'nonce-N0nce'");
});

test('linked and inlined assets carry the nonce, in order; inlined text cannot close its element', () => {
  const nonce = makeNonce();
  assert.match(nonce, /^[A-Za-z0-9]{32}$/);
  const html = renderWebviewHtml({
    nonce,
    cspSource: origin,
    title: 'Latent Space: <run>',
    styles: [{ href: `${origin}/webview.css` }, { inline: 'a{}</style><p>' }],
    scripts: [{ inline: 'shim("</script>")' }, { href: `${origin}/webview.js` }],
    snapshotJson: '{"title":"</script><script>alert(1)</script>"}',
    bodyData: { 'run-dir': '/runs/a "b" <c>' },
  });
  assert.match(html, /<body data-run-dir="\/runs\/a &quot;b&quot; &lt;c&gt;">/);
  assert.match(html, new RegExp(`<link rel="stylesheet" nonce="${nonce}" href="${origin.replace(/[.+]/g, '\\$&')}/webview.css">`));
  assert.match(html, /<title>Latent Space: &lt;run&gt;<\/title>/);
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
  assert.deepEqual(scripts, [
    ' type="application/json" id="ll-config"',
    ' type="application/json" id="ll-snapshot"',
    ` nonce="${nonce}"`,
    ` nonce="${nonce}" src="${origin}/webview.js"`,
  ]);
  assert.equal((html.match(/<\/script>/g) ?? []).length, 4);
  assert.equal((html.match(/<\/style>/g) ?? []).length, 1);
});
