/** sweep.json of a sweep folder: written atomically, read with its schema (src/protocol/runFormat.ts). */
import path from 'node:path';
import { SweepFile } from '../../protocol/runFormat';
import { writeJsonAtomic } from '../../run/atomic';
import { SWEEP_FILES } from '../../run/paths';
import { readJsonFile } from '../../run/reader';

export const sweepPaths = (sweepDir: string) => ({
  sweep: path.join(sweepDir, SWEEP_FILES.sweep),
  script: path.join(sweepDir, SWEEP_FILES.script),
  logs: path.join(sweepDir, SWEEP_FILES.logs),
  runLog: (name: string) => path.join(sweepDir, SWEEP_FILES.logs, `${name}.log`),
});

export function writeSweepFile(sweepDir: string, sweep: SweepFile): Promise<void> {
  return writeJsonAtomic(sweepPaths(sweepDir).sweep, SweepFile.parse(sweep));
}

/** The sweep.json of a folder; throws a clear error when the folder is not a sweep. */
export async function readSweepFile(sweepDir: string): Promise<SweepFile> {
  const sweep = await readJsonFile(sweepDir, SWEEP_FILES.sweep, SweepFile, 'sweep file');
  if (!sweep) throw new Error(`${sweepDir} is not a sweep folder: no ${SWEEP_FILES.sweep} (made by latent-lens sweep <folder> --out <sweepDir> --grid …)`);
  return sweep;
}
