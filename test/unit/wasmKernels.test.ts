// The wasm training kernels (src/backend/wasm/) against the cpu backend's own kernels.
// Run: node --import tsx --test test/unit/wasmKernels.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/ladder';
import { configureWasmKernels, type WasmKernelSettings } from '../../src/backend/wasm/kernelSettings';
import { enableNativeKernels, nativeKernels } from '../../src/backend/wasm/nativeKernels';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

type Pad = 'same' | 'valid';
type Shape4 = [number, number, number, number];

interface Case { name: string; x: Shape4; k: [number, number]; outC: number; stride: number; pad: Pad }

const CASES: Case[] = [
  { name: '1ch 6x6 k3 s1 same', x: [1, 6, 6, 1], k: [3, 3], outC: 2, stride: 1, pad: 'same' },
  { name: '1ch 6x6 k3 s1 valid', x: [1, 6, 6, 1], k: [3, 3], outC: 2, stride: 1, pad: 'valid' },
  { name: 'b3 7x5x3 k3 s2 same (odd, non-square)', x: [3, 7, 5, 3], k: [3, 3], outC: 4, stride: 2, pad: 'same' },
  { name: 'b2 8x6x2 k3 s2 valid', x: [2, 8, 6, 2], k: [3, 3], outC: 5, stride: 2, pad: 'valid' },
  { name: 'b4 28x28x1 k3 s2 same (canonical enc1)', x: [4, 28, 28, 1], k: [3, 3], outC: 8, stride: 2, pad: 'same' },
  { name: 'b2 14x14x8 k3 s2 same', x: [2, 14, 14, 8], k: [3, 3], outC: 6, stride: 2, pad: 'same' },
  { name: 'b2 9x11x4 k2x4 s2 same (non-square filter)', x: [2, 9, 11, 4], k: [2, 4], outC: 3, stride: 2, pad: 'same' },
  { name: 'b2 10x9x3 k5x3 s1 valid', x: [2, 10, 9, 3], k: [5, 3], outC: 4, stride: 1, pad: 'valid' },
  { name: 'b2 10x10x3 k3 s3 same', x: [2, 10, 10, 3], k: [3, 3], outC: 2, stride: 3, pad: 'same' },
  { name: 'b2 12x12x2 k4 s2 same (even kernel)', x: [2, 12, 12, 2], k: [4, 4], outC: 3, stride: 2, pad: 'same' },
  { name: 'b3 8x6x16 k3 s2 same, 20 out (wide channels)', x: [3, 8, 6, 16], k: [3, 3], outC: 20, stride: 2, pad: 'same' },
  { name: 'b2 7x7x24 k3 s1 same, 16 out (wide channels)', x: [2, 7, 7, 24], k: [3, 3], outC: 16, stride: 1, pad: 'same' },
  // One input channel, 3×3, channels a multiple of 4: the companion kernel's dW path.
  { name: 'b3 28x28x1 k3 s1 same, 12 out (logits dW: 8- and 4-channel blocks)', x: [3, 28, 28, 1], k: [3, 3], outC: 12, stride: 1, pad: 'same' },
  { name: 'b2 9x7x1 k3 s2 valid, 8 out', x: [2, 9, 7, 1], k: [3, 3], outC: 8, stride: 2, pad: 'valid' },
  { name: 'b2 10x13x1 k3 s1 valid, 4 out', x: [2, 10, 13, 1], k: [3, 3], outC: 4, stride: 1, pad: 'valid' },
  // 2–3 input channels, 3×3, channels a multiple of 4: the same kernel one channel at a time (colour models).
  { name: 'b2 9x8x3 k3 s1 same, 8 out (colour logits dW)', x: [2, 9, 8, 3], k: [3, 3], outC: 8, stride: 1, pad: 'same' },
  { name: 'b2 8x6x2 k3 s2 valid, 12 out', x: [2, 8, 6, 2], k: [3, 3], outC: 12, stride: 2, pad: 'valid' },
  { name: 'b2 11x8x1 k3 s2 same, 36 out', x: [2, 11, 8, 1], k: [3, 3], outC: 36, stride: 2, pad: 'same' },
];

function maxRelErr(a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array): number {
  assert.equal(a.length, b.length);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err / Math.max(scale, 1e-12);
}

function seeded<S extends number[]>(shape: S, seed: number): { shape: S; values: Float32Array } {
  const n = shape.reduce((p, q) => p * q, 1);
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return { shape, values: v };
}

/** Runs f on a backend with fresh tensors built from plain data; returns plain data. */
async function on(backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(() => {
    const r = f();
    return Array.isArray(r) ? r : [r];
  });
  const data = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return data;
}

describe('wasm training kernels', () => {
  before(async () => {
    // The default: where the native kernels load, wasm's single-threaded build beside them (the
    // threaded build, on its shared memory, runs in a child process below).
    const name = await selectBackend('wasm');
    assert.equal(name, 'wasm');
  });
  after(async () => {
    await tf.setBackend('wasm');
  });

  /** Runs the fixture in a child process with `env` (LATENT_LENS_* of this process removed first). */
  const fixture = (env: Record<string, string>) => {
    const script = path.join(import.meta.dirname, 'fixtures', 'wasmBuildCheck.ts');
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LATENT_LENS_') || k === 'LATENT_LENS_CACHE_DIR'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { env: { ...clean, ...env }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr.slice(-2000)); // the tail: a wasm error's stack quotes tfjs's one-line bundle
    return JSON.parse(r.stdout.trim().split('\n').pop() as string) as { threaded: boolean; kernels: boolean; native: boolean; relErr: number; relErrNative: number };
  };

  test('threaded build (native kernels off): the companion kernels load on its shared memory and match cpu', () => {
    const out = fixture({ LATENT_LENS_NATIVE_KERNELS: 'off', LATENT_LENS_WASM_THREADS: '2' });
    assert.equal(out.threaded, true);
    assert.equal(out.native, false);
    assert.equal(out.kernels, true);
    assert.ok(out.relErr <= 1e-4, `relative error ${out.relErr}`);
    assert.ok(out.relErrNative <= 1e-4, `relative error of the gradients ${out.relErrNative}`);
  });

  test('single thread: the companion kernels load on the plain memory of the single-threaded build and match cpu', () => {
    const out = fixture({ LATENT_LENS_WASM_THREADS: 'off' });
    assert.equal(out.threaded, false);
    assert.equal(out.kernels, true);
    assert.ok(out.relErr <= 1e-4, `relative error ${out.relErr}`);
    assert.ok(out.relErrNative <= 1e-4, `relative error of the gradients ${out.relErrNative}`);
  });

  test('the default: where the native kernels load (Linux), a native pool and the single-threaded wasm build; else the threaded build', () => {
    const out = fixture({});
    if (process.platform === 'linux') assert.equal(out.native, true, 'the native kernels did not load (npm run build:native)');
    assert.equal(out.threaded, !out.native);
    assert.equal(out.kernels, true);
    assert.ok(out.relErr <= 1e-4, `relative error ${out.relErr}`);
    assert.ok(out.relErrNative <= 1e-4, `relative error of the gradients ${out.relErrNative}`);
  });

  const DEFAULT_PATHS: WasmKernelSettings = { lensKernels: true, filterGradient: 'auto', inputGradient: 'phase', im2colChunk: 2048 };
  // Each mode with the native kernels (where built) and without: the wasm paths must stay right.
  const MODES: [string, Partial<WasmKernelSettings>, boolean][] = [
    ['', {}, true],
    [' (wasm only: native kernels off)', {}, false],
    [' (JS paths, companion kernels off)', { lensKernels: false }, true],
    [' (JS paths, companion and native kernels off)', { lensKernels: false }, false],
    [' (im2col / col2im alternatives, small chunks, wasm only)', { filterGradient: 'im2col', inputGradient: 'col2im', im2colChunk: 50 }, false],
    [' (dW: companion im2col + native matMuls)', { filterGradient: 'im2col' }, true],
    [' (dW as one XNNPACK conv)', { filterGradient: 'conv' }, true],
    [' (dW as one XNNPACK conv, wasm only)', { filterGradient: 'conv' }, false],
  ];
  for (const [mode, paths, native] of MODES) for (const c of CASES) {
    test(`Conv2DBackpropFilter: ${c.name}${mode}`, async () => {
      configureWasmKernels({ ...DEFAULT_PATHS, ...paths });
      enableNativeKernels(native);
      const fShape: Shape4 = [c.k[0], c.k[1], c.x[3], c.outC];
      const x = seeded(c.x, 1);
      const yShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(fShape) as tf.Tensor4D, c.stride, c.pad).shape);
      const dy = seeded(yShape, 2);
      const make = () => tf.engine().runKernel('Conv2DBackpropFilter',
        { x: tf.tensor(x.values, x.shape), dy: tf.tensor(dy.values, dy.shape) },
        { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: fShape } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const [want] = await on('cpu', make);
      const [got] = await on('wasm', make);
      configureWasmKernels(DEFAULT_PATHS);
      enableNativeKernels(true);
      assert.ok(maxRelErr(got, want) <= 1e-4, `relative error ${maxRelErr(got, want)}`);
    });

    test(`Conv2DBackpropInput: ${c.name}${mode}`, async () => {
      configureWasmKernels({ ...DEFAULT_PATHS, ...paths });
      enableNativeKernels(native);
      const fShape: Shape4 = [c.k[0], c.k[1], c.x[3], c.outC];
      const w = seeded(fShape, 3);
      const yShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(fShape) as tf.Tensor4D, c.stride, c.pad).shape);
      const dy = seeded(yShape, 4);
      const make = () => tf.conv2dTranspose(tf.tensor(dy.values, dy.shape) as tf.Tensor4D, tf.tensor(w.values, w.shape) as tf.Tensor4D,
        c.x, c.stride, c.pad);
      const [want] = await on('cpu', make);
      const [got] = await on('wasm', make);
      configureWasmKernels(DEFAULT_PATHS);
      enableNativeKernels(true);
      assert.ok(maxRelErr(got, want) <= 1e-4, `relative error ${maxRelErr(got, want)}`);
    });
  }

  test('the native kernels load on Linux (scripts/setup.sh installs libxnnpack-dev; npm run build builds them)', { skip: process.platform !== 'linux' && 'native kernels are built on Linux only' }, async () => {
    await tf.setBackend('wasm');
    assert.ok(nativeKernels(), 'dist/native/lens_native.node did not load: run `npm run build:native` and read what it prints');
  });

  test('the native kernels refuse bad numbers and tensors outside the heap with an error, not a crash', { skip: process.platform !== 'linux' && 'native kernels are built on Linux only' }, () => {
    const nk = nativeKernels();
    assert.ok(nk);
    const heap = new Uint8Array(1024);
    const f = new Float32Array(heap.buffer);
    f.set([1, 2, 3, 4], 0); // a = [[1, 2], [3, 4]] at byte 0
    f.set([0, 1, 1, 0], 16); // b = [[0, 1], [1, 0]] at byte 64
    nk.matMul(heap, 0, 64, -1, 128, 2, 2, 2, -Infinity, Infinity);
    assert.deepEqual(Array.from(f.slice(32, 36)), [2, 1, 4, 3]);
    assert.throws(() => nk.matMul(heap, 0, 64, -1, 128, NaN, 2, 2, -Infinity, Infinity), /matMul: bad arguments/);
    assert.throws(() => nk.matMul(heap, 0, 64, -1, 128, 2.5, 2, 2, -Infinity, Infinity), /matMul: bad arguments/);
    assert.throws(() => nk.matMul(heap, 0, 64, -1, 1020, 4, 4, 4, -Infinity, Infinity), RangeError);
    assert.throws(() => nk.conv2d(heap, 0, 0, -1, 0, 1e12, 1e12, 1e12, 1e12, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, -Infinity, Infinity, 1, 1), RangeError);
    assert.throws(() => nk.deconv2d(heap, 0, 0, 2000, 1, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 2, 2), RangeError);
  });

  for (const native of [true, false]) {
    const which = native ? 'native kernels' : 'wasm only';
    for (const c of CASES) {
      test(`Conv2D and FusedConv2D (bias + ReLU, bias + linear) forward: ${c.name} (${which})`, async () => {
        enableNativeKernels(native);
        const fShape: Shape4 = [c.k[0], c.k[1], c.x[3], c.outC];
        const x = seeded(c.x, 21), w = seeded(fShape, 22), b = seeded([c.outC], 23);
        const make = () => {
          const xt = tf.tensor(x.values, x.shape) as tf.Tensor4D, wt = tf.tensor(w.values, w.shape) as tf.Tensor4D, bt = tf.tensor(b.values, b.shape);
          return [
            tf.conv2d(xt, wt, c.stride, c.pad),
            tf.fused.conv2d({ x: xt, filter: wt, strides: c.stride, pad: c.pad, bias: bt, activation: 'relu' }),
            tf.fused.conv2d({ x: xt, filter: wt, strides: c.stride, pad: c.pad, bias: bt }),
          ];
        };
        const want = await on('cpu', make);
        const got = await on('wasm', make);
        enableNativeKernels(true);
        for (let i = 0; i < want.length; i++) assert.ok(maxRelErr(got[i], want[i]) <= 1e-5, `output ${i}: ${maxRelErr(got[i], want[i])}`);
      });
    }

    test(`_FusedMatMul with bias, ReLU and transposed operands; plain BatchMatMul (${which})`, async () => {
      enableNativeKernels(native);
      const a = seeded([7, 37] as [number, number], 24), at = seeded([37, 7] as [number, number], 25), bm = seeded([37, 5] as [number, number], 26), bt = seeded([5, 37] as [number, number], 27);
      const bias = seeded([5], 28);
      const make = () => {
        const T = (v: { values: Float32Array; shape: [number, number] }) => tf.tensor(v.values, v.shape) as tf.Tensor2D;
        return [
          tf.matMul(T(a), T(bm)),
          tf.fused.matMul({ a: T(a), b: T(bm), bias: tf.tensor(bias.values, bias.shape), activation: 'relu' }),
          tf.fused.matMul({ a: T(at), b: T(bt), transposeA: true, transposeB: true, bias: tf.tensor(bias.values, bias.shape) }),
          tf.fused.matMul({ a: T(a), b: T(bt), transposeB: true, activation: 'relu' }),
          tf.fused.matMul({ a: T(a), b: T(bm), bias: tf.tensor(bias.values, bias.shape), activation: 'elu' }), // not fusable natively: wasm's kernel
        ];
      };
      const want = await on('cpu', make);
      const got = await on('wasm', make);
      enableNativeKernels(true);
      for (let i = 0; i < want.length; i++) assert.ok(maxRelErr(got[i], want[i]) <= 1e-5, `output ${i}: ${maxRelErr(got[i], want[i])}`);
    });
  }

  for (const [ta, tb] of [[true, false], [false, true], [true, true]] as const) {
    test(`BatchMatMul transposeA=${ta} transposeB=${tb} (2-D and batched)`, async () => {
      const a2 = seeded(ta ? [37, 5] : [5, 37], 10), b2 = seeded(tb ? [3, 37] : [37, 3], 11);
      const a3 = seeded(ta ? [2, 37, 5] : [2, 5, 37], 12), b3 = seeded(tb ? [2, 3, 37] : [2, 37, 3], 13);
      const make = () => [
        tf.matMul(tf.tensor(a2.values, a2.shape), tf.tensor(b2.values, b2.shape), ta, tb),
        tf.matMul(tf.tensor(a3.values, a3.shape), tf.tensor(b3.values, b3.shape), ta, tb),
      ];
      const want = await on('cpu', make);
      const got = await on('wasm', make);
      for (let i = 0; i < want.length; i++) assert.ok(maxRelErr(got[i], want[i]) <= 1e-5, `output ${i}: ${maxRelErr(got[i], want[i])}`);
    });
  }

  test('Sum over leading axes (with and without keepDims) and over other axes', async () => {
    const x = seeded([3, 4, 5, 6], 14);
    const big = seeded([4, 9, 8, 5], 15); // 288 leading rows
    const make = () => {
      const t = tf.tensor(x.values, x.shape);
      const tb = tf.tensor(big.values, big.shape);
      return [tf.sum(tb, [0, 1, 2]), tf.sum(tb, [0, 1], true), tf.sum(t, [0, 1, 2]), tf.sum(t, [1, 0], true), tf.sum(t, 0), tf.sum(t, [1, 3]), tf.sum(t), tf.sum(t, -1)];
    };
    const want = await on('cpu', make);
    const got = await on('wasm', make);
    for (let i = 0; i < want.length; i++) assert.ok(maxRelErr(got[i], want[i]) <= 1e-5, `output ${i}: ${maxRelErr(got[i], want[i])}`);
    await tf.setBackend('wasm');
    assert.deepEqual(tf.tidy(() => tf.sum(tf.ones([2, 3, 4]), [0, 1], true).shape), [1, 1, 4]);
  });

  test('full gradient of a tiny conv + conv-transpose model matches cpu', async () => {
    const x = seeded([3, 12, 10, 2], 5);
    const w1 = seeded([3, 3, 2, 4], 6);
    const w2 = seeded([3, 3, 4, 4], 7);
    const w3 = seeded([3, 3, 3, 4], 8); // conv2dTranspose filter: [kh, kw, outC, inC]
    const target = seeded([3, 12, 10, 3], 9);
    const grads = () => {
      const ts = [w1, w2, w3].map((p) => tf.tensor(p.values, p.shape));
      const xt = tf.tensor4d(x.values, x.shape as Shape4);
      const tt = tf.tensor(target.values, target.shape);
      const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        const h1 = tf.relu(tf.conv2d(xt, a as tf.Tensor4D, 2, 'same'));
        const h2 = tf.relu(tf.conv2d(h1, b as tf.Tensor4D, 1, 'same'));
        const up = tf.conv2dTranspose(h2, c as tf.Tensor4D, [3, 12, 10, 3], 2, 'same');
        return tf.sum(tf.mul(tf.sigmoid(up), tt)) as tf.Scalar;
      };
      const { value, grads: gs } = tf.valueAndGrads(loss)(ts);
      return [value, ...gs, tf.grad((input: tf.Tensor) => tf.sum(tf.square(tf.conv2d(input as tf.Tensor4D, ts[0] as tf.Tensor4D, 2, 'same'))))(xt)];
    };
    const want = await on('cpu', grads);
    const got = await on('wasm', grads);
    for (let i = 0; i < want.length; i++) {
      assert.ok(maxRelErr(got[i], want[i]) <= 1e-4, `output ${i}: relative error ${maxRelErr(got[i], want[i])}`);
    }
  });

  test('Identity (tf.clone) shares the data and survives disposing the original', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const a = tf.tensor([1, 2, 3, 4], [2, 2]);
    const b = tf.clone(a);
    a.dispose();
    assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3, 4]);
    assert.deepEqual(b.shape, [2, 2]);
    const v = tf.variable(b);
    b.dispose();
    const next = tf.tidy(() => tf.add(v, 1));
    v.assign(next);
    next.dispose();
    assert.deepEqual(Array.from(v.dataSync()), [2, 3, 4, 5]);
    v.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  test('ReLU gradient (companion kernel on wasm) matches cpu, including x = 0 and negative x', async () => {
    const x = seeded([4, 5, 6, 7], 21);
    const xv = x.values.map((v, i) => (i % 11 === 0 ? 0 : v));
    const w = seeded([4, 5, 6, 7], 22);
    const make = () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), tf.tensor(w.values, w.shape))))(tf.tensor(xv, x.shape));
    const [want] = await on('cpu', make);
    const [got] = await on('wasm', make);
    assert.equal(maxRelErr(got, want), 0, 'exactly equal (up to the sign of zero)');
  });

  test('Cast to the same dtype shares the data; to another dtype converts', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const a = tf.tensor([1.5, -2, 0], [3]);
    const b = tf.cast(a, 'float32');
    const c = tf.cast(a, 'int32');
    a.dispose();
    assert.deepEqual(Array.from(b.dataSync()), [1.5, -2, 0]);
    assert.deepEqual(Array.from(c.dataSync()), [1, -2, 0]);
    tf.dispose([b, c]);
    assert.equal(tf.memory().numTensors, before);
  });

  test('FusedAdamOptimizer gives the same parameters and moments as tf.train.adam, and the same checkpoint weights', async () => {
    const { FusedAdamOptimizer } = await import('../../src/backend/fusedAdam');
    const shapes = [[3, 3, 1, 8], [37], [16, 5]];
    const run = async (backend: string, fused: boolean) => {
      await tf.setBackend(backend);
      const vars = shapes.map((s, i) => tf.variable(tf.tensor(seeded(s, 30 + i).values, s), true, `adam_test_${backend}_${fused}_${i}`));
      const opt = fused ? new FusedAdamOptimizer(1e-3, 0.9, 0.999, 1e-8) : tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
      const before = tf.memory().numTensors;
      for (let step = 0; step < 4; step++) {
        const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(seeded(v.shape, 100 * step + i).values, v.shape) }));
        opt.applyGradients(grads);
        tf.dispose(grads.map((g) => g.tensor));
        if (step === 0) assert.equal(tf.memory().numTensors - before, 2 * vars.length, 'only the moments are new after the first step');
      }
      if (fused && backend === 'wasm') assert.equal((opt as InstanceType<typeof FusedAdamOptimizer>).fused, true, 'the fused path ran');
      const params = vars.map((v) => v.dataSync() as Float32Array);
      const weights = await opt.getWeights();
      const state = weights.map((w) => ({ data: w.tensor.dataSync() as Float32Array }));
      tf.dispose(vars);
      opt.dispose();
      return { params, state };
    };
    const want = await run('wasm', false);
    const got = await run('wasm', true);
    for (let i = 0; i < want.params.length; i++) assert.ok(maxRelErr(got.params[i], want.params[i]) <= 1e-6, `param ${i}: ${maxRelErr(got.params[i], want.params[i])}`);
    assert.equal(got.state.length, want.state.length);
    for (let i = 0; i < want.state.length; i++) assert.ok(maxRelErr(got.state[i].data, want.state[i].data) <= 1e-6, `optimizer weight ${i}`);
    const onCpu = await run('cpu', true); // falls back to AdamOptimizer itself
    for (let i = 0; i < want.params.length; i++) assert.ok(maxRelErr(onCpu.params[i], want.params[i]) <= 1e-5, `cpu param ${i}`);
    await tf.setBackend('wasm');
  });

  test('registerWasmTrainingKernels is idempotent and leaves the kernels registered', async () => {
    const { registerWasmTrainingKernels } = await import('../../src/backend/wasm/register');
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
    assert.ok(tf.getKernel('Conv2DBackpropInput', 'wasm'));
  });
});
