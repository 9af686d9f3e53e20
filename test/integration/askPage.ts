/**
 * The webview's test channel (src/webview/testHooks.ts, in the test build only) from an
 * integration test: post `{ latentLensTest: { id, op, args } }` to a panel's page and resolve with
 * the `test` message that answers it — or undefined after `timeoutMs` (a page still loading
 * does not answer; callers poll with ./waitFor.ts). Works for the run panel and Compare Runs.
 */
import type * as vscode from 'vscode';

/** What a panel with the test channel offers: its page's messages and its webview. */
export interface TestChannelPanel {
  readonly onDidReceiveMessage: vscode.Event<{ type: string; id?: number; result?: unknown }>;
  readonly webviewPanel: vscode.WebviewPanel;
}

let nextId = 1;

export function askPage<T>(panel: TestChannelPanel, op: string, args?: unknown, timeoutMs = 2000): Promise<T | undefined> {
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => { sub.dispose(); resolve(undefined); }, timeoutMs);
    const sub = panel.onDidReceiveMessage((m) => {
      if (m.type !== 'test' || m.id !== id) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(m.result as T);
    });
    void panel.webviewPanel.webview.postMessage({ latentLensTest: { id, op, args } });
  });
}
