/**
 * A trainer this window did not start — the CLI in a terminal, on a shared folder, on the other
 * side of Remote-SSH — seen through its run folder (issue 10, "Follow runs trained elsewhere").
 *
 * `FollowedTrainer` is a TrainerChannel fed by the folder instead of a process: it turns new
 * metrics lines, status.json, latents, the projection and the decoder into the same TrainerEvents
 * a forked trainer sends, so a `Run` (kind 'follow'), the panel and the status bar work unchanged.
 * It checks the folder when `poke()`d (the extension's FileSystemWatcher) and every `pollMs`
 * anyway (events do not arrive on every file system). Commands go to the run's control.jsonl.
 *
 * The writer ended: status.json says completed / stopped / failed (→ `done`, exit), or it still
 * says training but heartbeat.json is older than `heartbeatTimeoutMs` (→ "stopped responding").
 * No `vscode` here (unit-tested in plain Node).
 */
import { EventEmitter } from 'node:events';
import type { RunStatus, TrainerEvent, TrainerReplies, TrainerRequest } from '../../protocol/trainerIpc';
import {
  appendControl, readConfig, readDatasetIndex, readHeartbeat, readLatentsIndex, readMetricsFrom, readProjection, readRunStatus, runStamps,
} from '../../run/runDir';
import type { TrainerChannel } from './trainerProcess';

export interface FollowOptions {
  pollMs?: number;
  /** A training status with a heartbeat older than this: the writer died. Default 30 s (LATENT_LENS_HEARTBEAT_TIMEOUT_MS in tests). */
  heartbeatTimeoutMs?: number;
}

const ENDED: RunStatus[] = ['completed', 'stopped', 'failed'];

/** The heartbeat timeout: 30 s, or the test's shorter one. */
export function heartbeatTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.LATENT_LENS_HEARTBEAT_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 30_000;
}

/** "the trainer writing this run stopped responding (last heartbeat 14:02:11, 42 s ago)" */
export function stoppedRespondingText(lastBeat: number | undefined, now = Date.now()): string {
  if (lastBeat === undefined) return 'the trainer writing this run stopped responding (no heartbeat)';
  return `the trainer writing this run stopped responding (last heartbeat ${new Date(lastBeat).toLocaleTimeString()}, ${Math.round((now - lastBeat) / 1000)} s ago)`;
}

export class FollowedTrainer extends EventEmitter implements TrainerChannel {
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private again = false;
  private ended = false;
  private offset = 0;
  private stamps: Record<string, string> = {};
  private status: RunStatus | undefined;
  private lastStep = 0;
  private stepsPerEpoch = 1;
  private readonly seenSince = Date.now();

  constructor(readonly runDir: string, opts: FollowOptions = {}) {
    super();
    this.pollMs = opts.pollMs ?? 2_000;
    this.timeoutMs = opts.heartbeatTimeoutMs ?? 30_000;
  }

  /** Read what is there (a `started` event, then the run so far as the panel's snapshot shows it) and begin following. */
  async start(): Promise<void> {
    const [config, dataset, status] = await Promise.all([readConfig(this.runDir), readDatasetIndex(this.runDir).catch(() => undefined), readRunStatus(this.runDir)]);
    const train = dataset?.images.filter((i) => i.split === 'train').length ?? 0;
    this.stepsPerEpoch = Math.max(1, Math.floor(train / config.training.batchSize));
    // The panel's snapshot already holds the lines so far: follow from the end.
    const { next } = await readMetricsFrom(this.runDir, 0);
    this.offset = next;
    this.stamps = await runStamps(this.runDir);
    this.lastStep = status?.step ?? 0;
    this.fire({
      type: 'started', runDir: this.runDir, backend: status?.backend ?? 'unknown', config, step: this.lastStep, stepsPerEpoch: this.stepsPerEpoch,
      dataset: { images: dataset?.images.length ?? 0, trainImages: train, valImages: (dataset?.images.length ?? 0) - train, labels: dataset?.labels ?? [], skipped: dataset?.skipped.length ?? 0 },
    });
    this.status = 'training';
    this.timer = setInterval(() => this.poke(), this.pollMs);
    this.timer.unref?.();
    await this.check();
  }

  /** Something in the folder changed (a file watcher event): check soon. */
  poke(): void {
    if (this.ended || this.soon) return;
    this.soon = setTimeout(() => { this.soon = undefined; void this.check(); }, 50);
  }

  /** Read what changed since the last check (one check at a time; a poke during one runs another after it). */
  check(): Promise<void> {
    if (this.checking) { this.again = true; return this.checking; }
    this.checking = this.read().catch((e: Error) => { this.emit('log', `[follow] ${e.message}`, true); }).finally(() => {
      this.checking = undefined;
      if (this.again && !this.ended) { this.again = false; void this.check(); }
    });
    return this.checking;
  }

  private fire(e: TrainerEvent): void {
    this.emit('event', e);
  }

  private async read(): Promise<void> {
    if (this.ended) return;
    const stamps = await runStamps(this.runDir);
    const changed = (k: keyof typeof stamps) => stamps[k] !== this.stamps[k];
    if (changed('metrics')) {
      const { lines, next } = await readMetricsFrom(this.runDir, this.offset);
      this.offset = next;
      for (const m of lines) {
        if (m.kind === 'step') { this.lastStep = m.step; this.fire({ type: 'step', metrics: m, stepsPerEpoch: this.stepsPerEpoch }); }
        else if (m.kind === 'epoch') this.fire({ type: 'epochEnd', metrics: m });
        else this.fire({ type: 'change', change: m });
      }
    }
    if (changed('latents') && stamps.latents) {
      const index = await readLatentsIndex(this.runDir).catch(() => undefined);
      if (index) this.fire({ type: 'latents', epoch: index.epoch, step: index.step, count: index.count });
    }
    if (changed('projection') && stamps.projection) {
      const p = await readProjection(this.runDir).catch(() => undefined);
      if (p) this.fire({ type: 'projection', epoch: p.epoch, method: p.method, millis: 0 });
    }
    if (changed('decoder') && stamps.decoder) this.fire({ type: 'decoderSaved', step: this.lastStep });
    this.stamps = stamps;
    const status = await readRunStatus(this.runDir).catch(() => undefined);
    if (status && status.status !== this.status) {
      this.status = status.status;
      if (ENDED.includes(status.status)) return this.end(status.status, status.message || `${status.status} at step ${status.step}`, status.status === 'failed' ? 1 : 0);
      this.fire({ type: 'status', status: status.status });
    }
    if (this.status === 'training' || this.status === 'paused') {
      const beat = await readHeartbeat(this.runDir).catch(() => undefined);
      const last = beat?.time;
      // Without any heartbeat (a trainer older than heartbeats), only judge once we have watched as long as the timeout.
      const since = last ?? this.seenSince;
      if (Date.now() - since > this.timeoutMs && (last !== undefined || stamps.heartbeat === '')) {
        this.end('failed', stoppedRespondingText(last), 1);
      }
    }
  }

  private end(status: RunStatus, message: string, code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.close();
    this.fire({ type: 'done', status, message });
    this.emit('exit', code, null);
  }

  send(cmd: { type: 'pause' | 'resume' | 'stop' }): boolean {
    if (this.ended) return false;
    const kind = cmd.type === 'resume' ? 'continue' : cmd.type;
    appendControl(this.runDir, { kind }).catch((e: Error) => this.emit('log', `[follow] could not write the control request: ${e.message}`, true));
    return true;
  }

  request<C extends TrainerRequest>(_cmd: C): Promise<TrainerReplies[C['type']]> {
    return Promise.reject(new Error('a run followed from its folder cannot be asked for a new map; it is recomputed at every epoch end'));
  }

  kill(): boolean {
    return false;
  }

  /** Stop watching (the writer is not touched). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = this.soon = undefined;
  }
}
