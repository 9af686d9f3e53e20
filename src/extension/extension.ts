/**
 * Latent Lens — the VS Code side: commands, the trainer processes, progress, the panel.
 *
 * The extension host only orchestrates: every run is a forked `dist/cli.js` (RunController),
 * whose validated TrainerEvents drive the status bar, the progress notification, the output
 * channel and the run's LatentPanel. No tensor math happens on this thread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunController, type RunExit, type RunProgress, type TrainOptions } from './runController';
import { LatentPanel, VIEW_TYPE, type PanelHooks, type PanelState } from './latentPanel';
import { newRunName, readSettings, runsRoot, type Settings } from './settings';

/** Arguments of `latentLens.trainOnFolder` when called programmatically (tests, other extensions). */
export interface TrainCommandArgs extends Partial<Omit<TrainOptions, 'folder' | 'runDir'>> {
  folder: string;
  /** Default: `<runs directory>/<folder name>-<timestamp>`. */
  runDir?: string;
  /** Ask for confirmation of the key settings (default: false when called with arguments). */
  confirm?: boolean;
  /** Open the run's panel (default true). */
  showPanel?: boolean;
  /** Show the cancellable progress notification (default true). */
  showProgress?: boolean;
}

/** Arguments of `latentLens.loadModel` when called programmatically (tests, other extensions): no pickers. */
export interface LoadModelCommandArgs {
  /** A run folder, its model/ folder, or any folder with encoder/ and decoder/ (TensorFlow.js layers format). */
  modelDir: string;
  /** The images to encode; without it, a folder picker (or, if cancelled, the model's own run). */
  folder?: string;
  /** Default: `<runs directory>/<folder name>-<timestamp>-encoded`. */
  runDir?: string;
  /** Default: the latentLens.backend setting. */
  backend?: string;
}

/** What `activate` returns: the extension's live state, for tests and other extensions. */
export interface LatentLensApi {
  readonly extensionUri: vscode.Uri;
  readonly cliPath: string;
  /** Live and finished runs of this session, by resolved run folder. */
  readonly runs: ReadonlyMap<string, RunController>;
  /** Runs that ended unexpectedly and were reported to the user. */
  readonly failures: { runDir: string; message: string; offeredResume: boolean }[];
  readonly onDidReportFailure: vscode.Event<{ runDir: string; message: string; offeredResume: boolean }>;
  readonly onDidStartRun: vscode.Event<RunController>;
  readonly onDidCreatePanel: vscode.Event<LatentPanel>;
  panels(): LatentPanel[];
  panel(runDir: string): LatentPanel | undefined;
  statusBarText(): string;
  train(args: TrainCommandArgs): Promise<RunController>;
  resume(runDir: string): Promise<RunController>;
  /** The WebviewPanelSerializer's restore step (what VS Code calls after a window reload). */
  deserialize(panel: vscode.WebviewPanel, state: PanelState | undefined): Promise<void>;
}

let api: Extension | undefined;

export function activate(context: vscode.ExtensionContext): LatentLensApi {
  api = new Extension(context);
  return api;
}

export async function deactivate(): Promise<void> {
  // A window reload or shutdown: ask every trainer to write a final checkpoint, so
  // "Open Run…" can resume the run. The trainer also stops by itself on IPC disconnect.
  await api?.stopAll(4000);
  api = undefined;
}

class Extension implements LatentLensApi {
  readonly extensionUri: vscode.Uri;
  readonly cliPath: string;
  readonly runs = new Map<string, RunController>();
  readonly failures: { runDir: string; message: string; offeredResume: boolean }[] = [];
  private readonly output: vscode.OutputChannel;
  private readonly statusBar: vscode.StatusBarItem;
  private readonly failureEmitter = new vscode.EventEmitter<{ runDir: string; message: string; offeredResume: boolean }>();
  private readonly startEmitter = new vscode.EventEmitter<RunController>();
  readonly onDidReportFailure = this.failureEmitter.event;
  readonly onDidStartRun = this.startEmitter.event;
  readonly onDidCreatePanel = LatentPanel.onDidCreate;
  /** The run the status bar and the Pause/Resume/Stop commands refer to. */
  private active: RunController | undefined;
  private readonly hooks: PanelHooks;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.extensionUri = context.extensionUri;
    this.cliPath = path.join(context.extensionPath, 'dist', 'cli.js');
    this.output = vscode.window.createOutputChannel('Latent Lens');
    this.statusBar = vscode.window.createStatusBarItem('latentLens.status', vscode.StatusBarAlignment.Left, 50);
    this.statusBar.name = 'Latent Lens training';
    this.statusBar.command = 'latentLens.showLatentSpace';
    this.hooks = {
      requestProjection: (runDir) => this.runs.get(path.resolve(runDir))?.requestProjection() ?? false,
      log: (m) => this.output.appendLine(m),
      maxPoints: () => readSettings().maxPoints,
      openFile: (runDir, index) => void this.openDatasetFile(runDir, index),
    };
    const reg = (id: string, fn: (arg?: unknown) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
    reg('latentLens.trainOnFolder', (arg?: unknown) => this.trainCommand(arg));
    reg('latentLens.openRun', (arg?: unknown) => this.openRunCommand(arg));
    reg('latentLens.loadModel', (arg?: unknown) => this.loadModelCommand(arg));
    reg('latentLens.showLatentSpace', (arg?: unknown) => this.showCommand(arg));
    reg('latentLens.pauseTraining', (arg?: unknown) => this.controlCommand('pause', arg));
    reg('latentLens.resumeTraining', (arg?: unknown) => this.controlCommand('resume', arg));
    reg('latentLens.stopTraining', (arg?: unknown) => this.controlCommand('stop', arg));
    reg('latentLens.resumeRun', (arg?: unknown) => this.resumeRunCommand(arg));
    reg('latentLens.showLog', () => this.output.show(true));
    context.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state: PanelState | undefined) => this.deserialize(panel, state),
      }),
      this.output, this.statusBar, this.failureEmitter, this.startEmitter,
      { dispose: () => { for (const p of LatentPanel.all) p.dispose(); } },
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.updateContext()),
      // vscode://latent-lens.latent-lens/open?run=<runDir> shows a run: `npm run demo` opens its
      // run this way (`code --open-url …`), which also reaches a VS Code that is already running.
      vscode.window.registerUriHandler({
        handleUri: (uri) => {
          const runDir = new URLSearchParams(uri.query).get('run');
          if (uri.path !== '/open' || !runDir) {
            void vscode.window.showErrorMessage(`Latent Lens: cannot open ${uri.toString(true)}: expected ${uri.scheme}://${uri.authority}/open?run=<run folder>`);
            return;
          }
          void this.openRunCommand(vscode.Uri.file(runDir));
        },
      }),
    );
    this.updateContext();
  }

  // ───────────────────────────── API ─────────────────────────────

  panels(): LatentPanel[] { return LatentPanel.all; }

  async deserialize(panel: vscode.WebviewPanel, state: PanelState | undefined): Promise<void> {
    const runDir = state?.latentLensRunDir;
    if (!runDir || !fs.existsSync(path.join(runDir, 'config.json'))) {
      // The run folder is gone (or the state is unknown): close instead of showing an empty panel.
      panel.dispose();
      return;
    }
    LatentPanel.revive(panel, this.extensionUri, runDir, this.hooks);
  }
  panel(runDir: string): LatentPanel | undefined { return LatentPanel.get(runDir); }
  statusBarText(): string { return this.statusBar.text; }

  async train(args: TrainCommandArgs): Promise<RunController> {
    if (!this.requireTrust('train a model')) throw new Error('Latent Lens: training needs a trusted workspace');
    const settings = readSettings();
    const folder = path.resolve(args.folder);
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) throw new Error(`Latent Lens: ${folder} is not a folder`);
    const runDir = path.resolve(args.runDir ?? path.join(runsRoot(settings, folder), newRunName(folder)));
    const existing = this.runs.get(runDir);
    if (existing?.running) throw new Error(`Latent Lens: a run is already training into ${runDir}`);
    fs.mkdirSync(path.dirname(runDir), { recursive: true });
    const opts: TrainOptions = {
      folder, runDir,
      epochs: args.epochs ?? settings.epochs,
      latentDim: args.latentDim ?? settings.latentDim,
      imageSize: args.imageSize ?? settings.imageSize,
      beta: args.beta ?? settings.beta,
      batchSize: args.batchSize ?? settings.batchSize,
      learningRate: args.learningRate ?? settings.learningRate,
      klWarmupSteps: args.klWarmupSteps ?? settings.klWarmupSteps,
      freeBits: args.freeBits ?? settings.freeBits,
      backend: args.backend ?? settings.backend,
      maxImages: args.maxImages ?? (settings.maxImages || undefined),
      seed: args.seed, logEvery: args.logEvery, extraArgs: args.extraArgs,
    };
    this.output.appendLine(`▶ Training on ${folder}\n  run folder: ${runDir}`);
    const ctl = RunController.train(this.cliPath, opts, this.spawnOptions());
    this.attach(ctl, { showPanel: args.showPanel ?? true, showProgress: args.showProgress ?? true, title: `Training VAE on ${path.basename(folder)}` });
    return ctl;
  }

  async resume(runDir: string, opts: { showPanel?: boolean; showProgress?: boolean } = {}): Promise<RunController> {
    if (!this.requireTrust('resume training')) throw new Error('Latent Lens: training needs a trusted workspace');
    runDir = path.resolve(runDir);
    const existing = this.runs.get(runDir);
    if (existing?.running) return existing;
    if (!fs.existsSync(path.join(runDir, 'config.json'))) throw new Error(`Latent Lens: ${runDir} is not a run folder (no config.json)`);
    this.output.appendLine(`▶ Resuming ${runDir}`);
    const ctl = RunController.resume(this.cliPath, runDir, { backend: readSettings().backend }, this.spawnOptions());
    this.attach(ctl, { showPanel: opts.showPanel ?? true, showProgress: opts.showProgress ?? true, title: `Resuming VAE run ${path.basename(runDir)}` });
    return ctl;
  }

  async stopAll(graceMs: number): Promise<void> {
    await Promise.all([...this.runs.values()].filter((r) => r.running).map((r) => r.stop(graceMs)));
  }

  // ───────────────────────────── commands ─────────────────────────────

  private async trainCommand(arg: unknown): Promise<{ runDir: string } | undefined> {
    try {
      let folder: string | undefined;
      let args: TrainCommandArgs | undefined;
      if (arg instanceof vscode.Uri) folder = arg.fsPath;
      else if (arg && typeof arg === 'object' && typeof (arg as TrainCommandArgs).folder === 'string') {
        args = arg as TrainCommandArgs;
        folder = args.folder;
      }
      if (!this.requireTrust('train a model')) return undefined;
      if (!folder) {
        const picked = await vscode.window.showOpenDialog({
          canSelectFolders: true, canSelectFiles: false, canSelectMany: false,
          openLabel: 'Train on this folder',
          title: 'VAE: Train on Folder — a folder of images (labels = subfolder names)',
          defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
        });
        if (!picked?.length) return undefined;
        folder = picked[0].fsPath;
      }
      args = { ...(args ?? {}), folder };
      const settings = readSettings();
      const confirm = args.confirm ?? (arg === undefined || arg instanceof vscode.Uri ? settings.confirmBeforeTraining : false);
      if (confirm) {
        const confirmed = await this.confirmSettings(folder, settings, args);
        if (!confirmed) return undefined;
        args = confirmed;
      }
      const ctl = await this.train(args);
      return { runDir: ctl.runDir };
    } catch (e) {
      void vscode.window.showErrorMessage((e as Error).message);
      return undefined;
    }
  }

  /** A quick pick of the key settings, each editable; resolves with the chosen values. */
  private async confirmSettings(folder: string, s: Settings, args: TrainCommandArgs): Promise<TrainCommandArgs | undefined> {
    const values = {
      imageSize: args.imageSize ?? s.imageSize,
      latentDim: args.latentDim ?? s.latentDim,
      epochs: args.epochs ?? s.epochs,
      beta: args.beta ?? s.beta,
    };
    type Key = keyof typeof values;
    const fields: { key: Key; label: string; hint: string; check: (v: string) => string | undefined }[] = [
      { key: 'imageSize', label: 'Image size', hint: 'pixels per side (N) or HxW; images are resized to it', check: (v) => /^\d+(x\d+)?$/i.test(v.trim()) ? undefined : 'N or HxW, e.g. 28 or 32x48' },
      { key: 'latentDim', label: 'Latent dimensions', hint: 'size of z', check: (v) => /^\d+$/.test(v.trim()) && +v >= 1 && +v <= 512 ? undefined : 'a whole number from 1 to 512' },
      { key: 'epochs', label: 'Epochs', hint: 'passes over the data', check: (v) => /^\d+$/.test(v.trim()) && +v >= 1 ? undefined : 'a whole number ≥ 1' },
      { key: 'beta', label: 'β', hint: 'weight of the KL term (β-VAE)', check: (v) => v.trim() !== '' && Number.isFinite(+v) && +v >= 0 ? undefined : 'a number ≥ 0' },
    ];
    for (;;) {
      type Item = vscode.QuickPickItem & { key?: Key | 'start' };
      const items: Item[] = [
        { label: '$(play) Start training', description: path.basename(folder), key: 'start', alwaysShow: true },
        { label: '', kind: vscode.QuickPickItemKind.Separator },
        ...fields.map((f) => ({ label: `${f.label}: ${values[f.key]}`, description: f.hint, detail: undefined, key: f.key })),
      ];
      const pick = await vscode.window.showQuickPick(items, {
        title: `VAE: Train on ${path.basename(folder)}`,
        placeHolder: 'Enter starts training; pick a setting to change it (defaults: Settings › Latent Lens)',
        ignoreFocusOut: true,
      });
      if (!pick) return undefined;
      if (pick.key === 'start') break;
      const field = fields.find((f) => f.key === pick.key)!;
      const v = await vscode.window.showInputBox({ title: field.label, prompt: field.hint, value: String(values[field.key]), validateInput: field.check, ignoreFocusOut: true });
      if (v === undefined) continue;
      (values as Record<Key, number | string>)[field.key] = field.key === 'imageSize' && /x/i.test(v) ? v.trim() : Number(v);
    }
    return { ...args, ...values };
  }

  private async openRunCommand(arg: unknown): Promise<LatentPanel | undefined> {
    let runDir: string | undefined;
    let resume: boolean | undefined;
    if (arg instanceof vscode.Uri) runDir = arg.fsPath;
    else if (typeof arg === 'string') runDir = arg;
    else if (arg && typeof arg === 'object' && typeof (arg as { runDir?: unknown }).runDir === 'string') {
      runDir = (arg as { runDir: string }).runDir;
      resume = (arg as { resume?: boolean }).resume;
    }
    if (!runDir) {
      const root = runsRoot(readSettings());
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Open run',
        title: 'VAE: Open Run… — a run folder (with config.json)',
        defaultUri: vscode.Uri.file(fs.existsSync(root) ? root : path.dirname(root)),
      });
      if (!picked?.length) return undefined;
      runDir = picked[0].fsPath;
    }
    runDir = path.resolve(runDir);
    if (!fs.existsSync(path.join(runDir, 'config.json'))) {
      void vscode.window.showErrorMessage(`Latent Lens: ${runDir} is not a run folder (it has no config.json).`);
      return undefined;
    }
    const panel = LatentPanel.createOrShow(this.extensionUri, runDir, this.hooks);
    const live = this.runs.get(runDir);
    if (live?.running) { this.setActive(live); return panel; }
    const info = readRunInfo(runDir);
    if (info.resumable) {
      const what = `${path.basename(runDir)} is ${info.status ?? 'interrupted'} at epoch ${info.epoch}/${info.epochs}.`;
      const go = resume ?? (await vscode.window.showInformationMessage(`${what} Resume training from its last checkpoint?`, 'Resume Training')) === 'Resume Training';
      if (go) await this.resume(runDir);
    }
    return panel;
  }

  private async loadModelCommand(arg: unknown): Promise<{ runDir: string } | undefined> {
    try {
      let modelDir: string | undefined;
      let folder: string | undefined;
      let args: Partial<LoadModelCommandArgs> = {};
      if (arg instanceof vscode.Uri) modelDir = arg.fsPath;
      else if (arg && typeof arg === 'object') {
        args = arg as Partial<LoadModelCommandArgs>;
        modelDir = args.modelDir;
        folder = args.folder;
      }
      if (!modelDir) {
        const picked = await vscode.window.showOpenDialog({
          canSelectFolders: true, canSelectFiles: false, openLabel: 'Load model',
          title: 'VAE: Load Model… — a run folder, or a folder with encoder/ and decoder/ (TensorFlow.js layers format)',
        });
        if (!picked?.length) return undefined;
        modelDir = picked[0].fsPath;
      }
      const model = findModel(modelDir);
      if (!model) {
        void vscode.window.showErrorMessage(`Latent Lens: no encoder/decoder pair in ${modelDir} (expected model/encoder/model.json and model/decoder/model.json, or encoder/ and decoder/).`);
        return undefined;
      }
      if (!folder) {
        const picked = await vscode.window.showOpenDialog({
          canSelectFolders: true, canSelectFiles: false, openLabel: 'Encode this folder',
          title: 'VAE: Load Model… — a folder of images to encode and inspect',
        });
        if (!picked?.length) {
          // No folder: show the model's own run if it is one.
          if (model.runDir) { LatentPanel.createOrShow(this.extensionUri, model.runDir, this.hooks); return { runDir: model.runDir }; }
          return undefined;
        }
        folder = picked[0].fsPath;
      }
      if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
        void vscode.window.showErrorMessage(`Latent Lens: cannot encode ${folder}: it is not a folder. Choose a folder of images (labels = subfolder names).`);
        return undefined;
      }
      if (!this.requireTrust('encode a folder')) return undefined;
      const settings = readSettings();
      const runDir = path.resolve(args.runDir ?? path.join(runsRoot(settings, folder), `${newRunName(folder)}-encoded`));
      const backend = args.backend ?? settings.backend;
      this.output.appendLine(`▶ Encoding ${folder} with ${model.dir}\n  run folder: ${runDir}`);
      const ctl = new RunController({ ...this.spawnOptions(), cliPath: this.cliPath, args: ['encode', model.dir, folder, '--out', runDir, '--backend', backend], runDir });
      this.attach(ctl, { showPanel: true, showProgress: true, title: `Encoding ${path.basename(folder)}` });
      return { runDir };
    } catch (e) {
      void vscode.window.showErrorMessage(`Latent Lens: loading the model failed: ${(e as Error).message}`);
      return undefined;
    }
  }

  private async showCommand(arg: unknown): Promise<LatentPanel | undefined> {
    const runDir = argRunDir(arg) ?? this.active?.runDir ?? LatentPanel.all[0]?.runDir;
    if (!runDir) return this.openRunCommand(undefined);
    return LatentPanel.createOrShow(this.extensionUri, runDir, this.hooks);
  }

  private async pickRunning(arg: unknown, verb: string): Promise<RunController | undefined> {
    const runDir = argRunDir(arg);
    if (runDir) return this.runs.get(path.resolve(runDir));
    const live = [...this.runs.values()].filter((r) => r.running);
    if (live.length <= 1) return live[0];
    if (this.active?.running) return this.active;
    const pick = await vscode.window.showQuickPick(live.map((r) => ({ label: path.basename(r.runDir), description: r.progress.status, r })), { title: `VAE: ${verb} which run?` });
    return pick?.r;
  }

  private async controlCommand(what: 'pause' | 'resume' | 'stop', arg: unknown): Promise<boolean> {
    const ctl = await this.pickRunning(arg, what[0].toUpperCase() + what.slice(1));
    if (!ctl?.running) {
      void vscode.window.showInformationMessage('Latent Lens: no training is running.');
      return false;
    }
    if (what === 'pause') return ctl.pause();
    if (what === 'resume') return ctl.resume();
    this.output.appendLine(`■ Stopping ${ctl.runDir} (writing a final checkpoint)`);
    const exit = await ctl.stop();
    return !exit.unexpected;
  }

  private async resumeRunCommand(arg: unknown): Promise<{ runDir: string } | undefined> {
    const runDir = argRunDir(arg);
    if (!runDir) return (await this.openRunCommand(undefined)) ? { runDir: '' } : undefined;
    try {
      const ctl = await this.resume(runDir);
      return { runDir: ctl.runDir };
    } catch (e) {
      void vscode.window.showErrorMessage((e as Error).message);
      return undefined;
    }
  }

  // ───────────────────────────── wiring a run ─────────────────────────────

  private spawnOptions() {
    return {
      cwd: this.context.extensionPath,
      // Inside the Electron build of VS Code, process.execPath is Electron: run it as Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    };
  }

  private attach(ctl: RunController, opts: { showPanel: boolean; showProgress: boolean; title: string }): void {
    const key = path.resolve(ctl.runDir);
    this.runs.set(key, ctl);
    this.setActive(ctl);
    ctl.on('log', (line) => this.output.appendLine(line));
    ctl.on('event', (e) => { void LatentPanel.get(key)?.onTrainerEvent(e); });
    ctl.on('progress', () => { if (this.active === ctl) this.renderStatus(ctl); });
    ctl.on('exit', (exit) => this.onExit(ctl, exit));
    if (opts.showPanel) LatentPanel.createOrShow(this.extensionUri, key, this.hooks, true);
    if (opts.showProgress) this.showProgress(ctl, opts.title);
    this.startEmitter.fire(ctl);
  }

  private showProgress(ctl: RunController, title: string): void {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => {
        this.output.appendLine(`■ Cancelled: stopping ${ctl.runDir} (writing a final checkpoint)`);
        void ctl.stop();
      });
      let reported = 0;
      const onProgress = (p: RunProgress) => {
        const total = p.epochs * p.stepsPerEpoch;
        const pct = total > 0 ? Math.min(100, (100 * p.step) / total) : 0;
        progress.report({ message: progressText(p), increment: Math.max(0, pct - reported) });
        reported = Math.max(reported, pct);
      };
      ctl.on('progress', onProgress);
      try { await ctl.exited; } finally { ctl.off('progress', onProgress); }
    });
  }

  private setActive(ctl: RunController): void {
    this.active = ctl;
    this.renderStatus(ctl);
    void vscode.commands.executeCommand('setContext', 'latentLens.training', true);
  }

  private renderStatus(ctl: RunController): void {
    const p = ctl.progress;
    const icon = p.status === 'paused' ? '$(debug-pause)' : ctl.running ? '$(sync~spin)' : p.status === 'failed' ? '$(error)' : '$(check)';
    this.statusBar.text = `${icon} VAE ${progressText(p)}`;
    this.statusBar.tooltip = new vscode.MarkdownString(`**Latent Lens** — ${path.basename(ctl.runDir)}\n\n${p.status}${p.backend ? ` · backend ${p.backend}` : ''}\n\nClick to show the latent space.`);
    this.statusBar.backgroundColor = p.status === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.statusBar.show();
    void vscode.commands.executeCommand('setContext', 'latentLens.paused', p.status === 'paused');
  }

  private onExit(ctl: RunController, exit: RunExit): void {
    this.output.appendLine(`${exit.unexpected ? '✖' : '✔'} ${path.basename(ctl.runDir)}: ${exit.message} (exit code ${exit.code ?? '—'}${exit.signal ? `, ${exit.signal}` : ''})`);
    if (this.active === ctl) this.renderStatus(ctl);
    const anyRunning = [...this.runs.values()].some((r) => r.running);
    void vscode.commands.executeCommand('setContext', 'latentLens.training', anyRunning);
    const status = exit.unexpected ? 'failed' : (exit.done?.status === 'stopped' || (!exit.done && exit.code === 0) ? 'stopped' : 'completed');
    void LatentPanel.get(ctl.runDir)?.onTrainerExit(status as 'completed' | 'stopped' | 'failed', exit.message);
    if (!exit.unexpected) {
      if (exit.done?.status === 'completed') void vscode.window.showInformationMessage(`Latent Lens: training of ${path.basename(ctl.runDir)} completed.`, 'Show Latent Space').then((a) => { if (a) void this.showCommand(ctl.runDir); });
      return;
    }
    const resumable = fs.existsSync(path.join(ctl.runDir, 'checkpoint.json'));
    const failure = { runDir: ctl.runDir, message: exit.message, offeredResume: resumable };
    this.failures.push(failure);
    this.failureEmitter.fire(failure);
    const actions = resumable ? ['Resume from last checkpoint', 'Show Log'] : ['Show Log'];
    const tail = exit.stderrTail ? ` Last output: ${exit.stderrTail.split('\n').slice(-2).join(' ').slice(0, 300)}` : '';
    void vscode.window.showErrorMessage(`Latent Lens: training of ${path.basename(ctl.runDir)} ended unexpectedly — ${exit.message}.${tail}`, ...actions).then((a) => {
      if (a === 'Resume from last checkpoint') void this.resume(ctl.runDir).catch((e) => vscode.window.showErrorMessage((e as Error).message));
      else if (a === 'Show Log') this.output.show(true);
    });
  }

  private async openDatasetFile(runDir: string, index: number): Promise<void> {
    try {
      const ds = JSON.parse(await fs.promises.readFile(path.join(runDir, 'dataset.json'), 'utf8')) as { dataDir: string; images: { path: string }[] };
      const img = ds.images[index];
      if (!img) return;
      const file = path.resolve(ds.dataDir, img.path);
      // Only files inside the data folder.
      if (!file.startsWith(path.resolve(ds.dataDir) + path.sep)) return;
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.Beside, preview: true });
    } catch (e) {
      this.output.appendLine(`[panel] could not open image ${index}: ${(e as Error).message}`);
    }
  }

  // ───────────────────────────── workspace trust ─────────────────────────────

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', 'latentLens.canTrain', vscode.workspace.isTrusted);
  }

  /**
   * Training runs a program on files of the workspace with settings the workspace may set;
   * in Restricted Mode the extension only shows runs. Returns whether the workspace is trusted.
   */
  private requireTrust(what: string): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(`Latent Lens: to ${what}, trust this workspace (Restricted Mode only lets you view runs).`, 'Manage Workspace Trust')
      .then((a) => { if (a) void vscode.commands.executeCommand('workbench.trust.manage'); });
    return false;
  }
}

// ───────────────────────────── helpers ─────────────────────────────

function argRunDir(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'string' && arg) return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { runDir?: unknown }).runDir === 'string') return (arg as { runDir: string }).runDir;
  return undefined;
}

export function progressText(p: RunProgress): string {
  const parts: string[] = [];
  if (p.status === 'starting') return 'starting…';
  parts.push(`epoch ${Math.min(p.epoch + (p.status === 'completed' ? 0 : 1), Math.max(p.epochs, 1))}/${p.epochs || '?'}`);
  if (p.stepsPerEpoch) parts.push(`step ${p.step}`);
  if (p.loss !== undefined) parts.push(`loss ${p.loss.toFixed(1)}`);
  if (p.imagesPerSec !== undefined && p.status === 'training') parts.push(`${Math.round(p.imagesPerSec)} img/s`);
  if (p.status !== 'training') parts.push(p.status);
  return parts.join(' · ');
}

/** What the run folder says about itself (status.json, checkpoint.json, config.json). */
export function readRunInfo(runDir: string): { status?: string; epoch: number; epochs: number; resumable: boolean } {
  const read = <T>(f: string): Partial<T> | undefined => { try { return JSON.parse(fs.readFileSync(path.join(runDir, f), 'utf8')) as Partial<T>; } catch { return undefined; } };
  const status = read<{ status: string; epoch: number }>('status.json');
  const ckpt = read<{ epoch: number }>('checkpoint.json');
  const config = read<{ training: { epochs: number } }>('config.json');
  const epochs = config?.training?.epochs ?? 0;
  const epoch = ckpt?.epoch ?? status?.epoch ?? 0;
  const finished = status?.status === 'completed';
  return { status: status?.status, epoch, epochs, resumable: !!ckpt && !finished };
}

function findModel(dir: string): { dir: string; runDir?: string } | undefined {
  const has = (d: string) => fs.existsSync(path.join(d, 'encoder', 'model.json')) && fs.existsSync(path.join(d, 'decoder', 'model.json'));
  if (has(path.join(dir, 'model'))) return { dir: path.join(dir, 'model'), runDir: fs.existsSync(path.join(dir, 'config.json')) ? dir : undefined };
  if (has(dir)) return { dir, runDir: fs.existsSync(path.join(dir, '..', 'config.json')) ? path.dirname(dir) : undefined };
  return undefined;
}
