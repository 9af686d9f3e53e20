/**
 * Before training or resuming writes into a folder outside the open workspace (a link, Open Run…
 * on any folder, a programmatic run folder): a modal question that says where it will write.
 */
import * as vscode from 'vscode';
import type { RunRegistry } from '../runs/registry';
import { isInsideAny } from '../runs/runPolicy';
import { outsideWorkspaceDetail } from '../runs/runText';
import { knownRunRoots } from '../settings';

/**
 * True when writing into `runDir` needs no question (inside a workspace folder or the runs
 * folder, or a run this session already trains), or the user agreed.
 */
export async function confirmWriteLocation(runs: RunRegistry, runDir: string, kind: 'train' | 'resume'): Promise<boolean> {
  if (runs.has(runDir) || isInsideAny(runDir, knownRunRoots())) return true;
  const go = kind === 'resume' ? 'Resume Training' : 'Train Here';
  const title = kind === 'resume' ? 'Resume training into a folder outside the workspace?' : 'Train into a folder outside the workspace?';
  const answer = await vscode.window.showWarningMessage(title, { modal: true, detail: outsideWorkspaceDetail(runDir, kind) }, go);
  return answer === go;
}
