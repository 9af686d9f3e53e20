/**
 * The inspector in a real VS Code panel (issue 15): a lasso drawn through the map's own
 * selection path (the webview's test channel, src/webview/testHooks.ts `lasso`) makes the
 * selection grid appear, named "Selection: N images", with its reconstructions decoded in the
 * webview. Runs on a synthetic run of its own (test/browser/makeFakeRun.ts), so `--grep` works alone.
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
import { showRunPanel } from './showRunPanel';

interface SelectionView { selected: number; name: string; tiles: number; decoded: number }

/** The shared poller (./waitFor.ts) with this file's defaults. */
const waitFor = <T>(what: string, probe: Probe<T>, timeoutMs = 60_000, everyMs = 300): Promise<T> => waitForShared(what, probe, timeoutMs, everyMs);

const ask = <T>(lp: LatentPanel, op: string, args?: unknown) => askPage<T>(lp, op, args);

describe('Latent Lens inspector', function () {
  let api: LatentLensApi;
  let tmp: string, runDir: string;

  before(async function () {
    const ext = vscode.extensions.getExtension<LatentLensApi>('latent-lens.latent-lens');
    assert.ok(ext);
    api = await ext.activate();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latent-lens-inspector-'));
    runDir = path.join(tmp, 'run');
    await makeFakeRun(runDir, 500, 8, true);
  });

  after(function () {
    api?.panel(runDir)?.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a lasso on the map in the panel shows the selection grid', async function () {
    const lp = await showRunPanel(api, runDir);
    const sel = await ask<SelectionView>(lp, 'lasso', { fx: [0.05, 0.95, 0.95, 0.05], fy: [0.05, 0.05, 0.95, 0.95] });
    assert.ok(sel && sel.selected > 0, `the lasso selected points (${JSON.stringify(sel)})`);
    const shown = await waitFor('the decoded selection grid', async () => {
      const v = await ask<SelectionView>(lp, 'selection');
      return v && v.decoded > 0 && v;
    });
    assert.equal(shown.name, `Selection: ${shown.selected.toLocaleString('en-US')} images`);
    assert.equal(shown.tiles, Math.min(200, shown.selected));
    assert.equal(shown.decoded, shown.tiles);
  });
});
