/**
 * The folder a new run is written to must not already hold a run: `train --out` into an
 * existing run folder would write over its model and checkpoints and append to its old
 * metrics.jsonl (issue 14). Checked before anything is read or written, so the folder is left
 * untouched; the message says what to do instead (resume it, or train into a new folder).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { RUN_FILES, runPaths } from './paths';
import { RunFileError } from './runFileError';

/** The run files that mark a folder as a run (any one of them). */
const MARKERS = ['config', 'status', 'metrics', 'dataset', 'checkpointPointer', 'checkpoints', 'latents', 'model'] as const;

/** The run files already in `runDir` ([] for a missing or empty folder, or one without run files). */
export function existingRunFiles(runDir: string): string[] {
  const p = runPaths(runDir);
  return MARKERS.filter((k) => existsSync(p[k])).map((k) => RUN_FILES[k]);
}

/** Throws a RunFileError when `runDir` already holds a run; the folder is not touched. */
export function assertNewRunFolder(runDir: string): void {
  const found = existingRunFiles(runDir);
  if (!found.length) return;
  const dir = path.resolve(runDir);
  throw new RunFileError(dir,
    `already holds a run (${found.slice(0, 3).join(', ')}${found.length > 3 ? ' …' : ''}): training would write over it. ` +
    `Continue that run with "latent-lens resume ${dir}", or give --out a new folder.`, 'unsafe');
}
