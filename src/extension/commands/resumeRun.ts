/**
 * "VAE: Resume Run from Last Checkpoint": start a new trainer on a run folder from its last
 * checkpoint — the given folder, else the one resumable run the session knows, else a pick among
 * them, else Open Run…. (Not "Continue Training", which un-pauses a live run.)
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { confirmWriteLocation } from '../ui/runLocation';
import { requireTrust } from '../ui/trust';
import { argRunDir } from './args';
import { openRun } from './openRun';
import type { Services } from './services';

export async function resumeRun(s: Services, arg: unknown): Promise<{ runDir: string } | undefined> {
  if (!requireTrust('resume training')) return undefined;
  let runDir = argRunDir(arg);
  if (!runDir) {
    const candidates = await s.contextKeys.resumableRunDirs();
    if (candidates.length === 1) runDir = candidates[0];
    else if (candidates.length > 1) {
      const pick = await vscode.window.showQuickPick(candidates.map((d) => ({ label: path.basename(d), description: d, d })), { title: 'VAE: Resume which run from its last checkpoint?' });
      if (!pick) return undefined;
      runDir = pick.d;
    } else {
      const panel = await openRun(s, undefined);
      return panel ? { runDir: panel.runDir } : undefined;
    }
  }
  if (!(await confirmWriteLocation(s.runs, runDir, 'resume'))) return undefined;
  try {
    const run = await s.launcher.resume(runDir);
    return { runDir: run.runDir };
  } catch (e) {
    void vscode.window.showErrorMessage((e as Error).message);
    return undefined;
  }
}
