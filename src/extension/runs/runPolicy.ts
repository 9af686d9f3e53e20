/**
 * What the extension may do with a run folder, which is untrusted input (issue 14): a link
 * (vscode://latent-lens.latent-lens/open?run=…) or Open Run… can name any folder.
 *  - Where it is, against the folders the user has opened: training or resuming writes into it,
 *    so outside the open workspace (and the runs folder) the extension asks first. Paths are
 *    compared by their real location (symbolic links resolved).
 *  - Whether Open Run… offers to resume it: never in Restricted Mode, never while it trains.
 *
 * No `vscode` here (plain Node tests use it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The real path of `p`, also for a path that does not exist yet: its nearest existing ancestor resolved, the rest appended. */
export function realPathOf(p: string): string {
  let dir = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(dir), ...rest.reverse());
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return path.resolve(p);
      rest.push(path.basename(dir));
      dir = parent;
    }
  }
}

/** True when `child` is `parent` or inside it (both real paths). */
export function isPathInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** True when the run folder is inside one of `roots` (workspace folders, the runs folder), real paths compared. */
export function isInsideAny(runDir: string, roots: readonly string[]): boolean {
  const real = realPathOf(runDir);
  return roots.some((r) => isPathInside(real, realPathOf(r)));
}

/** How Open Run… treats a run folder that could be resumed. */
export type ResumeOffer = 'none' | 'offer' | 'resume';

/**
 * Whether Open Run… offers to resume: not in Restricted Mode (only viewing), not while the run
 * trains, not without a checkpoint; `requested` (the command's `resume` argument) answers for
 * the user (true: resume, false: do not ask).
 */
export function resumeOffer(o: { trusted: boolean; running: boolean; resumable: boolean; requested?: boolean }): ResumeOffer {
  if (!o.trusted || o.running || !o.resumable || o.requested === false) return 'none';
  return o.requested ? 'resume' : 'offer';
}
