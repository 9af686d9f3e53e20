#!/usr/bin/env node
// `npm run bench`: Latent Lens against the PyTorch reference (shared/bench/torch_ref.py), one
// after the other on this machine, reported as ratios (CANONICAL.md: absolute times drift on
// shared machines, ratios hold).
//
//   speed     `latent-lens bench --json` (canonical model, batch 128, median of timed steps)
//             vs torch_ref.py's train_images_per_s
//   fidelity  canonical model trained on the same first N Fashion-MNIST training images for the
//             same epochs (no validation split), test −ELBO on the 10,000 test images
//   memory    peak resident memory (VmHWM) of the trainer over one epoch on all 60,000 images
//   firstmap  (issue 13) `latent-lens train` on 60,000 PNGs, cold then warm pixel cache, --runs
//             times each: decode rate, time to the first step and to the first map (from the
//             trainer's IPC events), with the load average; `--ref <dist/cli.js>` adds another
//             build (e.g. a worktree of main) as reference. No PyTorch needed: scripts/bench-firstmap.mjs
//
// Usage: node scripts/bench.mjs [--only speed,fidelity,memory,firstmap] [--train-n 10000] [--epochs 2] [--runs 3] [--ref CLI]
// Needs: apt-get install python3-torch libopenblas0-pthread dataset-fashion-mnist
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const torchRef = process.env.LATENT_LENS_TORCH_REF ?? path.resolve(root, '..', 'shared', 'bench', 'torch_ref.py');
const work = path.join(os.tmpdir(), 'latent-lens-bench');
const { values } = parseArgs({ options: { only: { type: 'string', default: 'speed,fidelity,memory' }, 'train-n': { type: 'string', default: '10000' }, epochs: { type: 'string', default: '2' }, backend: { type: 'string', default: 'auto' }, runs: { type: 'string', default: '3' }, ref: { type: 'string' }, data: { type: 'string' } } });
const only = new Set(values.only.split(','));
if (only.has('firstmap')) { // issue 13: its own script, no PyTorch needed
  const { benchFirstMap } = await import('./bench-firstmap.mjs');
  await benchFirstMap({ cli, root, runs: Number(values.runs), ref: values.ref, data: values.data, backend: values.backend });
  only.delete('firstmap');
  if (only.size === 0) process.exit(0);
}
const trainN = Number(values['train-n']), epochs = Number(values.epochs);

function run(cmd, args, { watchPid = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', peakKb = 0;
    const timer = watchPid ? setInterval(() => {
      try { const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8')); if (m) peakKb = Math.max(peakKb, Number(m[1])); } catch { /* exited */ }
    }, 200) : undefined;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => { err += d; process.stderr.write(d); });
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code === 0) resolve({ out, err, peakKb }); else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}\n${err.slice(-2000)}`));
    });
  });
}
const lastJson = (text) => JSON.parse(text.trim().split('\n').filter((l) => l.startsWith('{')).pop());

async function imageFolder(name, split, first) {
  const dir = path.join(work, name);
  if (!existsSync(path.join(dir, '.complete'))) {
    rmSync(dir, { recursive: true, force: true });
    await run('node', [path.join(root, 'scripts', 'fashion-mnist-to-png.mjs'), '--split', split, '--first', String(first), '--out', dir]);
    execFileSync('touch', [path.join(dir, '.complete')]);
  }
  return dir;
}

if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build');
if (!existsSync('/usr/bin/python3') || !existsSync(torchRef)) console.error(`note: ${torchRef} or /usr/bin/python3 missing: no reference figures`);
try { execFileSync('/usr/bin/python3', ['-c', 'import torch']); } catch { console.error('PyTorch missing: apt-get install python3-torch libopenblas0-pthread'); process.exit(1); }
mkdirSync(work, { recursive: true });
const rows = [];

if (only.has('speed')) {
  console.error('\n== speed: torch_ref.py (1 epoch on 10,000 images), then latent-lens bench ==');
  const ref = lastJson((await run('/usr/bin/python3', [torchRef, '--train-n', '10000', '--epochs', '1'])).out);
  const ours = lastJson((await run('node', [cli, 'bench', '--json', '--backend', values.backend, '--steps', '15'])).out);
  rows.push(['training images/s (canonical, batch 128)', ours.train_images_per_s, ref.train_images_per_s, `${ours.backend}`]);
}

if (only.has('fidelity')) {
  console.error(`\n== fidelity: canonical model, first ${trainN} training images, ${epochs} epochs, test on 10,000 ==`);
  const trainDir = await imageFolder(`train-first-${trainN}`, 'train', trainN);
  const testDir = await imageFolder('test-10k', 't10k', 10000);
  const ref = lastJson((await run('/usr/bin/python3', [torchRef, '--train-n', String(trainN), '--epochs', String(epochs)])).out);
  const runDir = path.join(work, 'fidelity-run');
  rmSync(runDir, { recursive: true, force: true });
  await run('node', [cli, 'train', trainDir, '--out', runDir, '--preset', 'canonical', '--epochs', String(epochs), '--val-split', '0', '--backend', values.backend]);
  const ours = lastJson((await run('node', [cli, 'eval', runDir, '--data', testDir, '--json', '--backend', values.backend])).out);
  rows.push([`test −ELBO, nats (${epochs} epochs × ${trainN} images)`, ours.test_neg_elbo, ref.test_neg_elbo, 'lower is better']);
  rows.push(['  of which reconstruction', ours.test_recon, ref.test_recon, '']);
  rows.push(['  of which KL', ours.test_kl, ref.test_kl, '']);
}

if (only.has('memory')) {
  console.error('\n== memory: one epoch on all 60,000 training images ==');
  const allDir = await imageFolder('train-60k', 'train', 60000);
  const runDir = path.join(work, 'memory-run');
  rmSync(runDir, { recursive: true, force: true });
  const r = await run('node', [cli, 'train', allDir, '--out', runDir, '--preset', 'canonical', '--epochs', '1', '--backend', values.backend], { watchPid: true });
  rows.push(['trainer peak resident memory, MiB (60k images)', Math.round(r.peakKb / 1024), 1024, 'target: under 1024']);
}

console.log('\n| measure | Latent Lens | reference | ratio | note |\n| --- | ---: | ---: | ---: | --- |');
for (const [what, ours, ref, note] of rows) console.log(`| ${what} | ${ours} | ${ref} | ${(ours / ref).toFixed(3)} | ${note} |`);
