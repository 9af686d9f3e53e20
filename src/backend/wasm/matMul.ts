// BatchMatMul and _FusedMatMul (the dense layers and the dW chunks of convFilterGrad.ts) for
// the TensorFlow.js wasm backend.
//
// Why: wasm's kernel handles the transposed forms 10–20× slower than the plain one, and the
// gradient of every matMul (the encoder's and decoder's dense layers) uses them. This
// transposes the operand in JS and runs the plain form: on the native kernels
// (nativeKernels.ts: XNNPACK's AVX2/AVX-512 build, ≈ 4× faster per core) where they are loaded
// and the product is one matrix (no batch), else on wasm's own kernel. Other dtypes, batched
// products and what the native path cannot fuse (activations other than linear/ReLU/ReLU6,
// PReLU, a bias that is not one value per column) go to wasm's kernels unchanged.
import * as tf from '@tensorflow/tfjs';
import { alloc, free, ptr, replaceKernel, transpose2d, view, type Backend, type KernelArgs, type TensorInfo } from './kernelUtil';
import { activationRange, heapOf, nativeKernels } from './nativeKernels';

/** tfjs's own wasm kernels, called where the native path does not apply. */
const original: Record<'BatchMatMul' | '_FusedMatMul', tf.KernelFunc | null> = { BatchMatMul: null, _FusedMatMul: null };

function transposedLast2(backend: Backend, t: TensorInfo): TensorInfo {
  const r = t.shape.length;
  const rows = t.shape[r - 2], cols = t.shape[r - 1];
  const batch = t.shape.slice(0, r - 2).reduce((p, q) => p * q, 1);
  const out = alloc(backend, [...t.shape.slice(0, r - 2), cols, rows]);
  const src = view(backend, t), dst = view(backend, out);
  const n = rows * cols;
  for (let i = 0; i < batch; i++) transpose2d(src.subarray(i * n, (i + 1) * n), dst.subarray(i * n, (i + 1) * n), rows, cols);
  return out;
}

const batchOf = (t: TensorInfo) => t.shape.slice(0, -2).reduce((p, q) => p * q, 1);

interface MatMulAttrs { transposeA?: boolean; transposeB?: boolean; activation?: string }

function matMul(args: KernelArgs, fused: boolean): TensorInfo {
  const backend = args.backend as Backend;
  const { a, b, bias, preluActivationWeights } = args.inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const { transposeA, transposeB, activation } = (args.attrs ?? {}) as MatMulAttrs;
  const orig = original[fused ? '_FusedMatMul' : 'BatchMatMul'] as tf.KernelFunc;
  const callOrig = (x: Parameters<tf.KernelFunc>[0]) => orig(x) as TensorInfo;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return callOrig(args as unknown as Parameters<tf.KernelFunc>[0]);
  const nk = nativeKernels();
  const range = fused ? activationRange(activation) : [-Infinity, Infinity];
  const N = b.shape[b.shape.length - (transposeB ? 2 : 1)];
  const native = nk && range && !preluActivationWeights && batchOf(a) === 1 && batchOf(b) === 1 &&
    (!bias || (bias.shape.length === 1 && bias.shape[0] === N && bias.dtype === 'float32'));
  if (!native && !transposeA && !transposeB) return callOrig(args as unknown as Parameters<tf.KernelFunc>[0]);
  const a2 = transposeA ? transposedLast2(backend, a) : a;
  const b2 = transposeB ? transposedLast2(backend, b) : b;
  let out: TensorInfo;
  if (native) {
    const M = a2.shape[a2.shape.length - 2], K = a2.shape[a2.shape.length - 1];
    out = alloc(backend, [...(a.shape.length >= b.shape.length ? a : b).shape.slice(0, -2), M, N]);
    nk.matMul(heapOf(backend), ptr(backend, a2), ptr(backend, b2), bias ? ptr(backend, bias) : -1, ptr(backend, out), M, K, N, range[0], range[1]);
  } else {
    out = callOrig({ inputs: { ...args.inputs, a: a2, b: b2 }, backend, attrs: { ...args.attrs, transposeA: false, transposeB: false } } as unknown as Parameters<tf.KernelFunc>[0]);
  }
  if (a2 !== a) free(backend, a2);
  if (b2 !== b) free(backend, b2);
  return out;
}

const batchMatMulKernel = ((x: KernelArgs) => matMul(x, false)) as unknown as tf.KernelFunc;
const fusedMatMulKernel = ((x: KernelArgs) => matMul(x, true)) as unknown as tf.KernelFunc;

/** Puts these in place of wasm's BatchMatMul and _FusedMatMul (idempotent). */
export function registerBatchMatMul(): void {
  original.BatchMatMul = replaceKernel('BatchMatMul', batchMatMulKernel) ?? original.BatchMatMul;
  original._FusedMatMul = replaceKernel('_FusedMatMul', fusedMatMulKernel) ?? original._FusedMatMul;
}
