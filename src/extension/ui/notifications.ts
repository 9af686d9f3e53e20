/**
 * What the user is told when a run ends: "completed" (with Show Latent Space), or "ended
 * unexpectedly" with the offer to resume from the last checkpoint when there is one. Failures are
 * also kept for the API (tests, other extensions).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { disposeAll } from '../runs/emitter';
import type { RunRegistry } from '../runs/registry';
import type { Run, RunExit } from '../runs/run';
import { completedMessage, failureMessage } from '../runs/runText';

export interface RunFailureReport {
  runDir: string;
  message: string;
  offeredResume: boolean;
}

const RESUME = 'Resume from last checkpoint';
const SHOW_LOG = 'Show Log';
const SHOW = 'Show Latent Space';

export class RunEndNotifier implements vscode.Disposable {
  readonly failures: RunFailureReport[] = [];
  private readonly failureEmitter = new vscode.EventEmitter<RunFailureReport>();
  /** A failure was reported to the user. */
  readonly onDidReportFailure = this.failureEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.failureEmitter];

  constructor(registry: RunRegistry) {
    this.disposables.push(registry.onDidEnd(({ run, exit }) => this.onEnd(run, exit)));
  }

  private onEnd(run: Run, exit: RunExit): void {
    const name = path.basename(run.runDir);
    const failure = run.state.failure;
    if (!failure) {
      if (exit.done?.status === 'completed' && run.kind !== 'encode') {
        void vscode.window.showInformationMessage(completedMessage(name), SHOW).then((a) => {
          if (a) void vscode.commands.executeCommand('latentLens.showLatentSpace', run.runDir);
        });
      }
      return;
    }
    const report: RunFailureReport = { runDir: run.runDir, message: failure.message, offeredResume: failure.resumable };
    this.failures.push(report);
    this.failureEmitter.fire(report);
    const actions = failure.resumable ? [RESUME, SHOW_LOG] : [SHOW_LOG];
    void vscode.window.showErrorMessage(failureMessage(name, exit), ...actions).then((a) => {
      if (a === RESUME) void vscode.commands.executeCommand('latentLens.resumeRun', run.runDir);
      else if (a === SHOW_LOG) void vscode.commands.executeCommand('latentLens.showLog');
    });
  }

  dispose(): void {
    disposeAll(this.disposables);
  }
}
