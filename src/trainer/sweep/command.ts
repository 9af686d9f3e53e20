/**
 * `latent-lens sweep`: a grid of training runs into one sweep folder.
 *
 *   latent-lens sweep <folder> --out <sweepDir> --grid beta=0.5,1,4 [--grid latent-dim=8,16]
 *         [any train flag] [--executor local|slurm] [--max-parallel N] [--slurm-args "…"]
 *   latent-lens sweep status <sweepDir> [--json]     each run's state; exit 0 only when all completed
 *   latent-lens sweep cancel <sweepDir>              scancel the array job (or stop the local sweep)
 *
 * Everything is checked before anything is written or submitted: the grid keys against the
 * train flags, every value, every combination's configuration, the executor's commands.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SweepFile } from '../../protocol/runFormat';
import { ConfigError, trainFlagOptions } from '../../protocol/trainRequest';
import { combinations, parseGrid, trainArgsFor } from './grid';
import { runLocal } from './local';
import { parseSlurmArgs, requireSlurmCommand, sbatch, sbatchScript, scancel } from './slurm';
import { formatSweepStatus, sweepStatus } from './status';
import { readSweepFile, sweepPaths, writeSweepFile } from './sweepFile';

export const SWEEP_USAGE = `  latent-lens sweep <folder> --out <sweepDir> --grid KEY=V1,V2,… [--grid …] [train options]
        [--executor local|slurm] [--max-parallel N] [--slurm-args "--partition=gpu --gres=gpu:1 …"]
  latent-lens sweep status <sweepDir> [--json]
  latent-lens sweep cancel <sweepDir>`;

const options = {
  ...trainFlagOptions(),
  out: { type: 'string' }, grid: { type: 'string', multiple: true }, executor: { type: 'string' },
  'max-parallel': { type: 'string' }, 'slurm-args': { type: 'string' }, json: { type: 'boolean' },
} as const;

/** The trainer the runs execute: this program (dist/cli.js), or $LATENT_LENS_CLI. */
function cliPath(): string {
  return path.resolve(process.env.LATENT_LENS_CLI || process.argv[1]);
}

function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new ConfigError(`--${flag} ${JSON.stringify(text)} is not valid: a whole number ≥ 1`);
  return Number(text);
}

/** A sweep folder may be new or empty; one that holds anything else is refused (no run is overwritten). */
function checkOutDir(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new ConfigError(`--out ${dir} is a file`);
  if (readdirSync(dir).length) throw new ConfigError(`--out ${dir} is not empty: a sweep writes into a new (or empty) folder`);
}

async function start(positionals: string[], v: Record<string, string | boolean | string[] | undefined>, log: (m: string) => void): Promise<number> {
  if (positionals.length !== 1) throw new ConfigError('sweep needs exactly one image folder');
  if (typeof v.out !== 'string') throw new ConfigError('sweep needs --out <sweepDir>, the folder the runs are written to');
  const dataDir = path.resolve(positionals[0]);
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new ConfigError(`${dataDir} is not a folder`);
  const sweepDir = path.resolve(v.out);
  const executor = (v.executor as string | undefined) ?? 'local';
  if (executor !== 'local' && executor !== 'slurm') throw new ConfigError(`--executor ${JSON.stringify(executor)} is not valid: one of local, slurm`);
  const maxParallel = positiveInt('max-parallel', v['max-parallel'] as string | undefined);
  if (executor === 'local' && v['slurm-args'] !== undefined) throw new ConfigError('--slurm-args needs --executor slurm');
  const axes = parseGrid((v.grid as string[] | undefined) ?? []);
  const combos = combinations(axes);
  const trainArgs = trainArgsFor(dataDir, v as Record<string, string | undefined>, axes, combos);
  const slurmArgs = parseSlurmArgs(v['slurm-args'] as string | undefined);
  if (executor === 'slurm') requireSlurmCommand('sbatch');
  checkOutDir(sweepDir);
  const cli = cliPath();
  if (!existsSync(cli)) throw new Error(`the trainer ${cli} is missing (run npm run build)`);

  // Checked: now write the sweep folder.
  const paths = sweepPaths(sweepDir);
  mkdirSync(paths.logs, { recursive: true });
  const created = new Date().toISOString();
  const sweep: SweepFile = {
    version: 1, dataDir, created, grid: axes, trainArgs, executor, ...(maxParallel ? { maxParallel } : {}),
    runs: combos.map((c) => ({ index: c.index, name: c.name, params: c.params })),
  };
  const what = `${combos.length} runs (${axes.map((a) => `${a.flag} ∈ {${a.values.join(', ')}}`).join(' × ')})`;
  if (executor === 'slurm') {
    const jobName = `latent-lens-${path.basename(sweepDir).replace(/[^\w.-]+/g, '_')}`.slice(0, 64);
    writeFileSync(paths.script, sbatchScript({ sweepDir, dataDir, cliPath: cli, trainArgs, combos, slurmArgs, maxParallel, jobName, created }), { mode: 0o755 });
    sweep.slurm = { script: path.basename(paths.script), args: slurmArgs };
    await writeSweepFile(sweepDir, sweep);
    const jobId = await sbatch(paths.script, sweepDir);
    sweep.slurm.jobId = jobId;
    await writeSweepFile(sweepDir, sweep);
    log(`submitted Slurm array job ${jobId}: ${what} into ${sweepDir}`);
    log(`follow it: latent-lens sweep status ${sweepDir}   (cancel: latent-lens sweep cancel ${sweepDir})`);
    return 0;
  }
  const parallel = maxParallel ?? 1;
  sweep.local = { pid: process.pid, host: os.hostname() };
  await writeSweepFile(sweepDir, sweep);
  log(`sweep of ${what} into ${sweepDir}, ${parallel} at a time`);
  const codes = await runLocal({ sweepDir, dataDir, cliPath: cli, trainArgs, combos, maxParallel: parallel, log });
  const status = await sweepStatus(sweepDir);
  log(formatSweepStatus(status));
  return status.allCompleted && codes.every((c) => c === 0) ? 0 : 1;
}

async function cancel(sweepDir: string, log: (m: string) => void): Promise<number> {
  const sweep = await readSweepFile(sweepDir);
  if (sweep.executor === 'slurm') {
    if (!sweep.slurm?.jobId) throw new Error(`${sweepDir}: the sweep was never submitted (no job id in sweep.json)`);
    await scancel(sweep.slurm.jobId);
    log(`cancelled Slurm job ${sweep.slurm.jobId} (running runs write a checkpoint and stop; resume one with latent-lens resume <run>)`);
    return 0;
  }
  const local = sweep.local;
  if (!local || local.host !== os.hostname()) throw new Error(`${sweepDir} runs on ${local?.host ?? 'an unknown host'}: cancel it there`);
  try {
    process.kill(local.pid, 'SIGTERM');
  } catch {
    log(`the local sweep (pid ${local.pid}) is not running`);
    return 0;
  }
  log(`asked the local sweep (pid ${local.pid}) to stop: its running runs write a checkpoint and stop`);
  return 0;
}

/** `latent-lens sweep …` (argv after "sweep"); the exit code. */
export async function sweepMain(argv: string[], log: (m: string) => void = (m) => console.log(m)): Promise<number> {
  // `--slurm-args "--partition=gpu …"`: its value starts with a dash, which parseArgs takes for an option.
  const args = argv.flatMap((a, i) => (a === '--slurm-args' && i + 1 < argv.length ? [] : argv[i - 1] === '--slurm-args' ? [`--slurm-args=${a}`] : [a]));
  const { values: v, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
  const [first, ...rest] = positionals;
  if (first === 'status' || first === 'cancel') {
    if (rest.length !== 1) throw new ConfigError(`sweep ${first} needs exactly one sweep folder`);
    const dir = path.resolve(rest[0]);
    if (first === 'cancel') return cancel(dir, log);
    const status = await sweepStatus(dir);
    log(v.json ? JSON.stringify(status) : formatSweepStatus(status));
    return status.allCompleted ? 0 : 1;
  }
  return start(positionals, v, log);
}
