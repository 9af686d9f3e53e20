/**
 * RunController: one forked trainer process (dist/cli.js) and everything the extension host
 * knows about it.
 *
 * The extension host never does tensor math (DESIGN.md, "Three processes, one protocol"): the
 * trainer runs in a child process with an IPC channel, sends TrainerEvents with process.send and
 * obeys TrainerCommands. Every message that arrives is validated with `parseTrainerEvent` before
 * it is used; an invalid one is logged and dropped. stdout/stderr are human log lines and go to
 * the `log` listeners (the output channel).
 *
 * This file imports nothing from 'vscode', so it can be exercised by plain Node tests.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as os from 'node:os';
import {
  parseTrainerEvent, type EpochMetrics, type RunStatus, type StepMetrics, type TrainerCommand, type TrainerEvent,
} from '../protocol/trainerIpc';

/** Options of a new training run; mapped one-to-one onto `latent-lens train` flags. */
export interface TrainOptions {
  folder: string;
  runDir: string;
  epochs?: number;
  latentDim?: number;
  /** N or HxW. */
  imageSize?: number | string;
  beta?: number;
  batchSize?: number;
  learningRate?: number;
  klWarmupSteps?: number;
  freeBits?: number;
  backend?: string;
  maxImages?: number;
  seed?: number;
  logEvery?: number;
  /** Any further CLI flags, passed through verbatim. */
  extraArgs?: string[];
}

/** The command line for `latent-lens train`. */
export function trainArgs(o: TrainOptions): string[] {
  const a = ['train', o.folder, '--out', o.runDir];
  const flag = (name: string, v: number | string | undefined) => { if (v !== undefined && v !== '') a.push(`--${name}`, String(v)); };
  flag('epochs', o.epochs);
  flag('latent-dim', o.latentDim);
  flag('image-size', o.imageSize);
  flag('beta', o.beta);
  flag('batch-size', o.batchSize);
  flag('lr', o.learningRate);
  flag('kl-warmup', o.klWarmupSteps);
  flag('free-bits', o.freeBits);
  flag('backend', o.backend);
  flag('max-images', o.maxImages);
  flag('seed', o.seed);
  flag('log-every', o.logEvery);
  if (o.extraArgs) a.push(...o.extraArgs);
  return a;
}

/** The command line for `latent-lens resume`. */
export function resumeArgs(runDir: string, opts: { epochs?: number; backend?: string } = {}): string[] {
  const a = ['resume', runDir];
  if (opts.epochs !== undefined) a.push('--epochs', String(opts.epochs));
  if (opts.backend) a.push('--backend', opts.backend);
  return a;
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
  /** Human summary, e.g. "killed by SIGKILL" or "completed: 1 epoch". */
  message: string;
  /** The last lines of stderr, for the error message. */
  stderrTail: string;
}

/** The latest state of a run, for the status bar and progress notification. */
export interface RunProgress {
  status: RunStatus;
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  loss?: number;
  imagesPerSec?: number;
  backend?: string;
  lastEpoch?: EpochMetrics;
  lastStep?: StepMetrics;
}

export interface RunControllerEvents {
  event: [TrainerEvent];
  log: [string];
  progress: [RunProgress];
  exit: [RunExit];
}

export interface SpawnOptions {
  /** Path of dist/cli.js. */
  cliPath: string;
  args: string[];
  runDir: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Node executable to run the trainer with; default: this process's (fork's default). */
  execPath?: string;
  execArgv?: string[];
  /** Scheduling priority of the trainer (nice value, 0 = normal, 19 = lowest). Default 10. */
  niceness?: number;
}

let nextId = 1;

export class RunController extends EventEmitter<RunControllerEvents> {
  readonly id = nextId++;
  readonly runDir: string;
  readonly child: ChildProcess;
  readonly progress: RunProgress;
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<RunExit>;
  private done?: Extract<TrainerEvent, { type: 'done' }>;
  private stopRequested = false;
  private stderrTail: string[] = [];
  private _exit?: RunExit;
  private invalidMessages = 0;

  constructor(opts: SpawnOptions) {
    super();
    opts = { niceness: 10, ...opts };
    this.runDir = opts.runDir;
    this.progress = { status: 'starting', epoch: 0, epochs: 0, step: 0, stepsPerEpoch: 0 };
    this.child = fork(opts.cliPath, opts.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      execPath: opts.execPath,
      execArgv: opts.execArgv ?? [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    // Training saturates every core; the editor must stay the one that answers first. A
    // lower scheduling priority (nice) for the trainer keeps the extension host's and the
    // renderer's latency low on a busy machine and costs training little.
    if (opts.niceness && this.child.pid !== undefined) {
      try { os.setPriority(this.child.pid, opts.niceness); } catch { /* not permitted here: run at normal priority */ }
    }
    this.exited = new Promise<RunExit>((resolve) => {
      let settled = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (settled) return;
        settled = true;
        resolve(this.onExit(code, signal));
      };
      this.child.on('exit', finish);
      this.child.on('error', (err) => {
        this.emit('log', `[trainer] could not start: ${err.message}`);
        this.stderrTail.push(err.message);
        // 'exit' may never come if the spawn itself failed.
        if (this.child.pid === undefined) finish(null, null);
      });
    });
    this.pipeLines(this.child.stdout, false);
    this.pipeLines(this.child.stderr, true);
    this.child.on('message', (raw) => this.onMessage(raw));
  }

  /** Fork a `latent-lens train` run. */
  static train(cliPath: string, o: TrainOptions, spawn: Partial<SpawnOptions> = {}): RunController {
    return new RunController({ ...spawn, cliPath, args: trainArgs(o), runDir: o.runDir });
  }

  /** Fork a `latent-lens resume` run. */
  static resume(cliPath: string, runDir: string, opts: { epochs?: number; backend?: string } = {}, spawn: Partial<SpawnOptions> = {}): RunController {
    return new RunController({ ...spawn, cliPath, args: resumeArgs(runDir, opts), runDir });
  }

  get running(): boolean {
    return this._exit === undefined;
  }

  get exitInfo(): RunExit | undefined {
    return this._exit;
  }

  /** Messages from the trainer that failed validation and were dropped. */
  get droppedMessages(): number {
    return this.invalidMessages;
  }

  send(cmd: TrainerCommand): boolean {
    if (!this.running || !this.child.connected) return false;
    try {
      this.child.send(cmd);
      return true;
    } catch (e) {
      this.emit('log', `[extension] could not send ${cmd.type}: ${(e as Error).message}`);
      return false;
    }
  }

  pause(): boolean { return this.send({ type: 'pause' }); }
  resume(): boolean { return this.send({ type: 'resume' }); }
  requestProjection(): boolean { return this.send({ type: 'project' }); }

  /**
   * Ask the trainer to write a final checkpoint and exit; if it has not exited after
   * `graceMs`, kill it (SIGTERM, then SIGKILL). Resolves with the exit.
   */
  async stop(graceMs = 60_000): Promise<RunExit> {
    if (!this.running) return this._exit!;
    this.stopRequested = true;
    if (!this.send({ type: 'stop' })) this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!this.running) return;
      this.emit('log', `[extension] trainer did not stop within ${graceMs} ms; terminating it`);
      this.child.kill('SIGTERM');
      setTimeout(() => { if (this.running) this.child.kill('SIGKILL'); }, 5000).unref();
    }, graceMs);
    timer.unref();
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Kill at once (no checkpoint). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.child.kill(signal);
  }

  private pipeLines(stream: NodeJS.ReadableStream | null, isErr: boolean): void {
    if (!stream) return;
    stream.setEncoding?.('utf8');
    let buf = '';
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        this.line(line, isErr);
      }
    });
    stream.on('end', () => { if (buf) this.line(buf, isErr); buf = ''; });
  }

  private line(line: string, isErr: boolean): void {
    // Progress bars redraw with \r; keep the last frame of a line.
    const text = line.includes('\r') ? line.slice(line.lastIndexOf('\r') + 1) : line;
    if (!text.trim()) return;
    if (isErr) {
      this.stderrTail.push(text);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
    }
    this.emit('log', text);
  }

  private onMessage(raw: unknown): void {
    let e: TrainerEvent;
    try {
      e = parseTrainerEvent(raw);
    } catch (err) {
      this.invalidMessages++;
      this.emit('log', `[extension] dropped an invalid trainer message: ${(err as Error).message.split('\n')[0]}`);
      return;
    }
    const p = this.progress;
    switch (e.type) {
      case 'started':
        p.status = 'training';
        p.epochs = e.config.training.epochs;
        p.step = e.step;
        p.stepsPerEpoch = e.stepsPerEpoch;
        p.backend = e.backend;
        break;
      case 'step':
        p.step = e.metrics.step;
        p.epoch = e.metrics.epoch;
        p.stepsPerEpoch = e.stepsPerEpoch;
        p.loss = e.metrics.loss;
        p.imagesPerSec = e.metrics.imagesPerSec;
        p.lastStep = e.metrics;
        break;
      case 'epochEnd':
        p.epoch = e.metrics.epoch;
        p.step = e.metrics.step;
        p.lastEpoch = e.metrics;
        break;
      case 'checkpoint':
        p.step = e.step;
        break;
      case 'status':
        p.status = e.status;
        break;
      case 'done':
        p.status = e.status;
        this.done = e;
        break;
      case 'log':
        // The trainer prints the same line on stdout, which already goes to the log.
        if (e.level === 'error') { this.stderrTail.push(e.message); if (this.stderrTail.length > 20) this.stderrTail.shift(); }
        break;
      default:
        break;
    }
    this.emit('event', e);
    if (e.type !== 'log' && e.type !== 'latents' && e.type !== 'decoderSaved') this.emit('progress', p);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): RunExit {
    const done = this.done;
    const cleanDone = done !== undefined && done.status !== 'failed';
    const unexpected = !(code === 0 && cleanDone) && !(this.stopRequested && code === 0);
    let message: string;
    if (signal) message = `the trainer was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory, or killed by hand)' : ''}`;
    else if (done) message = `${done.status}: ${done.message}`;
    else if (code === 0) message = 'the trainer exited without finishing';
    else message = `the trainer exited with code ${code}`;
    if (unexpected && done?.status === 'failed' && !signal) message = `training failed: ${done.message}`;
    if (unexpected && this.progress.status !== 'failed') this.progress.status = 'failed';
    if (!unexpected && done) this.progress.status = done.status;
    else if (!unexpected && this.stopRequested) this.progress.status = 'stopped';
    const exit: RunExit = { code, signal, done, unexpected, message, stderrTail: this.stderrTail.join('\n') };
    this._exit = exit;
    this.emit('progress', this.progress);
    this.emit('exit', exit);
    return exit;
  }
}
