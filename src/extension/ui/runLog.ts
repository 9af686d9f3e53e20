/** The "Latent Lens" output channel: every run's log lines and how each trainer process ended. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { disposeAll } from '../runs/emitter';
import type { RunRegistry } from '../runs/registry';
import { exitLine } from '../runs/runText';

export class RunLog implements vscode.Disposable {
  readonly channel: vscode.OutputChannel;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(registry: RunRegistry) {
    this.channel = vscode.window.createOutputChannel('Latent Lens');
    this.disposables.push(
      this.channel,
      registry.onDidAdd((run) => { run.onDidLog((line) => this.channel.appendLine(line)); }),
      registry.onDidEnd(({ run, exit }) => this.channel.appendLine(exitLine(path.basename(run.runDir), exit))),
    );
  }

  appendLine(line: string): void {
    this.channel.appendLine(line);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    disposeAll(this.disposables);
  }
}
