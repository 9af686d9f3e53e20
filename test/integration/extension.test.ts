/**
 * Latent Lens in a real VS Code extension host, with the real trainer (dist/cli.js) on the
 * embedded sample (samples/fashion-mnist-2k: 2,000 PNGs in 10 class folders).
 *
 * The tests run in order and share the first run: train 1 epoch through the command's
 * programmatic arguments (measuring the extension host's event-loop delay meanwhile), check the
 * run folder, the panel and a protocol round trip with its webview, the serializer, "Load
 * Model…" (encode a folder with that run's model), then pause/resume/stop and a killed trainer
 * on runs of their own.
 */
import type {} from 'mocha';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { LatentLensApi } from '../../src/extension/extension';
import type { Run } from '../../src/extension/runs/run';
import type { TrainerEvent } from '../../src/protocol/trainerIpc';
import { VIEW_TYPE } from '../../src/extension/panel/latentPanel';
import type { ToWebviewMessage } from '../../src/protocol/panelIpc';
import { figures } from './index';
import { waitFor as waitForShared, type Probe } from './waitFor';

const EXTENSION_ID = 'latent-lens.latent-lens';

/** The shared poller (./waitFor.ts) with this file's defaults. */
const waitFor = <T>(what: string, probe: Probe<T>, timeoutMs = 120_000, everyMs = 100): Promise<T> => waitForShared(what, probe, timeoutMs, everyMs);

/** Resolves with the first trainer event that matches. */
function nextEvent<T extends TrainerEvent['type']>(run: Run, type: T, match: (e: Extract<TrainerEvent, { type: T }>) => boolean = () => true, timeoutMs = 300_000): Promise<Extract<TrainerEvent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`timed out waiting for trainer event ${type}`)); }, timeoutMs);
    const sub = run.onDidReceiveEvent((e) => {
      if (e.type === type && match(e as Extract<TrainerEvent, { type: T }>)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(e as Extract<TrainerEvent, { type: T }>);
      }
    });
  });
}

const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));

describe('Latent Lens in VS Code', function () {
  let api: LatentLensApi;
  let sample: string;
  let runsRoot: string;
  let firstRun: string;

  before(async function () {
    const ext = vscode.extensions.getExtension<LatentLensApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
    api = await ext.activate();
    sample = process.env.LATENT_LENS_SAMPLE ?? path.join(ext.extensionPath, 'samples', 'fashion-mnist-2k');
    assert.ok(fs.existsSync(sample), `sample folder ${sample}`);
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'a workspace folder is open');
    runsRoot = path.join(ws, '.vae-runs');
    figures.backend = process.env.LATENT_LENS_BACKEND ?? 'auto';
  });

  after(async function () {
    // Leave no trainer behind.
    for (const r of api?.runs.values() ?? []) if (r.running) r.kill();
  });

  it('registers the VAE commands and declares workspace trust', async function () {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['trainOnFolder', 'openRun', 'loadModel', 'showLatentSpace', 'pauseTraining', 'continueTraining', 'stopTraining', 'resumeRun', 'showLog', 'installNativeBackend']) {
      assert.ok(all.includes(`latentLens.${c}`), `latentLens.${c} is registered`);
    }
    // Un-pausing is "Continue"; "Resume" only means restarting from a checkpoint.
    assert.ok(!all.includes('latentLens.resumeTraining'), 'the old un-pause id is gone');
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    // The trainer runs where the data is: in this harness (and under Remote-SSH, Dev Containers,
    // Codespaces) the extension host is the server's, the UI the browser's (docs/remote.md).
    assert.deepEqual(pkg.extensionKind, ['workspace']);
    const titles = pkg.contributes.commands.map((c: { category: string; title: string }) => `${c.category}: ${c.title}`);
    assert.ok(titles.includes('VAE: Train on Folder'));
    assert.ok(vscode.workspace.isTrusted, 'the test workspace is trusted');
    const cfg = vscode.workspace.getConfiguration('latentLens');
    assert.equal(cfg.get('runsDirectory'), '.vae-runs');
  });

  it('"VAE: Train on Folder" with programmatic arguments trains 1 epoch and writes the run folder; the extension host stays responsive', async function () {
    firstRun = path.join(runsRoot, `it-train-${Date.now()}`);
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    // Which moments stalled the extension host (drift of a 50 ms timer), and what had just happened.
    let lastEvent = 'none';
    const stalls: string[] = [];
    let tick = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      const drift = now - tick - 50;
      if (drift > 100) stalls.push(`${Math.round(drift)} ms after ${lastEvent}`);
      tick = now;
    }, 50);
    // The panel opens once the trainer has started (no empty panel for a run that never starts).
    // Its header reads the same Run: its live status messages say epoch 1 of 1 and a step, not status.json's "epoch 0 · step 0".
    const panelStatus: { status: string; epoch: number; epochs?: number; step: number }[] = [];
    const panelCreated = api.onDidCreatePanel((lp) => {
      if (lp.runDir === firstRun) lp.onDidPostMessage((m) => { if (m.type === 'status' && m.status.status === 'training') panelStatus.push(m.status); });
    });
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    const res = await vscode.commands.executeCommand<{ runDir: string }>('latentLens.trainOnFolder', {
      folder: sample, runDir: firstRun, epochs: 1, confirm: false, backend: process.env.LATENT_LENS_BACKEND,
    });
    assert.equal(res?.runDir, firstRun);
    const ctl = api.runs.get(firstRun);
    assert.ok(ctl, 'the run is tracked');
    let steps = 0;
    // One source of progress: the status bar shows the Run's epoch, which is the trainer's own (1-based).
    const epochShown: string[] = [];
    ctl.onDidReceiveEvent((e) => {
      if (e.type === 'step') {
        steps++;
        if (e.metrics.epoch !== ctl.state.epoch) epochShown.push(`step event epoch ${e.metrics.epoch}, Run epoch ${ctl.state.epoch}`);
        if (!/epoch 1\/1 · step/.test(api.statusBarText())) epochShown.push(`status bar "${api.statusBarText()}"`);
      }
      lastEvent = e.type;
    });
    assert.equal(api.panel(firstRun), undefined, 'no panel before the trainer started');
    await waitFor('the status bar to show the run', () => /VAE/.test(api.statusBarText()), 60_000);
    const exit = await ctl.exited;
    panelCreated.dispose();
    const panelWasReady = (api.panel(firstRun)?.stats.ready ?? 0) > 0;
    h.disable();
    clearInterval(ticker);
    figures.eventLoopStallsOver100Ms = stalls.length ? stalls.join('; ') : 'none';
    const trainMs = Date.now() - t0;
    const p99 = h.percentile(99) / 1e6;
    const max = h.max / 1e6;
    figures.eventLoopDelayP99Ms = Math.round(p99 * 10) / 10;
    figures.eventLoopDelayMaxMs = Math.round(max * 10) / 10;
    figures.eventLoopDelayMeanMs = Math.round((h.mean / 1e6) * 10) / 10;
    figures.trainOneEpochMs = trainMs;
    // The extension host's own CPU time while training (its share of the work), and how loaded
    // the machine was (delays above come from the scheduler when other processes compete).
    const cpu = process.cpuUsage(cpu0);
    figures.extensionHostCpuPercentWhileTraining = Math.round(((cpu.user + cpu.system) / 1000 / trainMs) * 1000) / 10;
    figures.loadAverage1m = os.loadavg()[0].toFixed(2) + ` on ${os.cpus().length} cores`;
    figures.trainBackend = ctl.state.backend;
    console.log(`event-loop delay of the extension host while training: p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms (1 epoch in ${(trainMs / 1000).toFixed(1)} s, backend ${ctl.state.backend})`);
    assert.equal(exit.unexpected, false, `trainer exit: ${exit.message}\n${exit.stderrTail}`);
    assert.equal(exit.code, 0);
    assert.equal(exit.done?.status, 'completed');
    if (process.platform === 'linux' && ['auto', 'wasm'].includes(process.env.LATENT_LENS_BACKEND ?? 'auto')) {
      // The trainer VS Code starts loads the native kernels next to its bundle (dist/native/).
      assert.equal(ctl.state.backend, 'wasm + native kernels', 'the run in VS Code trains on the native kernels');
    }
    assert.ok(steps > 0, 'step events were relayed');
    assert.ok(api.panel(firstRun), 'the panel opened once the trainer started');
    assert.deepEqual(epochShown.slice(0, 3), [], 'the Run and the status bar show the trainer\'s epoch (1 of 1), never one more');
    figures.panelHeaderWhileTraining = panelStatus.length ? `${panelStatus.length} live status messages, last ${JSON.stringify(panelStatus.at(-1))}` : `none (webview ready: ${panelWasReady})`;
    if (panelWasReady) assert.ok(panelStatus.some((st) => st.step > 0), 'the panel header got live status while training');
    assert.deepEqual(panelStatus.filter((st) => st.epoch !== 1 || st.epochs !== 1), [], 'the panel header shows epoch 1 of 1 while training');
    assert.equal(ctl.droppedMessages, 0, 'every trainer message was valid');

    // The run folder (docs/run-directory.md).
    const config = readJson(path.join(firstRun, 'config.json'));
    assert.equal(config.training.epochs, 1);
    assert.equal(path.resolve(config.dataDir), path.resolve(sample));
    assert.equal(readJson(path.join(firstRun, 'status.json')).status, 'completed');
    const dataset = readJson(path.join(firstRun, 'dataset.json'));
    assert.equal(dataset.images.length, 2000);
    assert.equal(dataset.labels.length, 10);
    const metrics = fs.readFileSync(path.join(firstRun, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(metrics.some((m) => m.kind === 'epoch'), 'metrics.jsonl has an epoch line');
    assert.ok(metrics.some((m) => m.kind === 'step'), 'metrics.jsonl has step lines');
    const ckpt = readJson(path.join(firstRun, 'checkpoint.json'));
    assert.ok(fs.existsSync(path.join(firstRun, ckpt.dir ?? '', 'state.json')) || fs.existsSync(path.join(firstRun, 'checkpoints')), 'a checkpoint was written');
    for (const f of ['model/encoder/model.json', 'model/decoder/model.json', 'latents/index.json', 'latents/projection.json']) {
      assert.ok(fs.existsSync(path.join(firstRun, f)), `${f} exists`);
    }
    const idx = readJson(path.join(firstRun, 'latents', 'index.json'));
    assert.equal(idx.count, 2000);
    assert.equal(fs.statSync(path.join(firstRun, 'latents', 'mu.f32')).size, 2000 * idx.latentDim * 4);
    assert.match(api.statusBarText(), /VAE .*completed/);

    assert.ok(p99 < 50, `event-loop delay p99 ${p99.toFixed(1)} ms < 50 ms`);
  });

  it('the run has a panel, and the webview pulls its snapshot on ready (protocol round trip)', async function () {
    assert.ok(firstRun, 'the training test ran');
    // A fresh panel: its webview loads, sends `ready` and gets the whole run as one snapshot.
    api.panel(firstRun)?.webviewPanel.dispose();
    await vscode.commands.executeCommand('latentLens.showLatentSpace', firstRun);
    const lp = api.panel(firstRun)!;
    assert.ok(lp, 'a LatentPanel for the run');
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the webview never sent ready')), 60_000);
      if (lp.stats.ready > 0) { clearTimeout(t); resolve(); return; }
      lp.onDidReceiveMessage((m) => { if (m.type === 'ready') { clearTimeout(t); resolve(); } });
    });
    await waitFor('the snapshot reply', () => lp.stats.snapshots > 0 && lp.stats.lastSnapshotCount >= 0, 60_000);
    // `ready` is a request (the envelope of src/protocol/rpc.ts): the snapshot is its reply.
    await waitFor('the snapshot in reply to ready', () => lp.stats.snapshotReplies > 0, 30_000);
    assert.equal(lp.stats.lastSnapshotCount, 2000, 'the snapshot carries every image');
    assert.equal(lp.stats.invalid, 0, 'every webview message was valid');
    // Only one panel per run.
    await vscode.commands.executeCommand('latentLens.showLatentSpace', firstRun);
    assert.equal(api.panels().filter((p) => p.runDir === firstRun).length, 1);
  });

  it('restores a panel through the webview serializer', async function () {
    assert.ok(firstRun, 'the training test ran');
    api.panel(firstRun)?.webviewPanel.dispose();
    // What VS Code does after a window reload: a panel of our view type plus the state the
    // webview saved; the serializer turns it back into the run's LatentPanel.
    const raw = vscode.window.createWebviewPanel(VIEW_TYPE, 'restored', vscode.ViewColumn.Active, { enableScripts: true });
    await api.deserialize(raw, { latentLensRunDir: firstRun });
    const lp = api.panel(firstRun);
    assert.ok(lp, 'the serializer revived the run panel');
    await waitFor('the revived webview to pull its snapshot', () => lp.stats.snapshots > 0, 60_000);
    assert.equal(lp.stats.lastSnapshotCount, 2000);
    // Unknown state: the serializer closes the panel instead of showing an empty one.
    const stray = vscode.window.createWebviewPanel(VIEW_TYPE, 'stray', vscode.ViewColumn.Active, {});
    let disposed = false;
    stray.onDidDispose(() => { disposed = true; });
    await api.deserialize(stray, {});
    assert.ok(disposed, 'a panel without a run folder is closed');
  });

  it('"VAE: Load Model…" with programmatic arguments encodes a folder with a trained model into a run, and its panel shows the encoded points', async function () {
    const backend = process.env.LATENT_LENS_BACKEND;
    // The model: the first run's, or (when that test was not run, e.g. --grep) a tiny run of its own.
    let modelRun = firstRun;
    if (!modelRun || !fs.existsSync(path.join(modelRun, 'model', 'encoder', 'model.json'))) {
      modelRun = path.join(runsRoot, `it-encode-model-${Date.now()}`);
      await vscode.commands.executeCommand('latentLens.trainOnFolder', {
        folder: sample, runDir: modelRun, epochs: 1, maxImages: 256, confirm: false, showPanel: false, showProgress: false, backend,
      });
      const trained = await api.runs.get(modelRun)!.exited;
      assert.equal(trained.done?.status, 'completed', trained.message);
    }
    const modelConfig = readJson(path.join(modelRun, 'config.json'));
    const D: number = modelConfig.model.latentDim;
    const { imageHeight: H, imageWidth: W, channels: C } = modelConfig.model;
    const sourceMuFile = path.join(modelRun, 'latents', 'mu.f32');
    const sourceMuMtime = fs.statSync(sourceMuFile).mtimeMs;

    // The images to encode: 20 of each of three labels of the sample, outside the workspace.
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'll-encode-'));
    const labels = ['bag', 'sneaker', 'trouser'];
    const files: string[] = [];
    for (const label of labels) {
      fs.mkdirSync(path.join(folder, label));
      for (const f of fs.readdirSync(path.join(sample, label)).filter((n) => n.endsWith('.png')).sort().slice(0, 20)) {
        fs.copyFileSync(path.join(sample, label, f), path.join(folder, label, f));
        files.push(`${label}/${f}`);
      }
    }
    const n = files.length;

    // Every message the run's panel sends its webview, from the moment the panel exists.
    const encodedRun = path.join(runsRoot, `it-encode-${Date.now()}`);
    const posted: ToWebviewMessage[] = [];
    const created = api.onDidCreatePanel((lp) => { if (lp.runDir === encodedRun) lp.onDidPostMessage((m) => posted.push(m)); });
    const res = await vscode.commands.executeCommand<{ runDir: string }>('latentLens.loadModel', { modelDir: modelRun, folder, runDir: encodedRun, backend });
    assert.equal(res?.runDir, encodedRun, 'the command answers with the run folder it writes');
    const ctl = api.runs.get(encodedRun);
    assert.ok(ctl, 'the encode process is tracked like a run');
    const exit = await ctl.exited;
    assert.equal(exit.unexpected, false, `encode exit: ${exit.message}\n${exit.stderrTail}`);
    assert.equal(exit.code, 0);
    assert.equal(exit.done?.status, 'completed');
    assert.equal(ctl.droppedMessages, 0, 'every encode message was valid');
    assert.equal(api.failures.filter((f) => f.runDir === encodedRun).length, 0);

    // The encoded run folder, as docs/run-directory.md describes it.
    const config = readJson(path.join(encodedRun, 'config.json'));
    assert.equal(config.preset, 'loaded-model');
    assert.equal(path.resolve(config.dataDir), path.resolve(folder));
    assert.deepEqual([config.model.imageHeight, config.model.imageWidth, config.model.channels, config.model.latentDim], [H, W, C, D], 'the model shape of the loaded model');
    assert.equal(readJson(path.join(encodedRun, 'status.json')).status, 'completed');
    const dataset = readJson(path.join(encodedRun, 'dataset.json'));
    assert.deepEqual(dataset.labels, labels);
    assert.deepEqual(dataset.images.map((im: { path: string }) => im.path.split(path.sep).join('/')).sort(), [...files].sort(), 'every image of the folder, and only those');
    const metrics = fs.readFileSync(path.join(encodedRun, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(metrics.length, 1, 'one "epoch 0" line');
    assert.equal(metrics[0].kind, 'epoch');
    assert.equal(metrics[0].epoch, 0);
    assert.equal(metrics[0].klPerDim.length, D);
    assert.ok(Number.isFinite(metrics[0].valNegElbo) && metrics[0].activeUnits >= 0 && metrics[0].activeUnits <= D);
    for (const f of ['model/encoder/model.json', 'model/decoder/model.json']) assert.ok(fs.existsSync(path.join(encodedRun, f)), `${f} exists`);
    const idx = readJson(path.join(encodedRun, 'latents', 'index.json'));
    assert.deepEqual([idx.count, idx.latentDim, idx.epoch], [n, D, 0]);
    const readF32 = (f: string) => { const b = fs.readFileSync(f); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
    const mu = readF32(path.join(encodedRun, 'latents', 'mu.f32'));
    assert.equal(mu.length, n * D);
    assert.equal(fs.statSync(path.join(encodedRun, 'latents', 'logvar.f32')).size, n * D * 4);
    assert.equal(fs.statSync(path.join(encodedRun, 'data', 'pixels.u8')).size, n * H * W * C);
    const projection = readJson(path.join(encodedRun, 'latents', 'projection.json'));
    assert.equal(projection.x.length, n);
    assert.ok([...projection.x, ...projection.y].every(Number.isFinite), 'the map has finite coordinates');
    // μ is the loaded encoder's: the model's own run encoded the same images with the same weights.
    const sourceRows = new Map<string, number>(readJson(path.join(modelRun, 'dataset.json')).images.map((im: { path: string }, i: number) => [im.path.split(path.sep).join('/'), i]));
    const sourceMu = readF32(sourceMuFile);
    let compared = 0, worst = 0;
    dataset.images.forEach((im: { path: string }, i: number) => {
      const j = sourceRows.get(im.path.split(path.sep).join('/'));
      if (j === undefined) return; // the model run trained on a subset (maxImages)
      for (let k = 0; k < D; k++) worst = Math.max(worst, Math.abs(mu[i * D + k] - sourceMu[j * D + k]) / (1 + Math.abs(sourceMu[j * D + k])));
      compared++;
    });
    assert.ok(compared > 0, 'some encoded images are also in the model run');
    assert.ok(worst < 1e-3, `μ of the encoded run matches the model run's μ of the same images (worst relative difference ${worst})`);
    assert.equal(fs.statSync(sourceMuFile).mtimeMs, sourceMuMtime, 'the model run itself is left untouched');

    // The panel: it was opened for the encoded run and its webview received the encoded points.
    const lp = api.panel(encodedRun);
    assert.ok(lp, 'Load Model opened a panel for the encoded run');
    type View = { count?: number; files?: string[]; mu?: Float32Array; method?: string; x?: Float32Array; status?: string; epochs: number };
    const view = (): View => {
      const v: View = { epochs: 0 };
      for (const m of posted) {
        if (m.type === 'snapshot') {
          const s = m.snapshot;
          Object.assign(v, { count: s.count, files: s.files, mu: s.latents?.mu, method: s.projection?.method, x: s.projection?.x, status: s.status?.status, epochs: s.epochs.length });
        } else if (m.type === 'latents') v.mu = m.latents.mu;
        else if (m.type === 'projection') { v.method = m.projection.method; v.x = m.projection.x; }
        else if (m.type === 'status') v.status = m.status.status;
        else if (m.type === 'epoch') v.epochs++;
      }
      return v;
    };
    const seen = await waitFor('the panel to show the encoded run', () => {
      const v = view();
      return v.count === n && v.mu && v.x && v.method === projection.method && v.status === 'completed' ? v : undefined;
    }, 60_000).catch((e) => { throw new Error(`${e.message}; the panel got ${JSON.stringify({ messages: posted.map((m) => m.type), ...view(), mu: undefined, x: undefined })}`); })
      .finally(() => created.dispose());
    assert.deepEqual(seen.files!.map((f) => f.split(path.sep).join('/')), dataset.images.map((im: { path: string }) => im.path.split(path.sep).join('/')), 'the panel shows every image, in run order');
    assert.deepEqual([...seen.mu!], [...mu], 'the panel has the encoded μ');
    assert.deepEqual([...seen.x!], projection.x.map((v: number) => Math.fround(v)), 'the panel has the map of the encoded run');
    assert.ok(seen.epochs >= 1, 'the panel has the "epoch 0" metrics');
    assert.equal(lp.stats.invalid, 0, 'every webview message was valid');
    lp.webviewPanel.dispose();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('pauses, continues and stops training (stop writes a final checkpoint)', async function () {
    const runDir = path.join(runsRoot, `it-pause-${Date.now()}`);
    const res = await vscode.commands.executeCommand<{ runDir: string }>('latentLens.trainOnFolder', {
      folder: sample, runDir, epochs: 5, confirm: false, showPanel: false, backend: process.env.LATENT_LENS_BACKEND,
    });
    assert.equal(res?.runDir, runDir);
    const ctl = api.runs.get(runDir)!;
    await nextEvent(ctl, 'step');
    const paused = nextEvent(ctl, 'status', (e) => e.status === 'paused', 60_000);
    assert.equal(await vscode.commands.executeCommand('latentLens.pauseTraining'), true);
    await paused;
    // A step already running when the command arrived may still finish; none after that.
    await new Promise((r) => setTimeout(r, 1000));
    const stepAtPause = ctl.state.step;
    let stepEventsWhilePaused = 0;
    const count = ctl.onDidReceiveEvent((e) => { if (e.type === 'step') stepEventsWhilePaused++; });
    await new Promise((r) => setTimeout(r, 2500));
    count.dispose();
    assert.equal(stepEventsWhilePaused, 0, 'no step events while paused');
    assert.equal(ctl.state.step, stepAtPause, 'no steps while paused');
    assert.equal(ctl.state.status, 'paused');
    assert.match(api.statusBarText(), /debug-pause.*paused/);
    const resumed = nextEvent(ctl, 'step', (e) => e.metrics.step > stepAtPause, 120_000);
    assert.equal(await vscode.commands.executeCommand('latentLens.continueTraining'), true);
    await resumed;
    const checkpoint = nextEvent(ctl, 'checkpoint', () => true, 120_000);
    assert.equal(await vscode.commands.executeCommand('latentLens.stopTraining'), true);
    await checkpoint;
    const exit = await ctl.exited;
    assert.equal(exit.code, 0, exit.message);
    assert.equal(exit.unexpected, false);
    assert.equal(exit.done?.status, 'stopped');
    assert.equal(readJson(path.join(runDir, 'status.json')).status, 'stopped');
    assert.ok(fs.existsSync(path.join(runDir, 'checkpoint.json')), 'final checkpoint');
    assert.equal(api.failures.filter((f) => f.runDir === runDir).length, 0, 'a stop is not reported as a failure');
    assert.equal(ctl.state.status, 'stopped');
    assert.match(api.statusBarText(), /debug-stop.*stopped/, 'a stopped run has its own icon and word, not the check mark of a completed one');
    // After Stop, resuming is one click: the stop message offers it.
    const notice = await waitFor('the stop message', () => api.endNotices.find((n) => n.runDir === runDir), 10_000);
    assert.equal(notice.severity, 'info');
    assert.match(notice.text, /stopped at epoch \d+\/5, step \d+, with a checkpoint to resume from\.$/);
    assert.deepEqual(notice.actions, ['resume', 'show']);
  });

  it('reports a killed trainer with "Resume from last checkpoint", and the run resumes to completion', async function () {
    const runDir = path.join(runsRoot, `it-kill-${Date.now()}`);
    await vscode.commands.executeCommand('latentLens.trainOnFolder', {
      folder: sample, runDir, epochs: 2, maxImages: 640, confirm: false, showPanel: false, backend: process.env.LATENT_LENS_BACKEND,
    });
    const ctl = api.runs.get(runDir)!;
    await nextEvent(ctl, 'checkpoint');
    const reported = new Promise<{ message: string; offeredResume: boolean }>((resolve) => {
      const d = api.onDidReportFailure((f) => { if (f.runDir === runDir) { d.dispose(); resolve(f); } });
    });
    ctl.kill('SIGKILL');
    const failure = await reported;
    assert.match(failure.message, /SIGKILL/);
    assert.equal(failure.offeredResume, true, 'a checkpoint exists, so resuming is offered');
    assert.equal(ctl.state.status, 'failed');
    assert.match(api.statusBarText(), /\$\(error\).*failed/);
    // What the "Resume from last checkpoint" action runs.
    const resumedRun = await vscode.commands.executeCommand<{ runDir: string }>('latentLens.resumeRun', runDir);
    assert.equal(resumedRun?.runDir, runDir);
    const ctl2 = api.runs.get(runDir)!;
    assert.notEqual(ctl2, ctl);
    const started = await nextEvent(ctl2, 'started');
    assert.ok(started.step > 0, `resumed at step ${started.step}`);
    const exit = await ctl2.exited;
    assert.equal(exit.done?.status, 'completed', exit.message);
    assert.equal(readJson(path.join(runDir, 'status.json')).status, 'completed');
  });
  it('a run that cannot start: one message with the trainer\'s reason, no usage text, no panel; a bad value is refused before any process starts', async function () {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'll-no-images-'));
    fs.writeFileSync(path.join(empty, 'notes.txt'), 'not an image');
    const runDir = path.join(runsRoot, `it-cannot-start-${Date.now()}`);
    const reported = new Promise<{ message: string; offeredResume: boolean; started: boolean }>((resolve) => {
      const d = api.onDidReportFailure((f) => { if (f.runDir === runDir) { d.dispose(); resolve(f); } });
    });
    await vscode.commands.executeCommand('latentLens.trainOnFolder', { folder: empty, runDir, epochs: 1, confirm: false, backend: process.env.LATENT_LENS_BACKEND });
    const failure = await reported;
    figures.cannotStartMessage = failure.message;
    assert.equal(failure.started, false);
    assert.match(failure.message, /^Latent Lens: training it-cannot-start-\d+ could not start: no usable image in /);
    assert.doesNotMatch(failure.message, /usage|Last output|ended unexpectedly|\.\.$/);
    assert.equal(failure.offeredResume, false);
    assert.equal(api.failures.filter((f) => f.runDir === runDir).length, 1, 'one message');
    assert.equal(api.panel(runDir), undefined, 'no empty panel for a run that never started');
    // A value the schema refuses never reaches a trainer.
    const before = api.runs.size;
    const bad = path.join(runsRoot, `it-bad-size-${Date.now()}`);
    const res = await vscode.commands.executeCommand('latentLens.trainOnFolder', { folder: sample, runDir: bad, imageSize: 9, confirm: false });
    assert.equal(res, undefined);
    assert.equal(api.runs.size, before, 'no trainer was started');
    assert.ok(!fs.existsSync(bad), 'no run folder was created');
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it('"open this image" opens only image files inside the run\'s data folder, by their real path', async function () {
    // A run of our own: a data folder with one image and a symbolic link that leads out of it.
    const data = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'll-open-data-')));
    const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'll-open-outside-')));
    const png = fs.readdirSync(path.join(sample, 'bag')).find((f) => f.endsWith('.png'))!;
    fs.mkdirSync(path.join(data, 'bag'));
    fs.copyFileSync(path.join(sample, 'bag', png), path.join(data, 'bag', 'a.png'));
    fs.copyFileSync(path.join(sample, 'bag', png), path.join(outside, 'secret.png'));
    fs.symlinkSync(path.join(outside, 'secret.png'), path.join(data, 'bag', 'b.png'));
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'll-open-run-'));
    const images = ['bag/a.png', 'bag/b.png', `../${path.basename(outside)}/secret.png`, 'bag/../../../../../../../etc/passwd'];
    fs.writeFileSync(path.join(runDir, 'dataset.json'), JSON.stringify({ dataDir: data, labels: ['bag'], images: images.map((p) => ({ path: p, label: 0, split: 'train' })) }));
    const openUris = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => (t.input as { uri?: vscode.Uri } | undefined)?.uri?.fsPath).filter(Boolean);
    assert.equal(await api.openImage(runDir, 0), path.join(data, 'bag', 'a.png'));
    await waitFor('the image tab', () => openUris().includes(path.join(data, 'bag', 'a.png')), 10_000);
    for (const i of [1, 2, 3]) assert.equal(await api.openImage(runDir, i), undefined, `image ${i} (${images[i]}) is refused`);
    await new Promise((r) => setTimeout(r, 500));
    const opened = openUris();
    assert.ok(!opened.some((u) => u!.startsWith(outside) || u === '/etc/passwd'), `nothing outside the data folder was opened: ${opened.join(', ')}`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const d of [data, outside, runDir]) fs.rmSync(d, { recursive: true, force: true });
  });
});
