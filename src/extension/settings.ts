/** The `latentLens.*` settings (package.json contributes.configuration), read in one place. */
import * as path from 'node:path';
import * as os from 'node:os';
import * as vscode from 'vscode';

export interface Settings {
  runsDirectory: string;
  imageSize: number;
  latentDim: number;
  epochs: number;
  beta: number;
  batchSize: number;
  learningRate: number;
  klWarmupSteps: number;
  freeBits: number;
  backend: string;
  maxImages: number;
  maxPoints: number;
  confirmBeforeTraining: boolean;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('latentLens');
  return {
    runsDirectory: c.get<string>('runsDirectory', '.vae-runs'),
    imageSize: c.get<number>('imageSize', 28),
    latentDim: c.get<number>('latentDim', 16),
    epochs: c.get<number>('epochs', 10),
    beta: c.get<number>('beta', 1),
    batchSize: c.get<number>('batchSize', 128),
    learningRate: c.get<number>('learningRate', 0.001),
    klWarmupSteps: c.get<number>('klWarmupSteps', 0),
    freeBits: c.get<number>('freeBits', 0),
    backend: c.get<string>('backend', 'auto'),
    maxImages: c.get<number>('maxImages', 0),
    maxPoints: c.get<number>('maxPoints', 20000),
    confirmBeforeTraining: c.get<boolean>('confirmBeforeTraining', true),
  };
}

/**
 * The folder runs are written to: `latentLens.runsDirectory`, relative to the first workspace
 * folder (or to the data folder's parent when no workspace is open), `~` expanded.
 */
export function runsRoot(settings: Settings, dataFolder?: string): string {
  let dir = settings.runsDirectory.trim() || '.vae-runs';
  if (dir === '~' || dir.startsWith('~/')) dir = path.join(os.homedir(), dir.slice(1));
  if (path.isAbsolute(dir)) return dir;
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
  const base = ws?.scheme === 'file' ? ws.fsPath : dataFolder ? path.dirname(dataFolder) : os.tmpdir();
  return path.join(base, dir);
}

/** A new run folder name: `<data folder name>-<yyyymmdd-hhmmss>`. */
export function newRunName(dataFolder: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const base = path.basename(dataFolder).replace(/[^\w.-]+/g, '_') || 'run';
  return `${base}-${stamp}`;
}
