/** What the command handlers are given: the objects the composition root (extension.ts) built. */
import type * as vscode from 'vscode';
import type { LatentPanel } from '../panel/latentPanel';
import type { RunRegistry } from '../runs/registry';
import type { ContextKeys } from '../ui/contextKeys';
import type { RunLog } from '../ui/runLog';
import type { RunLauncher } from './launcher';

export interface Services {
  readonly extensionUri: vscode.Uri;
  readonly runs: RunRegistry;
  readonly launcher: RunLauncher;
  readonly log: RunLog;
  readonly contextKeys: ContextKeys;
  /** Show a run folder's panel, creating it if needed. */
  showPanel(runDir: string, preserveFocus?: boolean): LatentPanel;
}
