// `latent-lens sweep --executor slurm` on a real one-node Slurm cluster on this machine
// (scripts/slurm-cluster.sh: munged, slurmctld, slurmd as root, from Debian's slurm-wlm and
// munge, which scripts/setup.sh installs): a 3-run β sweep on the embedded sample, 1 epoch each,
// followed with `sweep status` until every run completed; then `sweep cancel` of a held sweep.
// Skipped, with the reason, where the cluster cannot run (not root, slurm-wlm not installed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SweepFile } from '../../src/protocol/runFormat';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'dist', 'cli.js');
const sample = path.join(root, 'samples', 'fashion-mnist-2k');
const clusterScript = path.join(root, 'scripts', 'slurm-cluster.sh');
const stateDir = process.env.LATENT_LENS_SLURM_DIR ?? '/tmp/latent-lens-slurm';
const env = { ...process.env, LATENT_LENS_SLURM_DIR: stateDir, SLURM_CONF: path.join(stateDir, 'slurm.conf') };

function whySkip(): string | undefined {
  if (process.platform !== 'linux') return 'the one-node Slurm cluster needs Linux';
  if (process.getuid?.() !== 0) return 'the one-node Slurm cluster runs slurmd as root: run the tests as root';
  for (const bin of ['slurmctld', 'slurmd', 'munged', 'sbatch']) {
    try { execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }); } catch { return `${bin} is not installed (apt-get install -y slurm-wlm munge, or bash scripts/setup.sh)`; }
  }
  return undefined;
}
const skip = whySkip();
if (skip) console.log(`# slurm sweep tests skipped: ${skip}`);

interface Result { code: number | null; stdout: string; stderr: string }
function run(args: string[]): Promise<Result> {
  assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let startedCluster = false;
let parent = '';

before(async () => {
  if (skip) return;
  // Reuse a cluster that is already up (and leave it up); stop only one this test started.
  try {
    execFileSync('bash', [clusterScript, 'status'], { env, stdio: 'pipe' });
  } catch {
    execFileSync('bash', [clusterScript, 'start'], { env, stdio: 'pipe' });
    startedCluster = true;
  }
  parent = await fs.mkdtemp(path.join(os.tmpdir(), 'll-slurm-sweep-'));
});

after(async () => {
  if (skip) return;
  if (startedCluster) execFileSync('bash', [clusterScript, 'stop'], { env, stdio: 'pipe' });
  if (parent) await fs.rm(parent, { recursive: true, force: true });
});

test('a 3-run β sweep on Slurm: one array job, three completed runs with their β', { skip, timeout: 600_000 }, async () => {
  const out = path.join(parent, 'beta-sweep');
  const r = await run(['sweep', sample, '--out', out, '--grid', 'beta=0.5,1,4', '--epochs', '1', '--executor', 'slurm', '--slurm-args', '--time=10:00 --cpus-per-task=1']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const sweep = SweepFile.parse(JSON.parse(await fs.readFile(path.join(out, 'sweep.json'), 'utf8')));
  assert.equal(sweep.executor, 'slurm');
  assert.match(sweep.slurm?.jobId ?? '', /^\d+$/);
  assert.match(r.stdout, new RegExp(`submitted Slurm array job ${sweep.slurm!.jobId}`));
  assert.deepEqual(sweep.grid, [{ flag: 'beta', values: ['0.5', '1', '4'] }]);
  const script = await fs.readFile(path.join(out, 'sweep.sbatch'), 'utf8');
  assert.match(script, /^#SBATCH --array=0-2$/m);
  assert.match(script, /^#SBATCH --time=10:00$/m);

  // Right after submission the runs cannot all be done: status says so with a non-zero exit.
  const early = await run(['sweep', 'status', out]);
  assert.equal(early.code, 1, early.stdout + early.stderr);
  assert.match(early.stdout, new RegExp(`Slurm job ${sweep.slurm!.jobId}`));

  let last: Result = early;
  const deadline = Date.now() + 540_000;
  while (Date.now() < deadline) {
    last = await run(['sweep', 'status', out, '--json']);
    if (last.code === 0) break;
    const states = JSON.parse(last.stdout).runs.map((x: { state: string }) => x.state) as string[];
    assert.ok(!states.some((s) => s === 'failed' || s === 'lost'), `a run failed: ${last.stdout}\n${await logs(out)}`);
    await new Promise((res) => setTimeout(res, 2000));
  }
  assert.equal(last.code, 0, `not all runs completed in time: ${last.stdout}\n${await logs(out)}`);
  const status = JSON.parse(last.stdout);
  assert.equal(status.allCompleted, true);
  for (const [i, beta] of [0.5, 1, 4].entries()) {
    const runDir = path.join(out, sweep.runs[i].name);
    const config = JSON.parse(await fs.readFile(path.join(runDir, 'config.json'), 'utf8'));
    assert.equal(config.training.beta, beta, `${sweep.runs[i].name}: β`);
    assert.equal(config.training.epochs, 1);
    const st = JSON.parse(await fs.readFile(path.join(runDir, 'status.json'), 'utf8'));
    assert.equal(st.status, 'completed');
    assert.equal(st.epoch, 1);
    assert.ok(st.backend, 'the run records its backend');
    assert.match(await fs.readFile(path.join(out, 'logs', `slurm-${sweep.slurm!.jobId}_${i}.out`), 'utf8'), new RegExp(`task ${i} on .*: ${sweep.runs[i].name}`));
  }
  const text = await run(['sweep', 'status', out]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /3 runs: 3 completed/);
});

test('sweep cancel: scancel removes the array job from the queue; status stays non-zero', { skip, timeout: 120_000 }, async () => {
  const out = path.join(parent, 'held-sweep');
  // --begin in an hour: the tasks stay pending, so nothing trains.
  const r = await run(['sweep', sample, '--out', out, '--grid', 'latent-dim=2,4', '--epochs', '1', '--executor', 'slurm', '--slurm-args', '--begin=now+1hour']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const jobId = SweepFile.parse(JSON.parse(await fs.readFile(path.join(out, 'sweep.json'), 'utf8'))).slurm!.jobId!;
  const pending = JSON.parse((await run(['sweep', 'status', out, '--json'])).stdout);
  assert.deepEqual(pending.runs.map((x: { state: string }) => x.state), ['pending', 'pending']);
  const c = await run(['sweep', 'cancel', out]);
  assert.equal(c.code, 0, c.stdout + c.stderr);
  assert.match(c.stdout, new RegExp(`cancelled Slurm job ${jobId}`));
  let queued = 'x';
  for (let i = 0; i < 50 && queued; i++) {
    queued = execFileSync('squeue', ['-h', '-j', jobId, '-o', '%i'], { env, encoding: 'utf8' }).trim();
    if (queued) await new Promise((res) => setTimeout(res, 200));
  }
  assert.equal(queued, '', 'the job left the queue');
  const after = await run(['sweep', 'status', out]);
  assert.equal(after.code, 1);
  assert.match(after.stdout, /2 runs: 2 lost/);
});

async function logs(out: string): Promise<string> {
  const dir = path.join(out, 'logs');
  const files = existsSync(dir) ? await fs.readdir(dir) : [];
  const parts = await Promise.all(files.map(async (f) => `--- ${f}\n${(await fs.readFile(path.join(dir, f), 'utf8')).slice(-2000)}`));
  return parts.join('\n');
}
