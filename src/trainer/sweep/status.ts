/**
 * `latent-lens sweep status`: the state of each run of a sweep, from the runs' own status.json
 * and, for a Slurm sweep, squeue (a task still queued has no run folder yet; a run that says
 * "training" but whose task left the queue was killed).
 */
import os from 'node:os';
import path from 'node:path';
import type { SweepFile } from '../../protocol/runFormat';
import { readConfig, readRunStatus } from '../../run/runDir';
import { squeueTasks } from './slurm';
import { readSweepFile, sweepPaths } from './sweepFile';

/** A run's state: the status.json states, plus what the queue or the sweep says before and after. */
export type SweepRunState =
  | 'starting' | 'training' | 'paused' | 'completed' | 'stopped' | 'failed'
  /** Waiting in the Slurm queue, or for a local slot. */
  | 'pending'
  /** Its task or process ended without the run saying it ended: see its log. */
  | 'lost'
  /** The Slurm job was never submitted (sbatch failed). */
  | 'unsubmitted';

export interface SweepRunStatus {
  index: number;
  name: string;
  params: Record<string, string>;
  state: SweepRunState;
  epoch?: number;
  epochs?: number;
  step?: number;
  backend?: string;
  message?: string;
  /** Slurm's own state of the task while it is queued (PENDING, RUNNING, …). */
  slurm?: string;
}

export interface SweepStatus {
  sweepDir: string;
  executor: SweepFile['executor'];
  jobId?: string;
  runs: SweepRunStatus[];
  /** Why the queue could not be read (the states are then from the run folders only). */
  queueError?: string;
  allCompleted: boolean;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function sweepStatus(sweepDir: string): Promise<SweepStatus> {
  const sweep = await readSweepFile(sweepDir);
  const jobId = sweep.slurm?.jobId;
  let queue: Map<number, string> | undefined;
  let queueError: string | undefined;
  if (sweep.executor === 'slurm' && jobId) {
    const q = await squeueTasks(jobId);
    if (q.error) queueError = q.error;
    else queue = q.tasks;
  }
  // A local sweep still going: its process is alive (on this host).
  const localAlive = sweep.executor === 'local' && sweep.local !== undefined && sweep.local.host === os.hostname() && processAlive(sweep.local.pid);
  const runs: SweepRunStatus[] = [];
  for (const r of sweep.runs) {
    const runDir = path.join(sweepDir, r.name);
    const row: SweepRunStatus = { index: r.index, name: r.name, params: r.params, state: 'pending' };
    const slurm = queue?.get(r.index);
    if (slurm) row.slurm = slurm;
    let status;
    try {
      status = await readRunStatus(runDir);
    } catch (e) {
      status = undefined;
      row.message = (e as Error).message;
    }
    const gone = sweep.executor === 'slurm' ? queue !== undefined && !slurm : !localAlive;
    if (status) {
      Object.assign(row, { state: status.status, epoch: status.epoch, step: status.step, backend: status.backend });
      if (status.message) row.message = status.message;
      try { row.epochs = (await readConfig(runDir)).training.epochs; } catch { /* not written yet */ }
      if ((status.status === 'training' || status.status === 'starting' || status.status === 'paused') && gone) {
        row.state = 'lost';
        row.message = `the ${sweep.executor === 'slurm' ? 'Slurm task' : 'trainer'} ended while the run said "${status.status}": see ${path.relative(sweepDir, sweepPaths(sweepDir).runLog(r.name))}`;
      }
    } else if (sweep.executor === 'slurm' && !jobId) {
      row.state = 'unsubmitted';
    } else if (slurm && slurm !== 'PENDING') {
      row.state = 'starting'; // the task runs; the trainer has not written its status yet
    } else if (gone) {
      row.state = 'lost';
      row.message ??= `ended without writing a run: see ${path.relative(sweepDir, sweepPaths(sweepDir).runLog(r.name))}${sweep.executor === 'slurm' ? ` and logs/slurm-${jobId}_${r.index}.out` : ''}`;
    }
    runs.push(row);
  }
  return { sweepDir, executor: sweep.executor, jobId, runs, queueError, allCompleted: runs.every((r) => r.state === 'completed') };
}

/** The status as the terminal shows it: a summary line, then one line per run. */
export function formatSweepStatus(s: SweepStatus): string {
  const counts = new Map<string, number>();
  for (const r of s.runs) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  const summary = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
  const where = s.executor === 'slurm' ? `Slurm job ${s.jobId ?? '(not submitted)'}` : 'local';
  const lines = [`sweep ${s.sweepDir} (${where}): ${s.runs.length} runs: ${summary}`];
  if (s.queueError) lines.push(`  (the queue could not be read: ${s.queueError})`);
  const width = Math.max(...s.runs.map((r) => r.name.length));
  for (const r of s.runs) {
    const progress = r.epoch !== undefined ? ` epoch ${r.epoch}${r.epochs ? `/${r.epochs}` : ''}, step ${r.step}` : '';
    const extra = [r.slurm && r.slurm !== 'RUNNING' ? `slurm ${r.slurm}` : '', r.backend ? `backend ${r.backend}` : '', r.message ?? ''].filter(Boolean).join('; ');
    lines.push(`  ${r.name.padEnd(width)}  ${r.state.padEnd(11)}${progress}${extra ? `  ${extra}` : ''}`.trimEnd());
  }
  return lines.join('\n');
}
