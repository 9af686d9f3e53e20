/**
 * The trainer's side of live control (issue 10): it polls the run's control.jsonl (a stat at most
 * every 200 ms; the new lines only when it grew), obeys pause / continue / step / stop at once
 * through TrainControl, and applies `set` requests between two steps (`between`): the new β,
 * learning rate (Adam's `learningRate`, read at every applyGradients, fused or not), KL warm-up
 * or free bits, a `change` line in metrics.jsonl, config.json updated so `resume` keeps them.
 * A request that fails the schema is refused with a log line and changes nothing. It also
 * writes heartbeat.json every few seconds, which tells a follower the process is alive and how
 * far it has read control.jsonl.
 *
 * Requests appended before the trainer started (an earlier process of the same run) are stale:
 * reading starts at the file's size at start.
 */
import type { ChangeLine, ControlRequest, LiveParam, LiveValues, RunConfig } from '../protocol/runFormat';
import type { TrainerEvent } from '../protocol/trainerIpc';
import { appendMetrics, controlFileSize, readControlFrom, writeHeartbeat, writeConfig } from '../run/runDir';
import type { TrainControl } from './train';

const POLL_MS = 200;
const HEARTBEAT_MS = 2_000;

type Log = (message: string, level?: 'info' | 'warn' | 'error') => void;

/** What `between` changes: the run's config (its `training` is the model's live settings) and the optimiser. */
export interface LiveTarget {
  config: RunConfig;
  optimizer: { learningRate?: number };
  /** Where training stands (for a change applied while paused). */
  position(): { step: number; epoch: number };
}

const NAMES: Record<LiveParam, string> = { beta: 'β', learningRate: 'learning rate', klWarmupSteps: 'KL warm-up', freeBits: 'free bits' };

/** "β 1 → 4, learning rate 0.001 → 0.0003" */
export function describeChanges(changes: ChangeLine['changes']): string {
  return changes.map((c) => `${NAMES[c.param]} ${c.from} → ${c.to}`).join(', ');
}

export class LiveControl {
  private offset: number;
  private readonly pending: { id: string; values: LiveValues }[] = [];
  private singleStep = false;
  private step = 0;
  private lastControl: { id: string; applied: boolean; message: string } | undefined;
  private polling = false;
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(
    private readonly runDir: string, private readonly control: TrainControl, private readonly target: LiveTarget,
    private readonly log: Log, private readonly emit: (e: TrainerEvent) => void, offset: number,
  ) {
    this.offset = offset;
  }

  static async start(runDir: string, control: TrainControl, target: LiveTarget, log: Log, emit: (e: TrainerEvent) => void): Promise<LiveControl> {
    const live = new LiveControl(runDir, control, target, log, emit, await controlFileSize(runDir));
    live.step = target.position().step;
    await live.beat();
    // Not unref'd: while paused, these timers are what keeps a CLI trainer's process alive (close() clears them).
    live.timers.push(setInterval(() => void live.poll(), POLL_MS), setInterval(() => void live.beat(), HEARTBEAT_MS));
    return live;
  }

  private async beat(): Promise<void> {
    await writeHeartbeat(this.runDir, { step: this.step, controlOffset: this.offset, lastControl: this.lastControl })
      .catch((e: Error) => this.log(`could not write the heartbeat: ${e.message}`, 'warn'));
  }

  /** Read the new lines of control.jsonl; actions take effect at once, `set` at the next step. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      if ((await controlFileSize(this.runDir)) <= this.offset) return;
      const { reads, next } = await readControlFrom(this.runDir, this.offset);
      this.offset = next;
      for (const r of reads) {
        if ('refused' in r) {
          this.lastControl = { id: r.id ?? '', applied: false, message: r.refused };
          this.log(`control request refused (training unaffected): ${r.refused}`, 'warn');
        } else this.obey(r.request);
      }
      // A paused loop takes no step: a change asked for now is applied now (the loop waits, so nothing races it).
      if (this.control.paused && this.pending.length) {
        const { step, epoch } = this.target.position();
        await appendMetrics(this.runDir, await this.between(step, epoch));
      }
      if (reads.length) await this.beat();
    } catch (e) {
      this.log(`could not read the control file: ${(e as Error).message}`, 'warn');
    } finally {
      this.polling = false;
    }
  }

  private obey(r: ControlRequest): void {
    const done = (message: string) => { this.lastControl = { id: r.id, applied: true, message }; this.log(message); };
    switch (r.kind) {
      case 'set': this.pending.push({ id: r.id, values: r.values }); break;
      case 'pause': this.control.pause(); done('pause requested'); break;
      case 'continue': this.singleStep = false; this.control.resume(); done('continue requested'); break;
      case 'stop': this.control.stop(); done('stop requested'); break;
      case 'step': this.singleStep = true; this.control.resume(); done('single step requested'); break;
    }
  }

  /** Between two steps: apply the pending `set` requests. Returns the change lines to append to metrics.jsonl. */
  async between(step: number, epoch: number): Promise<ChangeLine[]> {
    const target = this.target;
    this.step = step;
    const lines: ChangeLine[] = [];
    for (const { id, values } of this.pending.splice(0)) {
      const t = target.config.training;
      const changes: ChangeLine['changes'] = [];
      for (const [param, to] of Object.entries(values) as [LiveParam, number][]) {
        if (to === undefined || t[param] === to) continue;
        changes.push({ param, from: t[param], to });
        t[param] = to;
        if (param === 'learningRate') target.optimizer.learningRate = to;
      }
      const message = changes.length ? `changed at step ${step}: ${describeChanges(changes)}` : `nothing to change at step ${step} (the values were already set)`;
      this.lastControl = { id, applied: true, message };
      this.log(message);
      if (!changes.length) continue;
      const line: ChangeLine = { kind: 'change', step, epoch, id, changes, time: Date.now() };
      lines.push(line);
      this.emit({ type: 'change', change: line });
    }
    if (lines.length) {
      await writeConfig(this.runDir, target.config);
      await this.beat();
    }
    return lines;
  }

  /** After a step: true once when a single step was asked for (the loop pauses again). */
  takeSingleStep(): boolean {
    const s = this.singleStep;
    this.singleStep = false;
    return s;
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
  }
}
