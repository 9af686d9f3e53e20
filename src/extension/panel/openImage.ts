/**
 * The panel's "open this image": the dataset file of a point, beside the panel — only an image
 * file inside the run's recorded data folder, opened (and named) by its real path; anything else
 * is refused with a message that says why (runs/datasetImage.ts).
 */
import * as vscode from 'vscode';
import { resolveDatasetImage } from '../runs/datasetImage';

/** Resolves with the file opened, or undefined when it was refused (the user was told why). */
export async function openDatasetImage(runDir: string, index: number, log: (line: string) => void): Promise<string | undefined> {
  const target = await resolveDatasetImage(runDir, index);
  if (target.problem !== undefined) {
    log(`[panel] not opening image ${index}: ${target.problem}`);
    void vscode.window.showWarningMessage(`Latent Lens: cannot open image ${index} of this run: ${target.problem}.`);
    return undefined;
  }
  try {
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(target.file), { viewColumn: vscode.ViewColumn.Beside, preview: true });
    log(`[panel] opened ${target.file} (image ${index}, ${target.shown})`);
    vscode.window.setStatusBarMessage(`Latent Lens: opened ${target.file}`, 8000);
    return target.file;
  } catch (e) {
    log(`[panel] could not open ${target.file}: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(`Latent Lens: could not open ${target.file}: ${(e as Error).message}`);
    return undefined;
  }
}
