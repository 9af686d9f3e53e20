/**
 * Checkpoints: checkpoints/ckpt-<step>/ (tensors.bin + state.json) and checkpoint.json, which
 * always names a complete folder. No TensorFlow.js: tensors travel as named Float32Arrays.
 */
import type { CheckpointMeta, CheckpointPointer, CheckpointState, TensorIndexEntry } from '../protocol/runFormat';
import { bytesOf, writeRunFile, writeRunJson } from './atomic';
import { CHECKPOINT_FILES, RUN_FILES, checkpointName, checkpointRelDir } from './paths';
import { RunFileError, readCheckpointInfo, readCheckpointState } from './reader';
import { listRunDir, readRunFile, removeOwnedCheckpoint, shownPath } from './safePath';

// Type only (erased): this module does not load TensorFlow.js.
import type { NamedArray } from '../model/vaeModel';

export type { CheckpointMeta, NamedArray };

/**
 * Writes checkpoints/ckpt-<step>/ (tensors.bin + state.json), then points checkpoint.json at
 * it, then deletes older checkpoints. checkpoint.json always names a complete folder. Only
 * what the trainer made is deleted: real ckpt-<digits> folders holding only checkpoint files
 * (./safePath removeOwnedCheckpoint); anything else in checkpoints/ stays.
 */
export async function saveCheckpoint(run: string, meta: CheckpointMeta, state: NamedArray[]): Promise<void> {
  const name = checkpointName(meta.step);
  const dir = checkpointRelDir(meta.step);
  const total = state.reduce((s, t) => s + t.data.length, 0);
  const all = new Float32Array(total);
  const index: TensorIndexEntry[] = [];
  let offset = 0;
  for (const t of state) {
    all.set(t.data, offset);
    index.push({ name: t.name, shape: t.shape, offset, length: t.data.length });
    offset += t.data.length;
  }
  await writeRunFile(run, `${dir}/${CHECKPOINT_FILES.tensors}`, bytesOf(all));
  await writeRunJson(run, `${dir}/${CHECKPOINT_FILES.state}`, { ...meta, tensors: index } satisfies CheckpointState);
  await writeRunJson(run, RUN_FILES.checkpointPointer, { dir, ...meta } satisfies CheckpointPointer);
  for (const old of await listRunDir(run, RUN_FILES.checkpoints)) {
    if (old.name !== name && old.isDirectory()) await removeOwnedCheckpoint(run, RUN_FILES.checkpoints, old.name, Object.values(CHECKPOINT_FILES));
  }
}

/** The latest complete checkpoint, or undefined when the run has none. */
export async function loadCheckpoint(run: string): Promise<{ meta: CheckpointMeta; state: NamedArray[] } | undefined> {
  const info = await readCheckpointInfo(run);
  if (!info) return undefined;
  const saved = await readCheckpointState(run, info.dir);
  const rel = `${info.dir}/${CHECKPOINT_FILES.tensors}`;
  const file = shownPath(run, rel);
  const buf = await readRunFile(run, rel);
  if (!buf) throw new RunFileError(file, 'is missing', 'missing');
  const expected = saved.tensors.reduce((s, t) => s + t.length, 0);
  if (buf.byteLength !== expected * 4) {
    throw new RunFileError(file, `is ${buf.byteLength < expected * 4 ? 'truncated' : 'damaged'}: it holds ${buf.byteLength} bytes, ${CHECKPOINT_FILES.state} lists ${expected} float32 values (${expected * 4} bytes)`);
  }
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const stateFile = shownPath(run, `${info.dir}/${CHECKPOINT_FILES.state}`);
  for (const t of saved.tensors) {
    if (t.offset + t.length > expected) throw new RunFileError(stateFile, `is damaged: tensor "${t.name}" lies beyond the ${expected} values of ${CHECKPOINT_FILES.tensors}`);
    if (t.shape.reduce((a, b) => a * b, 1) !== t.length) throw new RunFileError(stateFile, `is damaged: tensor "${t.name}" has shape [${t.shape}] but ${t.length} values`);
  }
  const state = saved.tensors.map((t) => ({ name: t.name, shape: t.shape, data: all.subarray(t.offset, t.offset + t.length) }));
  return { meta: { step: saved.step, epoch: saved.epoch, stepInEpoch: saved.stepInEpoch }, state };
}
