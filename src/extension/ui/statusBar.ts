/**
 * The status bar item: the active run's progress, from its Run model (the same state the progress
 * notification and the panel show). Click: the run's panel.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { disposeAll } from '../runs/emitter';
import type { RunRegistry } from '../runs/registry';
import type { Run } from '../runs/run';
import { statusBarText, statusTooltip } from '../runs/runText';

export class RunStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private runSubscription: vscode.Disposable | undefined;

  constructor(private readonly registry: RunRegistry) {
    this.item = vscode.window.createStatusBarItem('latentLens.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Latent Lens training';
    this.item.command = 'latentLens.showLatentSpace';
    this.disposables.push(this.item, registry.onDidChangeActive((run) => this.follow(run)));
    this.follow(registry.active);
  }

  /** What the item says now (the API's statusBarText()). */
  get text(): string {
    return this.item.text;
  }

  private follow(run: Run | undefined): void {
    this.runSubscription?.dispose();
    this.runSubscription = undefined;
    if (!run) { this.item.hide(); return; }
    this.runSubscription = run.onDidChange(() => this.render(run));
    this.render(run);
  }

  private render(run: Run): void {
    const s = run.state;
    this.item.text = statusBarText(s, run.kind);
    this.item.tooltip = new vscode.MarkdownString(statusTooltip(path.basename(run.runDir), s, run.kind));
    this.item.backgroundColor = s.status === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.runSubscription?.dispose();
    disposeAll(this.disposables);
  }
}
