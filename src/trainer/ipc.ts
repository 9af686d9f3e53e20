/**
 * The trainer's end of its IPC channel to the extension host (when forked with one): the one
 * message envelope of src/protocol/rpc.ts over `process.send` / `process.on('message')`. The
 * extension forks with `serialization: 'advanced'` (structured clone), so the child's
 * `process.send` is structured clone too (Node sets the mode for the child).
 *
 *  - every TrainerEvent goes to the host as an event, and to the terminal (ProgressPrinter);
 *  - `pause`, `resume`, `stop` arrive as events and drive the TrainControl;
 *  - `project` arrives as a request: its reply is the `projection` event of the next layout the
 *    trainer writes (or an error when none comes: the projection failed, or it timed out).
 *
 * Without an IPC channel (the CLI in a terminal) only the terminal output remains.
 */
import { Endpoint, parserOf, type Wire } from '../protocol/rpc';
import { TrainerCommand, type TrainerEvent, type TrainerReplies } from '../protocol/trainerIpc';
import { ProgressPrinter } from './progress';
import type { TrainControl } from './train';

/** How long a `project` request waits for the layout it asked for. */
export const PROJECT_TIMEOUT_MS = 10 * 60_000;

/** `process.send` / `process.on('message')` as a wire (no transfer lists across processes). */
function processWire(): Wire {
  return {
    post(envelope) {
      if (!process.send || !process.connected) return;
      try {
        process.send(envelope);
      } catch {
        /* the host went away: `disconnect` stops the run */
      }
    },
    listen(receive) {
      const onMessage = (raw: unknown) => receive(raw);
      process.on('message', onMessage);
      return () => process.off('message', onMessage);
    },
  };
}

let host: Endpoint<TrainerEvent, TrainerCommand> | null | undefined;

/** The endpoint to the extension host, or null when this process has no IPC channel. */
export function hostEndpoint(): Endpoint<TrainerEvent, TrainerCommand> | null {
  if (host !== undefined) return host;
  host = process.send ? new Endpoint<TrainerEvent, TrainerCommand>(processWire(), {
    parse: parserOf(TrainerCommand),
    onInvalid: (error) => process.stderr.write(`latent-lens: ignored an invalid command: ${error}\n`),
  }) : null;
  return host;
}

/** Send one event to the host (if any), e.g. the last `done` of a failed command. */
export function sendToHost(e: TrainerEvent): void {
  if (process.send && process.connected) hostEndpoint()?.emit(e);
}

/** Waiting `project` requests: settled by the next `projection` event (or a projection failure). */
const projectionWaiters = new Set<{ resolve(e: TrainerReplies['project']): void; reject(err: Error): void }>();

function settleWaiters(e: TrainerEvent): void {
  if (!projectionWaiters.size) return;
  if (e.type === 'projection') {
    for (const w of projectionWaiters) w.resolve(e);
    projectionWaiters.clear();
  } else if (e.type === 'log' && e.message.startsWith('projection failed')) {
    for (const w of projectionWaiters) w.reject(new Error(e.message));
    projectionWaiters.clear();
  } else if (e.type === 'done') {
    for (const w of projectionWaiters) w.reject(new Error(`the trainer ended (${e.status}) before a new projection was written`));
    projectionWaiters.clear();
  }
}

/** Where events go: IPC to the extension host when forked, and the terminal (stderr with `jsonOnly`). */
export function makeEmitter(jsonOnly: boolean): (e: TrainerEvent) => void {
  const printer = new ProgressPrinter(jsonOnly ? process.stderr : process.stdout);
  return (e) => {
    sendToHost(e);
    printer.handle(e);
    settleWaiters(e);
  };
}

/** The next layout written: the reply to `project`. */
function nextProjection(): Promise<TrainerReplies['project']> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      projectionWaiters.delete(waiter);
      reject(new Error(`no projection was written within ${PROJECT_TIMEOUT_MS / 60_000} minutes (no latents yet, or the run is paused)`));
    }, PROJECT_TIMEOUT_MS);
    timer.unref();
    const waiter = {
      resolve: (e: TrainerReplies['project']) => { clearTimeout(timer); resolve(e); },
      reject: (err: Error) => { clearTimeout(timer); reject(err); },
    };
    projectionWaiters.add(waiter);
  });
}

/** Wire host commands and signals to the training control. */
export function listen(control: TrainControl, log: (m: string) => void): void {
  const endpoint = hostEndpoint();
  endpoint?.onEvent((cmd) => {
    if (cmd.type === 'pause') control.pause();
    else if (cmd.type === 'resume') control.resume();
    else if (cmd.type === 'stop') control.stop();
    else log(`"${cmd.type}" is a request, not an event: ignored`);
  });
  endpoint?.onRequest((cmd) => {
    if (cmd.type !== 'project') throw new Error(`"${cmd.type}" is not a request`);
    const reply = nextProjection();
    control.projectRequested = true;
    return reply;
  });
  // The extension host going away (window reload) must not kill the run mid-write: stop cleanly.
  process.on('disconnect', () => control.stop());
  let signals = 0;
  const onSignal = (sig: string) => {
    if (++signals > 1) process.exit(130);
    log(`${sig}: writing a checkpoint, then stopping (press again to quit at once)`);
    control.stop();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

/** Close the channel to the host (a finished command), so it cannot keep this process alive. */
export function disconnectHost(): void {
  host?.dispose();
  if (process.send && process.connected) process.disconnect();
}
