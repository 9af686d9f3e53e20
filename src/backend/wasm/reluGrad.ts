// The gradient of ReLU on the TensorFlow.js wasm backend in one pass: the kernel LensReluGrad
// {dy, x} → dx = x > 0 ? dy : 0 (companion kernel relu_grad), and the Relu gradient that
// uses it.
//
// Why: tfjs-core's ReLU gradient is dy · cast(step(x), 'float32') — three kernels (Step, Cast,
// Multiply), each a pass over the activation, for every ReLU of the model at every step.
// (Unlike dy · step(x) this gives 0, not NaN, where dy is ±∞/NaN and x ≤ 0; a NaN loss is
// caught by the trainer all the same.) On other backends, or without the companion kernels,
// the gradient is tfjs-core's formula.
import * as tf from '@tensorflow/tfjs';
import { lensKernelsFor } from './companion';
import { alloc, ptr, registerIfAbsent, WASM, type Backend, type KernelArgs, type TensorInfo } from './kernelUtil';

export const LENS_RELU_GRAD = 'LensReluGrad';

function reluGradWasm(args: KernelArgs): TensorInfo {
  const backend = args.backend as Backend;
  const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
  const lk = lensKernelsFor(backend);
  if (!lk) throw new Error(`${LENS_RELU_GRAD} needs the companion wasm kernels`);
  const out = alloc(backend, x.shape);
  lk.relu_grad(ptr(backend, dy), ptr(backend, x), ptr(backend, out), tf.util.sizeFromShape(x.shape));
  return out;
}

/** dL/dx of ReLU for the active backend: the companion kernel on wasm, else tfjs-core's formula. */
export function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (tf.getBackend() === WASM && dy.dtype === 'float32' && x.dtype === 'float32' && tf.getKernel(LENS_RELU_GRAD, WASM) && lensKernelsFor(tf.backend())) {
    return tf.engine().runKernel(LENS_RELU_GRAD, { dy, x }) as tf.Tensor;
  }
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

/**
 * Registers LensReluGrad for wasm and makes reluGrad the gradient of Relu (for every backend:
 * it is tfjs-core's formula where the kernel does not apply).
 */
export function registerReluGrad(): void {
  registerIfAbsent(LENS_RELU_GRAD, reluGradWasm as unknown as tf.KernelFunc);
  tf.registerGradient({
    kernelName: 'Relu', inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => reluGrad(dy as tf.Tensor, saved[0]) }),
  });
}
