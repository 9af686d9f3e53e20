// Adam (Kingma & Ba 2015) with the whole update of a variable in one companion-kernel pass on the
// wasm backend (LensAdam, src/backend/wasm/kernels/lens_kernels.c: adam_update). tfjs's
// AdamOptimizer.applyGradients runs ~13 ops per variable — each a pass over it plus engine
// bookkeeping, ≈ 180 kernel calls per step for the canonical VAE. The arithmetic, its order and
// its float32 rounding are those of AdamOptimizer, and so are the state (moments as variables
// named `<var>/m` and `<var>/v`, accBeta1/2, iterations), so getWeights/setWeights and
// checkpoints are unchanged. On any other backend, or without the companion kernels, it is
// AdamOptimizer itself. The trainer gets it through createAdam (src/model knows no backend).
import * as tf from '@tensorflow/tfjs';
import { lensKernelsFor } from './wasm/companion';
import { LENS_ADAM, type LensAdamAttrs } from './wasm/adamKernel';

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
interface Moment { originalName: string; variable: tf.Variable }
/** AdamOptimizer's private state (tfjs 4.22, adam_optimizer.js). */
interface AdamState {
  learningRate: number; beta1: number; beta2: number; epsilon: number;
  accBeta1: tf.Variable; accBeta2: tf.Variable;
  accumulatedFirstMoment: (Moment | undefined)[]; accumulatedSecondMoment: (Moment | undefined)[];
}

/** The companion kernels' Adam can run: wasm is the active backend and they are loaded there. */
function fusable(): boolean {
  return tf.getBackend() === 'wasm' && !!tf.getKernel(LENS_ADAM, 'wasm') && lensKernelsFor(tf.backend()) !== null;
}

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /** Whether the last applyGradients ran fused (tests). */
  fused = false;

  override applyGradients(variableGradients: VariableGradients): void {
    const useFused = fusable();
    this.fused = useFused;
    if (!useFused) return super.applyGradients(variableGradients);
    const s = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const attrs: LensAdamAttrs = {
      learningRate: s.learningRate, beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon,
      // tfjs computes 1 − accβ as a float32 tensor op: round the same way.
      oneMinusAccBeta1: Math.fround(1 - s.accBeta1.dataSync()[0]),
      oneMinusAccBeta2: Math.fround(1 - s.accBeta2.dataSync()[0]),
    };
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      if (s.accumulatedFirstMoment[i] == null) {
        s.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      if (s.accumulatedSecondMoment[i] == null) {
        s.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      const gradient: tf.Tensor | undefined = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
      if (gradient == null) return;
      const m = (s.accumulatedFirstMoment[i] as Moment).variable;
      const v = (s.accumulatedSecondMoment[i] as Moment).variable;
      const out = tf.engine().runKernel(LENS_ADAM, { p: value, m, v, g: gradient }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      m.assign(out[1]);
      v.assign(out[2]);
      value.assign(out[0]);
      tf.dispose(out);
    });
    tf.tidy(() => {
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    this.incrementIterations();
  }
}

/**
 * Adam for the active backend, with tf.train.adam's signature (what VaeModel's `createAdam`
 * option takes): FusedAdamOptimizer on wasm when the companion kernels are loaded there,
 * else tf.train.adam. Call it after the backend is initialised.
 */
export function createAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tf.AdamOptimizer {
  return fusable() ? new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon) : tf.train.adam(learningRate, beta1, beta2, epsilon);
}
