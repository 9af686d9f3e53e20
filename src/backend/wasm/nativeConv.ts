// Conv2D and FusedConv2D (bias + ReLU) for the TensorFlow.js wasm backend on the native kernels
// (nativeKernels.ts) where they are loaded; tfjs's own wasm kernels otherwise, and for every
// case the native path does not cover (other dtypes or data formats, activations other than
// linear/ReLU/ReLU6, PReLU weights, a bias that is not one value per output channel).
//
// Why: the forward convolutions, and the Conv2D calls inside the gradient kernels
// (convInputGrad.ts, convFilterGrad.ts), are a third of a training step; XNNPACK's native
// AVX2/AVX-512 build runs them ≈ 3.5× faster per core than its wasm SIMD128 build.
import * as tf from '@tensorflow/tfjs';
import { alloc, ptr, replaceKernel, type Attrs, type Backend, type KernelArgs, type TensorInfo } from './kernelUtil';
import { activationRange, heapOf, nativeKernels } from './nativeKernels';
import { now, tick } from './partTimes';

const original: Record<'Conv2D' | 'FusedConv2D', tf.KernelFunc | null> = { Conv2D: null, FusedConv2D: null };

function conv2dNative(args: KernelArgs, fused: boolean): TensorInfo {
  const backend = args.backend as Backend;
  const { x, filter, bias, preluActivationWeights } = args.inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode, activation } = (args.attrs ?? {}) as Attrs;
  const nk = nativeKernels();
  const range = fused ? activationRange(activation) : [-Infinity, Infinity];
  const fallback = () => (original[fused ? 'FusedConv2D' : 'Conv2D'] as tf.KernelFunc)(args as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  if (!nk || !range || preluActivationWeights || x.dtype !== 'float32' || filter.dtype !== 'float32' ||
    (dataFormat != null && dataFormat !== 'NHWC') || x.shape.length !== 4) return fallback();
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    strides as [number, number], dilations as [number, number], pad as 'same', dimRoundingMode as 'floor' | undefined, false, 'channelsLast');
  const p = info.padInfo;
  if (p.top < 0 || p.left < 0 || p.bottom < 0 || p.right < 0) return fallback();
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== info.outChannels || bias.dtype !== 'float32')) return fallback();
  const t = now();
  const out = alloc(backend, info.outShape);
  nk.conv2d(heapOf(backend), ptr(backend, x), ptr(backend, filter), bias ? ptr(backend, bias) : -1, ptr(backend, out),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outChannels, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, p.top, p.right, p.bottom, p.left,
    range[0], range[1], info.outHeight, info.outWidth);
  tick(`native conv2d ${x.shape.join('x')} * ${filter.shape.join('x')}`, t);
  return out;
}

/** Puts the native-or-wasm Conv2D and FusedConv2D in place of wasm's own (idempotent). */
const conv2dKernel = ((a: KernelArgs) => conv2dNative(a, false)) as unknown as tf.KernelFunc;
const fusedConv2dKernel = ((a: KernelArgs) => conv2dNative(a, true)) as unknown as tf.KernelFunc;

export function registerNativeConv(): void {
  original.Conv2D = replaceKernel('Conv2D', conv2dKernel) ?? original.Conv2D;
  original.FusedConv2D = replaceKernel('FusedConv2D', fusedConv2dKernel) ?? original.FusedConv2D;
}
