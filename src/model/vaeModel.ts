/**
 * A VAE with its optimiser: one training step, evaluation, encoding, and the full state
 * (weights + Adam moments + step) as named tensors for checkpoints. Pure TensorFlow.js:
 * no file system, so it is unit tested without an editor and could run in a browser. It knows
 * no backend either: a faster Adam for one (src/backend's createAdam) comes in through the options.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig, TrainingConfig } from '../protocol/trainerIpc';
import { buildDecoder, buildEncoder, reparameterize, splitMuLogVar, withLabels } from './vae';
import { klPerImageAndDim, klWarmupWeight, reconstructionPerImage, vaeLoss } from './loss';

export type LossSettings = Pick<TrainingConfig, 'learningRate' | 'beta' | 'klWarmupSteps' | 'freeBits' | 'seed'>;

/** Makes the Adam optimiser; the signature of tf.train.adam, which is the default. */
export type AdamFactory = (learningRate: number, beta1: number, beta2: number, epsilon: number) => tf.AdamOptimizer;

export interface VaeModelOptions {
  /** The trainer passes src/backend's createAdam (fused on the wasm backend). Default tf.train.adam. */
  createAdam?: AdamFactory;
}

export interface StepResult {
  loss: number;
  recon: number;
  kl: number;
  klPerDim: number[];
  klWeight: number;
}

/** Sums over a set of images (divide by `images` for per-image figures). */
export interface EvalSums {
  images: number;
  recon: number;
  kl: number;
}

export interface NamedArray { name: string; shape: number[]; data: Float32Array }

export class VaeModel {
  readonly encoder: tf.LayersModel;
  readonly decoder: tf.LayersModel;
  readonly optimizer: tf.AdamOptimizer;
  /** Number of optimiser steps taken so far. */
  step = 0;
  private readonly variables: tf.Variable[];

  constructor(readonly config: ModelConfig, readonly settings: LossSettings, options: VaeModelOptions = {}) {
    this.encoder = buildEncoder(config, settings.seed);
    this.decoder = buildDecoder(config, settings.seed);
    // β₁, β₂, ε as torch.optim.Adam (tfjs's default ε is 1e-7).
    this.optimizer = (options.createAdam ?? tf.train.adam)(settings.learningRate, 0.9, 0.999, 1e-8);
    this.variables = [...this.encoder.trainableWeights, ...this.decoder.trainableWeights].map((w) => w.read() as tf.Variable);
  }

  /**
   * One Adam step on a batch [N, H, W, C] in [0, 1] (with its one-hot labels [N, K] for a
   * conditional model: oneHotLabels). Leaves no tensor behind.
   */
  trainStep(x: tf.Tensor4D, oneHot?: tf.Tensor2D): StepResult {
    const klWeight = klWarmupWeight(this.step, this.settings.klWarmupSteps);
    // A different ε for every step, reproducible from the seed.
    const noiseSeed = this.settings.seed * 1_000_003 + this.step;
    let kept: { recon: tf.Scalar; kl: tf.Scalar; klPerDim: tf.Tensor1D } | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const { mu, logVar } = splitMuLogVar(this.encoder.apply(withLabels(x, oneHot), { training: true }) as tf.Tensor2D);
      const z = reparameterize(mu, logVar, noiseSeed);
      const logits = this.decoder.apply(withLabels(z, oneHot), { training: true }) as tf.Tensor4D;
      const terms = vaeLoss(x, logits, mu, logVar, { likelihood: this.config.likelihood, beta: this.settings.beta, klWeight, freeBits: this.settings.freeBits });
      kept = { recon: tf.keep(terms.recon), kl: tf.keep(terms.kl), klPerDim: tf.keep(terms.klPerDim) };
      return terms.loss;
    }, this.variables);
    this.optimizer.applyGradients(grads as tf.NamedTensorMap as unknown as { [name: string]: tf.Variable });
    this.step++;
    const result: StepResult = {
      loss: value.dataSync()[0],
      recon: kept!.recon.dataSync()[0],
      kl: kept!.kl.dataSync()[0],
      klPerDim: Array.from(kept!.klPerDim.dataSync()),
      klWeight,
    };
    tf.dispose([value, kept!.recon, kept!.kl, kept!.klPerDim, ...Object.values(grads)]);
    return result;
  }

  /** Negative-ELBO terms summed over a batch, with one z sample per image (as CANONICAL.md). */
  evaluateBatch(x: tf.Tensor4D, seed: number, oneHot?: tf.Tensor2D): EvalSums {
    return tf.tidy(() => {
      const { mu, logVar } = splitMuLogVar(this.encoder.predict(withLabels(x, oneHot)) as tf.Tensor2D);
      const logits = this.decoder.predict(withLabels(reparameterize(mu, logVar, seed), oneHot)) as tf.Tensor4D;
      const recon = tf.sum(reconstructionPerImage(x, logits, this.config.likelihood)).dataSync()[0];
      const kl = tf.sum(klPerImageAndDim(mu, logVar)).dataSync()[0];
      return { images: x.shape[0], recon, kl };
    });
  }

  /** Every weight and the optimiser state, as plain arrays (for a checkpoint). */
  async getState(): Promise<NamedArray[]> {
    const out: NamedArray[] = [];
    for (const { name, variable } of this.namedWeights()) {
      out.push({ name, shape: variable.shape as number[], data: variable.read().dataSync() as Float32Array });
    }
    // Adam's weights: the iteration count (a fresh scalar), then its first and second moments
    // (its live variables: not to be disposed). Restored by position, like the Python optimisers.
    const [iterations, ...moments] = await this.optimizer.getWeights();
    out.push({ name: 'optimizer/iterations', shape: [], data: (await iterations.tensor.data()) as Float32Array });
    iterations.tensor.dispose();
    moments.forEach((w, i) => out.push({ name: `optimizer/${i}`, shape: w.tensor.shape, data: w.tensor.dataSync() as Float32Array }));
    return out;
  }

  /** Restore what getState returned; `step` is set by the caller. Throws naming a missing tensor. */
  async setState(state: NamedArray[]): Promise<void> {
    const byName = new Map(state.map((s) => [s.name, s]));
    const take = (name: string, shape: number[]) => {
      const s = byName.get(name);
      if (!s) throw new Error(`checkpoint has no tensor "${name}"`);
      if (s.shape.join(',') !== shape.join(',')) throw new Error(`checkpoint tensor "${name}" has shape [${s.shape}], the model needs [${shape}]`);
      return s;
    };
    for (const { name, variable } of this.namedWeights()) {
      const s = take(name, variable.shape as number[]);
      tf.tidy(() => { variable.write(tf.tensor(s.data, s.shape)); });
    }
    const optimizerState = state.filter((s) => s.name.startsWith('optimizer/'));
    if (optimizerState.length > 0) {
      await this.optimizer.setWeights(optimizerState.map((s) => ({ name: s.name.slice('optimizer/'.length), tensor: tf.tensor(s.data, s.shape) })));
    }
  }

  /**
   * Weights under stable names, "<encoder|decoder>/<layer>/<index>": tfjs suffixes weight names
   * (kernel_7) to keep them unique per process, so those names cannot identify a weight across runs.
   */
  private namedWeights(): { name: string; variable: tf.LayerVariable }[] {
    const out: { name: string; variable: tf.LayerVariable }[] = [];
    for (const [prefix, model] of [['encoder', this.encoder], ['decoder', this.decoder]] as const) {
      for (const layer of model.layers) layer.weights.forEach((variable, i) => out.push({ name: `${prefix}/${layer.name}/${i}`, variable }));
    }
    return out;
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    this.optimizer.dispose();
  }
}
