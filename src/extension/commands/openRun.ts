/**
 * "VAE: Open Run…": show a run folder's panel; if the run was interrupted, offer to resume it from
 * its last checkpoint. Also what the URI handler (vscode://latent-lens.latent-lens/open?run=…) runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LatentPanel } from '../panel/latentPanel';
import { isRunFolder, resumeInfo } from '../runs/runFolder';
import { resumeQuestion } from '../runs/runText';
import { readSettings, runsRoot } from '../settings';
import { pickFolder } from './args';
import type { Services } from './services';

const RESUME = 'Resume Training';

export async function openRun(s: Services, arg: unknown): Promise<LatentPanel | undefined> {
  let runDir: string | undefined;
  let resume: boolean | undefined;
  if (arg instanceof vscode.Uri) runDir = arg.fsPath;
  else if (typeof arg === 'string') runDir = arg;
  else if (arg && typeof arg === 'object' && typeof (arg as { runDir?: unknown }).runDir === 'string') {
    runDir = (arg as { runDir: string }).runDir;
    resume = (arg as { resume?: boolean }).resume;
  }
  if (!runDir) {
    const root = runsRoot(readSettings());
    runDir = await pickFolder({
      openLabel: 'Open run',
      title: 'VAE: Open Run… — a run folder (with config.json)',
      defaultUri: vscode.Uri.file(fs.existsSync(root) ? root : path.dirname(root)),
    });
    if (!runDir) return undefined;
  }
  runDir = path.resolve(runDir);
  if (!isRunFolder(runDir)) {
    void vscode.window.showErrorMessage(`Latent Lens: ${runDir} is not a run folder (it has no config.json).`);
    return undefined;
  }
  const panel = s.showPanel(runDir);
  const live = s.runs.get(runDir);
  if (live?.running) { s.runs.setActive(live); return panel; }
  const info = resumeInfo(runDir);
  if (info.resumable) {
    s.contextKeys.update();
    const go = resume ?? (await vscode.window.showInformationMessage(resumeQuestion(path.basename(runDir), info), RESUME)) === RESUME;
    if (go) await s.launcher.resume(runDir);
  }
  return panel;
}

/** vscode://latent-lens.latent-lens/open?run=<runDir> shows a run (`npm run demo` uses it via `code --open-url`). */
export function openRunFromUri(s: Services, uri: vscode.Uri): void {
  const runDir = new URLSearchParams(uri.query).get('run');
  if (uri.path !== '/open' || !runDir) {
    void vscode.window.showErrorMessage(`Latent Lens: cannot open ${uri.toString(true)}: expected ${uri.scheme}://${uri.authority}/open?run=<run folder>`);
    return;
  }
  void openRun(s, vscode.Uri.file(runDir));
}
