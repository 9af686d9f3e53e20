// The native kernels' binding (native/lens_native.c): the convolutions and matrix products of a
// training step on the CPU's own vector units through the system's XNNPACK, reading and
// writing the wasm backend's heap in place. This module only holds the loaded binding and
// calls it with a backend's heap; loading it is nativeLoader.ts's job (Node only) — this file
// reads no Node API, because convInputGrad.ts (which the page's decoder also runs) imports it.
//
// Why: tfjs-backend-wasm's XNNPACK is compiled to wasm SIMD128 (no FMA, 128-bit vectors):
// 19–28 GFLOP/s per core here, against ≈ 95 for the native build with AVX-512
// (docs/performance.md, "Native kernels").
import type { Backend } from './kernelUtil';

/**
 * The addon's functions. `heap` is the whole wasm memory as bytes; every other pointer is a
 * byte offset into it; filters are tfjs's [KH, KW, Ci, Co].
 */
export interface NativeBinding {
  /** XNNPACK and a thread pool of `threads` (the caller's thread included); returns the pool size. */
  init(threads: number): number;
  conv2d(heap: Uint8Array, x: number, w: number, bias: number, y: number,
    batch: number, inH: number, inW: number, inC: number, outC: number, kH: number, kW: number,
    sH: number, sW: number, dH: number, dW: number,
    padTop: number, padRight: number, padBottom: number, padLeft: number, outMin: number, outMax: number,
    outH: number, outW: number): void;
  /** The transposed convolution (Conv2DBackpropInput): dy [B, dyH, dyW, dyC], w [KH, KW, xC, dyC] → out [B, outH, outW, xC]. */
  deconv2d(heap: Uint8Array, dy: number, w: number, out: number,
    batch: number, dyH: number, dyW: number, dyC: number, xC: number, kH: number, kW: number, sH: number, sW: number,
    padTop: number, padRight: number, padBottom: number, padLeft: number, adjH: number, adjW: number,
    outH: number, outW: number): void;
  /** out[M, N] = a[M, K] · b[K, N] (+ bias[N]), clamped to [outMin, outMax]. */
  matMul(heap: Uint8Array, a: number, b: number, bias: number, out: number, M: number, K: number, N: number, outMin: number, outMax: number): void;
  /**
   * dL/dW of a convolution: x [B, H, W, Ci], dy [B, OH, OW, Co] → dw [KH, KW, Ci, Co], as a
   * transposed im2col on the pool and one matrix product per chunk of output pixels.
   */
  conv2dFilterGrad(heap: Uint8Array, x: number, dy: number, dw: number, batch: number, H: number, W: number, Ci: number,
    OH: number, OW: number, Co: number, KH: number, KW: number, sH: number, sW: number, padTop: number, padLeft: number): void;
}

let binding: NativeBinding | null = null;
let enabled = true;

/** Installs the loaded binding (nativeLoader.ts), or removes it (null). */
export function setNativeBinding(b: NativeBinding | null): void {
  binding = b;
}

/** Turns the native kernels on or off (BackendOptions.nativeKernels; tests use it for A/B paths). */
export function enableNativeKernels(on: boolean): void {
  enabled = on;
}

/** The binding when it is loaded and switched on, else null (callers then take their wasm paths). */
export function nativeKernels(): NativeBinding | null {
  return enabled ? binding : null;
}

/** The wasm heap of `backend` as bytes (re-read per call: a growing heap may be replaced). */
export function heapOf(backend: Backend): Uint8Array {
  return (backend as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
}

/** The output clamp of a fusable activation (conv2d's and matMul's outMin/outMax), or null when the native kernels cannot apply it. */
export function activationRange(activation: unknown): [number, number] | null {
  if (activation == null || activation === 'linear') return [-Infinity, Infinity];
  if (activation === 'relu') return [0, Infinity];
  if (activation === 'relu6') return [0, 6];
  return null;
}

