/** The panel's "open this image": the dataset file of a point, beside the panel (only files inside the data folder). */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readDatasetIndex } from '../runs/runFolder';

export async function openDatasetImage(runDir: string, index: number, log: (line: string) => void): Promise<void> {
  try {
    const ds = await readDatasetIndex(runDir);
    const img = ds?.images[index];
    if (!ds || !img) return;
    const file = path.resolve(ds.dataDir, img.path);
    if (!file.startsWith(path.resolve(ds.dataDir) + path.sep)) return;
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.Beside, preview: true });
  } catch (e) {
    log(`[panel] could not open image ${index}: ${(e as Error).message}`);
  }
}
