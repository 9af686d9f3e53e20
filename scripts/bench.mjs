#!/usr/bin/env node
// `npm run bench`: Latent Lens against the PyTorch reference (shared/bench/torch_ref.py), one
// after the other on this machine, reported as ratios (CANONICAL.md: absolute times drift on
// shared machines, ratios hold).
//
//   speed     `latent-lens bench --json` (canonical model, batch 128, median of timed steps)
//             vs torch_ref.py's train_images_per_s (1 epoch on --speed-train-n images, 10000), --pairs
//             pairs (5) alternating which runs first: each pair's ratio, the median and spread, the CPU
//             time per step of each side, the cores each got and the other processes' load (issue 13)
//   fidelity  canonical model trained on the same first N Fashion-MNIST training images for the
//             same epochs (no validation split), test −ELBO on the 10,000 test images
//   memory    peak resident memory (VmHWM) of the trainer over one epoch on all 60,000 images
//   firstmap  (issue 13) `latent-lens train` on 60,000 PNGs, cold then warm pixel cache, --runs
//             times each: decode rate, time to the first step and to the first map (from the
//             trainer's IPC events), with the load average; `--ref <dist/cli.js>` adds another
//             build (e.g. a worktree of main) as reference. No PyTorch needed: scripts/bench-firstmap.mjs
//   mlp       as fidelity, for preset canonical-mlp vs `torch_ref.py --arch mlp`
//   cvae      as fidelity, for preset canonical-cvae vs `torch_ref.py --conditional`
//   cvae-samples  the cvae run's prior samples, 100 per label (`latent-lens samples --label`):
//             the share nearer (mean squared distance) to their label's mean training image than
//             to any other label's mean; beside it the reference CVAE's samples by the same rule
//             (scripts/cvae-samples-ref.py) and the real test images, per label and the lowest label;
//             and the ceiling a perfect prior would reach: the reference's reconstructions of the test
//             images (z = μ, with their label) by the same rule. --samples-train-n and --samples-epochs
//             train a model of their own for it (default: the cvae section's run, 2 epochs × 10,000;
//             longer training does not reach the 60 % target: README, "The models of the seed tutorials")
//   speed64   training images/s of the default model at 64×64×3 (filters 32,64,128,256) vs
//             `torch_ref.py --size 64 --channels 3 --filters 32,64,128,256 --synthetic 4096`,
//             --repeats pairs one after the other, as speed: median ratio and its spread
//
// Usage: node scripts/bench.mjs [--only speed,fidelity,memory,firstmap,mlp,cvae,cvae-samples,speed64] [--train-n 10000] [--epochs 2] [--runs 3] [--ref CLI] [--repeats 3] [--pairs 5] [--speed-train-n 10000]
// (default: speed,fidelity,memory)
// Needs: apt-get install python3-torch libopenblas0-pthread dataset-fashion-mnist
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import path from 'node:path';
import os from 'node:os';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const torchRef = process.env.LATENT_LENS_TORCH_REF ?? path.resolve(root, '..', 'shared', 'bench', 'torch_ref.py');
const work = path.join(os.tmpdir(), 'latent-lens-bench');
const { values } = parseArgs({ options: { only: { type: 'string', default: 'speed,fidelity,memory' }, 'train-n': { type: 'string', default: '10000' }, epochs: { type: 'string', default: '2' }, backend: { type: 'string', default: 'auto' }, runs: { type: 'string', default: '3' }, ref: { type: 'string' }, data: { type: 'string' }, repeats: { type: 'string', default: '3' }, pairs: { type: 'string', default: '5' }, 'speed-train-n': { type: 'string', default: '10000' }, 'samples-train-n': { type: 'string' }, 'samples-epochs': { type: 'string' } } });
const only = new Set(values.only.split(','));
if (only.has('firstmap')) { // issue 13: its own script, no PyTorch needed
  const { benchFirstMap } = await import('./bench-firstmap.mjs');
  await benchFirstMap({ cli, root, runs: Number(values.runs), ref: values.ref, data: values.data, backend: values.backend });
  only.delete('firstmap');
  if (only.size === 0) process.exit(0);
}
const trainN = Number(values['train-n']), epochs = Number(values.epochs), repeats = Math.max(1, Number(values.repeats));
const pairs = Math.max(1, Number(values.pairs)), speedTrainN = Number(values['speed-train-n']);

function run(cmd, args, { watchPid = false, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const poll = onSpawn?.(child.pid);
    let out = '', err = '', peakKb = 0;
    const timer = watchPid ? setInterval(() => {
      try { const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8')); if (m) peakKb = Math.max(peakKb, Number(m[1])); } catch { /* exited */ }
    }, 200) : undefined;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => { err += d; process.stderr.write(d); });
    child.on('exit', (code) => {
      clearInterval(timer); clearInterval(poll);
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

/** Busy and total jiffies of the whole machine (/proc/stat's first line), and the CPU jiffies of one process (all its threads). */
function machineJiffies() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}
function processJiffies(pid) {
  try { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); } catch { return undefined; }
}
/**
 * One benchmark process, with what the rest of the machine did meanwhile: `others` = cores kept
 * busy by every other process during its run (the machine's busy time from /proc/stat minus this
 * process's own CPU time, sampled every 100 ms), and the 1-minute load average at its start.
 */
async function runMeasured(cmd, args) {
  const load = os.loadavg()[0], m0 = machineJiffies(), t0 = performance.now();
  let own = 0;
  const child = run(cmd, args, { onSpawn: (pid) => setInterval(() => { own = processJiffies(pid) ?? own; }, 100) });
  const r = await child;
  const m1 = machineJiffies(), wallS = (performance.now() - t0) / 1000;
  const hz = (m1.total - m0.total) / wallS / os.cpus().length; // USER_HZ, measured
  return { ...r, load, others: Math.max(0, (m1.busy - m0.busy - own) / hz / wallS) };
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const f2 = (v) => v.toFixed(2);

/**
 * Paired runs: `pairs` times torch_ref.py and `latent-lens bench`, alternating which goes first,
 * each pair's ratio of images/s, then the median and spread. Beside each: the CPU time per batch
 * of each side (load-independent apart from spinning), the cores each actually got (CPU / wall),
 * and the other processes' load during each run. torch_ref.py runs unmodified under
 * scripts/torch-ref-cpu.py, which only reads the CPU clock where torch_ref.py reads the wall clock.
 */
async function pairedSpeed(label, refArgs, benchArgs, pairs) {
  const probe = path.join(root, 'scripts', 'torch-ref-cpu.py');
  const rowsOut = [];
  for (let i = 0; i < pairs; i++) {
    const runRef = async () => {
      const r = await runMeasured('/usr/bin/python3', [probe, torchRef, ...refArgs]);
      const lines = r.out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      const row = lines.filter((l) => !l.cpu_probe).pop(), cpu = lines.find((l) => l.cpu_probe).epochs.at(-1);
      const steps = Math.floor(cpu.wall_s * row.train_images_per_s / 128 + 0.5);
      return { ips: row.train_images_per_s, cpuMs: (1000 * cpu.cpu_s) / steps, cores: cpu.cores_used, others: r.others, load: r.load };
    };
    const runOurs = async () => {
      const r = await runMeasured('node', [cli, 'bench', '--json', '--backend', values.backend, ...benchArgs]);
      const j = lastJson(r.out);
      return { ips: j.train_images_per_s, cpuMs: j.cpu_ms_per_step_median, cores: j.cores_used_median, others: r.others, load: r.load, backend: `${j.backend}${j.native_kernels ? ' + native kernels' : ''}` };
    };
    let ref, ours;
    if (i % 2 === 0) { ref = await runRef(); ours = await runOurs(); } else { ours = await runOurs(); ref = await runRef(); }
    const row = { pair: i + 1, first: i % 2 === 0 ? 'torch' : 'ours', ours, ref, ratio: ours.ips / ref.ips, cpuRatio: ref.cpuMs / ours.cpuMs };
    rowsOut.push(row);
    console.error(`${label} pair ${i + 1} (${row.first} first): ours ${ours.ips} img/s (CPU ${ours.cpuMs} ms/step, ${ours.cores} cores, others ${f2(ours.others)}, load ${f2(ours.load)}) | torch ${ref.ips} img/s (CPU ${ref.cpuMs.toFixed(0)} ms/step, ${ref.cores} cores, others ${f2(ref.others)}, load ${f2(ref.load)}) | ratio ${row.ratio.toFixed(3)}, CPU-time ratio ${row.cpuRatio.toFixed(3)}`);
  }
  const ratios = rowsOut.map((r) => r.ratio);
  console.log(`\n${label}: ${pairs} paired runs (ours = latent-lens bench ${benchArgs.join(' ')}; torch = torch_ref.py ${refArgs.join(' ')})`);
  console.log('| pair | first | ours img/s | ours CPU ms/step | ours cores | others during ours (cores) | torch img/s | torch CPU ms/step | torch cores | others during torch | ratio | CPU-time ratio |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rowsOut) console.log(`| ${r.pair} | ${r.first} | ${r.ours.ips} | ${r.ours.cpuMs} | ${r.ours.cores} | ${f2(r.ours.others)} | ${r.ref.ips} | ${r.ref.cpuMs.toFixed(0)} | ${r.ref.cores} | ${f2(r.ref.others)} | ${r.ratio.toFixed(3)} | ${r.cpuRatio.toFixed(3)} |`);
  console.log(`median ratio ${med(ratios).toFixed(3)} (spread ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}); median CPU-time ratio ${med(rowsOut.map((r) => r.cpuRatio)).toFixed(3)}; 1-min load ${f2(Math.min(...rowsOut.map((r) => r.ours.load)))}–${f2(Math.max(...rowsOut.map((r) => r.ours.load)))}`);
  const mid = [...rowsOut].sort((p, q) => p.ratio - q.ratio)[Math.floor((rowsOut.length - 1) / 2)]; // the median pair (lower median when even)
  rows.push([`${label}, the median pair of ${pairs}`, mid.ours.ips, mid.ref.ips, `${rowsOut[0].ours.backend}; pair ratios ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}, median ${med(ratios).toFixed(3)}`]);
}

if (only.has('speed')) {
  console.error(`\n== speed: ${pairs} pairs of torch_ref.py (1 epoch on ${speedTrainN} images) and latent-lens bench, alternating which goes first ==`);
  await pairedSpeed('training images/s (canonical, batch 128)', ['--train-n', String(speedTrainN), '--epochs', '1'], ['--steps', '15'], pairs);
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

/** Train a preset on the first trainN training images (no validation split) and evaluate it on the 10,000 test images, beside torch_ref.py. */
async function fidelity(name, preset, refArgs) {
  console.error(`\n== ${name}: preset ${preset} vs torch_ref.py ${refArgs.join(' ')}, first ${trainN} training images, ${epochs} epochs, test on 10,000 ==`);
  const trainDir = await imageFolder(`train-first-${trainN}`, 'train', trainN);
  const testDir = await imageFolder('test-10k', 't10k', 10000);
  const ref = lastJson((await run('/usr/bin/python3', [torchRef, ...refArgs, '--train-n', String(trainN), '--epochs', String(epochs)])).out);
  const runDir = path.join(work, `${name}-run`);
  rmSync(runDir, { recursive: true, force: true });
  await run('node', [cli, 'train', trainDir, '--out', runDir, '--preset', preset, '--epochs', String(epochs), '--val-split', '0', '--backend', values.backend]);
  const ours = lastJson((await run('node', [cli, 'eval', runDir, '--data', testDir, '--json', '--backend', values.backend])).out);
  rows.push([`${preset}: test −ELBO, nats (${epochs} epochs × ${trainN} images)`, ours.test_neg_elbo, ref.test_neg_elbo, 'lower is better; target ratio ≤ 1.03']);
  rows.push(['  of which reconstruction', ours.test_recon, ref.test_recon, '']);
  rows.push(['  of which KL', ours.test_kl, ref.test_kl, '']);
  return runDir;
}

if (only.has('mlp')) await fidelity('mlp', 'canonical-mlp', ['--arch', 'mlp']);
let cvaeRun = path.join(work, 'cvae-run');
if (only.has('cvae')) cvaeRun = await fidelity('cvae', 'canonical-cvae', ['--conditional']);

// Fashion-MNIST class order in the idx files; scripts/fashion-mnist-to-png.mjs names the folders so.
const CLASS_NAMES = ['tshirt-top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];
function idx(split, n) {
  const src = '/usr/share/datasets/fashion-mnist';
  const im = gunzipSync(readFileSync(`${src}/${split}-images-idx3-ubyte.gz`)), lab = gunzipSync(readFileSync(`${src}/${split}-labels-idx1-ubyte.gz`));
  const count = Math.min(n, im.readUInt32BE(4));
  return { count, labels: lab.subarray(8, 8 + count), pixel: (i, p) => im[16 + i * 784 + p] / 255 };
}
/** The label whose mean image is nearest (mean squared distance) to an image given as px(p) in [0, 1]. */
const nearestMean = (means, px) => {
  let best = -1, bestD = Infinity;
  means.forEach((m, c) => { let d = 0; for (let p = 0; p < 784; p++) d += (px(p) - m[p]) ** 2; if (d < bestD) { bestD = d; best = c; } });
  return best;
};

if (only.has('cvae-samples')) {
  const sN = Number(values['samples-train-n'] ?? trainN), sEpochs = Number(values['samples-epochs'] ?? epochs);
  if (sN !== trainN || sEpochs !== epochs || !existsSync(path.join(cvaeRun, 'model', 'decoder', 'model.json'))) {
    cvaeRun = path.join(work, `cvae-samples-run-${sN}x${sEpochs}`);
    if (!existsSync(path.join(cvaeRun, 'model', 'decoder', 'model.json'))) {
      console.error(`\n== cvae-samples: training canonical-cvae on the first ${sN} training images, ${sEpochs} epochs ==`);
      const dir = await imageFolder(`train-first-${sN}`, 'train', sN);
      await run('node', [cli, 'train', dir, '--out', cvaeRun, '--preset', 'canonical-cvae', '--epochs', String(sEpochs), '--val-split', '0', '--backend', values.backend]);
    }
  }
  console.error(`\n== cvae-samples: 100 prior samples per label from ${cvaeRun} (${sN} images × ${sEpochs} epochs), nearest label mean; then the reference CVAE ==`);
  // One thread: only the scores matter here, not the speed, and on a loaded 2-core machine PyTorch's two
  // threads ran an epoch 10× slower than one (427 s against 42 s, load 7–10); the scores are the same.
  const ref = lastJson((await run('/usr/bin/python3', [path.join(root, 'scripts', 'cvae-samples-ref.py'), torchRef, '--train-n', String(sN), '--epochs', String(sEpochs), '--threads', '1', '--recon'])).out);
  const train = idx('train', sN);
  const means = CLASS_NAMES.map(() => new Float64Array(784)), counts = new Array(10).fill(0);
  for (let i = 0; i < train.count; i++) { const c = train.labels[i]; counts[c]++; for (let p = 0; p < 784; p++) means[c][p] += train.pixel(i, p); }
  means.forEach((m, c) => m.forEach((v, p) => (m[p] = v / counts[c])));
  // The rule on real images: the test images of each label nearest to their own label's mean.
  const test = idx('t10k', 10000), realHits = new Array(10).fill(0), realN = new Array(10).fill(0);
  for (let i = 0; i < test.count; i++) { const c = test.labels[i]; realN[c]++; if (nearestMean(means, (p) => test.pixel(i, p)) === c) realHits[c]++; }
  const perLabel = [];
  for (const [c, name] of CLASS_NAMES.entries()) {
    const file = path.join(work, `cvae-samples-${name}.png`);
    const info = lastJson((await run('node', [cli, 'samples', cvaeRun, '--label', name, '--count', '100', '--seed', String(100 + c), '--out', file, '--json', '--backend', values.backend])).out);
    const { data, info: img } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
    let hits = 0;
    for (let t = 0; t < info.count; t++) {
      // The grid of `samples --json`: tile t at gap + column·(tile + gap), one PNG pixel per image pixel.
      const x0 = info.gap + (t % info.columns) * (info.tileWidth + info.gap), y0 = info.gap + Math.floor(t / info.columns) * (info.tileHeight + info.gap);
      const px = (p) => data[((y0 + Math.floor(p / 28)) * img.width + x0 + (p % 28)) * img.channels] / 255;
      if (nearestMean(means, px) === c) hits++;
    }
    perLabel.push({ label: name, samples: hits / info.count, ref: ref.per_label[c], real: realHits[c] / realN[c] });
  }
  const mean = (k) => perLabel.reduce((s, r) => s + r[k], 0) / perLabel.length;
  const min = (k) => Math.min(...perLabel.map((r) => r[k]));
  console.log(`\n| label (${sN} images × ${sEpochs} epochs) | Latent Lens CVAE samples | PyTorch CVAE samples | real test images |\n| --- | ---: | ---: | ---: |`);
  for (const r of perLabel) console.log(`| ${r.label} | ${(100 * r.samples).toFixed(0)} % | ${(100 * r.ref).toFixed(0)} % | ${(100 * r.real).toFixed(0)} % |`);
  const realAll = realHits.reduce((a, b) => a + b, 0) / test.count;
  console.log(`| all (mean over labels; real: over all 10,000) | ${(100 * mean('samples')).toFixed(1)} % | ${(100 * mean('ref')).toFixed(1)} % | ${(100 * realAll).toFixed(1)} % |`);
  console.log(`| lowest label | ${(100 * min('samples')).toFixed(0)} % | ${(100 * min('ref')).toFixed(0)} % | ${(100 * min('real')).toFixed(0)} % |`);
  if (ref.recon_per_label) console.log(`PyTorch's reconstructions of the test images (z = μ, with their label), the ceiling of a perfect prior: ${ref.recon_per_label.map((v, c) => `${CLASS_NAMES[c]} ${(100 * v).toFixed(0)}`).join(', ')} % (lowest ${(100 * ref.recon_min).toFixed(0)} %)`);
  console.log(`labels at or above 60 %: Latent Lens ${perLabel.filter((r) => r.samples >= 0.6).length} of 10, PyTorch ${perLabel.filter((r) => r.ref >= 0.6).length} of 10`);
  rows.push([`canonical-cvae: prior samples nearest their label's mean, % (${sN} × ${sEpochs}), mean over labels`, +(100 * mean('samples')).toFixed(1), +(100 * mean('ref')).toFixed(1), `same rule on real test images: ${(100 * realAll).toFixed(1)} %; target ≥ 60 % per label`]);
  rows.push(['  lowest label, %', +(100 * min('samples')).toFixed(0), +(100 * min('ref')).toFixed(0), `real test images' lowest label: ${(100 * min('real')).toFixed(0)} %`]);
}

if (only.has('speed64')) {
  console.error(`\n== speed64: 64×64×3, filters 32,64,128,256, ${repeats} pairs (torch_ref.py 1 epoch on 4,096 random images; latent-lens bench) ==`);
  await pairedSpeed('training images/s, 64×64×3 conv (batch 128)', ['--size', '64', '--channels', '3', '--filters', '32,64,128,256', '--synthetic', '4096', '--epochs', '1'], ['--image-size', '64', '--channels', '3', '--steps', '8'], repeats);
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
