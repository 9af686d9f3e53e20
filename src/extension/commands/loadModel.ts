/** "VAE: Load Model…": a saved encoder/decoder pair encodes a folder of images into a new run. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findModelFolder } from '../../run/runDir';
import { newRunName, readTrainSettings, runsRoot } from '../settings';
import { requireTrust } from '../ui/trust';
import { pickFolder } from './args';
import type { LoadModelCommandArgs } from './launcher';
import type { Services } from './services';

export async function loadModel(s: Services, arg: unknown): Promise<{ runDir: string } | undefined> {
  try {
    let modelDir: string | undefined;
    let folder: string | undefined;
    let args: Partial<LoadModelCommandArgs> = {};
    if (arg instanceof vscode.Uri) modelDir = arg.fsPath;
    else if (arg && typeof arg === 'object') {
      args = arg as Partial<LoadModelCommandArgs>;
      modelDir = args.modelDir;
      folder = args.folder;
    }
    modelDir ??= await pickFolder({
      openLabel: 'Load model',
      title: 'VAE: Load Model… — a run folder, or a folder with encoder/ and decoder/ (TensorFlow.js layers format)',
    });
    if (!modelDir) return undefined;
    const model = findModelFolder(modelDir);
    if (!model) {
      void vscode.window.showErrorMessage(`Latent Lens: no saved model in ${modelDir}: choose a run folder, or a folder with encoder/ and decoder/ (TensorFlow.js layers format).`);
      return undefined;
    }
    if (!folder) {
      folder = await pickFolder({ openLabel: 'Encode this folder', title: 'VAE: Load Model… — a folder of images to encode and inspect' });
      if (!folder) {
        // No folder: show the model's own run if it is one.
        if (model.runDir) { s.showPanel(model.runDir); return { runDir: model.runDir }; }
        return undefined;
      }
    }
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
      void vscode.window.showErrorMessage(`Latent Lens: cannot encode ${folder}: it is not a folder. Choose a folder of images (labels = subfolder names).`);
      return undefined;
    }
    if (!requireTrust('encode a folder')) return undefined;
    const runDir = path.resolve(args.runDir ?? path.join(runsRoot(undefined, folder), `${newRunName(folder)}-encoded`));
    s.launcher.encode(model.modelDir, folder, runDir, args.backend ?? readTrainSettings().backend ?? 'auto');
    return { runDir };
  } catch (e) {
    void vscode.window.showErrorMessage(`Latent Lens: encoding with the model failed: ${(e as Error).message}`);
    return undefined;
  }
}
