/**
 * The page of a Compare Runs panel: the one page builder (src/webview/html.ts) in `compare` mode,
 * the run's panel style sheet plus compare.css, and a state shim that merges the compared run
 * folders into every state the page saves (so the serializer can reopen them after a reload).
 */
import * as vscode from 'vscode';
import { makeNonce, renderWebviewHtml, webviewBundleFile } from '../../webview/html';

export function compareHtml(webview: vscode.Webview, extensionUri: vscode.Uri, runDirs: string[], title: string, testHooks: boolean): string {
  const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', ...p)).toString();
  const shim = `(() => {
  const api = acquireVsCodeApi();
  const runDirs = ${JSON.stringify(runDirs).replace(/</g, '\\u003c')};
  const setState = api.setState.bind(api);
  const wrapped = Object.freeze({
    postMessage: (m) => api.postMessage(m),
    getState: () => api.getState(),
    setState: (s) => setState(Object.assign({}, s && typeof s === 'object' ? s : {}, { latentLensCompareRunDirs: runDirs })),
  });
  wrapped.setState(api.getState());
  window.acquireVsCodeApi = () => wrapped;
})();`;
  return renderWebviewHtml({
    mode: 'compare',
    nonce: makeNonce(),
    cspSource: webview.cspSource,
    title,
    bodyData: { 'compare-runs': runDirs.join('\n') },
    styles: [{ href: asset('media', 'webview.css') }, { href: asset('media', 'compare.css') }],
    scripts: [{ inline: shim }, { href: asset(webviewBundleFile(testHooks)) }],
  });
}
