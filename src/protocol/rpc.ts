/**
 * One message envelope for every wire of Latent Lens: webview ↔ extension host, extension host
 * ↔ trainer process, trainer ↔ projection worker.
 *
 * Shape after vscode-hexeditor's shared/protocol.ts (`MessageHandler`): every message travels in
 * an envelope that says whether it is a request (with an `id`), the reply to one (`inReplyTo`),
 * a failed reply, or an event. `request()` returns a promise for the reply; handlers answer
 * requests by returning a message. The messages themselves stay discriminated unions on `type`
 * (panelIpc.ts, trainerIpc.ts), validated with their zod parser on receipt, so a message that
 * fails validation is reported (with the validator's whole text) and dropped, never used.
 *
 * Binary payloads travel as typed arrays inside the message, not as base64: VS Code's
 * `webview.postMessage` and the webview's `postMessage` carry ArrayBuffers and typed arrays
 * natively (structured clone, since VS Code 1.57), `child_process.fork` does with
 * `serialization: 'advanced'`, and a worker takes them in its transfer list (`transferablesOf`).
 * Only the standalone HTML report, which embeds its snapshot in the page as text, encodes them
 * (`toJsonSafe` / `fromJsonSafe`).
 *
 * No `node:*`, no `vscode`, no DOM: this file runs in all three processes.
 */
import { describeIssues, z } from './zod';

export const Envelope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('request'), id: z.number().int().nonnegative(), message: z.unknown() }),
  z.object({ kind: z.literal('reply'), inReplyTo: z.number().int().nonnegative(), message: z.unknown() }),
  z.object({ kind: z.literal('error'), inReplyTo: z.number().int().nonnegative(), error: z.string() }),
  z.object({ kind: z.literal('event'), message: z.unknown() }),
]);
export type Envelope = z.infer<typeof Envelope>;

/** One side of a wire: how to post an envelope and how to hear the other side's. */
export interface Wire {
  /** `transfer`: ArrayBuffers the wire may move instead of copying (workers); others ignore it. */
  post(envelope: Envelope, transfer: ArrayBuffer[]): void;
  /** Calls `receive` with every raw envelope that arrives; returns the unsubscribe function. */
  listen(receive: (raw: unknown) => void): () => void;
}

/**
 * `EndpointOptions.parse` from a zod schema: the parsed value, or an Error whose message names
 * every bad field on one line (`metrics.kind: Invalid input; …`).
 */
export function parserOf<S extends z.ZodType>(schema: S): (value: unknown) => z.output<S> {
  return (value) => {
    const r = schema.safeParse(value);
    if (!r.success) throw new Error(describeIssues(r.error));
    return r.data;
  };
}

/** Every message on every wire is an object discriminated by `type`. */
export interface Message { type: string }

export interface EndpointOptions<In> {
  /** Validates an incoming message (a zod `parse`): throws with a message naming the bad field. */
  parse: (value: unknown) => In;
  /** Told about every envelope or message that failed validation (then dropped). */
  onInvalid?: (error: string, raw: unknown) => void;
  /** A request not answered in this time rejects (default: never). */
  timeoutMs?: number;
}

type RequestHandler<In, Out> = (message: In) => Out | Promise<Out>;

/** Thrown by `request()` when the other side answered with an error or did not answer in time. */
export class RpcError extends Error {}

/**
 * A typed endpoint: sends `Out` messages (requests or events) and receives `In` messages.
 * Replies are `In` messages too, validated by the same parser.
 */
export class Endpoint<Out extends Message, In extends Message> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(m: In): void; reject(e: Error): void; timer?: ReturnType<typeof setTimeout> }>();
  private readonly eventHandlers = new Set<(message: In) => void>();
  private requestHandler: RequestHandler<In, Out> | undefined;
  private readonly unlisten: () => void;

  constructor(private readonly wire: Wire, private readonly options: EndpointOptions<In>) {
    this.unlisten = wire.listen((raw) => this.receive(raw));
  }

  /** Sends a request and resolves with the other side's reply. */
  request(message: Out): Promise<In> {
    const id = this.nextId++;
    return new Promise<In>((resolve, reject) => {
      const entry: { resolve(m: In): void; reject(e: Error): void; timer?: ReturnType<typeof setTimeout> } = { resolve, reject };
      if (this.options.timeoutMs !== undefined) {
        entry.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new RpcError(`no reply to "${message.type}" within ${this.options.timeoutMs} ms`));
        }, this.options.timeoutMs);
      }
      this.pending.set(id, entry);
      try {
        this.wire.post({ kind: 'request', id, message }, transferablesOf(message));
      } catch (err) {
        this.settle(id, (p) => p.reject(err instanceof Error ? err : new RpcError(String(err))));
      }
    });
  }

  /** Sends a message that expects no reply. */
  emit(message: Out): void {
    this.wire.post({ kind: 'event', message }, transferablesOf(message));
  }

  /** Answers every incoming request (one handler per endpoint; a thrown error becomes an error reply). */
  onRequest(handler: RequestHandler<In, Out>): void {
    this.requestHandler = handler;
  }

  /** Hears every incoming event; returns the unsubscribe function. */
  onEvent(handler: (message: In) => void): () => void {
    this.eventHandlers.add(handler);
    return () => this.eventHandlers.delete(handler);
  }

  /** Stops listening; pending requests reject. */
  dispose(): void {
    this.unlisten();
    for (const [, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new RpcError('the connection was closed'));
    }
    this.pending.clear();
    this.eventHandlers.clear();
  }

  private receive(raw: unknown): void {
    const envelope = Envelope.safeParse(raw);
    if (!envelope.success) {
      this.options.onInvalid?.(`not a Latent Lens envelope: ${describeIssues(envelope.error)}`, raw);
      return;
    }
    const e = envelope.data;
    if (e.kind === 'error') {
      this.settle(e.inReplyTo, (p) => p.reject(new RpcError(e.error)));
      return;
    }
    let message: In;
    try {
      message = this.options.parse(e.message);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.options.onInvalid?.(text, e.message);
      if (e.kind === 'reply') this.settle(e.inReplyTo, (p) => p.reject(new RpcError(`invalid reply: ${text}`)));
      if (e.kind === 'request') this.wire.post({ kind: 'error', inReplyTo: e.id, error: `invalid request: ${text}` }, []);
      return;
    }
    if (e.kind === 'reply') this.settle(e.inReplyTo, (p) => p.resolve(message));
    else if (e.kind === 'event') for (const h of this.eventHandlers) h(message);
    else void this.answer(e.id, message);
  }

  private async answer(id: number, message: In): Promise<void> {
    if (!this.requestHandler) {
      this.wire.post({ kind: 'error', inReplyTo: id, error: `no handler for request "${message.type}"` }, []);
      return;
    }
    try {
      const reply = await this.requestHandler(message);
      this.wire.post({ kind: 'reply', inReplyTo: id, message: reply }, transferablesOf(reply));
    } catch (err) {
      this.wire.post({ kind: 'error', inReplyTo: id, error: err instanceof Error ? err.message : String(err) }, []);
    }
  }

  private settle(id: number, fn: (p: { resolve(m: In): void; reject(e: Error): void }) => void): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    fn(p);
  }
}

// ───────────────────────────── binary payloads ─────────────────────────────

/** The distinct ArrayBuffers of every typed array in a message (for a worker's transfer list). */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const visit = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || depth > 8) return;
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) found.add(v.buffer);
      return;
    }
    if (v instanceof ArrayBuffer) { found.add(v); return; }
    for (const x of Array.isArray(v) ? v : Object.values(v)) visit(x, depth + 1);
  };
  visit(value, 0);
  return [...found];
}

const TYPED = { Float32Array, Uint8Array, Uint16Array, Uint32Array, Int32Array, Float64Array } as const;
type TypedName = keyof typeof TYPED;
const TAG = '$typedArray';
/** The tag of a bare ArrayBuffer (e.g. decoder weights). */
const BUFFER = 'ArrayBuffer';

function typedName(view: ArrayBufferView): TypedName {
  // By instanceof, not constructor.name: a Node Buffer is a Uint8Array.
  for (const name of Object.keys(TYPED) as TypedName[]) if (view instanceof TYPED[name]) return name;
  throw new Error(`cannot embed a ${view.constructor.name} in the report`);
}

/**
 * A copy of `value` with every typed array (and ArrayBuffer) replaced by
 * `{ $typedArray: name, base64 }`, for embedding in a page as JSON (the standalone report).
 * `fromJsonSafe` restores it.
 */
export function toJsonSafe(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) {
    return { [TAG]: typedName(value), base64: bytesToBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  }
  if (value instanceof ArrayBuffer) return { [TAG]: BUFFER, base64: bytesToBase64(new Uint8Array(value)) };
  if (Array.isArray(value)) return value.map(toJsonSafe);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toJsonSafe(v);
  return out;
}

/** The inverse of `toJsonSafe`: typed arrays come back in fresh, aligned buffers. */
export function fromJsonSafe(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(fromJsonSafe);
  const o = value as Record<string, unknown>;
  if (typeof o[TAG] === 'string' && typeof o.base64 === 'string' && (o[TAG] in TYPED || o[TAG] === BUFFER)) {
    const bytes = base64ToBytes(o.base64);
    if (o[TAG] === BUFFER) return bytes.buffer;
    const Ctor = TYPED[o[TAG] as TypedName];
    return new Ctor(bytes.buffer as ArrayBuffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = fromJsonSafe(v);
  return out;
}

/** base64 of some bytes (Node and browser). */
export function bytesToBase64(bytes: Uint8Array): string {
  const NodeBuffer = (globalThis as { Buffer?: { from(b: Uint8Array): { toString(enc: string): string } } }).Buffer;
  if (NodeBuffer) return NodeBuffer.from(bytes).toString('base64');
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  return btoa(s);
}

/** The bytes of a base64 string, in a fresh ArrayBuffer (Node and browser). */
export function base64ToBytes(b64: string): Uint8Array {
  const NodeBuffer = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (NodeBuffer) return new Uint8Array(NodeBuffer.from(b64, 'base64')); // a copy in its own buffer
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
