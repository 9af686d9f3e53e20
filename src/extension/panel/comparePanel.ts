/**
 * ComparePanel: the Compare Runs webview (issue 10) — 2–4 run folders in one panel, a panel type
 * of its own (view type `latentLens.compare`, its serializer in compareSerializer.ts). The page is
 * the compare mode of the webview bundle (src/webview/compare): it sends the request `ready` and
 * gets every run as one `compareSnapshot` (a RunSnapshot per run, read by `loadRunSnapshot`
 * with a smaller sample per run, no decoder, no pixels).
 *
 * Following runs that are still written (a live sweep, a run training here or elsewhere): a run
 * folder with a live Run in the registry (trained by this window, or followed from its folder by
 * Open Run: runs/followedRun.ts) refreshes the comparison when that Run reports an epoch end, new
 * latents, a new map or its end (`watchRuns`, debounced by REFRESH_MS). Polling stays as the
 * fallback for the rest (a sweep written by a process nobody follows): every POLL_MS it stats the
 * runs' metrics, latents, projection and status files and, when one changed, sends a fresh
 * `compareSnapshot` event. Both compare the files' key, so a change is sent once.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FromWebviewMessage, type CompareSnapshot, type ToWebviewMessage } from '../../protocol/panelIpc';
import { Endpoint, parserOf, type Wire } from '../../protocol/rpc';
import { runPaths } from '../../run/runDir';
import { loadRunSnapshot } from '../../run/runSnapshot';
import { testHooksRequested } from '../../webview/html';
import { compareHtml } from './compareHtml';
import type { PanelHooks } from './latentPanel';
import type { Run } from '../runs/run';

export const COMPARE_VIEW_TYPE = 'latentLens.compare';
/** Points per run in a comparison (the single-run panel's maxPoints setting, at most this). */
export const COMPARE_MAX_POINTS = 8000;
const POLL_MS = 2000;
/** A live Run's events come in bursts (epoch end, latents, projection): one refresh after them. */
const REFRESH_MS = 300;
const REFRESH_ON = new Set(['epochEnd', 'latents', 'projection', 'done']);

export interface ComparePanelState {
  latentLensCompareRunDirs?: string[];
}

export class ComparePanel {
  private static readonly panels = new Map<string, ComparePanel>();
  private static readonly created = new vscode.EventEmitter<ComparePanel>();
  static readonly onDidCreate = ComparePanel.created.event;

  readonly runDirs: string[];
  private readonly key: string;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly received = new vscode.EventEmitter<FromWebviewMessage>();
  /** Every valid message from the webview (the integration test's channel answers come here). */
  readonly onDidReceiveMessage = this.received.event;
  private readonly endpoint: Endpoint<ToWebviewMessage, FromWebviewMessage>;
  private webviewReady = false;
  private filesKey = '';
  private pollTimer: NodeJS.Timeout;
  private polling = false;
  private disposed = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** The Run each run folder is subscribed to (the registry keeps the latest Run of a folder). */
  private readonly watched = new Map<string, { run: Run; sub: vscode.Disposable }>();
  readonly stats = { snapshots: 0, refreshes: 0, runEvents: 0 };

  static get all(): ComparePanel[] {
    return [...ComparePanel.panels.values()];
  }

  static createOrShow(extensionUri: vscode.Uri, runDirs: string[], hooks: PanelHooks): ComparePanel {
    const dirs = runDirs.map((d) => path.resolve(d));
    const existing = ComparePanel.panels.get(dirs.join('\n'));
    if (existing) { existing.panel.reveal(); return existing; }
    const panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, ComparePanel.title(dirs), vscode.ViewColumn.Active, ComparePanel.webviewOptions(extensionUri));
    return new ComparePanel(panel, extensionUri, dirs, hooks);
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, runDirs: string[], hooks: PanelHooks): ComparePanel {
    const dirs = runDirs.map((d) => path.resolve(d));
    ComparePanel.panels.get(dirs.join('\n'))?.dispose();
    panel.webview.options = ComparePanel.webviewOptions(extensionUri);
    return new ComparePanel(panel, extensionUri, dirs, hooks);
  }

  private static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')], enableFindWidget: false };
  }

  private static title(runDirs: string[]): string {
    return `Compare: ${runDirs.map((d) => path.basename(d)).join(' · ')}`;
  }

  private constructor(private readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, runDirs: string[], private readonly hooks: PanelHooks) {
    this.runDirs = runDirs;
    this.key = runDirs.join('\n');
    ComparePanel.panels.set(this.key, this);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'dist', 'media', 'icon.svg');
    const testHooks = hooks.extensionMode === vscode.ExtensionMode.Test || testHooksRequested(process.env);
    panel.webview.html = compareHtml(panel.webview, extensionUri, runDirs, ComparePanel.title(runDirs), testHooks);
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.onDidChangeViewState((e) => { if (!e.webviewPanel.visible) this.webviewReady = false; }, null, this.disposables);
    this.endpoint = new Endpoint(this.wire(), {
      parse: parserOf(FromWebviewMessage),
      onInvalid: (error) => hooks.log(`[compare] dropped an invalid webview message: ${error}`),
    });
    this.endpoint.onRequest((m) => this.onRequest(m));
    this.endpoint.onEvent((m) => {
      this.received.fire(m);
      if (m.type === 'log') hooks.log(`[compare webview ${m.level}] ${m.message}`);
    });
    this.disposables.push(this.received);
    this.pollTimer = setInterval(() => void this.poll(), POLL_MS);
    this.watchRuns();
    this.disposables.push(hooks.runs.onDidAdd(() => this.watchRuns()));
    ComparePanel.created.fire(this);
  }

  get webviewPanel(): vscode.WebviewPanel {
    return this.panel;
  }

  /** Every run as the page shows it. */
  async readCompare(): Promise<CompareSnapshot> {
    const maxPoints = Math.min(COMPARE_MAX_POINTS, this.hooks.maxPoints());
    this.filesKey = await this.currentKey();
    const runs = await Promise.all(this.runDirs.map((d) => loadRunSnapshot(d, { maxPoints, includeDecoder: false, includePixels: false })));
    this.stats.snapshots++;
    return { runs };
  }

  /** "mtime:size" of the files a comparison shows, for every run: unchanged runs give the same key. */
  private async currentKey(): Promise<string> {
    const files = this.runDirs.flatMap((d) => { const p = runPaths(d); return [p.config, p.dataset, p.metrics, p.latentsIndex, p.projection, p.status]; });
    const parts = await Promise.all(files.map((f) => fsp.stat(f).then((st) => `${st.mtimeMs}:${st.size}`, () => '-')));
    return parts.join('|');
  }

  /** Subscribe to the live Run of each run folder (own or followed); a folder's newer Run replaces its older one. */
  private watchRuns(): void {
    for (const dir of this.runDirs) {
      const run = this.hooks.runs.get(dir);
      const had = this.watched.get(dir);
      if (!run || !run.running || had?.run === run) continue;
      had?.sub.dispose();
      const sub = run.onDidReceiveEvent((e) => {
        if (!REFRESH_ON.has(e.type) || this.disposed) return;
        this.stats.runEvents++;
        if (this.refreshTimer) clearTimeout(this.refreshTimer);
        this.refreshTimer = setTimeout(() => { this.refreshTimer = undefined; void this.poll(); }, REFRESH_MS);
      });
      this.watched.set(dir, { run, sub });
    }
  }

  /** A fresh snapshot when a run's files changed: on a live Run's event, and polled as the fallback (see the header). */
  private async poll(): Promise<void> {
    if (this.polling || this.disposed || !this.webviewReady || !this.panel.visible) return;
    this.polling = true;
    try {
      if ((await this.currentKey()) === this.filesKey) return;
      const compare = await this.readCompare();
      this.stats.refreshes++;
      if (!this.disposed) this.endpoint.emit({ type: 'compareSnapshot', compare });
    } catch (err) {
      this.hooks.log(`[compare] could not refresh: ${(err as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  private async onRequest(m: FromWebviewMessage): Promise<ToWebviewMessage> {
    this.received.fire(m);
    if (m.type !== 'ready') throw new Error(`"${m.type}" is not a request of the compare panel`);
    this.webviewReady = true;
    try {
      return { type: 'compareSnapshot', compare: await this.readCompare() };
    } catch (err) {
      const message = `could not read the runs ${this.runDirs.join(', ')}: ${(err as Error).message}`;
      this.hooks.log(`[compare] ${message}`);
      throw new Error(message);
    }
  }

  private wire(): Wire {
    const webview = this.panel.webview;
    return {
      post: (envelope) => { if (!this.disposed) void webview.postMessage(envelope).then(undefined, () => undefined); },
      listen: (receive) => { const sub = webview.onDidReceiveMessage(receive); return () => sub.dispose(); },
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.pollTimer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const w of this.watched.values()) w.sub.dispose();
    if (ComparePanel.panels.get(this.key) === this) ComparePanel.panels.delete(this.key);
    this.endpoint.dispose();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
