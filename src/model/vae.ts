/**
 * The VAEs as pure builders (after tfjs-examples/fashion-mnist-vae/model.js): the convolutional
 * VAE, the MLP VAE of pytorch/examples vae/main.py, and either made conditional (a CVAE: the
 * one-hot label joins the flattened encoder features before the μ/log σ² layer and joins z
 * before the decoder's first dense layer, as shared/bench/torch_ref.py).
 *
 * conv encoder: x → [Conv2D(f, 3×3, stride 2, same, ReLU)] per stage → Flatten → Dense(2·latent) = [μ ‖ log σ²]
 * conv decoder: z → Dense(h·w·f_last, ReLU) → Reshape → [Conv2DTranspose(f, 3×3, stride 2, same, ReLU)] per stage,
 *               filters in reverse → Conv2DTranspose(channels, 3×3, stride 1, same) = logits
 * With the presets' options these are exactly the models of shared/bench/CANONICAL.md.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../protocol/trainerIpc';
import { MLP_HIDDEN, archOf, bottleneckShape, labelCount } from '../protocol/config';

/**
 * Seeded initialisers matching PyTorch's defaults (torch.nn.Conv2d / ConvTranspose2d / Linear
 * `reset_parameters`): weights kaiming-uniform with a = √5, i.e. U(±1/√fan_in), and biases
 * U(±1/√fan_in). The canonical model is measured against a PyTorch reference, and where training
 * starts matters over a few hundred steps: with Keras' Glorot weights and zero biases the same
 * model reached a 9 % worse test −ELBO after 2 epochs on 10k images. fan_in follows tfjs's rule,
 * which equals torch's for these layers, transposed convolutions included (k·k·out_channels).
 */
function seeded(seed: number) {
  let n = 0;
  return (fanIn: number) => ({
    kernelInitializer: tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: seed * 1000 + n++ }),
    biasInitializer: tf.initializers.randomUniform({ minval: -1 / Math.sqrt(fanIn), maxval: 1 / Math.sqrt(fanIn), seed: seed * 1000 + n++ }),
  });
}

/** The label input of a conditional model: a one-hot vector of `k` labels. */
function labelInput(k: number, name: string): tf.SymbolicTensor {
  return tf.input({ shape: [k], name });
}

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

/** The one-hot size of a conditional model; throws when a conditional model has no label list. */
function conditionSize(model: ModelConfig): number {
  if (!model.conditional) return 0;
  const k = labelCount(model);
  if (k < 1) throw new Error('a conditional model needs its label list (model.labels): it is fixed from the training folder when training starts');
  return k;
}

/**
 * Encoder: image batch [N, H, W, C] in [0, 1] (and, when conditional, the one-hot label [N, K])
 * → [N, 2·latentDim], the concatenation [μ ‖ log σ²].
 * - conv: [Conv2D(f, 3×3, stride 2, same, ReLU)] per stage → Flatten → (‖ label) → Dense(2·latent)
 * - mlp:  Flatten → (‖ label) → Dense(400, ReLU) → Dense(2·latent)  (pytorch/examples vae/main.py)
 */
export function buildEncoder(model: ModelConfig, seed = 0): tf.LayersModel {
  const init = seeded(seed);
  const k = conditionSize(model);
  const input = tf.input({ shape: [model.imageHeight, model.imageWidth, model.channels], name: 'image' });
  const label = k ? labelInput(k, 'label') : undefined;
  let h: tf.SymbolicTensor = input;
  if (archOf(model) === 'mlp') {
    h = apply(tf.layers.flatten({ name: 'enc_flatten' }), h);
    const d = model.imageHeight * model.imageWidth * model.channels;
    if (label) h = apply(tf.layers.concatenate({ name: 'enc_concat_label' }), [h, label]);
    h = apply(tf.layers.dense({ units: MLP_HIDDEN, activation: 'relu', ...init(d + k), name: 'enc_hidden' }), h);
    const out = apply(tf.layers.dense({ units: 2 * model.latentDim, ...init(MLP_HIDDEN), name: 'enc_mu_logvar' }), h);
    return stamped(tf.model({ inputs: label ? [input, label] : input, outputs: out, name: 'encoder' }), model);
  }
  model.filters.forEach((filters, i) => {
    const inChannels = i === 0 ? model.channels : model.filters[i - 1];
    h = apply(tf.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', ...init(9 * inChannels), name: `enc_conv${i + 1}` }), h);
  });
  h = apply(tf.layers.flatten({ name: 'enc_flatten' }), h);
  const [bh, bw] = bottleneckShape(model);
  const flat = bh * bw * model.filters[model.filters.length - 1];
  if (label) h = apply(tf.layers.concatenate({ name: 'enc_concat_label' }), [h, label]);
  const out = apply(tf.layers.dense({ units: 2 * model.latentDim, ...init(flat + k), name: 'enc_mu_logvar' }), h);
  return stamped(tf.model({ inputs: label ? [input, label] : input, outputs: out, name: 'encoder' }), model);
}

/**
 * Decoder: z [N, latentDim] (and, when conditional, the one-hot label [N, K]) → logits [N, H, W, C]
 * (Bernoulli logits, or the pre-sigmoid mean for Gaussian).
 * - conv: (z ‖ label) → Dense(h·w·f_last, ReLU) → Reshape → [Conv2DTranspose(f, 3×3, stride 2, same, ReLU)]
 *   per stage, filters in reverse → Conv2DTranspose(channels, 3×3, stride 1, same)
 * - mlp:  (z ‖ label) → Dense(400, ReLU) → Dense(H·W·C) → Reshape(H, W, C)
 */
export function buildDecoder(model: ModelConfig, seed = 0): tf.LayersModel {
  const init = seeded(seed + 7919);
  const k = conditionSize(model);
  const input = tf.input({ shape: [model.latentDim], name: 'z' });
  const label = k ? labelInput(k, 'label') : undefined;
  const inputs = label ? [input, label] : input;
  let h: tf.SymbolicTensor = label ? apply(tf.layers.concatenate({ name: 'dec_concat_label' }), [input, label]) : input;
  if (archOf(model) === 'mlp') {
    const d = model.imageHeight * model.imageWidth * model.channels;
    h = apply(tf.layers.dense({ units: MLP_HIDDEN, activation: 'relu', ...init(model.latentDim + k), name: 'dec_hidden' }), h);
    h = apply(tf.layers.dense({ units: d, ...init(MLP_HIDDEN), name: 'dec_logits' }), h);
    const logits = apply(tf.layers.reshape({ targetShape: [model.imageHeight, model.imageWidth, model.channels], name: 'dec_reshape' }), h);
    return stamped(tf.model({ inputs, outputs: logits, name: 'decoder' }), model);
  }
  const [bh, bw] = bottleneckShape(model);
  const reversed = [...model.filters].reverse();
  h = apply(tf.layers.dense({ units: bh * bw * reversed[0], activation: 'relu', ...init(model.latentDim + k), name: 'dec_dense' }), h);
  h = apply(tf.layers.reshape({ targetShape: [bh, bw, reversed[0]], name: 'dec_reshape' }), h);
  reversed.forEach((filters, i) => {
    h = apply(tf.layers.conv2dTranspose({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', ...init(9 * filters), name: `dec_deconv${i + 1}` }), h);
  });
  const logits = apply(tf.layers.conv2dTranspose({ filters: model.channels, kernelSize: 3, strides: 1, padding: 'same', ...init(9 * model.channels), name: 'dec_logits' }), h);
  return stamped(tf.model({ inputs, outputs: logits, name: 'decoder' }), model);
}

/**
 * The key under which a model built here carries its ModelConfig (a conditional model's label
 * list included) as TensorFlow.js user-defined metadata: saved into its model.json
 * (`userDefinedMetadata`), so a bare model folder, away from its run's config.json, still says
 * what it is (src/run/modelFiles.ts `storedModelConfig`).
 */
export const MODEL_METADATA_KEY = 'latentLens';

function stamped(m: tf.LayersModel, model: ModelConfig): tf.LayersModel {
  m.setUserDefinedMetadata({ [MODEL_METADATA_KEY]: { model: structuredClone(model) } });
  return m;
}

/** The inputs of an encoder or decoder: the tensor alone, or with the one-hot labels of a conditional model. */
export function withLabels<T extends tf.Tensor>(x: T, oneHot?: tf.Tensor2D): T | [T, tf.Tensor2D] {
  return oneHot ? [x, oneHot] : x;
}

/** One-hot rows [N, K] of label indices (a conditional model's input). */
export function oneHotLabels(indices: ArrayLike<number>, k: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(indices), 'int32'), k).toFloat() as tf.Tensor2D);
}

/** Split the encoder's [N, 2D] output into μ and log σ², each [N, D]. */
export function splitMuLogVar(encoded: tf.Tensor2D): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
  const d = encoded.shape[1] / 2;
  const [mu, logVar] = tf.split(encoded, [d, d], 1) as [tf.Tensor2D, tf.Tensor2D];
  return { mu, logVar };
}

/**
 * Reparameterization trick (Kingma & Welling 2014, §2.4): z = μ + σ ⊙ ε with ε ~ N(0, I),
 * so the sample is a differentiable function of μ and log σ².
 */
export function reparameterize(mu: tf.Tensor2D, logVar: tf.Tensor2D, seed?: number): tf.Tensor2D {
  const eps = tf.randomNormal(mu.shape, 0, 1, 'float32', seed);
  return tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
}

/** The image the decoder means: sigmoid of the logits, in [0, 1]. A conditional decoder needs the one-hot labels. */
export function decodeToImage(decoder: tf.LayersModel, z: tf.Tensor2D, oneHot?: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => tf.sigmoid(decoder.predict(withLabels(z, oneHot)) as tf.Tensor4D));
}
