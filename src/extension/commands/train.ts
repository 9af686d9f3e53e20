/** "VAE: Train on Folder": a folder (argument, explorer, or picker), the wizard, then the launcher. */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { readTrainSettings, readUiSettings } from '../settings';
import { confirmWriteLocation } from '../ui/runLocation';
import { requireTrust } from '../ui/trust';
import { pickFolder } from './args';
import type { TrainCommandArgs } from './launcher';
import type { Services } from './services';
import { confirmTrainSettings } from './trainWizard';

export async function trainOnFolder(s: Services, arg: unknown): Promise<{ runDir: string } | undefined> {
  try {
    let folder: string | undefined;
    let args: TrainCommandArgs | undefined;
    if (arg instanceof vscode.Uri) folder = arg.fsPath;
    else if (arg && typeof arg === 'object' && typeof (arg as TrainCommandArgs).folder === 'string') {
      args = arg as TrainCommandArgs;
      folder = args.folder;
    }
    if (!requireTrust('train a model')) return undefined;
    folder ??= await pickFolder({
      openLabel: 'Train on this folder',
      title: 'VAE: Train on Folder — a folder of images (labels = subfolder names)',
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!folder) return undefined;
    args = { ...(args ?? {}), folder };
    const confirm = args.confirm ?? (arg === undefined || arg instanceof vscode.Uri ? readUiSettings().confirmBeforeTraining : false);
    if (confirm) {
      const confirmed = await confirmTrainSettings(folder, readTrainSettings(), args);
      if (!confirmed) return undefined;
      args = confirmed;
    }
    // A run folder given by the caller may lie anywhere: ask before writing outside the workspace.
    if (args.runDir && !(await confirmWriteLocation(s.runs, path.resolve(args.runDir), 'train'))) return undefined;
    const run = await s.launcher.train(args);
    return { runDir: run.runDir };
  } catch (e) {
    void vscode.window.showErrorMessage((e as Error).message);
    return undefined;
  }
}
