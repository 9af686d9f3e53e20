/**
 * The path guard of a run folder: the one place src/run turns a run-relative name into a path
 * it reads, writes or deletes.
 *
 * A run folder is untrusted input: it can come from a colleague, a download, a shared drive or
 * a `vscode://…/open?run=…` link. So, for every file of a run:
 *  - the name is relative, `/`-separated, without `..`, `.`, empty parts, backslashes or a drive;
 *  - every component below the run folder is checked with lstat: a symbolic link (or a Windows
 *    junction) anywhere inside the run is refused with a RunFileError of kind `unsafe`, so every
 *    path resolves (realpath) inside the run folder. The run folder itself may be a link (the
 *    user chose it); it is resolved with realpath first;
 *  - reads open with O_NOFOLLOW | O_NONBLOCK and accept only regular files (no FIFO can hang a
 *    reader, no link swapped in after the check is followed);
 *  - writes go to a fresh temporary name opened with O_CREAT | O_EXCL | O_NOFOLLOW ('wx': never
 *    an existing file, never through a link), then rename(2) over the final name, inside the
 *    real run folder; appends (metrics.jsonl) open with O_NOFOLLOW;
 *  - deletes remove only what the trainer created, checked with lstat, never through a link:
 *    `checkpoints/ckpt-<digits>` folders holding only checkpoint files, and files by exact name.
 * The remaining window (a link swapped in between the check and the use by a process running
 * at the same time) needs a local attacker already able to write the folder; a folder that
 * arrived with links in it is always refused.
 */
import { constants, promises as fs, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { RunFileError } from './runFileError';

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;

/** The only folders of checkpoints/ the trainer deletes (see removeOwnedCheckpoint). */
export const OWNED_CHECKPOINT = /^ckpt-\d+$/;

/** Why a run-relative name is refused, or undefined when it stays inside the run. */
export function relativeNameProblem(rel: string): string | undefined {
  if (rel === '') return undefined;
  if (rel.includes('\0')) return 'contains a NUL character';
  if (rel.includes('\\')) return 'contains a backslash (names inside a run are /-separated)';
  if (path.posix.isAbsolute(rel) || path.win32.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) return 'is an absolute path, outside the run folder';
  const parts = rel.split('/');
  if (parts.includes('..')) return 'leaves the run folder (..)';
  if (parts.some((p) => p === '' || p === '.')) return 'has an empty or "." part';
  return undefined;
}

/** The run-relative name as the user sees it: `<run as given>/<rel>`. */
export function shownPath(run: string, rel: string): string {
  return rel ? path.join(run, ...rel.split('/')) : run;
}

async function realRoot(run: string, create: boolean): Promise<string> {
  try {
    return await fs.realpath(run);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new RunFileError(run, `cannot be opened: ${(e as Error).message}`);
    if (!create) return path.resolve(run);
    await fs.mkdir(run, { recursive: true });
    return fs.realpath(run);
  }
}

/** The RunFileError for a symbolic link found inside a run. */
export async function linkError(shown: string, real: string): Promise<RunFileError> {
  const target = await fs.readlink(real).catch(() => 'somewhere else');
  return new RunFileError(shown, `is a symbolic link (to ${target}). Latent Lens refuses links inside a run folder: a run can come from anyone, ` +
    'and a link would make it read, overwrite or delete files outside the run. Replace the link with the files themselves.', 'unsafe');
}

export interface InsideRun {
  /** Absolute path under the run's real folder. */
  file: string;
  /** The path as the user sees it (for messages). */
  shown: string;
  /** lstat of the last component; undefined when it does not exist. */
  stat?: Stats;
}

/**
 * Resolves `rel` inside `run`, checking every component with lstat (see the module comment).
 * A missing component is not an error: `stat` is undefined (with `create`, the missing folders
 * above the last component are made, one mkdir at a time, so never through a link).
 */
export async function resolveInsideRun(run: string, rel: string, opts: { create?: boolean } = {}): Promise<InsideRun> {
  const problem = relativeNameProblem(rel);
  if (problem) throw new RunFileError(`${run}${path.sep}${rel}`, `${problem}: Latent Lens only reads and writes inside the run folder`, 'unsafe');
  const parts = rel ? rel.split('/') : [];
  const root = await realRoot(run, !!opts.create);
  let cur = root;
  let stat: Stats | undefined;
  for (let i = 0; i < parts.length; i++) {
    cur = path.join(cur, parts[i]);
    const shown = shownPath(run, parts.slice(0, i + 1).join('/'));
    const last = i === parts.length - 1;
    stat = await lstatOrUndefined(cur, shown);
    if (!stat && opts.create && !last) {
      await fs.mkdir(cur).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw new RunFileError(shown, `cannot be created: ${e.message}`); });
      stat = await lstatOrUndefined(cur, shown);
    }
    if (!stat) return { file: path.join(root, ...parts), shown: shownPath(run, rel), stat: undefined };
    if (stat.isSymbolicLink()) throw await linkError(shown, cur);
    if (!last && !stat.isDirectory()) throw new RunFileError(shown, 'is not a folder, but the run needs it to be one', 'unsafe');
  }
  return { file: cur, shown: shownPath(run, rel), stat: parts.length ? stat : await lstatOrUndefined(root, run) };
}

async function lstatOrUndefined(file: string, shown: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw new RunFileError(shown, 'cannot exist: a file is where a folder must be', 'unsafe');
    throw new RunFileError(shown, `cannot be read: ${(e as Error).message}`);
  }
}

function notAFile(at: InsideRun): RunFileError {
  return new RunFileError(at.shown, `is not a regular file (${at.stat?.isDirectory() ? 'a folder' : 'a device, socket or pipe'})`, 'unsafe');
}

/** The bytes of a run file, or undefined when it does not exist. */
export async function readRunFile(run: string, rel: string): Promise<Buffer | undefined> {
  const at = await resolveInsideRun(run, rel);
  if (!at.stat) return undefined;
  if (!at.stat.isFile()) throw notAFile(at);
  let handle;
  try {
    handle = await fs.open(at.file, constants.O_RDONLY | NOFOLLOW | NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw await linkError(at.shown, at.file);
    throw new RunFileError(at.shown, `cannot be read: ${(e as Error).message}`);
  }
  try {
    if (!(await handle.stat()).isFile()) throw notAFile(at);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try { await handle.sync(); } catch { /* some file systems refuse fsync on folders */ } finally { await handle.close(); }
}

/** A fresh temporary file beside `file`, created exclusively and never through a link; then rename over `file`. */
export async function writeViaTemp(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fsyncDir(dir);
}

/** Writes a run file atomically (temporary file + rename) inside the real run folder. */
export async function writeRunFile(run: string, rel: string, data: string | Uint8Array): Promise<void> {
  const at = await resolveInsideRun(run, rel, { create: true });
  if (at.stat && !at.stat.isFile()) throw notAFile(at);
  await writeViaTemp(at.file, data);
}

/** Appends to a run file (metrics.jsonl), never through a link. */
export async function appendRunFile(run: string, rel: string, text: string): Promise<void> {
  const at = await resolveInsideRun(run, rel, { create: true });
  if (at.stat && !at.stat.isFile()) throw notAFile(at);
  let handle;
  try {
    handle = await fs.open(at.file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NOFOLLOW | NONBLOCK, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw await linkError(at.shown, at.file);
    throw e;
  }
  try {
    if (!(await handle.stat()).isFile()) throw notAFile(at);
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}

/** The entries of a run folder (not followed: a link reads as a link); [] when it does not exist. */
export async function listRunDir(run: string, rel: string): Promise<Dirent[]> {
  const at = await resolveInsideRun(run, rel);
  if (!at.stat) return [];
  if (!at.stat.isDirectory()) throw new RunFileError(at.shown, 'is not a folder, but the run needs it to be one', 'unsafe');
  return fs.readdir(at.file, { withFileTypes: true });
}

/** Deletes a file the trainer wrote, by its exact name: only a regular file (lstat), never a link's target. */
export async function removeOwnedFile(run: string, rel: string): Promise<boolean> {
  const at = await resolveInsideRun(run, rel).catch(() => undefined);
  if (!at?.stat?.isFile()) return false;
  await fs.unlink(at.file);
  return true;
}

/**
 * Deletes checkpoints/<name> when it is what the trainer made: a real folder (lstat, not a link)
 * named ckpt-<digits> holding only checkpoint files (`files`, and their temporary names). Anything
 * else in it stays, and so does the folder. Returns whether it was removed.
 */
export async function removeOwnedCheckpoint(run: string, checkpointsRel: string, name: string, files: readonly string[]): Promise<boolean> {
  if (!OWNED_CHECKPOINT.test(name)) return false;
  const rel = `${checkpointsRel}/${name}`;
  const at = await resolveInsideRun(run, rel).catch(() => undefined);
  if (!at?.stat?.isDirectory()) return false;
  const owned = (f: string) => files.includes(f) || files.some((k) => f.startsWith(`.${k}.tmp-`));
  for (const entry of await fs.readdir(at.file, { withFileTypes: true })) {
    if (owned(entry.name) && entry.isFile()) await fs.unlink(path.join(at.file, entry.name));
  }
  try {
    await fs.rmdir(at.file);
    return true;
  } catch {
    return false; // something the trainer did not write is in it: leave it
  }
}

/**
 * Refuses a run folder that holds a symbolic link anywhere (lstat walk, links never followed):
 * checked before a run is resumed or written into. Stops looking after `maxEntries`.
 */
export async function assertNoLinks(run: string, maxEntries = 20_000): Promise<void> {
  const root = await realRoot(run, false);
  let seen = 0;
  const walk = async (real: string, rel: string): Promise<void> => {
    let entries: Dirent[];
    try { entries = await fs.readdir(real, { withFileTypes: true }); } catch { return; }
    for (const entry of entries) {
      if (++seen > maxEntries) return;
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const child = path.join(real, entry.name);
      if (entry.isSymbolicLink()) throw await linkError(shownPath(run, childRel), child);
      if (entry.isDirectory()) await walk(child, childRel);
    }
  };
  await walk(root, '');
}
