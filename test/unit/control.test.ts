// Live control's contracts (issue 10): the control.jsonl schema (bounds from config.ts, unknown
// keys refused), the append-only reader (torn lines wait), and following a run whose writer died.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendControl, describeControlProblem, readControlFrom } from '../../src/run/runDir';
import { parseSetArgs } from '../../src/trainer/controlCommand';
import { FollowedTrainer } from '../../src/extension/runs/followedRun';
import type { TrainerEvent } from '../../src/protocol/trainerIpc';

const base = { id: 'a', time: 1 };

test('control requests: bounds of the config schema, unknown keys and empty sets refused', () => {
  assert.equal(describeControlProblem({ ...base, kind: 'set', values: { beta: 4, learningRate: 3e-4 } }), undefined);
  assert.equal(describeControlProblem({ ...base, kind: 'step' }), undefined);
  assert.match(describeControlProblem({ ...base, kind: 'set', values: { beta: -1 } })!, /beta/);
  assert.match(describeControlProblem({ ...base, kind: 'set', values: { learningRate: 0 } })!, /learningRate/);
  assert.match(describeControlProblem({ ...base, kind: 'set', values: { learningRate: NaN } })!, /learningRate/);
  assert.match(describeControlProblem({ ...base, kind: 'set', values: { klWarmupSteps: 1.5 } })!, /klWarmupSteps/);
  assert.match(describeControlProblem({ ...base, kind: 'set', values: { foo: 1 } })!, /unknown key "foo"/);
  assert.match(describeControlProblem({ ...base, kind: 'set', values: {} })!, /no value/);
  assert.ok(describeControlProblem({ ...base, kind: 'rewind' }));
  assert.deepEqual(parseSetArgs(['--beta', '4', '--lr=3e-4']), { beta: 4, learningRate: 3e-4 });
  assert.throws(() => parseSetArgs(['--beta', '-1']), /--beta "-1" is not valid/);
  assert.throws(() => parseSetArgs(['--epochs', '3']), /--epochs cannot be changed/);
  assert.throws(() => parseSetArgs([]), /at least one/);
});

test('control.jsonl: appended requests read from an offset; a torn last line waits; a bad line is refused', async () => {
  const run = await fs.mkdtemp(path.join(os.tmpdir(), 'll-ctlf-'));
  await assert.rejects(appendControl(run, { kind: 'set', values: { beta: -2 } }), /refused: beta/);
  const a = await appendControl(run, { kind: 'set', values: { beta: 2 } });
  const b = await appendControl(run, { kind: 'pause' });
  const file = path.join(run, 'control.jsonl');
  await fs.appendFile(file, '{"kind":"set","id":"x","time":1,"values":{"beta":-1}}\n{"kind":"st');
  const first = await readControlFrom(run, 0);
  assert.deepEqual(first.reads.map((r) => ('request' in r ? r.request.id : `refused ${r.id}`)), [a.id, b.id, 'refused x']);
  await fs.appendFile(file, 'op","id":"y","time":2}\n');
  const second = await readControlFrom(run, first.next);
  assert.deepEqual(second.reads.map((r) => ('request' in r ? r.request.kind : 'refused')), ['stop']);
});

test('following a run whose writer stopped beating ends it with "stopped responding"', async () => {
  const run = await fs.mkdtemp(path.join(os.tmpdir(), 'll-follow-'));
  const config = { version: 1, dataDir: '/d', model: { imageHeight: 8, imageWidth: 8, channels: 1, latentDim: 2, filters: [4], likelihood: 'bernoulli' },
    training: { epochs: 2, batchSize: 2, learningRate: 1e-3, beta: 1, klWarmupSteps: 0, freeBits: 0, seed: 0, valSplit: 0, maxImages: 0, backend: 'cpu', logEvery: 1 } };
  await fs.writeFile(path.join(run, 'config.json'), JSON.stringify(config));
  await fs.writeFile(path.join(run, 'status.json'), JSON.stringify({ status: 'training', step: 3, epoch: 0 }));
  await fs.writeFile(path.join(run, 'heartbeat.json'), JSON.stringify({ time: Date.now(), pid: 1, host: 'h', step: 3, controlOffset: 0 }));
  const step = { kind: 'step', step: 4, epoch: 1, loss: 1, recon: 1, kl: 0, klPerDim: [0, 0], klWeight: 1, imagesPerSec: 1, time: 1 };
  const ch = new FollowedTrainer(run, { pollMs: 50, heartbeatTimeoutMs: 400 });
  const events: TrainerEvent[] = [];
  ch.on('event', (e) => events.push(e));
  const exit = new Promise<number | null>((r) => ch.on('exit', (code) => r(code)));
  await ch.start();
  await fs.appendFile(path.join(run, 'metrics.jsonl'), JSON.stringify(step) + '\n');
  ch.poke();
  const keepAlive = setInterval(() => undefined, 100); // the follower's own timer is unref'd
  assert.equal(await exit, 1);
  clearInterval(keepAlive);
  assert.deepEqual(events.map((e) => e.type), ['started', 'step', 'done']);
  const done = events.at(-1) as Extract<TrainerEvent, { type: 'done' }>;
  assert.equal(done.status, 'failed');
  assert.match(done.message, /stopped responding \(last heartbeat/);
});
