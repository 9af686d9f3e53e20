/**
 * The page of a run's latent-space panel (LatentPanel): the one page builder of src/webview/html.ts
 * with the webview's resource URLs, a state shim, and the bundle for the extension's mode.
 */
import * as vscode from 'vscode';
import { makeNonce, renderWebviewHtml, webviewBundleFile } from '../../webview/html';

/** `testHooks`: load dist/webview.test.js (window.latentLens, the test channel) instead of dist/webview.js. */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, runDir: string, title: string, testHooks: boolean): string {
  const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', ...p)).toString();
  // The run folder must survive a window reload so the serializer can reopen the same run;
  // VS Code persists only what the webview passes to setState. This shim owns the one
  // acquireVsCodeApi() call allowed per page, hands the same object to the panel's script and
  // merges the run folder into every state it saves.
  const shim = `(() => {
  const api = acquireVsCodeApi();
  const runDir = ${JSON.stringify(runDir).replace(/</g, '\\u003c')};
  const setState = api.setState.bind(api);
  const wrapped = Object.freeze({
    postMessage: (m) => api.postMessage(m),
    getState: () => api.getState(),
    setState: (s) => setState(Object.assign({}, s && typeof s === 'object' ? s : {}, { latentLensRunDir: runDir })),
  });
  wrapped.setState(api.getState());
  window.acquireVsCodeApi = () => wrapped;
})();`;
  return renderWebviewHtml({
    nonce: makeNonce(),
    cspSource: webview.cspSource,
    title,
    // Marks the panel's page (the UI test finds the webview frame by it).
    bodyData: { 'run-dir': runDir },
    styles: [{ href: asset('media', 'webview.css') }],
    scripts: [{ inline: shim }, { href: asset(webviewBundleFile(testHooks)) }],
    // The decoder in the webview runs on tfjs's wasm backend; its binaries sit in dist/.
    wasm: { simd: asset('tfjs-backend-wasm-simd.wasm'), plain: asset('tfjs-backend-wasm.wasm') },
  });
}
