/**
 * "VAE: Open Run…": show a run folder's panel; if the run was interrupted, offer to resume it from
 * its last checkpoint — not in Restricted Mode (only viewing), and with a modal question first
 * when the run lies outside the open workspace. Also what the URI handler
 * (vscode://latent-lens.latent-lens/open?run=…) runs.
 *
 * A run another process is still training (status training or paused, no Run of this window) is
 * followed live (runs/followedRun.ts): a FileSystemWatcher on the folder pokes it, and it polls.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RUN_FILES, isRunFolder, readRunInfo, readRunStatus } from '../../run/runDir';
import { FollowedTrainer, heartbeatTimeoutFromEnv } from '../runs/followedRun';
import { Run } from '../runs/run';
import type { LatentPanel } from '../panel/latentPanel';
import { resumeOffer } from '../runs/runPolicy';
import { resumeQuestion } from '../runs/runText';
import { runsRoot } from '../settings';
import { confirmWriteLocation } from '../ui/runLocation';
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
    const root = runsRoot();
    runDir = await pickFolder({
      openLabel: 'Open run',
      title: `VAE: Open Run… — a run folder (with ${RUN_FILES.config})`,
      defaultUri: vscode.Uri.file(fs.existsSync(root) ? root : path.dirname(root)),
    });
    if (!runDir) return undefined;
  }
  runDir = path.resolve(runDir);
  if (!isRunFolder(runDir)) {
    void vscode.window.showErrorMessage(`Latent Lens: ${runDir} is not a run folder (it has no ${RUN_FILES.config}).`);
    return undefined;
  }
  const panel = s.showPanel(runDir);
  const live = s.runs.get(runDir);
  if (live?.running) { s.runs.setActive(live); return panel; }
  const written = await readRunStatus(runDir).catch(() => undefined);
  if (written?.status === 'training' || written?.status === 'paused') { await followRun(s, runDir); return panel; }
  const info = await readRunInfo(runDir);
  const offer = resumeOffer({ trusted: vscode.workspace.isTrusted, running: false, resumable: info.resumable, requested: resume });
  if (offer === 'none') return panel;
  s.contextKeys.update();
  const dir = runDir;
  const go = async () => {
    if (!(await confirmWriteLocation(s.runs, dir, 'resume'))) return;
    try {
      await s.launcher.resume(dir);
    } catch (e) {
      void vscode.window.showErrorMessage((e as Error).message);
    }
  };
  if (offer === 'resume') await go();
  // The offer does not hold the command: the panel is there, the question waits for the user.
  else void vscode.window.showInformationMessage(resumeQuestion(path.basename(runDir), info), RESUME).then((a) => (a === RESUME ? go() : undefined));
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

/** Follow a run another process is training: a Run fed by its folder (status bar: "following"). */
export async function followRun(s: Services, runDir: string): Promise<Run> {
  const channel = new FollowedTrainer(runDir, { heartbeatTimeoutMs: heartbeatTimeoutFromEnv() });
  const run = new Run(channel, { runDir, kind: 'follow' });
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(runDir), '**'));
  const poke = () => channel.poke();
  const subs = [watcher, watcher.onDidChange(poke), watcher.onDidCreate(poke), watcher.onDidDelete(poke)];
  void run.exited.then(() => { channel.close(); for (const d of subs) d.dispose(); });
  s.runs.add(run);
  s.log.appendLine(`◉ Following ${runDir} (trained by another process)`);
  try {
    await channel.start();
  } catch (e) {
    channel.close();
    channel.emit('event', { type: 'done', status: 'failed', message: `cannot follow ${runDir}: ${(e as Error).message}` });
    channel.emit('exit', 1, null);
  }
  return run;
}
