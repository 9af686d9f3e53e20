/**
 * The run directory (docs/run-directory.md), the one module that knows its files: the entry
 * point of src/run for everything but TensorFlow.js model weights (./modelFiles).
 *
 *   paths.ts       every file name, once
 *   atomic.ts      atomic writes (temporary file, fsync, rename)
 *   reader.ts      the tolerant typed reader (schemas of src/protocol/runFormat.ts)
 *   writer.ts      the trainer's writes
 *   checkpoint.ts  checkpoints (tensors.bin + state.json, checkpoint.json)
 *   modelFiles.ts  save / load TensorFlow.js layers models (imports tfjs; not re-exported here)
 *   runSnapshot.ts the RunSnapshot the panel and the report show
 */
export { RUN_FILES, runPaths, type RunPaths } from './paths';
export {
  RunFileError, findModelFolder, isRunFolder, readCheckpointInfo, readConfig, readDatasetIndex, readLatents, readLatentsIndex,
  readCheckpointState, readMetrics, readMetricsByKind, readModelFolder, readModelJson, readPixels, readProjection, readRunInfo, readRunStatus,
  type CheckpointInfo, type ModelFolder, type ReadMetricsOptions, type RunInfo,
} from './reader';
export { readPerImage, type PerImage } from './reader';
export { type PerImageValues } from './writer';
export { appendMetrics, truncateMetrics, writeConfig, writeDataset, writeLatents, writeProjection, writeStatus } from './writer';
export { loadCheckpoint, saveCheckpoint, type CheckpointMeta, type NamedArray } from './checkpoint';
