/** The registry of runs (src/extension/runs/registry.ts): by folder, active run, events. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { RunRegistry } from '../../src/extension/runs/registry';
import { Run } from '../../src/extension/runs/run';
import { FakeTrainer } from './fakeTrainer';

function newRun(runDir: string) {
  const trainer = new FakeTrainer();
  return { trainer, run: new Run(trainer, { runDir, kind: 'train', hasCheckpoint: () => true }) };
}

test('add: tracked by resolved folder, becomes active, onDidAdd and onDidChangeActive fire', () => {
  const reg = new RunRegistry();
  const added: Run[] = [];
  const active: (Run | undefined)[] = [];
  reg.onDidAdd((r) => added.push(r));
  reg.onDidChangeActive((r) => active.push(r));
  const a = newRun('/runs/a').run;
  const b = newRun('/runs/b').run;
  reg.add(a);
  reg.add(b);
  assert.deepEqual(added, [a, b]);
  assert.deepEqual(active, [a, b]);
  assert.equal(reg.active, b);
  assert.equal(reg.get('/runs/a'), a);
  assert.equal(reg.get('/runs/x/../a'), a, 'by resolved path');
  assert.equal(reg.get(path.relative(process.cwd(), '/runs/b')), b);
  assert.equal(reg.has('/runs/c'), false);
  assert.deepEqual([...reg.values()], [a, b]);
  assert.equal(reg.size, 2);
  reg.setActive(a);
  reg.setActive(a);
  assert.deepEqual(active, [a, b, a], 'no event when the active run does not change');
});

test('a resumed folder: the new Run replaces the old one; the old one no longer reports its end', async () => {
  const reg = new RunRegistry();
  const ended: string[] = [];
  reg.onDidEnd(({ run, exit }) => ended.push(`${run.id}:${exit.unexpected}`));
  const first = newRun('/runs/a');
  reg.add(first.run);
  first.trainer.started();
  first.run.kill();
  await first.run.exited;
  assert.deepEqual(ended, [`${first.run.id}:true`]);
  const second = newRun('/runs/a');
  reg.add(second.run);
  assert.equal(reg.get('/runs/a'), second.run);
  assert.equal(reg.size, 1);
  assert.equal(reg.active, second.run);
});

test('running lists live runs; stopAll stops each with a checkpoint', async () => {
  const reg = new RunRegistry();
  const a = newRun('/runs/a');
  const b = newRun('/runs/b');
  reg.add(a.run);
  reg.add(b.run);
  a.trainer.started();
  b.trainer.started();
  b.trainer.complete();
  await b.run.exited;
  assert.deepEqual(reg.running, [a.run]);
  await reg.stopAll(1000);
  assert.deepEqual(reg.running, []);
  assert.equal(a.run.state.status, 'stopped');
  assert.deepEqual(a.trainer.sent.map((c) => c.type), ['stop']);
});

test('dispose: no more events, but the runs can still be stopped (deactivate runs after it)', async () => {
  const reg = new RunRegistry();
  const a = newRun('/runs/a');
  reg.add(a.run);
  a.trainer.started();
  let events = 0;
  reg.onDidEnd(() => events++);
  reg.dispose();
  await reg.stopAll(1000);
  assert.equal(a.run.running, false);
  assert.equal(events, 0);
});
