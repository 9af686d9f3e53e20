// Training-throughput and per-kernel profile of the canonical conv VAE
// (/work/shared/bench/CANONICAL.md: batch 128, 28×28×1, latent 16, Adam 1e-3) on a
// TensorFlow.js backend, built here from raw tf ops (or tf.layers with --impl layers) so that
// it does not depend on the trainer's model module.
//
//   node --import tsx scripts/profile-wasm.ts [--backend wasm|cpu|auto] [--threads N|off]
//        [--impl ops|layers|model] [--batch 128] [--steps 12] [--warmup 3] [--profile] [--profile-runs 3]
//        [--cpu-profile] [--json]
//        [--data DIR] [--help]
//
// Prints images/s (median over the timed steps, each step synchronised on the loss) and,
// with --profile, the time per kernel of one training step (tf.profile), largest first; the
// profiled step is run --profile-runs times and each kernel call keeps its fastest time, which
// filters out most of the noise of a shared machine. Also prints the process CPU time per step.
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { selectBackend, type BackendRequest } from '../src/backend/ladder';
import { wasmKernelPartTimes } from '../src/backend/wasm/partTimes';
import { createAdam } from '../src/backend/fusedAdam';
import { VaeModel } from '../src/model/vaeModel';
import { DEFAULT_TRAINING, PRESETS } from '../src/protocol/config';
import { configFromRequest } from '../src/protocol/trainRequest';

interface Args { backend: BackendRequest; threads?: number | boolean; impl: 'ops' | 'layers' | 'model'; batch: number; steps: number; warmup: number; profile: boolean; profileRuns: number; cpuProfile: boolean; json: boolean; data: string; size: number; channels: number }

const USAGE = `usage: node --import tsx scripts/profile-wasm.ts [options]
  --backend wasm|cpu|auto   backend (default wasm)
  --threads N|off           wasm thread pool (default: one thread per core)
  --impl ops|layers|model   the canonical VAE from raw ops (default), tf.layers, or the trainer's own
                            VaeModel (src/model: its loss, fused Adam, trainStep with the loss read back)
  --batch N                 batch size (default 128)
  --steps N, --warmup N     timed steps (default 12) after warm-up steps (default 3)
  --profile                 per-kernel time of one step (tf.profile) and the parts of our wasm kernels
  --profile-runs N          profiled step run N times, fastest per kernel call (default 3; implies --profile)
  --cpu-profile             CPU time (process.cpuUsage: every thread of the process) per kernel,
                            median over the timed steps, and what is left for tfjs's engine, the tape and
                            GC. Unlike wall time it hardly moves with the machine's other load
  --size N --channels C     with --impl model: the default model at N×N×C (e.g. 64 3: filters
                            32,64,128,256), on random binary images as latent-lens bench
  --json                    one JSON line
  --data DIR                Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist; random pixels if absent)
Backend switches (docs/performance.md) come from the environment, e.g. LATENT_LENS_WASM_LENS_KERNELS=off,
LATENT_LENS_WASM_DW=im2col, LATENT_LENS_WASM_DX=col2im (src/backend/options.ts).
Prints images/s = batch / median step time; compare runs taken in the same minute on a shared machine.`;

function parseArgs(argv: string[]): Args {
  const a: Args = { backend: 'wasm', impl: 'ops', batch: 128, steps: 12, warmup: 3, profile: false, profileRuns: 3, cpuProfile: false, json: false, size: 28, channels: 1, data: '/usr/share/datasets/fashion-mnist' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i];
    if (k === '--backend') a.backend = v() as BackendRequest;
    else if (k === '--threads') { const t = v(); a.threads = t === 'off' ? false : Number(t); }
    else if (k === '--impl') a.impl = v() as Args['impl'];
    else if (k === '--batch') a.batch = Number(v());
    else if (k === '--steps') a.steps = Number(v());
    else if (k === '--warmup') a.warmup = Number(v());
    else if (k === '--profile') a.profile = true;
    else if (k === '--profile-runs') { a.profile = true; a.profileRuns = Number(v()); }
    else if (k === '--cpu-profile') a.cpuProfile = true;
    else if (k === '--size') a.size = Number(v());
    else if (k === '--channels') a.channels = Number(v());
    else if (k === '--json') a.json = true;
    else if (k === '--data') a.data = v();
    else if (k === '--help' || k === '-h') { console.log(USAGE); process.exit(0); }
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

/** Fashion-MNIST training images scaled to [0, 1] (random data if the dataset is absent). */
function loadImages(dir: string, n: number): Float32Array {
  const file = `${dir}/train-images-idx3-ubyte.gz`;
  const out = new Float32Array(n * 784);
  if (!fs.existsSync(file)) {
    for (let i = 0; i < out.length; i++) out[i] = Math.random();
    return out;
  }
  const raw = zlib.gunzipSync(fs.readFileSync(file));
  const count = raw.readUInt32BE(4);
  for (let i = 0; i < n * 784; i++) out[i] = raw[16 + (i % (count * 784))] / 255;
  return out;
}

const LATENT = 16;

function glorot(shape: number[], fanIn: number, fanOut: number): tf.Variable {
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  return tf.variable(tf.randomUniform(shape, -lim, lim));
}

interface Model { vars: tf.Variable[]; loss: (x: tf.Tensor4D) => tf.Scalar }

/** The canonical VAE from raw ops. */
function buildOps(): Model {
  const p = {
    c1w: glorot([3, 3, 1, 32], 9, 9 * 32), c1b: tf.variable(tf.zeros([32])),
    c2w: glorot([3, 3, 32, 64], 9 * 32, 9 * 64), c2b: tf.variable(tf.zeros([64])),
    ew: glorot([7 * 7 * 64, 2 * LATENT], 3136, 2 * LATENT), eb: tf.variable(tf.zeros([2 * LATENT])),
    dw: glorot([LATENT, 7 * 7 * 64], LATENT, 3136), db: tf.variable(tf.zeros([7 * 7 * 64])),
    // conv2dTranspose filters are [kh, kw, outChannels, inChannels]
    t1w: glorot([3, 3, 64, 64], 9 * 64, 9 * 64), t1b: tf.variable(tf.zeros([64])),
    t2w: glorot([3, 3, 32, 64], 9 * 64, 9 * 32), t2b: tf.variable(tf.zeros([32])),
    t3w: glorot([3, 3, 1, 32], 9 * 32, 9), t3b: tf.variable(tf.zeros([1])),
  };
  const loss = (x: tf.Tensor4D): tf.Scalar => {
    const b = x.shape[0];
    const h1 = tf.relu(tf.add(tf.conv2d(x, p.c1w as tf.Tensor4D, 2, 'same'), p.c1b)) as tf.Tensor4D;
    const h2 = tf.relu(tf.add(tf.conv2d(h1, p.c2w as tf.Tensor4D, 2, 'same'), p.c2b)) as tf.Tensor4D;
    const stats = tf.add(tf.matMul(tf.reshape(h2, [b, 3136]), p.ew), p.eb);
    const mu = tf.slice(stats, [0, 0], [b, LATENT]);
    const logVar = tf.slice(stats, [0, LATENT], [b, LATENT]);
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), tf.randomNormal([b, LATENT])));
    const d = tf.reshape(tf.relu(tf.add(tf.matMul(z, p.dw), p.db)), [b, 7, 7, 64]) as tf.Tensor4D;
    const u1 = tf.relu(tf.add(tf.conv2dTranspose(d, p.t1w as tf.Tensor4D, [b, 14, 14, 64], 2, 'same'), p.t1b)) as tf.Tensor4D;
    const u2 = tf.relu(tf.add(tf.conv2dTranspose(u1, p.t2w as tf.Tensor4D, [b, 28, 28, 32], 2, 'same'), p.t2b)) as tf.Tensor4D;
    const logits = tf.add(tf.conv2dTranspose(u2, p.t3w as tf.Tensor4D, [b, 28, 28, 1], 1, 'same'), p.t3b);
    // BCE with logits = softplus(l) − l·x ; KL = ½ Σ (σ² + μ² − 1 − log σ²)
    const recon = tf.sum(tf.sub(tf.softplus(logits), tf.mul(logits, x)));
    const kl = tf.mul(0.5, tf.sum(tf.sub(tf.add(tf.exp(logVar), tf.square(mu)), tf.add(1, logVar))));
    return tf.div(tf.add(recon, kl), b) as tf.Scalar;
  };
  return { vars: Object.values(p), loss };
}

/** The same model with tf.layers (to measure the layers API's overhead). */
function buildLayers(): Model {
  const enc = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 2 * LATENT }),
  ] });
  const dec = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [LATENT], units: 7 * 7 * 64, activation: 'relu' }),
    tf.layers.reshape({ targetShape: [7, 7, 64] }),
    tf.layers.conv2dTranspose({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    tf.layers.conv2dTranspose({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 1, padding: 'same' }),
  ] });
  const loss = (x: tf.Tensor4D): tf.Scalar => {
    const b = x.shape[0];
    const stats = enc.apply(x, { training: true }) as tf.Tensor2D;
    const mu = tf.slice(stats, [0, 0], [b, LATENT]);
    const logVar = tf.slice(stats, [0, LATENT], [b, LATENT]);
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), tf.randomNormal([b, LATENT])));
    const logits = dec.apply(z, { training: true }) as tf.Tensor;
    const recon = tf.sum(tf.sub(tf.softplus(logits), tf.mul(logits, x)));
    const kl = tf.mul(0.5, tf.sum(tf.sub(tf.add(tf.exp(logVar), tf.square(mu)), tf.add(1, logVar))));
    return tf.div(tf.add(recon, kl), b) as tf.Scalar;
  };
  const vars = [...enc.trainableWeights, ...dec.trainableWeights].map((w) => (w as unknown as { val: tf.Variable }).val);
  return { vars, loss };
}

/**
 * Wraps every kernel of `backend` to add its process CPU time to `acc` (outermost calls only: our
 * composite kernels call other kernels directly, and those count within their caller).
 */
function cpuTimeKernels(backend: string, acc: Map<string, { us: number; n: number }>): void {
  let depth = 0;
  for (const k of tf.getKernelsForBackend(backend)) {
    const inner = k.kernelFunc;
    const kernelFunc: tf.KernelFunc = (a) => {
      if (depth++ > 0) { try { return inner(a); } finally { depth--; } }
      const c0 = process.cpuUsage();
      try { return inner(a); } finally {
        depth--;
        const c = process.cpuUsage(c0);
        const e = acc.get(k.kernelName) ?? { us: 0, n: 0 };
        e.us += c.user + c.system; e.n++;
        acc.set(k.kernelName, e);
        if (/Conv|MatMul/.test(k.kernelName)) {
          // Per call of the big kernels, named by their input shapes, to see which layer costs what.
          const shapes = Object.values(a.inputs).map((t) => (t as tf.TensorInfo | null)?.shape.join('x') ?? '-').join(' * ');
          const key = `  ${k.kernelName} ${shapes}`;
          const p = acc.get(key) ?? { us: 0, n: 0 };
          p.us += c.user + c.system; p.n++;
          acc.set(key, p);
        }
      }
    };
    tf.unregisterKernel(k.kernelName, backend);
    tf.registerKernel({ ...k, kernelFunc });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const logs: string[] = [];
  const backend = await selectBackend(args.backend, (m) => logs.push(m), { wasmThreads: args.threads });
  const nBatches = args.warmup + args.steps + args.profileRuns;
  const data = loadImages(args.data, args.batch * nBatches);
  const batchAt = (i: number) => tf.tensor4d(data.subarray(i * args.batch * 784, (i + 1) * args.batch * 784), [args.batch, 28, 28, 1]);
  let step: (i: number) => number;
  if (args.impl === 'model') {
    // The shipped model module, as `latent-lens bench` and the trainer run it.
    const canonical = args.size === 28 && args.channels === 1;
    const config = configFromRequest('/profile', canonical ? { preset: 'canonical' } : { imageSize: args.size, channels: args.channels as 1 | 3 }).config.model;
    const vae = new VaeModel(config, { ...DEFAULT_TRAINING, ...(PRESETS.canonical?.training ?? {}) }, { createAdam });
    const px = args.size * args.size * args.channels;
    const binary = canonical ? null : Float32Array.from({ length: args.batch * px }, () => (Math.random() < 0.5 ? 0 : 1));
    const input = (i: number) => (binary ? tf.tensor4d(binary, [args.batch, args.size, args.size, args.channels]) : batchAt(i));
    step = (i) => { const x = input(i); const r = vae.trainStep(x); x.dispose(); return r.loss; };
  } else {
    const model = args.impl === 'layers' ? buildLayers() : buildOps();
    const opt = tf.train.adam(1e-3);
    step = (i) => {
      const x = batchAt(i);
      const l = opt.minimize(() => model.loss(x), true, model.vars) as tf.Scalar;
      const v = l.dataSync()[0];
      tf.dispose([x, l]);
      return v;
    };
  }

  const times: number[] = [];
  const cpu: number[] = [];
  const kernelCpu = new Map<string, { us: number; n: number }>();
  const perStep: Map<string, { us: number; n: number }>[] = [];
  const cpuMsClock = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
  if (args.cpuProfile) { cpuTimeKernels(tf.getBackend(), kernelCpu); wasmKernelPartTimes(true, cpuMsClock); }
  const partsPerStep: Map<string, number>[] = [];
  let lastLoss = NaN;
  for (let i = 0; i < args.warmup + args.steps; i++) {
    kernelCpu.clear();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    lastLoss = step(i);
    if (i >= args.warmup) {
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      perStep.push(new Map(kernelCpu));
      if (args.cpuProfile) partsPerStep.push(wasmKernelPartTimes());
    }
  }
  const ms = median(times);
  const result: Record<string, unknown> = {
    backend, impl: args.impl, batch: args.batch, threads: args.threads ?? 'default',
    wasmThreaded: backend === 'wasm' ? tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') : undefined,
    stepMsMedian: +ms.toFixed(1), stepMsMin: +Math.min(...times).toFixed(1), cpuMsPerStepMedian: +median(cpu).toFixed(1),
    imagesPerS: +(args.batch / (ms / 1000)).toFixed(1), loss: +lastLoss.toFixed(2), log: logs,
  };

  if (args.cpuProfile) {
    const names = new Set(perStep.flatMap((m) => [...m.keys()]));
    const rows = [...names].map((name) => ({
      kernel: name, cpuMs: +median(perStep.map((m) => (m.get(name)?.us ?? 0) / 1000)).toFixed(2), calls: perStep[0].get(name)?.n ?? 0,
    })).sort((p, q) => q.cpuMs - p.cpuMs);
    const kernelsMs = median(perStep.map((m) => [...m.entries()].filter(([k]) => !k.startsWith(' ')).reduce((t, [, e]) => t + e.us, 0) / 1000));
    const partNames = new Set(partsPerStep.flatMap((m) => [...m.keys()]));
    const parts = [...partNames].map((part) => ({ part, cpuMs: +median(partsPerStep.map((m) => m.get(part) ?? 0)).toFixed(2) })).sort((p, q) => q.cpuMs - p.cpuMs);
    wasmKernelPartTimes(false, () => performance.now());
    result.cpuProfile = { stepCpuMsMedian: +median(cpu).toFixed(1), kernelCpuMsMedian: +kernelsMs.toFixed(1), outsideKernelsMs: +(median(cpu) - kernelsMs).toFixed(1), kernels: rows, parts };
  }
  if (args.profile) {
    const parts = new Map<string, number>();
    const profileStep = (i: number) => {
      wasmKernelPartTimes(true);
      step(i);
      for (const [label, ms] of wasmKernelPartTimes(false)) parts.set(label, Math.min(parts.get(label) ?? Infinity, ms));
    };
    let prof = await tf.profile(() => { profileStep(args.warmup + args.steps); });
    for (let r = 1; r < args.profileRuns; r++) {
      const again = await tf.profile(() => { profileStep(args.warmup + args.steps + r); });
      if (again.kernels.length !== prof.kernels.length) continue;
      const kernels = prof.kernels.map((k, i) => ((again.kernels[i].kernelTimeMs as number) < (k.kernelTimeMs as number) ? again.kernels[i] : k));
      prof = { ...prof, kernels };
    }
    const byKernel = new Map<string, { ms: number; n: number }>();
    for (const k of prof.kernels) {
      const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
      e.ms += k.kernelTimeMs as number; e.n++;
      byKernel.set(k.name, e);
    }
    const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
    const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms)
      .map(([name, e]) => ({ kernel: name, ms: +e.ms.toFixed(2), calls: e.n, pct: +(100 * e.ms / total).toFixed(1) }));
    result.profile = { kernelMsTotal: +total.toFixed(1), kernels: rows };
    result.kernelParts = [...parts.entries()].sort((p, q) => q[1] - p[1]).map(([part, ms]) => ({ part, ms: +ms.toFixed(2) }));
    // Per call of the big kernels, with shapes, to see which layer costs what.
    result.profileCalls = prof.kernels
      .filter((k) => /Conv|MatMul/.test(k.name))
      .map((k) => ({ kernel: k.name, ms: +(k.kernelTimeMs as number).toFixed(2), in: k.inputShapes, out: k.outputShapes }));
  }
  if (args.json) {
    console.log(JSON.stringify(result));
  } else {
    const { profile, profileCalls, kernelParts: _parts, cpuProfile, ...head } = result as { cpuProfile?: { stepCpuMsMedian: number; kernelCpuMsMedian: number; outsideKernelsMs: number; kernels: { kernel: string; cpuMs: number; calls: number }[]; parts: { part: string; cpuMs: number }[] }; kernelParts?: unknown; profile?: { kernelMsTotal: number; kernels: { kernel: string; ms: number; calls: number; pct: number }[] }; profileCalls?: unknown[] };
    console.log(JSON.stringify(head));
    if (cpuProfile) {
      console.log(`CPU time per step (median): ${cpuProfile.stepCpuMsMedian} ms, in kernels ${cpuProfile.kernelCpuMsMedian} ms, outside (engine, tape, GC) ${cpuProfile.outsideKernelsMs} ms`);
      for (const r of cpuProfile.kernels) console.log(`${r.kernel.padEnd(24)} ${r.cpuMs.toFixed(2).padStart(9)} ms CPU ${String(r.calls).padStart(4)} calls`);
      for (const r of cpuProfile.parts) console.log(`  ${r.part.padEnd(64)} ${r.cpuMs.toFixed(2).padStart(9)} ms CPU`);
    }
    if (profile) {
      console.log(`kernel time in one step: ${profile.kernelMsTotal} ms`);
      for (const r of profile.kernels) console.log(`${r.kernel.padEnd(24)} ${r.ms.toFixed(2).padStart(9)} ms ${String(r.calls).padStart(4)} calls ${r.pct.toFixed(1).padStart(5)}%`);
      for (const c of profileCalls ?? []) console.log(JSON.stringify(c));
      for (const c of (result.kernelParts as unknown[]) ?? []) console.log(JSON.stringify(c));
    }
  }
}

main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
