/**
 * Following a run trained elsewhere, in a real VS Code (issue 10): the CLI (dist/cli.js) trains in
 * a background process of its own, as from a terminal; "VAE: Open Run…" on its folder follows it
 * (runs/followedRun.ts: file watcher + polling) — the Run, the panel's status messages and the
 * status bar ("following") move from epoch 1 to epoch 2 without reopening. Then the CLI is killed
 * with SIGKILL: its heartbeat stops, and with LATENT_LENS_HEARTBEAT_TIMEOUT_MS set short (read
 * when the run is followed, in this same extension host) the Run, the panel and the status bar
 * say that the trainer writing this run stopped responding.
 */
import type {} from 'mocha';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LatentLensApi } from '../../src/extension/extension';
import type { LatentPanel } from '../../src/extension/panel/latentPanel';
import type { ViewStatus } from '../../src/protocol/panelIpc';
import { waitFor as waitForShared, type Probe } from './waitFor';

/** The shared poller (./waitFor.ts) with this file's defaults. */
const waitFor = <T>(what: string, probe: Probe<T>, timeoutMs = 120_000, everyMs = 100): Promise<T> => waitForShared(what, probe, timeoutMs, everyMs);

const HEARTBEAT_TIMEOUT_MS = 8000;

describe('Latent Lens follows a run trained elsewhere', function () {
  let api: LatentLensApi;
  let tmp: string;
  let runDir: string;
  let cli: ChildProcess | undefined;
  let panel: LatentPanel | undefined;
  const cliOut: string[] = [];
  const savedTimeout = process.env.LATENT_LENS_HEARTBEAT_TIMEOUT_MS;

  before(async function () {
    const ext = vscode.extensions.getExtension<LatentLensApi>('latent-lens.latent-lens');
    assert.ok(ext);
    api = await ext.activate();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latent-lens-follow-'));
    runDir = path.join(tmp, 'run');
    process.env.LATENT_LENS_HEARTBEAT_TIMEOUT_MS = String(HEARTBEAT_TIMEOUT_MS);
  });

  after(function () {
    if (savedTimeout === undefined) delete process.env.LATENT_LENS_HEARTBEAT_TIMEOUT_MS;
    else process.env.LATENT_LENS_HEARTBEAT_TIMEOUT_MS = savedTimeout;
    if (cli && cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
    panel?.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the CLI trains in the background, "Open Run…" shows epoch 1 and then epoch 2 without reopening, and a killed CLI is reported as not responding', async function () {
    const ext = vscode.extensions.getExtension<LatentLensApi>('latent-lens.latent-lens')!;
    const sample = process.env.LATENT_LENS_SAMPLE ?? path.join(ext.extensionPath, 'samples', 'fashion-mnist-2k');
    // More epochs than the test watches (an epoch of 600 images takes seconds): the CLI must still be training when it is killed.
    const args = [api.cliPath, 'train', sample, '--out', runDir, '--epochs', '40', '--max-images', '600', '--batch-size', '32'];
    if (process.env.LATENT_LENS_BACKEND) args.push('--backend', process.env.LATENT_LENS_BACKEND);
    // As from a terminal: no IPC channel; under Electron, its binary runs as Node.
    cli = spawn(process.execPath, args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => { cliOut.push(b.toString()); if (cliOut.length > 40) cliOut.shift(); };
    cli.stdout?.on('data', keep);
    cli.stderr?.on('data', keep);
    const statusFile = path.join(runDir, 'status.json');
    await waitFor('the CLI to write status.json', () => fs.existsSync(statusFile) || (cli!.exitCode !== null && Promise.reject(new Error(`the CLI exited: ${cliOut.join('')}`))), 120_000);

    const posted: ViewStatus[] = [];
    const epochsEnded: number[] = [];
    const maps: number[] = [];
    let metricsLines = 0;
    const created = api.onDidCreatePanel((lp) => {
      if (lp.runDir !== runDir) return;
      lp.onDidPostMessage((m) => {
        if (m.type === 'status') posted.push(m.status);
        if (m.type === 'epoch') epochsEnded.push(m.metrics.epoch);
        if (m.type === 'metrics') metricsLines += m.steps.length;
        if (m.type === 'projection') maps.push(m.projection.epoch);
        if (m.type === 'snapshot' && m.snapshot.projection) maps.push(m.snapshot.projection.epoch);
      });
    });
    panel = await vscode.commands.executeCommand<LatentPanel | undefined>('latentLens.openRun', runDir);
    created.dispose();
    assert.ok(panel, 'Open Run returns the panel');
    const run = api.runs.get(runDir);
    assert.ok(run, 'the followed run is in the registry');
    assert.equal(run.kind, 'follow');
    const runEpochs: number[] = [run.state.epoch];
    run.onDidChange((s) => { if (runEpochs[runEpochs.length - 1] !== s.epoch) runEpochs.push(s.epoch); });

    await waitFor('the Run to reach epoch 2', () => run.state.epoch >= 2, 180_000);
    assert.ok(run.running, `the followed run is still running (${run.exit?.message})`);
    assert.ok(runEpochs.indexOf(1) >= 0 && runEpochs.indexOf(1) < runEpochs.indexOf(2), `the Run went from epoch 1 to epoch 2: ${runEpochs.join(' → ')}`);
    assert.match(api.statusBarText(), /following · epoch 2\/40/);
    // The panel's header reads the status messages: the same epochs, one panel throughout.
    await waitFor('the panel to be told epoch 2', () => posted.some((s) => s.epoch === 2 && s.status === 'training'), 30_000);
    const shown = posted.filter((s) => s.status === 'training').map((s) => s.epoch);
    assert.ok(shown.includes(1) && shown.indexOf(1) < shown.indexOf(2), `the panel showed epoch 1 then 2: ${shown.join(', ')}`);
    await waitFor('the panel to get epoch 1\'s end line', () => epochsEnded.includes(1), 30_000);
    // The loss curve and the map follow too: step lines, and a new map at an epoch end.
    assert.ok(metricsLines > 0, 'the panel got step lines');
    await waitFor('the panel to get a map of epoch 1 or later', () => maps.some((e) => e >= 1), 60_000);
    assert.equal(api.panel(runDir), panel, 'the same panel, not reopened');

    const killedAt = Date.now();
    cli.kill('SIGKILL');
    const exit = await Promise.race([run.exited, new Promise<never>((_, no) => setTimeout(() => no(new Error('the followed run did not end after the CLI was killed')), HEARTBEAT_TIMEOUT_MS + 30_000))]);
    const endedAt = Date.now();
    // Judged from the last heartbeat the CLI wrote (every 2 s, later while its event loop was busy), not from the kill.
    const lastBeat = (JSON.parse(fs.readFileSync(path.join(runDir, 'heartbeat.json'), 'utf8')) as { time: number }).time;
    assert.ok(endedAt - lastBeat >= HEARTBEAT_TIMEOUT_MS, `ended ${endedAt - lastBeat} ms after the last heartbeat (${endedAt - killedAt} ms after the kill), not before the timeout`);
    assert.equal(run.state.status, 'failed');
    assert.match(exit.message, /the trainer writing this run stopped responding \(last heartbeat/);
    assert.match(run.state.failure?.message ?? '', /stopped responding/);
    await waitFor('the panel to be told the trainer stopped responding', () => posted.some((s) => s.status === 'failed' && /stopped responding/.test(s.message ?? '')), 10_000);
    assert.match(api.statusBarText(), /following/);
    assert.match(api.statusBarText(), /failed/);
  });
});
