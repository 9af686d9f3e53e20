/**
 * The cancellable progress notification of one run: message and bar from the Run model
 * (the same state as the status bar); Cancel stops the run with a final checkpoint.
 */
import * as vscode from 'vscode';
import type { Run } from '../runs/run';
import { progressText } from '../runs/runText';

/** Show the notification until the run's process ends. */
export function showRunProgress(run: Run, title: string, log: (line: string) => void): void {
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    token.onCancellationRequested(() => {
      log(`■ Cancelled: stopping ${run.runDir} (writing a final checkpoint)`);
      void run.stop();
    });
    let reported = 0;
    const update = () => {
      const pct = 100 * run.fraction;
      progress.report({ message: progressText(run.state, run.kind), increment: Math.max(0, pct - reported) });
      reported = Math.max(reported, pct);
    };
    const sub = run.onDidChange(update);
    try { await run.exited; } finally { sub.dispose(); }
  });
}
