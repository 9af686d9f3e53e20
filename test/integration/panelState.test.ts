/**
 * The panel's view state in a real VS Code (issue 9): what the user set in the webview — zoom
 * and pan, the pinned point, hidden labels, point size, loss smoothing and scale, KL sort —
 * survives a tab switch (VS Code tears the hidden webview down: the panel has no
 * retainContextWhenHidden) and is what VS Code keeps for a window reload (the webview state,
 * beside the run folder the serializer reopens). The real reload is driven in the UI test
 * (scripts/vscode-test/panelStateUi.mjs).
 *
 * The extension runs in ExtensionMode.Test here, so the panel loads the test build of the webview
 * (dist/webview.test.js), whose test channel answers `{ latentLensTest: { id, op, args } }` with a
 * `test` message (src/webview/testHooks.ts). The same channel checks that binary payloads travel
 * as typed arrays through VS Code's postMessage in both directions (no base64). Runs on a
 * synthetic run of its own (test/browser/makeFakeRun.ts), so `--grep` works alone.
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
import { waitFor as waitForShared, type Probe } from './waitFor';
import { askPage } from './askPage';

const EXTENSION_ID = 'latent-lens.latent-lens';

interface PageView {
  view: Record<string, unknown>;
  saved: { latentLensRunDir?: string; view?: Record<string, unknown> } | null;
  ready: boolean;
  count: number;
  mapName: string;
  caption: string;
  arrays: Record<string, string>;
}

/** The shared poller (./waitFor.ts) with this file's defaults. */
const waitFor = <T>(what: string, probe: Probe<T>, timeoutMs = 60_000, everyMs = 200): Promise<T> => waitForShared(what, probe, timeoutMs, everyMs);

const ask = <T = PageView>(lp: LatentPanel, op: 'view' | 'set' | 'echo', args?: unknown, timeoutMs = 2000) => askPage<T>(lp, op, args, timeoutMs);

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
    // In test mode the panel loads the test build of the webview by itself.
    assert.match(lp.webviewPanel.webview.html, /\/webview\.test\.js"/);
    const fresh = await settled(lp, false);
    assert.equal(fresh.count, 500);
    assert.equal(fresh.view.viewport, null, 'a new panel fits all points');
    // Binary payloads: the snapshot's arrays arrived as typed arrays (they are validated as such),
    // and a Float32Array crosses VS Code's postMessage as one, host → webview and back.
    assert.deepEqual(fresh.arrays, { mu: 'Float32Array', x: 'Float32Array', index: 'Uint32Array', pixels: 'Uint8Array', weights: 'ArrayBuffer' });
    const echo = await ask<{ type: string; args: unknown }>(lp, 'echo', new Float32Array([1.5, -2, 3.25]), 10_000);
    assert.equal(echo?.type, 'Float32Array', 'host → webview: a Float32Array arrives as one');
    assert.ok(echo.args instanceof Float32Array, `webview → host: a Float32Array arrives as one, not ${Object.prototype.toString.call(echo.args)}`);
    assert.deepEqual([...echo.args], [1.5, -2, 3.25]);

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
