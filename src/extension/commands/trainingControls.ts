/**
 * "VAE: Pause Training", "VAE: Continue Training" (un-pause) and "VAE: Stop Training" (with a final
 * checkpoint) on a live run: the given one, the only one, the active one, or one the user picks.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Run } from '../runs/run';
import { STATUS_WORDS } from '../runs/runText';
import { argRunDir } from './args';
import type { Services } from './services';

export type TrainingControl = 'pause' | 'continue' | 'stop';

async function pickRunning(s: Services, arg: unknown, verb: string): Promise<Run | undefined> {
  const runDir = argRunDir(arg);
  if (runDir) return s.runs.get(runDir);
  const live = s.runs.running;
  if (live.length <= 1) return live[0];
  if (s.runs.active?.running) return s.runs.active;
  const pick = await vscode.window.showQuickPick(
    live.map((r) => ({ label: path.basename(r.runDir), description: STATUS_WORDS[r.state.status], r })),
    { title: `VAE: ${verb} which run?` },
  );
  return pick?.r;
}

/** Resolves with whether the command reached the trainer (stop: whether it ended cleanly). */
export async function controlTraining(s: Services, what: TrainingControl, arg: unknown): Promise<boolean> {
  const run = await pickRunning(s, arg, what[0].toUpperCase() + what.slice(1));
  if (!run?.running) {
    void vscode.window.showInformationMessage('Latent Lens: no training is running.');
    return false;
  }
  if (what === 'pause') return run.pause();
  if (what === 'continue') return run.continue();
  s.log.appendLine(`■ Stopping ${run.runDir} (writing a final checkpoint)`);
  const exit = await run.stop();
  return !exit.unexpected;
}
