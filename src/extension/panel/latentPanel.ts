/**
 * LatentPanel: the latent-space webview of one run (one panel per run directory).
 *
 * Shape of vscode-extension-samples' webview-sample: `createOrShow()` / `revive()` (for
 * `registerWebviewPanelSerializer`), every listener in `disposables`, CSP `default-src 'none'`
 * with a per-load nonce, `localResourceRoots` limited to the built assets (dist/), everything
 * loaded through `asWebviewUri`. The page itself is built by src/webview/html.ts, the same
 * builder as the standalone report's.
 *
 * The webview is a pure view (src/protocol/panelIpc.ts): it sends the request `ready` and *pulls*
 * its whole state as one `snapshot` reply (built by `loadRunSnapshot` from the run directory), then
 * receives small incremental events relayed from the trainer. Both sides speak through one
 * `Endpoint` (src/protocol/rpc.ts) over the webview's postMessage; typed arrays and the decoder's
 * ArrayBuffer travel as binary (VS Code serialises them beside the JSON, no base64). The pixels
 * and decoder weights are cached between snapshots (`SnapshotCache`) while their files are
 * unchanged, so showing the panel again does not re-read them. A hidden panel's webview is torn down (no
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
  FromWebviewMessage, type RunSnapshot, type ToWebviewMessage, type ViewStatus,
} from '../../protocol/panelIpc';
import { Endpoint, parserOf, type Wire } from '../../protocol/rpc';
import {
  SnapshotCache, loadRunSnapshot, readViewImageRows, readViewProblems, readViewProjection, readViewStatus,
} from '../../run/runSnapshot';
import { testHooksRequested } from '../../webview/html';
import { panelHtml } from './panelHtml';
import { relayTrainerEvent, type RelayTarget } from './trainerRelay';
import type { Run, RunExit } from '../runs/run';
import type { RunRegistry } from '../runs/registry';
import { displayEpoch } from '../runs/runText';
import { disposeAll } from '../runs/emitter';
import { projectOnce, projectedReply } from '../runs/projectOnce';
export const VIEW_TYPE = 'latentLens.latentSpace';

/** What the host lets the rest of the extension (and the tests) see of a panel. */
export interface PanelHooks {
  /** The runs of this session: the panel follows the latest Run of its folder. */
  runs: RunRegistry;
  log(message: string): void;
  maxPoints(): number;
  openFile(runDir: string, index: number): void;
  /** The extension's mode: in `Test` the page loads the test build of the webview (dist/webview.test.js). */
  extensionMode: vscode.ExtensionMode;
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
  /** Every valid message from the webview (requests and events). */
  readonly onDidReceiveMessage = this.received.event;
  /** Every message posted to the webview, events and replies (type only matters for tests and logging). */
  readonly onDidPostMessage = this.sent.event;
  private readonly endpoint: Endpoint<ToWebviewMessage, FromWebviewMessage>;
  /** Pixels and decoder weights between snapshots. */
  private readonly cache = new SnapshotCache();
  private webviewReady = false;
  /** The point index of the last snapshot (null = identity) and its size. */
  private pointIndex: Uint32Array | null = null;
  private pointCount = 0;
  /** What the `images` requests read against (the last snapshot's config and dataset size). */
  private imageSource: Pick<RunSnapshot, 'config' | 'totalCount'> | null = null;
  private diagnosis = 0;
  private pendingSteps: Extract<ToWebviewMessage, { type: 'metrics' }>['steps'] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** The Run this panel follows, and its subscriptions. */
  private run: Run | undefined;
  private runSubscriptions: vscode.Disposable[] = [];
  private statusTimer: NodeJS.Timeout | undefined;
  /** Counters (for tests and the output channel). */
  readonly stats = { ready: 0, snapshots: 0, snapshotReplies: 0, posted: 0, received: 0, invalid: 0, lastSnapshotCount: -1 };

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
    this.endpoint = new Endpoint(this.wire(), {
      parse: parserOf(FromWebviewMessage),
      onInvalid: (error) => {
        this.stats.invalid++;
        this.hooks.log(`[panel] dropped an invalid webview message: ${error}`);
      },
    });
    this.endpoint.onRequest((m) => this.onRequest(m));
    this.endpoint.onEvent((m) => this.onEvent(m));
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
    if (!run) return undefined;
    const s = run.state;
    // While the images load: "decoding images 4,000 / 10,000" (issue 14), not "0 of 0 images shown".
    if (s.status === 'starting') return s.loading ? { status: 'starting', epoch: 0, step: 0, loading: { ...s.loading } } : undefined;
    return { status: s.status, epoch: displayEpoch(s), epochs: s.epochs || undefined, step: s.step, backend: s.backend, message: s.failure?.message };
  }

  /** At most 5 status messages a second while training. */
  private scheduleStatus(): void {
    if (this.statusTimer || !this.webviewReady) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      const status = this.liveStatus();
      if (status && this.webviewReady) this.post({ type: 'status', status });
    }, 200);
  }

  get visible(): boolean {
    return this.panel.visible;
  }

  get webviewPanel(): vscode.WebviewPanel {
    return this.panel;
  }

  /** What the trainer-event relay (./trainerRelay.ts) may see and do of this panel. */
  private get relayTarget(): RelayTarget {
    return {
      runDir: this.runDir, pointIndex: this.pointIndex, pointCount: this.pointCount, cache: this.cache,
      post: (m) => this.post(m),
      queueStep: (m) => { this.pendingSteps.push(m); if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flushSteps(), 200); },
      flushSteps: () => this.flushSteps(),
      sendSnapshot: () => this.sendSnapshot(),
      liveStatus: () => this.liveStatus(),
    };
  }

  reveal(preserveFocus = false): void {
    this.panel.reveal(undefined, preserveFocus);
  }

  /** Relay a trainer event as the matching incremental view message. */
  async onTrainerEvent(e: TrainerEvent): Promise<void> {
    if (this.disposed || !this.webviewReady) return;
    try {
      await relayTrainerEvent(this.relayTarget, e);
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
    this.post({ type: 'status', status: { ...status, message: exit.message } });
  }

  /** Send the whole state again as an event (e.g. a trainer started in this folder). */
  async sendSnapshot(): Promise<RunSnapshot | undefined> {
    try {
      const snapshot = await this.readSnapshot();
      this.post({ type: 'snapshot', snapshot });
      return snapshot;
    } catch (err) {
      this.post({ type: 'error', message: (err as Error).message });
      return undefined;
    }
  }

  /**
   * The run as one snapshot; the header's status from the live Run when there is one (status.json
   * is written at status changes only). Throws a message for the user when the run cannot be read.
   */
  private async readSnapshot(): Promise<RunSnapshot> {
    let snapshot: RunSnapshot;
    try {
      snapshot = await loadRunSnapshot(this.runDir, { maxPoints: this.hooks.maxPoints(), cache: this.cache, diagnose: false });
    } catch (err) {
      const message = `could not read the run ${this.runDir}: ${(err as Error).message}`;
      this.hooks.log(`[panel] ${message}`);
      throw new Error(message);
    }
    this.pointIndex = snapshot.count === snapshot.totalCount ? null : snapshot.index;
    this.pointCount = snapshot.count;
    this.imageSource = { config: snapshot.config, totalCount: snapshot.totalCount };
    this.pendingSteps = [];
    this.stats.snapshots++;
    this.stats.lastSnapshotCount = snapshot.count;
    const live = this.liveStatus();
    this.diagnoseLater();
    return live ? { ...snapshot, status: live } : snapshot;
  }

  /**
   * The damaged files (issue 14) of a run no trainer is writing, as a `problems` event after the
   * snapshot rather than inside it: the diagnosis reads every file once more (issue 13: seconds at
   * 200,000 points), and the page draws meanwhile. Nothing is sent for a sound run.
   */
  private diagnoseLater(): void {
    const gen = ++this.diagnosis;
    if (this.run?.running) return;
    setTimeout(() => void readViewProblems(this.runDir).then((problems) => {
      if (gen === this.diagnosis && problems.length && this.webviewReady && !this.disposed) this.post({ type: 'problems', problems });
    }, (err: Error) => this.hooks.log(`[panel] could not check the run's files: ${err.message}`)), 0);
  }

  private flushSteps(): void {
    if (this.flushTimer) { clearTimeout(this.flushTimer); this.flushTimer = undefined; }
    if (!this.pendingSteps.length || !this.webviewReady) { this.pendingSteps = []; return; }
    const steps = this.pendingSteps;
    this.pendingSteps = [];
    this.post({ type: 'metrics', steps });
  }

  /** The host's side of the wire: the webview's postMessage out (counted, and told to `onDidPostMessage`), its messages in. */
  private wire(): Wire {
    const webview = this.panel.webview;
    return {
      post: (envelope) => {
        if (this.disposed) return;
        void webview.postMessage(envelope).then((ok) => {
          if (!ok) return;
          this.stats.posted++;
          if (envelope.kind === 'event' || envelope.kind === 'reply') this.sent.fire(envelope.message as ToWebviewMessage);
        }, () => undefined);
      },
      listen: (receive) => {
        const sub = webview.onDidReceiveMessage(receive);
        return () => sub.dispose();
      },
    };
  }

  /** An event to the webview. */
  private post(m: ToWebviewMessage): void {
    if (!this.disposed) this.endpoint.emit(m);
  }

  /** The webview's requests: `ready` (the reply is the snapshot), `requestProjection`. */
  private async onRequest(m: FromWebviewMessage): Promise<ToWebviewMessage> {
    this.stats.received++;
    this.received.fire(m);
    switch (m.type) {
      case 'ready': {
        this.stats.ready++;
        this.webviewReady = true;
        const snapshot = await this.readSnapshot();
        this.stats.snapshotReplies++;
        return { type: 'snapshot', snapshot };
      }
      case 'requestProjection': {
        if (this.run?.running) return projectedReply(await this.run.requestProjection());
        // No trainer (a finished run): `latent-lens project` once, then the new layout (issue 14).
        if (!vscode.workspace.isTrusted) throw new Error('Recomputing the projection runs the trainer, which needs a trusted workspace.');
        const done = await projectOnce(path.join(this.extensionUri.fsPath, 'dist', 'cli.js'), this.runDir);
        const projection = await readViewProjection(this.runDir, this.pointIndex);
        if (projection) this.post({ type: 'projection', projection, millis: done.millis });
        return projectedReply(done);
      }
      case 'images': { // originals on demand (issue 13): only the rows the page shows, never the whole file
        const src = this.imageSource;
        const images = src && await readViewImageRows(this.runDir, src.config, src.totalCount, m.rows);
        if (!images) throw new Error('This run has no original images (data/pixels.u8).');
        return { type: 'images', images };
      }
      case 'control': // Live control (issue 10): own runs and followed runs alike (Run.control).
        if (!this.run?.running) throw new Error('No trainer is running this run: start or resume it first.');
        await this.run.control(m.request);
        return { type: 'controlled', message: m.request.kind === 'set' ? 'sent; the trainer applies it at its next step' : `${m.request.kind} sent` };
      default:
        throw new Error(`"${m.type}" is not a request`);
    }
  }

  private onEvent(m: FromWebviewMessage): void {
    this.stats.received++;
    this.received.fire(m);
    switch (m.type) {
      case 'openFile':
        this.hooks.openFile(this.runDir, m.index);
        break;
      case 'log':
        this.hooks.log(`[webview ${m.level}] ${m.message}`);
        break;
      default:
        break;
    }
  }

  private html(): string {
    const testHooks = this.hooks.extensionMode === vscode.ExtensionMode.Test || testHooksRequested(process.env);
    return panelHtml(this.panel.webview, this.extensionUri, this.runDir, LatentPanel.title(this.runDir), testHooks);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.statusTimer) clearTimeout(this.statusTimer);
    if (LatentPanel.panels.get(this.runDir) === this) LatentPanel.panels.delete(this.runDir);
    this.endpoint.dispose();
    this.panel.dispose();
    disposeAll(this.runSubscriptions);
    disposeAll(this.disposables);
    LatentPanel.closed.fire(this);
  }
}
