/**
 * Atomic file writes: write a temporary file in the same folder, fsync it, rename it over
 * the final name, fsync the folder. rename(2) within one file system is atomic, so a reader
 * (or a process restarted after a kill) sees either the old file or the new one, never half.
 *
 * Files of a run are written with `writeRunFile` / `writeRunJson` (the run-relative name goes
 * through the path guard of ./safePath); `writeFileAtomic` is for a file the user named
 * outside any run (the report's --out). The temporary file is always created exclusively and
 * never through a link.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fsyncDir, writeRunFile, writeViaTemp } from './safePath';

export { fsyncDir, writeRunFile };

/** A file the user named (not inside a run): its folder is made if missing. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeViaTemp(file, data);
}

export function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, jsonText(value));
}

/** A JSON file of a run, by its run-relative name. */
export function writeRunJson(run: string, rel: string, value: unknown): Promise<void> {
  return writeRunFile(run, rel, jsonText(value));
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 1) + '\n';
}

/** Bytes of a typed array as a Uint8Array view (no copy). */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
