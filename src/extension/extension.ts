/**
 * Latent Lens — the VS Code side. This file only builds the objects and registers them: commands,
 * the panel serializer, the URI handler. Where each job lives:
 *
 *   runs/      the Run model (state + events) of each trainer process, the registry of runs, the
 *              forked trainer's command lines, what a run folder (untrusted input) may make the
 *              extension do, the texts users see (no `vscode`; the run directory is read only
 *              through src/run)
 *   ui/        status bar, progress notification, end-of-run notifications, output channel,
 *              context keys, workspace trust — each subscribes to the registry or a Run
 *   panel/     the latent-space webview panel (follows its Run), its serializer
 *   commands/  one file per command (or small group), the train wizard, the launcher
 *
 * No tensor math happens on this thread: every run is a forked `dist/cli.js` (DESIGN.md).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { installNativeBackendCommand } from './commands/installNativeBackend';
import { RunLauncher, type LoadModelCommandArgs, type TrainCommandArgs } from './commands/launcher';
import { loadModel } from './commands/loadModel';
import { registerCompareRuns } from './commands/compareRuns';
import { openRun, openRunFromUri } from './commands/openRun';
import { resumeRun } from './commands/resumeRun';
import type { Services } from './commands/services';
import { showLatentSpace } from './commands/showLatentSpace';
import { trainOnFolder } from './commands/train';
import { controlTraining } from './commands/trainingControls';
import { LatentPanel, VIEW_TYPE, type PanelHooks, type PanelState } from './panel/latentPanel';
import { openDatasetImage } from './panel/openImage';
import { LatentPanelSerializer } from './panel/serializer';
import { RunRegistry } from './runs/registry';
import type { Run } from './runs/run';
import { readUiSettings } from './settings';
import { ContextKeys } from './ui/contextKeys';
import { RunEndNotifier, type RunEndReport, type RunFailureReport } from './ui/notifications';
import { RunLog } from './ui/runLog';
import { RunStatusBar } from './ui/statusBar';

export type { LoadModelCommandArgs, TrainCommandArgs, RunEndReport, RunFailureReport };

/** What `activate` returns: the extension's live state, for tests and other extensions. */
export interface LatentLensApi {
  readonly extensionUri: vscode.Uri;
  readonly cliPath: string;
  /** This session's runs: the latest Run of each run folder (`get(runDir)`), and the active one. */
  readonly runs: RunRegistry;
  /** Runs that ended unexpectedly and were reported to the user. */
  readonly failures: readonly RunFailureReport[];
  readonly onDidReportFailure: vscode.Event<RunFailureReport>;
  /** Every message shown at the end of a run (completed, stopped, failed), with its actions. */
  readonly endNotices: readonly RunEndReport[];
  readonly onDidNotifyEnd: vscode.Event<RunEndReport>;
  readonly onDidStartRun: vscode.Event<Run>;
  readonly onDidCreatePanel: vscode.Event<LatentPanel>;
  panels(): LatentPanel[];
  panel(runDir: string): LatentPanel | undefined;
  statusBarText(): string;
  train(args: TrainCommandArgs): Promise<Run>;
  resume(runDir: string): Promise<Run>;
  /** The panel's "open this image" for point `index` of a run: the real path opened, or undefined when refused. */
  openImage(runDir: string, index: number): Promise<string | undefined>;
  /** The WebviewPanelSerializer's restore step (what VS Code calls after a window reload). */
  deserialize(panel: vscode.WebviewPanel, state: PanelState | undefined): Promise<void>;
}

let runs: RunRegistry | undefined;

export function activate(context: vscode.ExtensionContext): LatentLensApi {
  const registry = new RunRegistry();
  runs = registry;
  const log = new RunLog(registry);
  const statusBar = new RunStatusBar(registry);
  const notifier = new RunEndNotifier(registry);
  const contextKeys = new ContextKeys(registry, () => LatentPanel.all.map((p) => p.runDir));
  const hooks: PanelHooks = {
    runs: registry,
    log: (m) => log.appendLine(m),
    maxPoints: () => readUiSettings().maxPoints,
    openFile: (runDir, index) => void openDatasetImage(runDir, index, (m) => log.appendLine(m)),
    extensionMode: context.extensionMode,
  };
  const showPanel = (runDir: string, preserveFocus = false) => LatentPanel.createOrShow(context.extensionUri, runDir, hooks, preserveFocus);
  const cliPath = path.join(context.extensionPath, 'dist', 'cli.js');
  const launcher = new RunLauncher({ cliPath, extensionPath: context.extensionPath, runs: registry, log: (m) => log.appendLine(m), showPanel });
  const s: Services = { extensionUri: context.extensionUri, runs: registry, launcher, log, contextKeys, showPanel };
  const serializer = new LatentPanelSerializer(context.extensionUri, hooks);

  const commands: Record<string, (arg?: unknown) => unknown> = {
    'latentLens.trainOnFolder': (arg) => trainOnFolder(s, arg),
    'latentLens.openRun': (arg) => openRun(s, arg),
    'latentLens.loadModel': (arg) => loadModel(s, arg),
    'latentLens.showLatentSpace': (arg) => showLatentSpace(s, arg),
    'latentLens.pauseTraining': (arg) => controlTraining(s, 'pause', arg),
    'latentLens.continueTraining': (arg) => controlTraining(s, 'continue', arg),
    'latentLens.stopTraining': (arg) => controlTraining(s, 'stop', arg),
    'latentLens.resumeRun': (arg) => resumeRun(s, arg),
    'latentLens.showLog': () => log.show(),
    'latentLens.installNativeBackend': installNativeBackendCommand(s, context.globalStorageUri.fsPath),
  };
  for (const [id, fn] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  context.subscriptions.push(registerCompareRuns(context.extensionUri, s, hooks)); // Compare Runs (issue 10): command, panel serializer
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, serializer),
    vscode.window.registerUriHandler({ handleUri: (uri) => openRunFromUri(s, uri) }),
    LatentPanel.onDidCreate(() => contextKeys.update()),
    LatentPanel.onDidDispose(() => contextKeys.update()),
    { dispose: () => { for (const p of LatentPanel.all) p.dispose(); } },
    contextKeys, notifier, statusBar, log, registry,
  );

  return {
    extensionUri: context.extensionUri,
    cliPath,
    runs: registry,
    failures: notifier.failures,
    onDidReportFailure: notifier.onDidReportFailure,
    endNotices: notifier.notices,
    onDidNotifyEnd: notifier.onDidNotify,
    onDidStartRun: registry.onDidAdd,
    onDidCreatePanel: LatentPanel.onDidCreate,
    panels: () => LatentPanel.all,
    panel: (runDir) => LatentPanel.get(runDir),
    statusBarText: () => statusBar.text,
    train: (args) => launcher.train(args),
    resume: (runDir) => launcher.resume(runDir),
    openImage: (runDir, index) => openDatasetImage(runDir, index, (m) => log.appendLine(m)),
    deserialize: (panel, state) => serializer.deserializeWebviewPanel(panel, state),
  };
}

export async function deactivate(): Promise<void> {
  // A window reload or shutdown: ask every trainer to write a final checkpoint, so
  // "Open Run…" can resume the run. The trainer also stops by itself on IPC disconnect.
  await runs?.stopAll(4000);
  runs = undefined;
}
