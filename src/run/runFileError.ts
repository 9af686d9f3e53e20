/**
 * The one error type of src/run: a run file that exists but cannot be used, or a path inside a
 * run that Latent Lens refuses to touch. The message names the file and the problem.
 */

/**
 * - `damaged`: the file is there but unusable (not JSON, wrong shape, shorter than it must be);
 * - `missing`: a file another file names (or that the operation needs) is absent;
 * - `unsafe`: refused by the path guard (./safePath): a symbolic link inside the run, a name
 *   that leaves the run (`..`, an absolute path), a file where a folder must be.
 */
export type RunFileProblem = 'damaged' | 'missing' | 'unsafe';

export class RunFileError extends Error {
  constructor(readonly file: string, readonly problem: string, readonly kind: RunFileProblem = 'damaged') {
    super(`${file} ${problem}`);
    this.name = 'RunFileError';
  }
}
