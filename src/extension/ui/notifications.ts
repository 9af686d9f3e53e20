/**
 * What the user is told when a run ends — one message, decided by `endNotice` (runs/runText.ts):
 * "completed" (Show Latent Space); "stopped" with Resume from Last Checkpoint one click away;
 * a failure (or a trainer that could not start) with its reason once, and the offer to resume
 * when a checkpoint is left. Failures are also kept for the API (tests, other extensions).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readRunInfo } from '../../run/runDir';
import { disposeAll } from '../runs/emitter';
import type { RunRegistry } from '../runs/registry';
import type { Run, RunExit } from '../runs/run';
import { END_ACTION_LABELS, endNotice, type EndAction, type EndNotice } from '../runs/runText';

export interface RunFailureReport {
  runDir: string;
  /** The message the user was shown. */
  message: string;
  offeredResume: boolean;
  /** The trainer had started before it ended (false: it could not start). */
  started: boolean;
}

/** A message shown at the end of a run (for the API: tests, other extensions). */
export interface RunEndReport extends EndNotice {
  runDir: string;
}

export class RunEndNotifier implements vscode.Disposable {
  readonly failures: RunFailureReport[] = [];
  readonly notices: RunEndReport[] = [];
  private readonly failureEmitter = new vscode.EventEmitter<RunFailureReport>();
  private readonly noticeEmitter = new vscode.EventEmitter<RunEndReport>();
  /** A failure was reported to the user. */
  readonly onDidReportFailure = this.failureEmitter.event;
  /** Any end-of-run message was shown. */
  readonly onDidNotify = this.noticeEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.failureEmitter, this.noticeEmitter];

  constructor(registry: RunRegistry) {
    this.disposables.push(registry.onDidEnd(({ run, exit }) => void this.onEnd(run, exit)));
  }

  private async onEnd(run: Run, exit: RunExit): Promise<void> {
    const name = path.basename(run.runDir);
    // A stopped run can go on when the trainer left a checkpoint (a failure knows it already).
    const resumable = run.state.status === 'stopped' && run.kind !== 'encode' ? (await readRunInfo(run.runDir)).resumable : false;
    const notice = endNotice(name, run.kind, run.state, exit, resumable);
    if (!notice) return;
    const report: RunEndReport = { runDir: run.runDir, ...notice };
    this.notices.push(report);
    this.noticeEmitter.fire(report);
    if (run.state.failure) {
      const failure: RunFailureReport = { runDir: run.runDir, message: notice.text, offeredResume: notice.actions.includes('resume'), started: run.state.failure.started };
      this.failures.push(failure);
      this.failureEmitter.fire(failure);
    }
    const show = notice.severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
    const labels = notice.actions.map((a) => END_ACTION_LABELS[a]);
    const picked = await show(notice.text, ...labels);
    const action = notice.actions[labels.indexOf(picked ?? '')] as EndAction | undefined;
    if (action === 'resume') void vscode.commands.executeCommand('latentLens.resumeRun', run.runDir);
    else if (action === 'show') void vscode.commands.executeCommand('latentLens.showLatentSpace', run.runDir);
    else if (action === 'showLog') void vscode.commands.executeCommand('latentLens.showLog');
  }

  dispose(): void {
    disposeAll(this.disposables);
  }
}
