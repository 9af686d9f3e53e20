/**
 * The Run model: one trainer process's life on a run folder — its state and its events.
 *
 * The Run is the one source of progress: it turns the trainer's events into a `RunState`
 * (status, epoch, step, loss, backend, failure) and tells its subscribers — the status bar, the
 * progress notification, the run's panel, the output channel — through `onDidChange`,
 * `onDidReceiveEvent`, `onDidLog` and `onDidExit`. Nobody else keeps a copy of the progress, so
 * the status bar, the notification and the panel cannot disagree.
 *
 * Like custom-editor-sample's document model, it knows nothing of the views that show it, and it
 * does not import `vscode`: the unit tests drive it with a fake trainer (any `TrainerChannel`).
 *
 * Resuming a run folder starts a new trainer process and so a new Run for the same folder; the
 * registry (registry.ts) keeps the latest Run of each folder.
 */
import type { EpochMetrics, RunStatus, StepMetrics, TrainerEvent, TrainerReplies } from '../../protocol/trainerIpc';
import { Emitter } from './emitter';
import { appendControl, readCheckpointInfo, type ControlInput } from '../../run/runDir';
import type { TrainerChannel } from './trainerProcess';

/** What the process does: train from scratch, resume from a checkpoint, or encode a folder with a saved model. */
export type RunKind = 'train' | 'resume' | 'encode' | 'follow';

/** Why a run ended unexpectedly. */
export interface RunFailure {
  message: string;
  /** The last lines of stderr (and error log events). */
  stderrTail: string;
  /** The run folder has a checkpoint to resume from. */
  resumable: boolean;
  /** The trainer had started (sent `started`) before it ended; false: it could not start. */
  started: boolean;
}

/** The state of a run, as every view shows it. */
export interface RunState {
  readonly status: RunStatus;
  /**
   * The epoch being trained, 1-based ("epoch 3/10" = the third of ten), as the trainer counts it in
   * its step events; after the last epoch ends, the number of epochs. 0 before the trainer started.
   */
  readonly epoch: number;
  /** Epochs the run is configured for (0 until the trainer started). */
  readonly epochs: number;
  /** Epochs completed (from the last epochEnd event). */
  readonly epochsDone: number;
  /** Optimizer steps taken, over all epochs. */
  readonly step: number;
  readonly stepsPerEpoch: number;
  readonly loss?: number;
  readonly imagesPerSec?: number;
  /** The TensorFlow.js backend the trainer uses. */
  readonly backend?: string;
  readonly lastStep?: StepMetrics;
  readonly lastEpoch?: EpochMetrics;
  /** Set when the run ended unexpectedly (status 'failed'). */
  readonly failure?: RunFailure;
  /** While the trainer decodes the images (before `started`): how many of how many. */
  readonly loading?: { readonly done: number; readonly total: number };
}

/** How a trainer process ended. */
export interface RunExit {
  /** The process exit code, or null if it was ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The `done` event, if the trainer sent one before exiting. */
  done?: Extract<TrainerEvent, { type: 'done' }>;
  /** True when the trainer ended without a clean `done` (crash, out of memory, killed). */
  unexpected: boolean;
  /** Human summary, e.g. "the trainer was killed by SIGKILL" or "completed: trained 1 epochs". */
  message: string;
  /** The last lines of stderr, for the error message. */
  stderrTail: string;
}

export interface RunOptions {
  runDir: string;
  kind: RunKind;
  /** Whether the run folder has a checkpoint to resume from (default: src/run's reader finds a usable one). */
  hasCheckpoint?: (runDir: string) => boolean | Promise<boolean>;
  /** After this long, a stop that the trainer did not obey becomes SIGTERM, then SIGKILL 5 s later. */
  stopGraceMs?: number;
}

const TAIL_LINES = 20;
let nextId = 1;

export class Run {
  readonly id = nextId++;
  readonly runDir: string;
  readonly kind: RunKind;
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<RunExit>;

  private _state: RunState = { status: 'starting', epoch: 0, epochs: 0, epochsDone: 0, step: 0, stepsPerEpoch: 0 };
  private _exit: RunExit | undefined;
  private done: Extract<TrainerEvent, { type: 'done' }> | undefined;
  private stopRequested = false;
  private started = false;
  private exiting: Promise<RunExit> | undefined;
  private readonly tail: string[] = [];
  private invalid = 0;
  private readonly hasCheckpoint: (runDir: string) => boolean | Promise<boolean>;
  private readonly changeEmitter = new Emitter<RunState>();
  private readonly eventEmitter = new Emitter<TrainerEvent>();
  private readonly logEmitter = new Emitter<string>();
  private readonly exitEmitter = new Emitter<RunExit>();
  /** The state changed (after every trainer event that moves it, and at exit). */
  readonly onDidChange = this.changeEmitter.event;
  /** Every validated trainer event, after the state was updated from it. */
  readonly onDidReceiveEvent = this.eventEmitter.event;
  /** A human log line: the trainer's stdout/stderr, or a note from the extension. */
  readonly onDidLog = this.logEmitter.event;
  /** The process ended (once). */
  readonly onDidExit = this.exitEmitter.event;

  constructor(private readonly trainer: TrainerChannel, opts: RunOptions) {
    this.runDir = opts.runDir;
    this.kind = opts.kind;
    // A damaged checkpoint pointer is no checkpoint to resume from.
    this.hasCheckpoint = opts.hasCheckpoint ?? ((dir) => readCheckpointInfo(dir).then((c) => c !== undefined, () => false));
    this.exited = new Promise<RunExit>((resolve) => {
      trainer.on('exit', (code, signal) => resolve(this.onExit(code, signal)));
    });
    trainer.on('event', (e) => this.onEvent(e));
    trainer.on('log', (line, isErr) => {
      if (isErr) this.pushTail(line);
      this.logEmitter.fire(line);
    });
    trainer.on('invalid', (reason) => {
      this.invalid++;
      this.logEmitter.fire(`[extension] dropped an invalid trainer message: ${reason}`);
    });
  }

  get state(): RunState {
    return this._state;
  }

  get running(): boolean {
    return this._exit === undefined;
  }

  /** Whether the trainer got as far as `started` (data loaded, model built). */
  get hasStarted(): boolean {
    return this.started;
  }

  /** How the process ended; undefined while it runs. */
  get exit(): RunExit | undefined {
    return this._exit;
  }

  /** Messages from the trainer that failed validation and were dropped. */
  get droppedMessages(): number {
    return this.invalid;
  }

  /** Fraction of the run's steps done, 0…1 (0 while the size is unknown). */
  get fraction(): number {
    const total = this._state.epochs * this._state.stepsPerEpoch;
    if (this._state.status === 'completed') return 1;
    return total > 0 ? Math.min(1, this._state.step / total) : 0;
  }

  pause(): boolean { return this.trainer.send({ type: 'pause' }); }
  /** Continue a paused run (the trainer's `resume` command; not to be confused with resuming from a checkpoint). */
  continue(): boolean { return this.trainer.send({ type: 'resume' }); }
  /** Live control (issue 10): a single step, or new training values, through the run's control.jsonl (own and followed runs alike). */
  async control(input: ControlInput): Promise<void> {
    if (!this.running) throw new Error('the trainer is not running');
    if (input.kind === 'pause') { this.pause(); return; }
    if (input.kind === 'continue') { this.continue(); return; }
    if (input.kind === 'stop') { void this.stop(); return; }
    await appendControl(this.runDir, input);
  }
  requestProjection(): Promise<TrainerReplies['project']> { return this.running ? this.trainer.request({ type: 'project' }) : Promise.reject(new Error('the trainer is not running')); }

  /**
   * Ask the trainer to write a final checkpoint and exit; if it has not exited after `graceMs`,
   * end it (SIGTERM, then SIGKILL). Resolves with the exit.
   */
  async stop(graceMs = 60_000): Promise<RunExit> {
    if (this.exiting) return this.exiting;
    this.stopRequested = true;
    if (!this.trainer.send({ type: 'stop' })) this.trainer.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!this.running) return;
      this.logEmitter.fire(`[extension] trainer did not stop within ${graceMs} ms; terminating it`);
      this.trainer.kill('SIGTERM');
      setTimeout(() => { if (this.running) this.trainer.kill('SIGKILL'); }, 5000).unref?.();
    }, graceMs);
    timer.unref?.();
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** End the process at once (no checkpoint). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.trainer.kill(signal);
  }

  private set(patch: Partial<RunState>): void {
    this._state = { ...this._state, ...patch };
  }

  private pushTail(line: string): void {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
  }

  private onEvent(e: TrainerEvent): void {
    if (!this.running || this.exiting) return;
    const s = this._state;
    let changed = true;
    switch (e.type) {
      case 'started': {
        this.started = true;
        const epochs = e.config.training.epochs;
        // A resumed run starts inside the epoch its checkpoint was written in.
        const epoch = e.stepsPerEpoch > 0 ? Math.floor(e.step / e.stepsPerEpoch) + 1 : 1;
        this.set({ status: 'training', epochs, stepsPerEpoch: e.stepsPerEpoch, step: e.step, epoch: Math.min(epoch, Math.max(epochs, 1)), backend: e.backend, loading: undefined });
        break;
      }
      case 'loading':
        this.set({ loading: { done: e.done, total: e.total } });
        break;
      case 'step':
        // metrics.epoch is already 1-based (the epoch this step belongs to).
        this.set({ step: e.metrics.step, epoch: e.metrics.epoch, stepsPerEpoch: e.stepsPerEpoch, loss: e.metrics.loss, imagesPerSec: e.metrics.imagesPerSec, lastStep: e.metrics });
        break;
      case 'epochEnd':
        // metrics.epoch = the epoch that just ended, 1-based = epochs completed.
        this.set({ step: e.metrics.step, epoch: Math.max(s.epoch, e.metrics.epoch), epochsDone: e.metrics.epoch, lastEpoch: e.metrics });
        break;
      case 'checkpoint':
        this.set({ step: e.step });
        break;
      case 'status':
        this.set({ status: e.status });
        break;
      case 'done':
        this.done = e;
        this.set({ status: e.status });
        break;
      case 'log':
        // The trainer prints the same line on stdout, which already goes to the log.
        if (e.level === 'error') this.pushTail(e.message);
        changed = false;
        break;
      default:
        // latents, projection, decoderSaved: files for the panel, no progress.
        changed = false;
        break;
    }
    if (changed) this.changeEmitter.fire(this._state);
    this.eventEmitter.fire(e);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): Promise<RunExit> {
    this.exiting ??= this.finish(code, signal);
    return this.exiting;
  }

  private async finish(code: number | null, signal: NodeJS.Signals | null): Promise<RunExit> {
    const done = this.done;
    const cleanDone = done !== undefined && done.status !== 'failed';
    const unexpected = !(code === 0 && cleanDone) && !(this.stopRequested && code === 0);
    const verb = this.kind === 'encode' ? 'encoding' : 'training';
    let message: string;
    if (signal) message = `the trainer was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory, or killed by hand)' : ''}`;
    else if (done) message = `${done.status}: ${done.message}`;
    else if (code === 0) message = 'the trainer exited without finishing';
    else message = `the trainer exited with code ${code}`;
    if (unexpected && done?.status === 'failed' && !signal) message = `${verb} failed: ${done.message}`;
    const stderrTail = this.tail.join('\n');
    const exit: RunExit = { code, signal, done, unexpected, message, stderrTail };
    // Whether a checkpoint is left is read before the exit is made known, so every subscriber sees the same state.
    const resumable = unexpected && this.kind !== 'encode' && (await this.hasCheckpoint(this.runDir));
    this._exit = exit;
    if (unexpected) {
      this.set({ status: 'failed', failure: { message, stderrTail, resumable, started: this.started } });
    } else if (done) {
      this.set({ status: done.status });
    } else if (this.stopRequested) {
      this.set({ status: 'stopped' });
    }
    if (this._state.status === 'completed' && this._state.epochs > 0 && this.kind !== 'encode') this.set({ epoch: this._state.epochs });
    this.changeEmitter.fire(this._state);
    this.exitEmitter.fire(exit);
    return exit;
  }

  /** Release the listeners (the process itself is not touched). */
  dispose(): void {
    for (const e of [this.changeEmitter, this.eventEmitter, this.logEmitter, this.exitEmitter]) e.dispose();
  }
}
