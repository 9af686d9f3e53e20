/**
 * The run directory (docs/run-directory.md), the one module that knows its files: the entry
 * point of src/run for everything but TensorFlow.js model weights (./modelFiles).
 *
 *   paths.ts        every file name, once
 *   safePath.ts     the path guard: every read, write and delete inside a run goes through it
 *   runFileError.ts the error naming a run file and what is wrong with it
 *   atomic.ts       atomic writes (temporary file, fsync, rename)
 *   reader.ts       the tolerant typed reader (schemas of src/protocol/runFormat.ts)
 *   writer.ts       the trainer's writes
 *   checkpoint.ts   checkpoints (tensors.bin + state.json, checkpoint.json)
 *   runData.ts      a run's own copy of the data, checked file against file (resume)
 *   runHealth.ts    every problem of a run, file by file, for display (diagnoseRun)
 *   control.ts      live control: control.jsonl requests, heartbeat.json
 *   follow.ts       reading a run another process is writing (metrics from an offset, file stamps)
 *   modelFiles.ts   save / load TensorFlow.js layers models (imports tfjs; not re-exported here)
 *   runSnapshot.ts  the RunSnapshot the panel and the report show
 */
export { RUN_FILES, runPaths, type RunPaths } from './paths';
export {
  RunFileError, findModelFolder, isRunFolder, readCheckpointInfo, readConfig, readDatasetIndex, readLatents, readLatentsIndex,
  readCheckpointState, readMetrics, readMetricsByKind, readModelFolder, readModelJson, readPixels, readProjection, readRunInfo, readRunStatus,
  type CheckpointInfo, type ModelFolder, type ReadMetricsOptions, type RunFileProblem, type RunInfo,
} from './reader';
export { readPerImage, type PerImage } from './reader';
export {
  appendMetrics, truncateMetrics, writeConfig, writeDataset, writeDatasetIndex, writeLatents, writeProjection, writeStatus, type PerImageValues,
} from './writer';
export { loadCheckpoint, saveCheckpoint, type CheckpointMeta, type NamedArray } from './checkpoint';
export { assertNoLinks } from './safePath';
export { loadRunData, type RunData } from './runData';
export { diagnoseRun, type RunProblem } from './runHealth';
export { assertNewRunFolder, existingRunFiles } from './newRun';
export {
  appendControl, controlFileSize, describeControlProblem, readControlFrom, readHeartbeat, writeHeartbeat, type ControlInput, type ControlRead,
} from './control';
export { readMetricsFrom, runStamps } from './follow';
