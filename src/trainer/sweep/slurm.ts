/**
 * The Slurm side of a sweep: the sbatch array script (task i = `latent-lens train` of
 * combination i), and sbatch / squeue / scancel run with execFile — arguments as an array,
 * never a shell command line built from user input.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../protocol/trainRequest';
import { SWEEP_FILES } from '../../run/paths';
import type { Combination } from './grid';

/** Single-quoted for bash: any text, taken literally. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The first executable `name` on the PATH, or undefined. */
export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch { /* not here */ }
  }
  return undefined;
}

/** Refuse to go on without a Slurm client command. */
export function requireSlurmCommand(name: 'sbatch' | 'squeue' | 'scancel'): string {
  const found = findOnPath(name);
  if (!found) {
    throw new ConfigError(`--executor slurm needs \`${name}\` on the PATH, and it is not there: run this on a Slurm login node (or load its module), or use --executor local`);
  }
  return found;
}

/**
 * `--slurm-args "--partition=gpu --gres=gpu:1 --time=2:00:00"` → one option per #SBATCH line
 * (`["--partition=gpu", "--gres=gpu:1", "--time=2:00:00"]`; `--time 2:00:00` keeps its value on
 * the option's line). Single and double quotes group; values with spaces are refused (an #SBATCH
 * line cannot hold them reliably), so is --array (the sweep sets it).
 */
export function parseSlurmArgs(text: string | undefined): string[] {
  if (!text?.trim()) return [];
  // Words split at unquoted white space; '…' and "…" group and lose their quotes.
  const tokens: string[] = [];
  let cur: string | undefined;
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur ??= '';
    } else if (/\s/.test(ch)) {
      if (cur !== undefined) tokens.push(cur);
      cur = undefined;
    } else {
      cur = (cur ?? '') + ch;
    }
  }
  if (quote) throw new ConfigError(`--slurm-args: a ${quote} quote is not closed`);
  if (cur !== undefined) tokens.push(cur);
  const lines: string[] = [];
  for (const t of tokens) {
    if (/\s/.test(t)) throw new ConfigError(`--slurm-args: ${JSON.stringify(t)} holds a space; an #SBATCH line cannot carry it`);
    if (/^(--array|-a)(=|$)/.test(t)) throw new ConfigError('--slurm-args: --array is set by the sweep (one task per combination; --max-parallel N throttles it)');
    if (t.startsWith('-')) lines.push(t);
    else if (lines.length) lines[lines.length - 1] += ` ${t}`;
    else throw new ConfigError(`--slurm-args: ${JSON.stringify(t)} is not an sbatch option (they start with -)`);
  }
  return lines;
}

export interface ScriptInput {
  sweepDir: string;
  dataDir: string;
  /** dist/cli.js, absolute. */
  cliPath: string;
  trainArgs: string[];
  combos: readonly Combination[];
  slurmArgs: string[];
  maxParallel?: number;
  jobName: string;
  created: string;
}

/** The sbatch array script: readable, and submittable again by hand from the sweep folder. */
export function sbatchScript(s: ScriptInput): string {
  const n = s.combos.length;
  const words = (a: readonly string[]) => a.map(shq).join(' ');
  const cases = s.combos.map((c) => `  ${c.index}) RUN=${shq(c.name)}; GRID=(${words(c.args)}) ;;`);
  return `#!/bin/bash
# Latent Lens sweep: ${n} run${n === 1 ? '' : 's'} of \`latent-lens train\`, one per task of this array job.
# Written by \`latent-lens sweep\` on ${s.created}. To submit it again by hand (all, or only task 2):
#   cd ${shq(s.sweepDir)} && sbatch ${SWEEP_FILES.script}        (sbatch --array=2 ${SWEEP_FILES.script})
# Each task writes its run folder in this sweep folder, and its log to ${SWEEP_FILES.logs}/<run>.log.
# The nodes need Node >= 20 (\`node\` on the PATH, or LATENT_LENS_NODE=/path/to/node), and this
# folder, the image folder and the Latent Lens folder on a file system they share.
#SBATCH --job-name=${s.jobName}
#SBATCH --array=0-${n - 1}${s.maxParallel ? `%${s.maxParallel}` : ''}
#SBATCH --output=${SWEEP_FILES.logs}/slurm-%A_%a.out
${s.slurmArgs.map((a) => `#SBATCH ${a}`).join('\n')}${s.slurmArgs.length ? '\n' : ''}set -eu

NODE=\${LATENT_LENS_NODE:-node}
CLI=${shq(s.cliPath)}
DATA=${shq(s.dataDir)}
SWEEP=${shq(s.sweepDir)}
TRAIN_ARGS=(${words(s.trainArgs)})

case "\${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is an array job}" in
${cases.join('\n')}
  *) echo "latent-lens sweep: no combination \${SLURM_ARRAY_TASK_ID} (0-${n - 1})" >&2; exit 2 ;;
esac

if ! "$NODE" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "latent-lens sweep: Node >= 20 is needed on $(hostname) (\\"$NODE\\" is missing or older): load it (e.g. module load nodejs) or set LATENT_LENS_NODE" >&2
  exit 1
fi
# The wasm backend: one thread per CPU Slurm gave the task (native TensorFlow sizes its own pools).
export LATENT_LENS_WASM_THREADS=\${LATENT_LENS_WASM_THREADS:-\${SLURM_CPUS_PER_TASK:-\${SLURM_CPUS_ON_NODE:-}}}
echo "task \${SLURM_ARRAY_TASK_ID} on $(hostname): $RUN"
exec "$NODE" "$CLI" train "$DATA" --out "$SWEEP/$RUN" \${TRAIN_ARGS[@]+"\${TRAIN_ARGS[@]}"} "\${GRID[@]}" >>"$SWEEP/${SWEEP_FILES.logs}/$RUN.log" 2>&1
`;
}

interface ExecResult { code: number; stdout: string; stderr: string }

function run(file: string, args: string[], cwd?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(new Error(`${path.basename(file)} could not run: ${err.message}`));
      else resolve({ code: err ? Number(err.code) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Submit the script from the sweep folder (its #SBATCH --output is relative to it); the job id. */
export async function sbatch(script: string, sweepDir: string): Promise<string> {
  const r = await run(requireSlurmCommand('sbatch'), ['--parsable', script], sweepDir);
  const id = r.stdout.trim().split(';')[0];
  if (r.code !== 0 || !/^\d+$/.test(id)) throw new Error(`sbatch refused the sweep (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
  return id;
}

/** Slurm's state of each task of an array job still in the queue (PENDING, RUNNING, …); undefined when squeue cannot say. */
export async function squeueTasks(jobId: string): Promise<{ tasks: Map<number, string>; error?: string }> {
  const squeue = findOnPath('squeue');
  if (!squeue) return { tasks: new Map(), error: 'squeue is not on the PATH' };
  const r = await run(squeue, ['-h', '-r', '-j', jobId, '-o', '%K|%T']);
  const tasks = new Map<number, string>();
  // A job that left the queue long ago is unknown to slurmctld: nothing is queued.
  if (r.code !== 0) return /invalid job id/i.test(r.stderr) ? { tasks } : { tasks, error: `squeue failed (exit ${r.code}): ${r.stderr.trim()}` };
  for (const line of r.stdout.split('\n')) {
    const [task, state] = line.trim().split('|');
    if (/^\d+$/.test(task ?? '') && state) tasks.set(Number(task), state);
  }
  return { tasks };
}

/** Cancel every task of the array job (running tasks get SIGTERM: the trainer checkpoints and stops). */
export async function scancel(jobId: string): Promise<void> {
  const r = await run(requireSlurmCommand('scancel'), [jobId]);
  if (r.code !== 0) throw new Error(`scancel ${jobId} failed (exit ${r.code}): ${r.stderr.trim()}`);
}
