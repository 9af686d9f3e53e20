/**
 * The VAE objective: negative ELBO = reconstruction + β · KL (Kingma & Welling 2014, eq. 10),
 * with the KL term kept *per latent dimension* so the panel can show which dimensions carry
 * information and which collapsed to the prior.
 */
import * as tf from '@tensorflow/tfjs';
import type { Likelihood } from '../protocol/trainerIpc';

/**
 * −log p(x | z) summed over pixels, one value per image, [N].
 * - bernoulli: binary cross-entropy with logits, written in the numerically stable form
 *   max(l, 0) − l·x + log(1 + e^{−|l|}) (as torch's binary_cross_entropy_with_logits).
 * - gaussian: squared error of the mean sigmoid(l), i.e. a Gaussian likelihood with fixed
 *   variance ½ up to a constant — the "MSE" loss of many VAE tutorials.
 */
export function reconstructionPerImage(x: tf.Tensor4D, logits: tf.Tensor4D, likelihood: Likelihood): tf.Tensor1D {
  return tf.tidy(() => {
    let perPixel: tf.Tensor4D;
    if (likelihood === 'bernoulli') {
      perPixel = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))) as tf.Tensor4D;
    } else {
      perPixel = tf.square(tf.sub(tf.sigmoid(logits), x)) as tf.Tensor4D;
    }
    return tf.sum(perPixel, [1, 2, 3]) as tf.Tensor1D;
  });
}

/**
 * Analytic KL(q(z|x) ‖ N(0, I)) per image and dimension, [N, D]:
 * ½ (σ² + μ² − 1 − log σ²)  (Kingma & Welling 2014, appendix B).
 */
export function klPerImageAndDim(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.sub(tf.add(tf.exp(logVar), tf.square(mu)), tf.add(logVar, 1)), 0.5) as tf.Tensor2D);
}

/** KL weight at a step: rises linearly from 0 to 1 over `warmupSteps` (Bowman et al. 2016); 1 when off. */
export function klWarmupWeight(step: number, warmupSteps: number): number {
  return warmupSteps > 0 ? Math.min(1, step / warmupSteps) : 1;
}

export interface LossOptions {
  likelihood: Likelihood;
  /** β of β-VAE (Higgins et al. 2017): weight of the KL term. */
  beta: number;
  /** Warm-up factor in [0, 1] multiplying β (see klWarmupWeight). */
  klWeight: number;
  /**
   * Free bits λ (Kingma et al. 2016, "Improved variational inference with inverse autoregressive
   * flow", eq. 15): each dimension's batch-mean KL is replaced by max(λ, KL_d) in the objective, so
   * the optimiser gains nothing by pushing a dimension below λ nats. 0 = off.
   */
  freeBits: number;
}

export interface LossTerms {
  /** The objective to minimise, batch mean (nats per image). */
  loss: tf.Scalar;
  /** Batch-mean reconstruction term (nats per image). */
  recon: tf.Scalar;
  /** Batch-mean KL, summed over dimensions (nats per image), without β, warm-up or free bits. */
  kl: tf.Scalar;
  /** Batch-mean KL of each latent dimension, [D]. */
  klPerDim: tf.Tensor1D;
}

export function vaeLoss(x: tf.Tensor4D, logits: tf.Tensor4D, mu: tf.Tensor2D, logVar: tf.Tensor2D, opts: LossOptions): LossTerms {
  return tf.tidy(() => {
    const recon = tf.mean(reconstructionPerImage(x, logits, opts.likelihood)) as tf.Scalar;
    const klPerDim = tf.mean(klPerImageAndDim(mu, logVar), 0) as tf.Tensor1D;
    const kl = tf.sum(klPerDim) as tf.Scalar;
    const penalisedKl = opts.freeBits > 0 ? tf.sum(tf.maximum(klPerDim, opts.freeBits)) : kl;
    const loss = tf.add(recon, tf.mul(penalisedKl, opts.beta * opts.klWeight)) as tf.Scalar;
    return { loss, recon, kl, klPerDim };
  });
}
