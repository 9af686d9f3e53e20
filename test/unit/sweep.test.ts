// `latent-lens sweep` without a cluster: the grid (keys, values, combinations), the train flags
// common to every run, the sbatch script, --slurm-args, the bad inputs that must stop the CLI
// before anything is written or submitted, and a small local sweep with its status.
// The real Slurm cluster: test/slurm/sweep.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/protocol/trainRequest';
import { SweepFile } from '../../src/protocol/runFormat';
import { combinations, gridKeys, parseGrid, trainArgsFor } from '../../src/trainer/sweep/grid';
import { parseSlurmArgs, sbatchScript, shq } from '../../src/trainer/sweep/slurm';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'dist', 'cli.js');
const sample = path.join(root, 'samples', 'fashion-mnist-2k');

interface Result { code: number | null; stdout: string; stderr: string }
function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the grid: keys are the train flags, values are checked like the flags, the first axis varies slowest', () => {
  const axes = parseGrid(['beta=0.5,1,4', 'latent-dim=8,16']);
  assert.deepEqual(axes, [{ flag: 'beta', values: ['0.5', '1', '4'] }, { flag: 'latent-dim', values: ['8', '16'] }]);
  const combos = combinations(axes);
  assert.equal(combos.length, 6);
  assert.deepEqual(combos.map((c) => c.name), [
    '000_beta=0.5_latent-dim=8', '001_beta=0.5_latent-dim=16', '002_beta=1_latent-dim=8',
    '003_beta=1_latent-dim=16', '004_beta=4_latent-dim=8', '005_beta=4_latent-dim=16',
  ]);
  assert.deepEqual(combos[3].args, ['--beta', '1', '--latent-dim', '16']);
  assert.deepEqual(combos[3].params, { beta: '1', 'latent-dim': '16' });
  assert.deepEqual(combinations(parseGrid(['image-size=16,32x48']))[1].name, '001_image-size=32x48');
});

test('bad grids are refused with a message that says what is valid', () => {
  assert.throws(() => parseGrid(['betta=1,2']), (e: Error) => e instanceof ConfigError && /unknown key "betta"/.test(e.message) && e.message.includes('beta') && e.message.includes('latent-dim') && e.message.includes('lr'));
  assert.ok(gridKeys().includes('beta') && !gridKeys().includes('runs-directory'));
  assert.throws(() => parseGrid(['beta=']), /beta: the list of values is empty/);
  assert.throws(() => parseGrid(['beta=,,']), /the list of values is empty/);
  assert.throws(() => parseGrid(['beta']), /expected KEY=V1,V2/);
  assert.throws(() => parseGrid([]), /at least one --grid/);
  assert.throws(() => parseGrid(['beta=1,-2']), /--beta "-2" is not valid: a number ≥ 0/);
  assert.throws(() => parseGrid(['latent-dim=4,4']), /listed twice/);
  assert.throws(() => parseGrid(['beta=1', 'beta=2']), /given twice/);
  assert.throws(() => parseGrid(['image-size=9']), /nearest valid sizes/);
  assert.throws(() => combinations(parseGrid(['seed=' + Array.from({ length: 40 }, (_, i) => i).join(','), 'latent-dim=' + Array.from({ length: 30 }, (_, i) => i + 1).join(',')])), /1200 combinations; at most 1000/);
});

test('the common train flags go to every run; a flag that is also a grid key is refused', () => {
  const axes = parseGrid(['beta=0.5,1']);
  const combos = combinations(axes);
  assert.deepEqual(trainArgsFor('/data', { epochs: '1', 'max-images': '50', out: '/x' }, axes, combos), ['--epochs', '1', '--max-images', '50']);
  assert.throws(() => trainArgsFor('/data', { beta: '2' }, axes, combos), /--beta is both a train flag and a --grid key/);
  assert.throws(() => trainArgsFor('/data', { epochs: '0' }, axes, combos), /--epochs "0" is not valid/);
});

test('--slurm-args: one option per #SBATCH line; --array and values with spaces are refused', () => {
  assert.deepEqual(parseSlurmArgs('--partition=gpu --gres=gpu:1 --time=2:00:00'), ['--partition=gpu', '--gres=gpu:1', '--time=2:00:00']);
  assert.deepEqual(parseSlurmArgs('-p gpu --time 2:00:00 --qos="high"'), ['-p gpu', '--time 2:00:00', '--qos=high']);
  assert.deepEqual(parseSlurmArgs(undefined), []);
  assert.throws(() => parseSlurmArgs('--array=0-3'), /--array is set by the sweep/);
  assert.throws(() => parseSlurmArgs('--comment="two words"'), /holds a space/);
  assert.throws(() => parseSlurmArgs('gpu'), /not an sbatch option/);
  assert.throws(() => parseSlurmArgs('--qos="high'), /quote is not closed/);
});

test('the sbatch script is valid bash, quotes every path and selects combination i by the array task id', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ll-sweep it's-"));
  const combos = combinations(parseGrid(['beta=0.5,4']));
  const script = sbatchScript({
    sweepDir: dir, dataDir: '/data/with space/$HOME', cliPath: '/opt/latent lens/dist/cli.js', trainArgs: ['--epochs', '1'],
    combos, slurmArgs: ['--partition=gpu', '--gres=gpu:1'], maxParallel: 2, jobName: 'latent-lens-x', created: 'now',
  });
  assert.match(script, /^#SBATCH --array=0-1%2$/m);
  assert.match(script, /^#SBATCH --partition=gpu$/m);
  assert.match(script, /^#SBATCH --gres=gpu:1$/m);
  assert.ok(script.includes(`SWEEP=${shq(dir)}`));
  const file = path.join(dir, 'sweep.sbatch');
  await fs.writeFile(file, script);
  execFileSync('bash', ['-n', file]);
  // Run task 1 with a fake node that prints its arguments (one per line).
  const bin = path.join(dir, 'bin');
  await fs.mkdir(path.join(dir, 'logs'), { recursive: true });
  await fs.mkdir(bin);
  await fs.writeFile(path.join(bin, 'node'), '#!/bin/sh\n[ "$1" = -e ] && exit 0\nfor a in "$@"; do echo "$a"; done\n', { mode: 0o755 });
  execFileSync('bash', [file], { env: { PATH: `${bin}:/usr/bin:/bin`, SLURM_ARRAY_TASK_ID: '1', SLURM_CPUS_PER_TASK: '3' } });
  const args = (await fs.readFile(path.join(dir, 'logs', '001_beta=4.log'), 'utf8')).trim().split('\n');
  assert.deepEqual(args, ['/opt/latent lens/dist/cli.js', 'train', '/data/with space/$HOME', '--out', `${dir}/001_beta=4`, '--epochs', '1', '--beta', '4']);
  assert.throws(() => execFileSync('bash', [file], { env: { PATH: `${bin}:/usr/bin:/bin`, SLURM_ARRAY_TASK_ID: '7' }, stdio: 'pipe' }), /no combination 7/);
  await fs.rm(dir, { recursive: true, force: true });
});

test('sweep: bad input is a clear error (exit 2) and nothing is written or submitted', async () => {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'll-sweep-bad-'));
  const out = path.join(parent, 'sweep');
  const cases: [string[], RegExp][] = [
    [['--grid', 'betta=1,2'], /unknown key "betta"; valid keys \(the train flags\): .*beta/],
    [['--grid', 'beta='], /the list of values is empty/],
    [[], /at least one --grid/],
    [['--grid', 'beta=1', '--executor', 'pbs'], /--executor "pbs" is not valid: one of local, slurm/],
  ];
  for (const [extra, message] of cases) {
    const r = await run(['sweep', sample, '--out', out, ...extra]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.ok(!existsSync(out), `${extra.join(' ')}: the sweep folder must not be created`);
  }
  // --executor slurm with no sbatch on the PATH (an empty PATH: node itself is called by its path).
  const noSlurm = { ...process.env, PATH: parent };
  const r = await run(['sweep', sample, '--out', out, '--grid', 'beta=0.5,1', '--executor', 'slurm', '--slurm-args', '--partition=gpu'], noSlurm);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--executor slurm needs `sbatch` on the PATH, and it is not there/);
  assert.ok(!existsSync(out), 'nothing is written when sbatch is missing');
  const status = await run(['sweep', 'status', parent]);
  assert.equal(status.code, 1);
  assert.match(status.stderr, /is not a sweep folder: no sweep.json/);
  await fs.rm(parent, { recursive: true, force: true });
});

test('a local sweep runs every combination, writes sweep.json, and status exits 0 once all completed', async () => {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'll-sweep-local-'));
  const out = path.join(parent, 'sweep');
  const small = ['--max-images', '120', '--image-size', '16', '--batch-size', '32', '--epochs', '1', '--backend', 'wasm'];
  const r = await run(['sweep', sample, '--out', out, '--grid', 'beta=0.5,4', '--grid', 'latent-dim=2', '--max-parallel', '2', ...small]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const sweep = SweepFile.parse(JSON.parse(await fs.readFile(path.join(out, 'sweep.json'), 'utf8')));
  assert.equal(sweep.executor, 'local');
  assert.deepEqual(sweep.grid, [{ flag: 'beta', values: ['0.5', '4'] }, { flag: 'latent-dim', values: ['2'] }]);
  assert.deepEqual(sweep.runs.map((x) => x.name), ['000_beta=0.5_latent-dim=2', '001_beta=4_latent-dim=2']);
  for (const [i, beta] of [0.5, 4].entries()) {
    const config = JSON.parse(await fs.readFile(path.join(out, sweep.runs[i].name, 'config.json'), 'utf8'));
    assert.equal(config.training.beta, beta);
    assert.equal(config.model.latentDim, 2);
    assert.equal(config.training.epochs, 1);
    assert.ok(existsSync(path.join(out, 'logs', `${sweep.runs[i].name}.log`)));
  }
  const status = await run(['sweep', 'status', out, '--json']);
  assert.equal(status.code, 0, status.stdout + status.stderr);
  const parsed = JSON.parse(status.stdout);
  assert.equal(parsed.allCompleted, true);
  assert.deepEqual(parsed.runs.map((x: { state: string }) => x.state), ['completed', 'completed']);
  // A run that is not completed makes status exit non-zero.
  await fs.rm(path.join(out, sweep.runs[1].name, 'status.json'));
  const after = await run(['sweep', 'status', out]);
  assert.equal(after.code, 1);
  assert.match(after.stdout, /001_beta=4_latent-dim=2 +lost/);
  await fs.rm(parent, { recursive: true, force: true });
});
