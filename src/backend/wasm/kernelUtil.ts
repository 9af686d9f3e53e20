// Plumbing shared by the wasm training kernels (the other files of this folder): the backend's
// heap as Float32Array views and byte offsets, allocation and freeing of tensors without the
// engine, calling another wasm kernel directly, and (re)registering a kernel.
//
// Why by hand: composite kernels (a dW made of transposes + one XNNPACK Conv2D, …) call the
// backend's kernel functions directly — no engine, no tape, no per-op bookkeeping — and free
// every intermediate at once. The backend's data-movement kernels (StridedSlice, DepthToSpace,
// Transpose, multi-axis Slice, PadV2) are generic per-element loops, 10–100× slower than a
// JIT-compiled JS loop over the same memory, so reshuffles run in JS (or in the companion
// kernels, companion.ts) directly on the wasm heap. Views must be re-taken after every
// allocation (the heap may grow and move).
import * as tf from '@tensorflow/tfjs';

export type TensorInfo = tf.TensorInfo;
/** The tfjs wasm backend, with the members the kernels use. */
export type Backend = tf.KernelBackend & {
  disposeData(dataId: object, force?: boolean): boolean;
  readSync(dataId: object): tf.backend_util.TypedArray;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): TensorInfo;
};
export type Attrs = Record<string, unknown>;
/** What tfjs hands a kernel function. */
export interface KernelArgs { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }

export const WASM = 'wasm';

function kernel(name: string): tf.KernelFunc {
  const k = tf.getKernel(name, WASM);
  if (!k) throw new Error(`wasm backend has no ${name} kernel`);
  return k.kernelFunc;
}

/** Runs the wasm kernel `name` directly (no engine bookkeeping). */
export function run(backend: Backend, name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: Attrs = {}): TensorInfo {
  return kernel(name)({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
}

/** Frees intermediates made by run/alloc (their data, at once). */
export function free(backend: Backend, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/** The tensor's data as a view on the wasm heap (re-take it after any allocation). */
export function view(backend: Backend, t: TensorInfo): Float32Array {
  return (backend as unknown as { typedArrayFromHeap(t: TensorInfo): Float32Array }).typedArrayFromHeap(t);
}

/** Byte offset of a tensor's data in the wasm heap (what the companion kernels take). */
export function ptr(backend: Backend, t: TensorInfo): number {
  return view(backend, t).byteOffset;
}

/** A new float32 tensor on the heap, uninitialised. */
export function alloc(backend: Backend, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/** [rows, cols] → [cols, rows] in JS, blocked for the cache. */
export function transpose2d(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  const BS = 32;
  for (let r0 = 0; r0 < rows; r0 += BS) {
    const r1 = Math.min(rows, r0 + BS);
    for (let c0 = 0; c0 < cols; c0 += BS) {
      const c1 = Math.min(cols, c0 + BS);
      for (let r = r0; r < r1; r++) {
        const so = r * cols;
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[so + c];
      }
    }
  }
}

/**
 * Registers `kernelFunc` as the wasm kernel `name` in place of tfjs's own (keeping its
 * setupFunc), or as a new kernel when there is none; returns the kernel function it replaced
 * (undefined when there was none or it was already this one).
 */
export function replaceKernel(name: string, kernelFunc: tf.KernelFunc): tf.KernelFunc | undefined {
  const existing = tf.getKernel(name, WASM);
  if (existing?.kernelFunc === kernelFunc) return undefined;
  if (existing) tf.unregisterKernel(name, WASM);
  tf.registerKernel({ kernelName: name, backendName: WASM, setupFunc: existing?.setupFunc, kernelFunc });
  return existing?.kernelFunc;
}

/** Registers `kernelFunc` as the wasm kernel `name` unless one is registered already. */
export function registerIfAbsent(name: string, kernelFunc: tf.KernelFunc): void {
  if (!tf.getKernel(name, WASM)) tf.registerKernel({ kernelName: name, backendName: WASM, kernelFunc });
}
