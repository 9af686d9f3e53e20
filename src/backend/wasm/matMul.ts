// BatchMatMul with transposeA / transposeB for the TensorFlow.js wasm backend.
//
// Why: wasm's kernel handles the transposed forms 10–20× slower than the plain one, and the
// gradient of every matMul (the encoder's and decoder's dense layers) uses them. This
// transposes the operand in JS and calls wasm's own kernel on the plain form; the plain form
// itself, and other dtypes, go straight to wasm's kernel.
import * as tf from '@tensorflow/tfjs';
import { alloc, free, replaceKernel, transpose2d, view, type Backend, type KernelArgs, type TensorInfo } from './kernelUtil';

/** tfjs's own wasm BatchMatMul, called for the plain form. */
let originalBatchMatMul: tf.KernelFunc | null = null;

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

function batchMatMulWasm(args: KernelArgs): TensorInfo {
  const backend = args.backend as Backend;
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
  const orig = originalBatchMatMul as tf.KernelFunc;
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return orig(args as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  }
  const a2 = transposeA ? transposedLast2(backend, a) : a;
  const b2 = transposeB ? transposedLast2(backend, b) : b;
  const out = orig({ inputs: { a: a2, b: b2 }, backend, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as TensorInfo;
  if (a2 !== a) free(backend, a2);
  if (b2 !== b) free(backend, b2);
  return out;
}

/** Puts batchMatMulWasm in place of wasm's BatchMatMul (idempotent). */
export function registerBatchMatMul(): void {
  originalBatchMatMul = replaceKernel('BatchMatMul', batchMatMulWasm as unknown as tf.KernelFunc) ?? originalBatchMatMul;
}
