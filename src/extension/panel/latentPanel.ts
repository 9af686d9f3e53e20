/**
 * LatentPanel: the latent-space webview of one run (one panel per run directory).
 *
 * Shape of vscode-extension-samples' webview-sample: `createOrShow()` / `revive()` (for
 * `registerWebviewPanelSerializer`), every listener in `disposables`, CSP `default-src 'none'`
 * with a per-load nonce, `localResourceRoots` limited to the built assets (dist/), everything
 * loaded through `asWebviewUri`. The page itself is built by src/webview/html.ts, the same
 * builder as the standalone report's.
 *
 * The webview is a pure view (src/protocol/panelIpc.ts): it sends `ready` and *pulls* its whole
 * state as one `snapshot` (built by `loadRunSnapshot` from the run directory), then receives small
 * incremental events relayed from the trainer. A hidden panel's webview is torn down (no
 * `retainContextWhenHidden`) and catches up by pulling again when it is shown. Closing the panel
 * never stops training.
 *
 * The panel subscribes to its Run (runs/run.ts) through the registry — the one it finds when it
 * opens, and any Run later started in its folder (a resume): trainer events become view
 * messages, and the header's status (status, epoch, step, backend) comes from the Run's state,
 * the same state the status bar and the progress notification show.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrainerEvent } from '../../protocol/trainerIpc';
import {
  decodeU32, parseFromWebviewMessage, type FromWebviewMessage, type RunSnapshot, type ToWebviewMessage, type ViewStatus,
} from '../../protocol/panelIpc';
import {
  loadRunSnapshot, readViewDecoder, readViewLatents, readViewProjection, readViewStatus,
} from '../../run/runSnapshot';
import { makeNonce, renderWebviewHtml } from '../../webview/html';
import type { Run, RunExit } from '../runs/run';
import type { RunRegistry } from '../runs/registry';
import { displayEpoch } from '../runs/runText';
import { disposeAll } from '../runs/emitter';

export const VIEW_TYPE = 'latentLens.latentSpace';

/** What the host lets the rest of the extension (and the tests) see of a panel. */
export interface PanelHooks {
  /** The runs of this session: the panel follows the latest Run of its folder. */
  runs: RunRegistry;
  log(message: string): void;
  maxPoints(): number;
  openFile(runDir: string, index: number): void;
}

/** Persisted with the webview (see the state shim in `html()`), read back by the serializer. */
export interface PanelState {
  latentLensRunDir?: string;
}

export class LatentPanel {
  private static readonly panels = new Map<string, LatentPanel>();
  private static readonly created = new vscode.EventEmitter<LatentPanel>();
  private static readonly closed = new vscode.EventEmitter<LatentPanel>();
  /** Fires when a panel is created or revived. */
  static readonly onDidCreate = LatentPanel.created.event;
  /** Fires when a panel is closed. */
  static readonly onDidDispose = LatentPanel.closed.event;

  readonly runDir: string;
  private readonly panel: vscode.WebviewPanel;
  private readonly extensionUri: vscode.Uri;
  private readonly hooks: PanelHooks;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly received = new vscode.EventEmitter<FromWebviewMessage>();
  private readonly sent = new vscode.EventEmitter<ToWebviewMessage>();
  /** Every valid message from the webview. */
  readonly onDidReceiveMessage = this.received.event;
  /** Every message posted to the webview (type only matters for tests and logging). */
  readonly onDidPostMessage = this.sent.event;
  private webviewReady = false;
  /** The point index of the last snapshot (null = identity) and its size. */
  private pointIndex: Uint32Array | null = null;
  private pointCount = 0;
  private pendingSteps: Extract<ToWebviewMessage, { type: 'metrics' }>['steps'] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** The Run this panel follows, and its subscriptions. */
  private run: Run | undefined;
  private runSubscriptions: vscode.Disposable[] = [];
  private statusTimer: NodeJS.Timeout | undefined;
  /** Counters (for tests and the output channel). */
  readonly stats = { ready: 0, snapshots: 0, posted: 0, received: 0, invalid: 0, lastSnapshotCount: -1 };

  static get all(): LatentPanel[] {
    return [...LatentPanel.panels.values()];
  }

  static get(runDir: string): LatentPanel | undefined {
    return LatentPanel.panels.get(path.resolve(runDir));
  }

  /** Show the run's panel, creating it if needed. */
  static createOrShow(extensionUri: vscode.Uri, runDir: string, hooks: PanelHooks, preserveFocus = false): LatentPanel {
    const key = path.resolve(runDir);
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const existing = LatentPanel.panels.get(key);
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      LatentPanel.title(key),
      { viewColumn: column, preserveFocus },
      LatentPanel.webviewOptions(extensionUri),
    );
    return new LatentPanel(panel, extensionUri, key, hooks);
  }

  /** Restore a panel after a window reload (from the WebviewPanelSerializer). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, runDir: string, hooks: PanelHooks): LatentPanel {
    const key = path.resolve(runDir);
    const existing = LatentPanel.panels.get(key);
    if (existing) existing.dispose();
    panel.webview.options = LatentPanel.webviewOptions(extensionUri);
    return new LatentPanel(panel, extensionUri, key, hooks);
  }

  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
      enableFindWidget: false,
    };
  }

  private static title(runDir: string): string {
    return `Latent Space: ${path.basename(runDir)}`;
  }

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, runDir: string, hooks: PanelHooks) {
    this.panel = panel;
    this.extensionUri = extensionUri;
    this.runDir = runDir;
    this.hooks = hooks;
    LatentPanel.panels.set(runDir, this);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'dist', 'media', 'icon.svg');
    panel.webview.html = this.html();
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m) => this.onMessage(m), null, this.disposables);
    panel.onDidChangeViewState((e) => {
      // A hidden webview is torn down; it sends `ready` again when shown.
      if (!e.webviewPanel.visible) this.webviewReady = false;
    }, null, this.disposables);
    this.disposables.push(this.received, this.sent);
    this.disposables.push(hooks.runs.onDidAdd((run) => { if (path.resolve(run.runDir) === this.runDir) this.follow(run); }));
    const live = hooks.runs.get(runDir);
    if (live) this.follow(live);
    LatentPanel.created.fire(this);
  }

  /** Subscribe to a Run of this folder (replacing the previous one). */
  private follow(run: Run): void {
    for (const d of this.runSubscriptions) d.dispose();
    this.run = run;
    this.runSubscriptions = [
      run.onDidReceiveEvent((e) => void this.onTrainerEvent(e)),
      run.onDidChange(() => this.scheduleStatus()),
      run.onDidExit((exit) => void this.onTrainerExit(exit)),
    ];
  }

  /** The header's status from the Run (undefined when no Run of this session wrote the folder). */
  private liveStatus(): ViewStatus | undefined {
    const run = this.run;
    if (!run || run.state.status === 'starting') return undefined;
    const s = run.state;
    return { status: s.status, epoch: displayEpoch(s), epochs: s.epochs || undefined, step: s.step, backend: s.backend, message: s.failure?.message };
  }

  /** At most 5 status messages a second while training. */
  private scheduleStatus(): void {
    if (this.statusTimer || !this.webviewReady) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      const status = this.liveStatus();
      if (status && this.webviewReady) void this.post({ type: 'status', status });
    }, 200);
  }

  get visible(): boolean {
    return this.panel.visible;
  }

  get webviewPanel(): vscode.WebviewPanel {
    return this.panel;
  }

  reveal(preserveFocus = false): void {
    this.panel.reveal(undefined, preserveFocus);
  }

  /** Relay a trainer event as the matching incremental view message. */
  async onTrainerEvent(e: TrainerEvent): Promise<void> {
    if (this.disposed || !this.webviewReady) return;
    try {
      switch (e.type) {
        case 'started':
          // The dataset is now known: the earlier snapshot had no points.
          await this.sendSnapshot();
          break;
        case 'step':
          this.pendingSteps.push(e.metrics);
          if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flushSteps(), 200);
          break;
        case 'epochEnd':
          this.flushSteps();
          await this.post({ type: 'epoch', metrics: e.metrics });
          break;
        case 'latents': {
          if (this.pointCount === 0 || this.pointCount !== e.count && this.pointIndex === null) { await this.sendSnapshot(); break; }
          const latents = await readViewLatents(this.runDir, this.pointIndex);
          if (latents) await this.post({ type: 'latents', latents });
          break;
        }
        case 'projection': {
          if (this.pointCount === 0) { await this.sendSnapshot(); break; }
          const projection = await readViewProjection(this.runDir, this.pointIndex);
          if (projection) await this.post({ type: 'projection', projection, millis: e.millis });
          break;
        }
        case 'decoderSaved': {
          const decoder = await readViewDecoder(this.runDir, e.step);
          if (decoder) await this.post({ type: 'decoder', decoder });
          break;
        }
        case 'status':
        case 'done':
        case 'checkpoint': {
          this.flushSteps();
          const status = this.liveStatus();
          if (status) await this.post({ type: 'status', status });
          break;
        }
        default:
          break;
      }
    } catch (err) {
      this.hooks.log(`[panel] could not relay ${e.type}: ${(err as Error).message}`);
    }
  }

  /** Tell the webview the trainer process ended. */
  async onTrainerExit(exit: RunExit): Promise<void> {
    if (this.disposed || !this.webviewReady) return;
    this.flushSteps();
    const fromFolder = await readViewStatus(this.runDir);
    const status = this.liveStatus() ?? fromFolder ?? { status: 'failed', step: 0, epoch: 0 };
    await this.post({ type: 'status', status: { ...status, message: exit.message } });
  }

  /** Send the whole state again (e.g. a different run was resumed into this folder). */
  async sendSnapshot(inReplyTo?: number): Promise<RunSnapshot | undefined> {
    let snapshot: RunSnapshot;
    try {
      snapshot = await loadRunSnapshot(this.runDir, { maxPoints: this.hooks.maxPoints() });
    } catch (err) {
      const message = `could not read the run ${this.runDir}: ${(err as Error).message}`;
      this.hooks.log(`[panel] ${message}`);
      await this.post({ type: 'error', inReplyTo, message });
      return undefined;
    }
    this.pointIndex = snapshot.count === snapshot.totalCount ? null : decodeU32(snapshot.index);
    this.pointCount = snapshot.count;
    this.pendingSteps = [];
    this.stats.snapshots++;
    this.stats.lastSnapshotCount = snapshot.count;
    await this.post({ type: 'snapshot', inReplyTo, snapshot });
    // status.json is written at status changes only: the live Run knows the current step.
    const live = this.liveStatus();
    if (live) await this.post({ type: 'status', status: live });
    return snapshot;
  }

  private flushSteps(): void {
    if (this.flushTimer) { clearTimeout(this.flushTimer); this.flushTimer = undefined; }
    if (!this.pendingSteps.length || !this.webviewReady) { this.pendingSteps = []; return; }
    const steps = this.pendingSteps;
    this.pendingSteps = [];
    void this.post({ type: 'metrics', steps });
  }

  private async post(m: ToWebviewMessage): Promise<boolean> {
    if (this.disposed) return false;
    const ok = await this.panel.webview.postMessage(m);
    if (ok) { this.stats.posted++; this.sent.fire(m); }
    return ok;
  }

  private async onMessage(raw: unknown): Promise<void> {
    let m: FromWebviewMessage;
    try {
      m = parseFromWebviewMessage(raw);
    } catch (err) {
      this.stats.invalid++;
      this.hooks.log(`[panel] dropped an invalid webview message: ${(err as Error).message.split('\n')[0]}`);
      return;
    }
    this.stats.received++;
    this.received.fire(m);
    switch (m.type) {
      case 'ready':
        this.stats.ready++;
        this.webviewReady = true;
        await this.sendSnapshot(m.messageId);
        break;
      case 'requestProjection':
        if (!this.run?.requestProjection()) {
          await this.post({ type: 'error', inReplyTo: m.messageId, message: 'The trainer is not running: the projection is recomputed while training runs.' });
        }
        break;
      case 'openFile':
        this.hooks.openFile(this.runDir, m.index);
        break;
      case 'log':
        this.hooks.log(`[webview ${m.level}] ${m.message}`);
        break;
    }
  }

  private html(): string {
    const webview = this.panel.webview;
    const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', ...p)).toString();
    // The run folder must survive a window reload so the serializer can reopen the same run;
    // VS Code persists only what the webview passes to setState. This shim owns the one
    // acquireVsCodeApi() call allowed per page, hands the same object to the panel's script and
    // merges the run folder into every state it saves.
    const shim = `(() => {
  const api = acquireVsCodeApi();
  const runDir = ${JSON.stringify(this.runDir).replace(/</g, '\\u003c')};
  const setState = api.setState.bind(api);
  const wrapped = Object.freeze({
    postMessage: (m) => api.postMessage(m),
    getState: () => api.getState(),
    setState: (s) => setState(Object.assign({}, s && typeof s === 'object' ? s : {}, { latentLensRunDir: runDir })),
  });
  wrapped.setState(api.getState());
  window.acquireVsCodeApi = () => wrapped;
})();`;
    return renderWebviewHtml({
      nonce: makeNonce(),
      cspSource: webview.cspSource,
      title: LatentPanel.title(this.runDir),
      // Marks the panel's page (the UI test finds the webview frame by it).
      bodyData: { 'run-dir': this.runDir },
      styles: [{ href: asset('media', 'webview.css') }],
      scripts: [{ inline: shim }, { href: asset('webview.js') }],
      // The decoder in the webview runs on tfjs's wasm backend; its binaries sit in dist/.
      wasm: { simd: asset('tfjs-backend-wasm-simd.wasm'), plain: asset('tfjs-backend-wasm.wasm') },
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.statusTimer) clearTimeout(this.statusTimer);
    if (LatentPanel.panels.get(this.runDir) === this) LatentPanel.panels.delete(this.runDir);
    this.panel.dispose();
    disposeAll(this.runSubscriptions);
    disposeAll(this.disposables);
    LatentPanel.closed.fire(this);
  }
}
