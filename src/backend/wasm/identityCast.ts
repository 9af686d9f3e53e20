// Identity and same-dtype Cast for the TensorFlow.js wasm backend: a new reference to the
// same data instead of a copy, as the cpu backend does.
//
// Why: tf.clone (Identity) runs ~65 times per training step (gradients, Adam), and the ReLU
// gradient of tfjs-core, dy · cast(step(x), 'float32'), casts float32 to float32; wasm's
// kernels copy the data each time. Sharing is safe because wasm kernels never write into
// their inputs (and their internal identity() calls are unaffected).
import * as tf from '@tensorflow/tfjs';
import { replaceKernel, type KernelArgs, type TensorInfo } from './kernelUtil';

function identityWasm(args: KernelArgs): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  (args.backend as unknown as { incRef(d: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

/** tfjs's own wasm Cast, for a change of dtype. */
let originalCast: tf.KernelFunc | null = null;

function castWasm(args: KernelArgs): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  if ((args.attrs as { dtype?: string } | undefined)?.dtype === x.dtype) return identityWasm(args);
  return (originalCast as tf.KernelFunc)(args as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo;
}

/** Puts identityWasm and castWasm in place of wasm's Identity and Cast (idempotent). */
export function registerIdentityAndCast(): void {
  originalCast = replaceKernel('Cast', castWasm as unknown as tf.KernelFunc) ?? originalCast;
  replaceKernel('Identity', identityWasm as unknown as tf.KernelFunc);
}
