/**
 * TrainerProcess: one forked trainer (dist/cli.js) and its IPC channel — nothing more.
 *
 * The extension host never does tensor math (DESIGN.md, "Three processes"): the trainer runs in a
 * child process forked with an IPC channel in `serialization: 'advanced'` (structured clone), and
 * both ends speak the one message envelope of src/protocol/rpc.ts (`Endpoint`): the trainer sends
 * TrainerEvents as events; `pause`/`resume`/`stop` go as events (`send`), `project` as a request
 * whose reply is the layout it caused (`request`). Every message that arrives is validated with
 * the TrainerEvent schema before it is used; an invalid one is reported as `invalid` and dropped.
 * stdout/stderr are human log lines.
 *
 * What the events *mean* (status, epoch, failure) is the Run model's job (run.ts), which talks to
 * any `TrainerChannel`: this process, or a fake one in the unit tests.
 *
 * No `vscode` here, so plain Node tests can exercise it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as os from 'node:os';
import { Endpoint, parserOf, type Wire } from '../../protocol/rpc';
import {
  TRAINER_REPLY_TYPE, TrainerEvent, type TrainerCommand, type TrainerReplies, type TrainerRequest,
} from '../../protocol/trainerIpc';
import { trainCommandArgs, type TrainRequest } from '../../protocol/trainRequest';

/**
 * The command line for `latent-lens train`: `train <folder> --out <runDir> --request <json>`, the
 * one TrainRequest validated by the schema (src/protocol/trainRequest.ts); throws a ConfigError
 * naming every bad key.
 */
export function trainArgs(folder: string, runDir: string, request: TrainRequest): string[] {
  return trainCommandArgs(folder, runDir, request);
}

/** The command line for `latent-lens resume`. */
export function resumeArgs(runDir: string, opts: { epochs?: number; backend?: string } = {}): string[] {
  const a = ['resume', runDir];
  if (opts.epochs !== undefined) a.push('--epochs', String(opts.epochs));
  if (opts.backend) a.push('--backend', opts.backend);
  return a;
}

/** The command line for `latent-lens encode` (Load Model…). */
export function encodeArgs(modelDir: string, folder: string, runDir: string, backend?: string): string[] {
  const a = ['encode', modelDir, folder, '--out', runDir];
  if (backend) a.push('--backend', backend);
  return a;
}

/** What a trainer process tells its owner. */
export interface TrainerChannelEvents {
  /** A validated TrainerEvent. */
  event: [TrainerEvent];
  /** A message that failed validation (it was dropped); the reason. */
  invalid: [string];
  /** One line of stdout (isErr false) or stderr (isErr true). */
  log: [line: string, isErr: boolean];
  /** The process ended: its exit code, or the signal that ended it. Emitted once. */
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

/** The trainer as the Run model sees it: TrainerProcess, or a fake in the tests. */
export interface TrainerChannel {
  on<K extends keyof TrainerChannelEvents>(name: K, listener: (...args: TrainerChannelEvents[K]) => void): unknown;
  /** Send a command as an event (pause, resume, stop); false if the channel is closed. */
  send(cmd: Exclude<TrainerCommand, TrainerRequest>): boolean;
  /** Send a request (project); resolves with the trainer's reply, rejects with its error or when the process ends. */
  request<C extends TrainerRequest>(cmd: C): Promise<TrainerReplies[C['type']]>;
  /** Send a signal to the process; false if it has already ended. */
  kill(signal?: NodeJS.Signals): boolean;
}

export interface SpawnOptions {
  /** Path of dist/cli.js. */
  cliPath: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Node executable to run the trainer with; default: this process's (fork's default). */
  execPath?: string;
  execArgv?: string[];
  /** Scheduling priority of the trainer (nice value, 0 = normal, 19 = lowest). Default 10. */
  niceness?: number;
}

export class TrainerProcess extends EventEmitter<TrainerChannelEvents> implements TrainerChannel {
  readonly child: ChildProcess;
  private ended = false;
  private readonly endpoint: Endpoint<TrainerCommand, TrainerEvent>;

  constructor(opts: SpawnOptions) {
    super();
    opts = { niceness: 10, ...opts };
    this.child = fork(opts.cliPath, opts.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      execPath: opts.execPath,
      execArgv: opts.execArgv ?? [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Structured clone: typed arrays and the envelope travel as they are, no JSON text.
      serialization: 'advanced',
    });
    // Training saturates every core; the editor must stay the one that answers first. A
    // lower scheduling priority (nice) for the trainer keeps the extension host's and the
    // renderer's latency low on a busy machine and costs training little.
    if (opts.niceness && this.child.pid !== undefined) {
      try { os.setPriority(this.child.pid, opts.niceness); } catch { /* not permitted here: run at normal priority */ }
    }
    this.endpoint = new Endpoint<TrainerCommand, TrainerEvent>(this.wire(), {
      parse: parserOf(TrainerEvent),
      onInvalid: (error) => this.emit('invalid', error),
    });
    this.endpoint.onEvent((e) => this.emit('event', e));
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (this.ended) return;
      this.ended = true;
      // Pending requests reject: the trainer cannot answer any more.
      this.endpoint.dispose();
      this.emit('exit', code, signal);
    };
    this.child.on('exit', finish);
    this.child.on('error', (err) => {
      this.emit('log', `[trainer] could not start: ${err.message}`, true);
      // 'exit' may never come if the spawn itself failed.
      if (this.child.pid === undefined) finish(null, null);
    });
    this.pipeLines(this.child.stdout, false);
    this.pipeLines(this.child.stderr, true);
  }

  /** The host's end of the IPC channel as a wire (no transfer lists across processes). */
  private wire(): Wire {
    return {
      post: (envelope) => {
        if (this.ended || !this.child.connected) throw new Error('the trainer process has ended');
        this.child.send(envelope);
      },
      listen: (receive) => {
        this.child.on('message', receive);
        return () => this.child.off('message', receive);
      },
    };
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(cmd: Exclude<TrainerCommand, TrainerRequest>): boolean {
    if (this.ended || !this.child.connected) return false;
    try {
      this.endpoint.emit(cmd);
      return true;
    } catch (e) {
      this.emit('log', `[extension] could not send ${cmd.type}: ${(e as Error).message}`, false);
      return false;
    }
  }

  async request<C extends TrainerRequest>(cmd: C): Promise<TrainerReplies[C['type']]> {
    if (this.ended || !this.child.connected) throw new Error('the trainer process has ended');
    const reply = await this.endpoint.request(cmd);
    const want = TRAINER_REPLY_TYPE[cmd.type];
    if (reply.type !== want) throw new Error(`the trainer answered "${cmd.type}" with "${reply.type}", not "${want}"`);
    return reply as TrainerReplies[C['type']];
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    return !this.ended && this.child.kill(signal);
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
    if (text.trim()) this.emit('log', text, isErr);
  }
}
