// Registers Latent Lens' training kernels with the TensorFlow.js wasm backend — the one entry
// point of this folder's kernels (docs/performance.md, "What was done").
//
// Why: tfjs-backend-wasm 4.22 cannot train a convolution at all (no Conv2DBackpropFilter),
// and several kernels a training step runs are far slower on wasm than they need to be. Each
// family has its own file, saying what it replaces and why:
//
//   convFilterGrad.ts  Conv2DBackpropFilter (missing in tfjs-backend-wasm)
//   convInputGrad.ts   Conv2DBackpropInput (tfjs's is a plain C++ loop, 10–20× slower than Conv2D)
//   matMul.ts          BatchMatMul / _FusedMatMul: transposed operands (10–20× slower than the plain
//                      form), the plain form on the native kernels where they are loaded
//   nativeConv.ts      Conv2D / FusedConv2D on the native kernels where they are loaded
//   sum.ts             Sum over leading axes (bias gradients)
//   identityCast.ts    Identity and same-dtype Cast (a reference instead of a copy)
//   reluGrad.ts        the Relu gradient in one pass (LensReluGrad)
//   adamKernel.ts      LensAdam, the kernel of FusedAdamOptimizer (../fusedAdam.ts)
//
// The native kernels (nativeKernels.ts, loaded by nativeLoader.ts) run the convolutions and
// matrix products on the CPU's own AVX2/AVX-512 where the addon was built; every kernel falls
// back to its wasm path without them.
// Everything else the VAE uses in training (Relu, Sigmoid, Softplus, Exp, Log, …)
// exists in tfjs-backend-wasm. Data movement runs in the companion SIMD kernels (companion.ts,
// kernels/lens_kernels.c) on the same wasm heap, or in JS loops on that heap when those are
// off (LATENT_LENS_WASM_LENS_KERNELS=off).
import * as tf from '@tensorflow/tfjs';
import { registerLensAdam } from './adamKernel';
import { registerConvFilterGrad } from './convFilterGrad';
import { registerConvInputGrad } from './convInputGrad';
import { registerIdentityAndCast } from './identityCast';
import { WASM } from './kernelUtil';
import { registerBatchMatMul } from './matMul';
import { registerNativeConv } from './nativeConv';
import { registerReluGrad } from './reluGrad';
import { registerSum } from './sum';

let registered = false;

/**
 * Registers (once) the wasm kernels that training needs. Safe to call before or after the
 * wasm backend is initialised; idempotent.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  // Importing the package registers the wasm backend and its kernels.
  if (!tf.getKernel('Conv2D', WASM)) {
    throw new Error('registerWasmTrainingKernels: @tensorflow/tfjs-backend-wasm is not loaded');
  }
  registerConvFilterGrad();
  registerConvInputGrad();
  registerBatchMatMul();
  registerNativeConv();
  registerSum();
  registerIdentityAndCast();
  registerReluGrad();
  registerLensAdam();
  registered = true;
}
