/**
 * Checkpoints: checkpoints/ckpt-<step>/ (tensors.bin + state.json) and checkpoint.json, which
 * always names a complete folder. No TensorFlow.js: tensors travel as named Float32Arrays.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CheckpointMeta, CheckpointPointer, CheckpointState, TensorIndexEntry } from '../protocol/runFormat';
import { bytesOf, writeFileAtomic, writeJsonAtomic } from './atomic';
import { CHECKPOINT_FILES, checkpointName, checkpointRelDir, runPaths } from './paths';
import { RunFileError, readBytesIfExists, readCheckpointInfo, readCheckpointState } from './reader';

// Type only (erased): this module does not load TensorFlow.js.
import type { NamedArray } from '../model/vaeModel';

export type { CheckpointMeta, NamedArray };

/**
 * Writes checkpoints/ckpt-<step>/ (tensors.bin + state.json), then points checkpoint.json at
 * it, then deletes older checkpoints. checkpoint.json always names a complete folder.
 */
export async function saveCheckpoint(run: string, meta: CheckpointMeta, state: NamedArray[]): Promise<void> {
  const p = runPaths(run);
  const name = checkpointName(meta.step);
  const dir = path.join(p.checkpoints, name);
  const total = state.reduce((s, t) => s + t.data.length, 0);
  const all = new Float32Array(total);
  const index: TensorIndexEntry[] = [];
  let offset = 0;
  for (const t of state) {
    all.set(t.data, offset);
    index.push({ name: t.name, shape: t.shape, offset, length: t.data.length });
    offset += t.data.length;
  }
  await writeFileAtomic(path.join(dir, CHECKPOINT_FILES.tensors), bytesOf(all));
  await writeJsonAtomic(path.join(dir, CHECKPOINT_FILES.state), { ...meta, tensors: index } satisfies CheckpointState);
  await writeJsonAtomic(p.checkpointPointer, { dir: checkpointRelDir(meta.step), ...meta } satisfies CheckpointPointer);
  for (const old of await fs.readdir(p.checkpoints)) {
    if (old !== name) await fs.rm(path.join(p.checkpoints, old), { recursive: true, force: true });
  }
}

/** The latest complete checkpoint, or undefined when the run has none. */
export async function loadCheckpoint(run: string): Promise<{ meta: CheckpointMeta; state: NamedArray[] } | undefined> {
  const info = await readCheckpointInfo(run);
  if (!info) return undefined;
  const saved = await readCheckpointState(run, info.dir);
  const file = path.join(run, ...info.dir.split('/'), CHECKPOINT_FILES.tensors);
  const buf = await readBytesIfExists(file);
  if (!buf) throw new RunFileError(file, 'is missing');
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const expected = saved.tensors.reduce((s, t) => s + t.length, 0);
  if (all.length !== expected) throw new RunFileError(file, `is damaged: it holds ${all.length} floats, ${CHECKPOINT_FILES.state} lists ${expected}`);
  const state = saved.tensors.map((t) => ({ name: t.name, shape: t.shape, data: all.subarray(t.offset, t.offset + t.length) }));
  return { meta: { step: saved.step, epoch: saved.epoch, stepInEpoch: saved.stepInEpoch }, state };
}
