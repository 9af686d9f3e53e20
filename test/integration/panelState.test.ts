/**
 * The panel's view state in a real VS Code (issue 9): what the user set in the webview — zoom
 * and pan, the pinned point, hidden labels, point size, loss smoothing and scale, KL sort —
 * survives a tab switch (VS Code tears the hidden webview down: the panel has no
 * retainContextWhenHidden) and is what VS Code keeps for a window reload (the webview state,
 * beside the run folder the serializer reopens). The real reload is driven in the UI test
 * (scripts/vscode-test/panelStateUi.mjs).
 *
 * The webview runs its test build (dist/webview.test.js), whose test channel answers
 * `{ latentLensTest: { id, op, args } }` with a `log` message (src/webview/testHooks.ts). Until
 * the extension loads that bundle in test mode by itself, this test points the panel's page at
 * it. Runs on a synthetic run of its own (test/browser/makeFakeRun.ts), so `--grep` works alone.
 */
import type {} from 'mocha';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LatentLensApi } from '../../src/extension/extension';
import type { LatentPanel } from '../../src/extension/panel/latentPanel';
import { makeFakeRun } from '../browser/makeFakeRun';

const EXTENSION_ID = 'latent-lens.latent-lens';

interface PageView {
  view: Record<string, unknown>;
  saved: { latentLensRunDir?: string; view?: Record<string, unknown> } | null;
  ready: boolean;
  count: number;
  mapName: string;
  caption: string;
}

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

let nextId = 1;
/** One request on the webview's test channel; undefined when no answer came within `timeoutMs`. */
function ask(lp: LatentPanel, op: 'view' | 'set', args?: unknown, timeoutMs = 2000): Promise<PageView | undefined> {
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => { sub.dispose(); resolve(undefined); }, timeoutMs);
    const sub = lp.onDidReceiveMessage((m) => {
      if (m.type !== 'log' || !m.message.startsWith('latentLensTest ')) return;
      const reply = JSON.parse(m.message.slice('latentLensTest '.length)) as { id: number; result: PageView };
      if (reply.id !== id) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(reply.result);
    });
    void lp.webviewPanel.webview.postMessage({ latentLensTest: { id, op, args } });
  });
}

/** The page's view once it has its snapshot and has drawn the pinned point's decoded image. */
function settled(lp: LatentPanel, pinned: boolean): Promise<PageView> {
  return waitFor('the webview to show its snapshot', async () => {
    const v = await ask(lp, 'view');
    return v && v.ready && v.count > 0 && (!pinned || /^Pinned: /.test(v.caption)) && v;
  }, 90_000, 500);
}

describe('Latent Lens panel state', function () {
  let api: LatentLensApi;
  let runDir: string;
  let tmp: string;

  before(async function () {
    const ext = vscode.extensions.getExtension<LatentLensApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
    api = await ext.activate();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latent-lens-panel-state-'));
    runDir = path.join(tmp, 'run');
    await makeFakeRun(runDir, 500, 8, true);
  });

  after(function () {
    api?.panel(runDir)?.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('panel state (zoom, pin, hidden labels, smoothing …) survives a tab switch and is kept for a window reload', async function () {
    await vscode.commands.executeCommand('latentLens.showLatentSpace', runDir);
    const lp = await waitFor('the run panel', () => api.panel(runDir));
    // The test build of the webview (a no-op once the extension loads it in test mode).
    const webview = lp.webviewPanel.webview;
    if (!webview.html.includes('webview.test.js')) webview.html = webview.html.replace(/\/webview\.js"/, '/webview.test.js"');
    const fresh = await settled(lp, false);
    assert.equal(fresh.count, 500);
    assert.equal(fresh.view.viewport, null, 'a new panel fits all points');

    // What a user sets (the same store actions the controls and the map report).
    const want = {
      viewport: { cx: 0.5, cy: -0.25, k: 3 }, pinnedRow: 5, probe: null, hiddenLabels: ['Bag'],
      pointSize: 6, smoothing: 0.85, logScale: true, klSort: 'kl-asc',
    };
    const set = await ask(lp, 'set', want, 10_000);
    assert.ok(set, 'the webview answers on its test channel');
    for (const [k, v] of Object.entries(want)) assert.deepEqual(set.view[k], v, k);
    assert.equal(set.saved?.latentLensRunDir, runDir, 'the run folder stays in the state (the serializer needs it)');
    assert.deepEqual(set.saved?.view, set.view, 'the view is saved with setState');
    assert.match(set.mapName, /450 points, 9 labels shown .*, zoomed 3\.0×$/);

    // Tab switch: another editor in the panel's group hides the panel; its webview is torn down.
    const readyBefore = lp.stats.ready;
    const doc = await vscode.workspace.openTextDocument({ content: 'another tab', language: 'plaintext' });
    await vscode.window.showTextDocument(doc, { viewColumn: lp.webviewPanel.viewColumn, preview: false });
    await waitFor('the panel to be hidden', () => !lp.visible, 30_000);
    lp.reveal();
    await waitFor('the webview to load again and send ready', () => lp.visible && lp.stats.ready > readyBefore, 60_000);
    const back = await settled(lp, true);
    for (const [k, v] of Object.entries(want)) assert.deepEqual(back.view[k], v, `${k} after the tab switch`);
    assert.match(back.mapName, /450 points, 9 labels shown .*, zoomed 3\.0×$/);
    assert.match(back.caption, /^Pinned: Sandal\/img_5\.png/);

    // Window reload: VS Code hands this state to the serializer and back to the new webview.
    assert.equal(back.saved?.latentLensRunDir, runDir);
    assert.deepEqual(back.saved?.view, back.view);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
