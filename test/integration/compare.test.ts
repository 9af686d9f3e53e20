/**
 * Compare Runs in a real VS Code (issue 10): "VAE: Compare Runs…" with two run folders opens the
 * Compare panel (its own view type, the test build of the page in ExtensionMode.Test), and a hover
 * on a point of one map — sent on the page's test channel, as the map reports a pointer —
 * rings the same image (same dataset path) in the other. Two synthetic runs of the same data
 * (test/browser/makeFakeRun.ts), so `--grep` works alone.
 */
import type {} from 'mocha';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ComparePanel } from '../../src/extension/panel/comparePanel';
import type { LatentLensApi } from '../../src/extension/extension';
import type { CompareTestView } from '../../src/webview/compare/compareTestHooks';
import { makeFakeRun } from '../browser/makeFakeRun';
import { waitFor as waitForShared, type Probe } from './waitFor';
import { askPage } from './askPage';

/** The shared poller (./waitFor.ts) with this file's defaults. */
const waitFor = <T>(what: string, probe: Probe<T>, timeoutMs = 60_000, everyMs = 300): Promise<T> => waitForShared(what, probe, timeoutMs, everyMs);

const ask = (panel: ComparePanel, op: 'view' | 'hover' | 'select', args?: unknown, timeoutMs = 3000) => askPage<CompareTestView>(panel, op, args, timeoutMs);

describe('Latent Lens Compare Runs', function () {
  let tmp: string;
  let runA: string;
  let runB: string;
  let panel: ComparePanel | undefined;

  before(async function () {
    const ext = vscode.extensions.getExtension<LatentLensApi>('latent-lens.latent-lens');
    assert.ok(ext);
    await ext.activate();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latent-lens-compare-'));
    runA = path.join(tmp, 'run-a');
    runB = path.join(tmp, 'run-b');
    await makeFakeRun(runA, 300, 8, true);
    await makeFakeRun(runB, 300, 8, true);
  });

  after(function () {
    panel?.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('Compare Runs opens two runs and hovering one highlights the same image in the other', async function () {
    panel = await vscode.commands.executeCommand<ComparePanel | undefined>('latentLens.compareRuns', [runA, runB]);
    assert.ok(panel, 'the command returns the Compare panel');
    assert.equal(panel.webviewPanel.viewType, 'latentLens.compare');
    assert.match(panel.webviewPanel.webview.html, /\/webview\.test\.js"/);
    const p = panel;
    const ready = await waitFor('the compare page to show both runs', async () => {
      const v = await ask(p, 'view');
      return v && v.ready && v.runs.length === 2 && v;
    }, 90_000, 500);
    assert.deepEqual(ready.runs, ['run-a', 'run-b']);
    assert.match(ready.names[0], /^Map of run-a: 300 points/);
    assert.match(ready.names[1], /^Map of run-b: 300 points/);
    assert.equal(ready.tableRows, 2);

    const hovered = await ask(p, 'hover', { run: 0, point: 17 });
    assert.ok(hovered, 'the page answers on its test channel');
    assert.equal(hovered.hovered[0], 17);
    assert.notEqual(hovered.hovered[1], null, 'the other map rings a point');
    assert.equal(hovered.hoveredFiles[1], hovered.hoveredFiles[0], 'the same image in both maps');
  });
});
