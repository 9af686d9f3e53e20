/** The argument shapes commands accept: a Uri (explorer, URI handler), a path string, or `{ runDir }`. */
import * as vscode from 'vscode';

/** The run folder named by a command argument, if any. */
export function argRunDir(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'string' && arg) return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { runDir?: unknown }).runDir === 'string') return (arg as { runDir: string }).runDir;
  return undefined;
}

/** A single-folder picker; undefined when cancelled. */
export async function pickFolder(options: Omit<vscode.OpenDialogOptions, 'canSelectFolders' | 'canSelectFiles' | 'canSelectMany'>): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ ...options, canSelectFolders: true, canSelectFiles: false, canSelectMany: false });
  return picked?.[0]?.fsPath;
}
