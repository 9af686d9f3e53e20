/**
 * "VAE: Compare Runs…" (issue 10; issue 11's sweep folder as a comparison): 2–4 run folders in
 * one Compare panel (panel/comparePanel.ts). Where the runs come from:
 *  - the Explorer's selection (`(uri, uris[])`: several run folders, or one sweep folder);
 *  - a sweep folder (with sweep.json): its runs, in grid order — a run not started yet shows
 *    empty and fills in as its task writes it (the panel follows the files);
 *  - `string[]` or `{ runDirs }` (tests, other extensions);
 *  - otherwise a multi-select quick pick of the known runs (this session's and the runs folder's)
 *    with "Browse…" for any other folders.
 * More than 4 runs (a large sweep) are narrowed with a quick pick.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMPARE_MAX_RUNS } from '../../protocol/panelIpc';
import { SweepFile } from '../../protocol/runFormat';
import { SWEEP_FILES } from '../../run/paths';
import { isRunFolder, readJsonFile } from '../../run/reader';
import { ComparePanel, COMPARE_VIEW_TYPE } from '../panel/comparePanel';
import { ComparePanelSerializer } from '../panel/compareSerializer';
import type { PanelHooks } from '../panel/latentPanel';
import { runsRoot } from '../settings';
import type { Services } from './services';

const BROWSE = '$(folder-opened) Browse…';

/** The folders a command argument names (Explorer multi-selection, a list, `{ runDirs }`, one folder). */
export function argFolders(arg: unknown, more: unknown): string[] {
  const one = (a: unknown): string | undefined => (a instanceof vscode.Uri ? a.fsPath : typeof a === 'string' && a ? a : undefined);
  if (Array.isArray(more) && more.length) return more.map(one).filter((d): d is string => !!d);
  if (Array.isArray(arg)) return arg.map(one).filter((d): d is string => !!d);
  if (arg && typeof arg === 'object' && Array.isArray((arg as { runDirs?: unknown }).runDirs)) return ((arg as { runDirs: unknown[] }).runDirs).map(one).filter((d): d is string => !!d);
  const d = one(arg);
  return d ? [d] : [];
}

/** The run folders of a sweep folder (sweep.json, in grid order); undefined when `dir` is no sweep. */
export async function sweepRuns(dir: string): Promise<string[] | undefined> {
  const sweep = await readJsonFile(dir, SWEEP_FILES.sweep, SweepFile, 'sweep file');
  return sweep?.runs.map((r) => path.join(dir, r.name));
}

/** Folders → run folders: sweeps expanded, anything else must be a run folder (else an error naming it). */
async function expand(folders: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of folders.map((d) => path.resolve(d))) {
    const runs = await sweepRuns(f);
    if (runs) out.push(...runs);
    else if (isRunFolder(f)) out.push(f);
    else throw new Error(`${f} is neither a run folder (config.json) nor a sweep folder (${SWEEP_FILES.sweep}): pick run folders, or a sweep folder.`);
  }
  return [...new Set(out)];
}

/** Run folders this session knows: its Runs and the folders of the runs folder. */
async function knownRuns(s: Services): Promise<string[]> {
  const dirs = new Set(s.runs.all.map((r) => path.resolve(r.runDir)));
  const root = runsRoot();
  const names = await fsp.readdir(root).catch(() => [] as string[]);
  for (const n of names.sort()) {
    const d = path.join(root, n);
    if (isRunFolder(d)) dirs.add(d);
  }
  return [...dirs];
}

async function pickRuns(s: Services, candidates: string[], title: string, browse: boolean): Promise<string[] | undefined> {
  const items: vscode.QuickPickItem[] = candidates.map((d) => ({ label: path.basename(d), description: path.dirname(d), detail: undefined }));
  if (browse) items.push({ label: BROWSE, alwaysShow: true });
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title, placeHolder: `Pick 2 to ${COMPARE_MAX_RUNS} runs` });
  if (!picked) return undefined;
  const dirs = picked.filter((p) => p.label !== BROWSE).map((p) => path.join(p.description ?? '', p.label));
  if (picked.some((p) => p.label === BROWSE)) {
    const more = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: true, openLabel: 'Compare', title: 'Run folders (or a sweep folder) to compare' });
    if (!more) return undefined;
    dirs.push(...more.map((u) => u.fsPath));
  }
  return dirs;
}

export async function compareRuns(s: Services, hooks: PanelHooks, extensionUri: vscode.Uri, arg?: unknown, more?: unknown): Promise<ComparePanel | undefined> {
  try {
    let folders = argFolders(arg, more);
    if (!folders.length) {
      const picked = await pickRuns(s, await knownRuns(s), 'VAE: Compare Runs…', true);
      if (!picked) return undefined;
      folders = picked;
    }
    let runs = await expand(folders);
    if (runs.length > COMPARE_MAX_RUNS) {
      const picked = await pickRuns(s, runs, `VAE: Compare Runs… — ${runs.length} runs: pick 2 to ${COMPARE_MAX_RUNS}`, false);
      if (!picked) return undefined;
      runs = picked;
    }
    if (runs.length < 2 || runs.length > COMPARE_MAX_RUNS) {
      void vscode.window.showErrorMessage(`Latent Lens: Compare Runs shows 2 to ${COMPARE_MAX_RUNS} runs; ${runs.length === 1 ? `only ${runs[0]} was given (use Open Run… for one run)` : `${runs.length} were given`}.`);
      return undefined;
    }
    return ComparePanel.createOrShow(extensionUri, runs, hooks);
  } catch (e) {
    void vscode.window.showErrorMessage(`Latent Lens: ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * The context key `latentLens.sweepFolders`: the workspace's folders holding a sweep.json, so the
 * Explorer offers "Compare Runs…" on a sweep folder (`resourcePath in latentLens.sweepFolders`).
 */
function trackSweepFolders(): vscode.Disposable {
  const update = async () => {
    const files = await vscode.workspace.findFiles(`**/${SWEEP_FILES.sweep}`, '**/node_modules/**', 500);
    void vscode.commands.executeCommand('setContext', 'latentLens.sweepFolders', files.map((f) => path.dirname(f.fsPath)));
  };
  const watcher = vscode.workspace.createFileSystemWatcher(`**/${SWEEP_FILES.sweep}`, false, true, false);
  watcher.onDidCreate(() => void update());
  watcher.onDidDelete(() => void update());
  void update();
  return watcher;
}

/** The command, the Compare panel's serializer, the sweep-folder context key, and closing its panels with the extension. */
export function registerCompareRuns(extensionUri: vscode.Uri, s: Services, hooks: PanelHooks): vscode.Disposable {
  return vscode.Disposable.from(
    trackSweepFolders(),
    vscode.commands.registerCommand('latentLens.compareRuns', (arg?: unknown, more?: unknown) => compareRuns(s, hooks, extensionUri, arg, more)),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, new ComparePanelSerializer(extensionUri, hooks)),
    { dispose: () => { for (const p of ComparePanel.all) p.dispose(); } },
  );
}
