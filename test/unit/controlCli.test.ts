// Live control from a terminal (issue 10): `latent-lens set` / `latent-lens control` on a run that
// the CLI trains in the background — change lines, the loss's KL weight after β 4, pause and
// single step, refusals that leave training alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMetrics, readRunStatus } from '../../src/run/runDir';
import type { ChangeLine, StepMetrics } from '../../src/protocol/runFormat';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'dist', 'cli.js');
const sample = path.join(root, 'samples', 'fashion-mnist-2k');

interface Result { code: number | null; stdout: string; stderr: string }
function cliRun(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
async function until<T>(what: string, get: () => Promise<T | undefined | false>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const stepLines = async (run: string) => (await readMetrics(run, { lenient: true })).filter((m): m is StepMetrics => m.kind === 'step');

test('set --beta 4 during training: a change line, later steps weigh KL by 4, resume keeps it; bad values refused; pause, single step, continue', { timeout: 300_000 }, async () => {
  assert.ok(existsSync(cli), `${cli} is missing: run node esbuild.mjs first`);
  const run = await fs.mkdtemp(path.join(os.tmpdir(), 'll-ctl-'));
  const trainer: ChildProcess = spawn(process.execPath, [cli, 'train', sample, '--out', run, '--max-images', '500', '--epochs', '3',
    '--batch-size', '16', '--image-size', '16', '--latent-dim', '4', '--backend', 'wasm', '--log-every', '1'], { cwd: root, stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => trainer.on('exit', (code) => r(code)));
  try {
    await until('training', async () => (await readRunStatus(run))?.status === 'training' && (await stepLines(run)).length > 0);

    // Pause, then one single step: exactly one more step, paused again.
    assert.equal((await cliRun(['control', run, 'pause'])).code, 0);
    await until('paused', async () => (await readRunStatus(run))?.status === 'paused');
    const before = (await stepLines(run)).at(-1)!.step;
    const stepped = await cliRun(['control', run, 'step']);
    assert.equal(stepped.code, 0, stepped.stderr);
    const after = await until('one step', async () => { const s = (await stepLines(run)).at(-1)!.step; return s > before && s; });
    await until('paused again', async () => (await readRunStatus(run))?.status === 'paused');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(after, before + 1);
    assert.equal((await stepLines(run)).at(-1)!.step, before + 1, 'still paused after the single step');

    // Refused before anything is written: the value is named, exit 2, control.jsonl untouched.
    const size = (await fs.stat(path.join(run, 'control.jsonl'))).size;
    for (const [args, named] of [[['--beta', '-1'], '--beta "-1"'], [['--lr', '0'], '--lr "0"'], [['--lr', 'NaN'], '--lr "NaN"'], [['--foo', '1'], '--foo']] as const) {
      const r = await cliRun(['set', run, ...args]);
      assert.equal(r.code, 2, `set ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(named.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    }
    assert.equal((await fs.stat(path.join(run, 'control.jsonl'))).size, size);
    // A line written by hand that the schema refuses: the trainer refuses it too, and changes nothing.
    await fs.appendFile(path.join(run, 'control.jsonl'), JSON.stringify({ kind: 'set', id: 'by-hand', time: Date.now(), values: { beta: -3 } }) + '\n');
    const beat = await until('refusal acknowledged', async () => { const h = JSON.parse(await fs.readFile(path.join(run, 'heartbeat.json'), 'utf8')); return h.lastControl?.id === 'by-hand' && h; });
    assert.equal(beat.lastControl.applied, false);
    assert.match(beat.lastControl.message, /beta/);

    const set = await cliRun(['set', run, '--beta', '4']);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /β 1 → 4/);
    assert.equal((await cliRun(['control', run, 'continue'])).code, 0);
    assert.equal(await exited, 0);

    const lines = await readMetrics(run);
    const changes = lines.filter((m): m is ChangeLine => m.kind === 'change');
    assert.equal(changes.length, 1, 'one change line (the refused request wrote none)');
    assert.deepEqual(changes[0].changes, [{ param: 'beta', from: 1, to: 4 }]);
    assert.equal(changes[0].step, before + 1);
    const steps = lines.filter((m): m is StepMetrics => m.kind === 'step');
    const weight = (m: StepMetrics) => (m.loss - m.recon) / (m.kl * m.klWeight);
    for (const m of steps) {
      const beta = m.step > changes[0].step ? 4 : 1;
      assert.ok(Math.abs(weight(m) - beta) < 1e-2 * beta, `step ${m.step}: loss − recon = ${weight(m).toFixed(4)} × KL, expected β ${beta}`);
    }
    assert.ok(steps.some((m) => m.step > changes[0].step + 10), 'training went on after the change');
    const config = JSON.parse(await fs.readFile(path.join(run, 'config.json'), 'utf8'));
    assert.equal(config.training.beta, 4, 'config.json keeps the changed β for resume');
    const done = await cliRun(['set', run, '--beta', '2']);
    assert.equal(done.code, 1, 'a finished run is not being trained');
    assert.match(done.stderr, /not being trained/);
  } finally {
    trainer.kill('SIGKILL');
  }
});
