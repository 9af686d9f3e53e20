/**
 * Issue 14 in a real VS Code: "Recompute projection" on a finished run works (no trainer runs:
 * the host runs `latent-lens project` once and the new layout reaches the webview), and while a
 * trainer decodes the images the status bar reads "decoding images …", not "starting…".
 * The first runs on a synthetic run (test/browser/makeFakeRun.ts), the second trains on the
 * sample folder and is stopped once the loading was seen, so `--grep "issue 14"` works alone.
 */
import type {} from 'mocha';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LatentLensApi } from '../../src/extension/extension';
import type { FromWebviewMessage, ToWebviewMessage } from '../../src/protocol/panelIpc';
import { makeFakeRun } from '../browser/makeFakeRun';
import { waitFor as waitForShared, type Probe } from './waitFor';

const EXTENSION_ID = 'latent-lens.latent-lens';

/** The shared poller (./waitFor.ts) with this file's defaults. */
const waitFor = <T>(what: string, probe: Probe<T>, timeoutMs = 60_000, everyMs = 200): Promise<T> => waitForShared(what, probe, timeoutMs, everyMs);

describe('Latent Lens issue 14', function () {
  let api: LatentLensApi;
  let tmp: string;
  let sample: string;

  before(async function () {
    const ext = vscode.extensions.getExtension<LatentLensApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
    api = await ext.activate();
    sample = process.env.LATENT_LENS_SAMPLE ?? path.join(ext.extensionPath, 'samples', 'fashion-mnist-2k');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latent-lens-issue14-'));
  });

  after(function () {
    for (const r of api?.runs.values() ?? []) if (r.running) r.kill();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('issue 14: Recompute projection on a finished run works (latent-lens project, no trainer)', async function () {
    this.timeout(180_000);
    const runDir = path.join(tmp, 'finished');
    await makeFakeRun(runDir, 400, 8, true);
    const before = fs.readFileSync(path.join(runDir, 'latents', 'projection.json'), 'utf8');
    await vscode.commands.executeCommand('latentLens.showLatentSpace', runDir);
    const lp = await waitFor('the run panel', () => api.panel(runDir));
    const posted: ToWebviewMessage[] = [];
    lp.onDidPostMessage((m) => posted.push(m));
    await waitFor('the snapshot', () => posted.some((m) => m.type === 'snapshot') || lp.stats.snapshotReplies > 0, 90_000);
    // The webview's request, as the button sends it (the panel's request handler).
    const onRequest = (lp as unknown as { onRequest(m: FromWebviewMessage): Promise<ToWebviewMessage> }).onRequest.bind(lp);
    const reply = await onRequest({ type: 'requestProjection' });
    assert.equal(reply.type, 'projected', JSON.stringify(reply));
    assert.ok(reply.type === 'projected' && reply.epoch === 3, 'the epoch of the run\'s latents');
    const projection = await waitFor('the new layout to be posted', () => posted.find((m) => m.type === 'projection'), 10_000);
    assert.ok(projection.type === 'projection' && projection.projection.x.length === 400);
    assert.notEqual(fs.readFileSync(path.join(runDir, 'latents', 'projection.json'), 'utf8'), before, 'latents/projection.json was rewritten');
    lp.dispose();
  });

  it('issue 14: the status bar reads "decoding images" while the images load', async function () {
    this.timeout(300_000);
    const runDir = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vae-runs', `it-loading-${Date.now()}`);
    const seen = new Set<string>();
    let polling = true;
    const poll = (async () => {
      while (polling) {
        seen.add(api.statusBarText());
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    await vscode.commands.executeCommand('latentLens.trainOnFolder', {
      folder: sample, runDir, epochs: 1, confirm: false, showPanel: false, showProgress: false, backend: process.env.LATENT_LENS_BACKEND,
    });
    const run = await waitFor('the run', () => api.runs.get(runDir));
    await waitFor('training to start', () => run.hasStarted || !run.running, 240_000);
    polling = false;
    await poll;
    const loading = [...seen].filter((t) => /VAE decoding images [\d,]+ \/ 2,000/.test(t));
    assert.ok(loading.length > 0, `the status bar read: ${[...seen].join(' | ')}`);
    assert.ok(![...seen].some((t) => /0 of 0 images/.test(t)));
    await run.stop(30_000);
  });
});
