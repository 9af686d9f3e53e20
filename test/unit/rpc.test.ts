// The message envelope of every wire (src/protocol/rpc.ts): request/reply, events, errors,
// validation of what arrives, typed arrays across a real MessageChannel, the report's encoding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { z } from '../../src/protocol/zod';
import { Endpoint, RpcError, fromJsonSafe, parserOf, toJsonSafe, transferablesOf, type Envelope, type Wire } from '../../src/protocol/rpc';

const Msg = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping'), n: z.number() }),
  z.object({ type: z.literal('pong'), n: z.number() }),
  z.object({ type: z.literal('points'), xy: z.instanceof(Float32Array) }),
  z.object({ type: z.literal('fail') }),
]);
type Msg = z.infer<typeof Msg>;

/** A wire over one end of a worker_threads MessageChannel: structured clone, as in the product. */
function portWire(port: MessagePort): Wire & { transferred: number } {
  const w = {
    transferred: 0,
    post(e: Envelope, transfer: ArrayBuffer[]) { w.transferred += transfer.length; port.postMessage(e, transfer); },
    listen(receive: (raw: unknown) => void) { const f = (m: unknown) => receive(m); port.on('message', f); return () => port.off('message', f); },
  };
  return w;
}

function pair(opts: { timeoutMs?: number } = {}) {
  const { port1, port2 } = new MessageChannel();
  const invalid: string[] = [];
  const wa = portWire(port1), wb = portWire(port2);
  const a = new Endpoint<Msg, Msg>(wa, { parse: (v) => Msg.parse(v), onInvalid: (e) => invalid.push(e), ...opts });
  const b = new Endpoint<Msg, Msg>(wb, { parse: (v) => Msg.parse(v), onInvalid: (e) => invalid.push(e), ...opts });
  const close = () => { a.dispose(); b.dispose(); port1.close(); port2.close(); };
  return { a, b, wa, wb, port1, invalid, close };
}

test('a request resolves with the reply its handler returns', async () => {
  const { a, b, close } = pair();
  b.onRequest((m) => {
    if (m.type === 'ping') return { type: 'pong', n: m.n + 1 };
    throw new Error(`cannot answer ${m.type}`);
  });
  assert.deepEqual(await a.request({ type: 'ping', n: 41 }), { type: 'pong', n: 42 });
  await assert.rejects(a.request({ type: 'fail' }), (e: Error) => e instanceof RpcError && /cannot answer fail/.test(e.message));
  close();
});

test('events reach every subscriber; unsubscribing stops them', async () => {
  const { a, b, close } = pair();
  const seen: number[] = [];
  const off = b.onEvent((m) => { if (m.type === 'ping') seen.push(m.n); });
  a.emit({ type: 'ping', n: 1 });
  await new Promise((r) => setTimeout(r, 20));
  off();
  a.emit({ type: 'ping', n: 2 });
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen, [1]);
  close();
});

test('typed arrays arrive as typed arrays, moved (transferred) rather than copied on a port', async () => {
  const { a, b, wa, close } = pair();
  const got = new Promise<Float32Array>((resolve) => b.onEvent((m) => { if (m.type === 'points') resolve(m.xy); }));
  const xy = new Float32Array([1.5, -2, 3.25]);
  a.emit({ type: 'points', xy });
  const arrived = await got;
  assert.ok(arrived instanceof Float32Array);
  assert.deepEqual([...arrived], [1.5, -2, 3.25]);
  assert.equal(wa.transferred, 1);
  assert.equal(xy.byteLength, 0, 'the sender\'s buffer was transferred (detached)');
  close();
});

test('an invalid message is reported with the validator\'s text and dropped; an invalid request gets an error reply', async () => {
  const { a, b, port1, invalid, close } = pair();
  const seen: Msg[] = [];
  b.onEvent((m) => seen.push(m));
  port1.postMessage({ kind: 'event', message: { type: 'ping', n: 'seven' } });
  port1.postMessage({ hello: 1 });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(seen.length, 0);
  assert.equal(invalid.length, 2);
  assert.match(invalid[0], /n/);
  assert.match(invalid[0], /number/, 'the whole validator message, not "["');
  assert.match(invalid[1], /not a Latent Lens envelope/);
  b.onRequest(() => ({ type: 'pong', n: 0 }));
  await assert.rejects(a.request({ type: 'ping', n: Number.NaN }), /invalid request/);
  close();
});

test('an unanswered request times out; dispose rejects what is pending', async () => {
  const { a, b, close } = pair({ timeoutMs: 30 });
  b.onRequest(() => new Promise<Msg>(() => undefined));
  await assert.rejects(a.request({ type: 'ping', n: 1 }), /no reply to "ping" within 30 ms/);
  const { a: c, b: d, close: close2 } = pair();
  d.onRequest(() => new Promise<Msg>(() => undefined));
  const pending = c.request({ type: 'ping', n: 1 });
  c.dispose();
  await assert.rejects(pending, /closed/);
  close(); close2();
});

test('transferablesOf finds each buffer once; toJsonSafe/fromJsonSafe round-trip typed arrays for the report', () => {
  const shared = new Float32Array(4);
  const msg = { a: shared, b: [new Uint16Array(3), { c: new Uint8Array([1, 2, 255]) }], d: new Float32Array(shared.buffer, 4, 2), e: 'text' };
  assert.equal(transferablesOf(msg).length, 3);
  const json = JSON.parse(JSON.stringify(toJsonSafe({ x: new Float32Array([0.5, -1]), l: new Uint32Array([7, 4e9]), s: 'ok', n: [1, 2] })));
  const back = fromJsonSafe(json) as { x: Float32Array; l: Uint32Array; s: string; n: number[] };
  assert.ok(back.x instanceof Float32Array && back.l instanceof Uint32Array);
  assert.deepEqual([...back.x], [0.5, -1]);
  assert.deepEqual([...back.l], [7, 4e9]);
  assert.equal(back.s, 'ok');
  assert.deepEqual(back.n, [1, 2]);
});

test('the report\'s encoding keeps a bare ArrayBuffer (decoder weights) and takes a Node Buffer as a Uint8Array', () => {
  const weights = new Float32Array([0.25, -4]).buffer;
  const back = fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe({ weights, b: Buffer.from([1, 2, 3]) })))) as { weights: ArrayBuffer; b: Uint8Array };
  assert.ok(back.weights instanceof ArrayBuffer);
  assert.deepEqual([...new Float32Array(back.weights)], [0.25, -4]);
  assert.equal(back.b.constructor, Uint8Array);
  assert.deepEqual([...back.b], [1, 2, 3]);
});

test('parserOf: one line naming every bad field; a request on a closed wire rejects', async () => {
  const parse = parserOf(Msg);
  assert.deepEqual(parse({ type: 'ping', n: 1 }), { type: 'ping', n: 1 });
  assert.throws(() => parse({ type: 'ping', n: 'x' }), (e: Error) => /^n: /.test(e.message) && !e.message.includes('\n'));
  const closed = new Endpoint<Msg, Msg>({ post() { throw new Error('the channel is closed'); }, listen: () => () => undefined }, { parse });
  await assert.rejects(closed.request({ type: 'ping', n: 1 }), /the channel is closed/);
});
