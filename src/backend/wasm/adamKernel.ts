// The kernel LensAdam {p, m, v, g} → [p', m', v']: the whole Adam update of one variable in one
// pass of the companion kernel adam_update, on the TensorFlow.js wasm backend. Only
// FusedAdamOptimizer (../fusedAdam.ts) calls it; see there for why it exists.
import * as tf from '@tensorflow/tfjs';
import { lensKernelsFor } from './companion';
import { alloc, ptr, registerIfAbsent, type Backend, type KernelArgs, type TensorInfo } from './kernelUtil';

export const LENS_ADAM = 'LensAdam';

export interface LensAdamAttrs { learningRate: number; beta1: number; beta2: number; epsilon: number; oneMinusAccBeta1: number; oneMinusAccBeta2: number }

function adamWasm(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as Backend;
  const { p, m, v, g } = args.inputs as { p: TensorInfo; m: TensorInfo; v: TensorInfo; g: TensorInfo };
  const a = args.attrs as unknown as LensAdamAttrs;
  const lk = lensKernelsFor(backend);
  if (!lk) throw new Error(`${LENS_ADAM} needs the companion wasm kernels`);
  const po = alloc(backend, p.shape), mo = alloc(backend, p.shape), vo = alloc(backend, p.shape);
  // Scalars as tfjs's AdamOptimizer makes them: JS doubles (1 − β, −lr) rounded to float32.
  lk.adam_update(ptr(backend, p), ptr(backend, m), ptr(backend, v), ptr(backend, g), ptr(backend, po), ptr(backend, mo), ptr(backend, vo),
    tf.util.sizeFromShape(p.shape), -a.learningRate, a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.epsilon, a.oneMinusAccBeta1, a.oneMinusAccBeta2);
  return [po, mo, vo];
}

export function registerLensAdam(): void {
  registerIfAbsent(LENS_ADAM, adamWasm as unknown as tf.KernelFunc);
}
