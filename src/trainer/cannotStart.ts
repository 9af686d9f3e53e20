/** What the trainer leaves behind when a new run cannot start (train and encode). */
import path from 'node:path';
import type { RunConfig } from '../protocol/runFormat';
import { runPaths, writeConfig, writeDatasetIndex, writeStatus } from '../run/runDir';
import { NoUsableImageError } from './dataset';

/**
 * A new run whose folder holds image files but none decodes: the run is written as failed
 * (config.json, dataset.json listing every skipped file with its reason, status.json "failed"),
 * and the error says where the reasons are. A folder without image files leaves no run behind.
 */
export async function cannotStart(runDir: string, config: RunConfig, e: unknown, backend: string): Promise<Error> {
  if (!(e instanceof NoUsableImageError) || e.undecodable === 0) return e as Error;
  const message = e.describe(runPaths(runDir).dataset);
  try {
    await writeStatus(runDir, { status: 'failed', step: 0, epoch: 0, backend, message });
    await writeDatasetIndex(runDir, { dataDir: path.resolve(e.dataDir), shape: e.shape, labels: [], images: [], skipped: e.skipped });
    await writeConfig(runDir, config);
  } catch {
    return new Error(e.describe());
  }
  return new Error(message);
}
