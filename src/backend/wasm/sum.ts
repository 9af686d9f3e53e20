// Sum over leading axes for the TensorFlow.js wasm backend.
//
// Why: the bias gradients of every layer are sums over the leading axes ([B, H, W, C] → [C]),
// and wasm's kernel first moves the reduced axes to the end with its slow generic Transpose.
// Here: XNNPACK's global average pooling + a small JS sum for NHWC bias gradients, else a JS
// column sum. Sums over other axes, and other dtypes, go to wasm's own kernel.
// (A matMul with a row of ones was tried: fast on a reused tensor, but XNNPACK repacks the
// fresh gradient each call and it was 2× slower than this loop in training.)
import * as tf from '@tensorflow/tfjs';
import { alloc, free, replaceKernel, run, view, type Backend, type KernelArgs, type TensorInfo } from './kernelUtil';

/** tfjs's own wasm Sum, for the reductions this does not handle. */
let originalSum: tf.KernelFunc | null = null;

function sumWasm(args: KernelArgs): TensorInfo {
  const backend = args.backend as Backend;
  const { x } = args.inputs as { x: TensorInfo };
  const { axis, keepDims } = (args.attrs ?? {}) as { axis: number | number[]; keepDims?: boolean };
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).slice().sort((p, q) => p - q);
  const leading = axes.length > 0 && axes.length < rank && axes.every((ax, i) => ax === i);
  if (!leading || x.dtype !== 'float32') return (originalSum as tf.KernelFunc)(args as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  const outer = x.shape.slice(0, axes.length).reduce((p, q) => p * q, 1);
  const innerShape = x.shape.slice(axes.length);
  const inner = innerShape.reduce((p, q) => p * q, 1);
  const outShape = keepDims ? [...x.shape.slice(0, axes.length).map(() => 1), ...innerShape] : innerShape;
  let src = x, rows = outer, scale = 1;
  if (rank === 4 && axes.length === 3 && x.shape[1] * x.shape[2] > 1) {
    // NHWC bias gradient: XNNPACK's global average pooling over H×W first (≈ 10× faster than
    // a JS pass over the whole cold tensor), then a JS sum over the batch rows.
    const [, h, w] = x.shape;
    src = run(backend, 'AvgPool', { x }, { filterSize: [h, w], strides: [h, w], pad: 'valid', dimRoundingMode: undefined });
    rows = x.shape[0];
    scale = h * w;
  }
  const out = alloc(backend, outShape);
  const xv = view(backend, src), ov = view(backend, out);
  const acc = new Float64Array(inner);
  for (let o = 0; o < rows; o++) {
    const base = o * inner;
    for (let i = 0; i < inner; i++) acc[i] += xv[base + i];
  }
  for (let i = 0; i < inner; i++) ov[i] = acc[i] * scale;
  if (src !== x) free(backend, src);
  return out;
}

/** Puts sumWasm in place of wasm's Sum (idempotent). */
export function registerSum(): void {
  originalSum = replaceKernel('Sum', sumWasm as unknown as tf.KernelFunc) ?? originalSum;
}
