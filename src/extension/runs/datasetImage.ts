/**
 * Which file "open this image" may open for a point of a run. The run folder is untrusted input
 * (issue 14): its dataset index names the data folder and each image's path, so a crafted run could
 * name /etc/passwd under an innocent label. Only an image file whose real path (symbolic links
 * and `..` resolved) lies inside the run's recorded data folder is opened, by that real path.
 *
 * No `vscode` here (plain Node tests use it).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { RUN_FILES, readDatasetIndex } from '../../run/runDir';
import { isPathInside } from './runPolicy';
import { IMAGE_EXTENSIONS } from '../../protocol/images';

/** The image types the trainer reads (one list, src/protocol/images.ts). */
export { IMAGE_EXTENSIONS };

/** The file to open (its real path, and the path the run shows), or why not. */
export type DatasetImageTarget = { file: string; shown: string; problem?: undefined } | { problem: string; file?: undefined };

export async function resolveDatasetImage(runDir: string, index: number): Promise<DatasetImageTarget> {
  let ds;
  try {
    ds = await readDatasetIndex(runDir);
  } catch (e) {
    return { problem: (e as Error).message };
  }
  if (!ds) return { problem: `the run has no dataset index (${RUN_FILES.dataset}) yet` };
  const img = Number.isInteger(index) && index >= 0 ? ds.images[index] : undefined;
  if (!img) return { problem: `the run has no image number ${index}` };
  const shown = img.path;
  if (!IMAGE_EXTENSIONS.has(path.extname(shown).toLowerCase())) return { problem: `${JSON.stringify(shown)} is not an image file (${[...IMAGE_EXTENSIONS].join(' ')})` };
  let dataDir: string;
  try {
    dataDir = await fs.realpath(ds.dataDir);
  } catch {
    return { problem: `the run's data folder ${ds.dataDir} is not on this machine` };
  }
  let file: string;
  try {
    file = await fs.realpath(path.resolve(dataDir, ...shown.split('/')));
  } catch {
    return { problem: `${shown} is no longer in the data folder ${ds.dataDir}` };
  }
  if (!isPathInside(file, dataDir) || file === dataDir) {
    return { problem: `${JSON.stringify(shown)} resolves to ${file}, outside the run's data folder ${ds.dataDir}; it is not opened` };
  }
  if (!(await fs.stat(file)).isFile()) return { problem: `${file} is not a file` };
  return { file, shown };
}
