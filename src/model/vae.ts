/**
 * The convolutional VAE as pure builders (after tfjs-examples/fashion-mnist-vae/model.js).
 *
 * encoder: x → [Conv2D(f, 3×3, stride 2, same, ReLU)] per stage → Flatten → Dense(2·latent) = [μ ‖ log σ²]
 * decoder: z → Dense(h·w·f_last, ReLU) → Reshape → [Conv2DTranspose(f, 3×3, stride 2, same, ReLU)] per stage,
 *          filters in reverse → Conv2DTranspose(channels, 3×3, stride 1, same) = logits
 * With the canonical options this is exactly the model of shared/bench/CANONICAL.md.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../protocol/trainerIpc';
import { bottleneckShape } from '../protocol/config';

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

/** Encoder: image batch [N, H, W, C] in [0, 1] → [N, 2·latentDim], the concatenation [μ ‖ log σ²]. */
export function buildEncoder(model: ModelConfig, seed = 0): tf.LayersModel {
  const init = seeded(seed);
  const input = tf.input({ shape: [model.imageHeight, model.imageWidth, model.channels], name: 'image' });
  let h: tf.SymbolicTensor = input;
  model.filters.forEach((filters, i) => {
    const inChannels = i === 0 ? model.channels : model.filters[i - 1];
    h = tf.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', ...init(9 * inChannels), name: `enc_conv${i + 1}` }).apply(h) as tf.SymbolicTensor;
  });
  h = tf.layers.flatten({ name: 'enc_flatten' }).apply(h) as tf.SymbolicTensor;
  const [bh, bw] = bottleneckShape(model);
  const flat = bh * bw * model.filters[model.filters.length - 1];
  const out = tf.layers.dense({ units: 2 * model.latentDim, ...init(flat), name: 'enc_mu_logvar' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'encoder' });
}

/** Decoder: z [N, latentDim] → logits [N, H, W, C] (Bernoulli logits, or the pre-sigmoid mean for Gaussian). */
export function buildDecoder(model: ModelConfig, seed = 0): tf.LayersModel {
  const [bh, bw] = bottleneckShape(model);
  const init = seeded(seed + 7919);
  const reversed = [...model.filters].reverse();
  const input = tf.input({ shape: [model.latentDim], name: 'z' });
  let h = tf.layers.dense({ units: bh * bw * reversed[0], activation: 'relu', ...init(model.latentDim), name: 'dec_dense' }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.reshape({ targetShape: [bh, bw, reversed[0]], name: 'dec_reshape' }).apply(h) as tf.SymbolicTensor;
  reversed.forEach((filters, i) => {
    h = tf.layers.conv2dTranspose({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', ...init(9 * filters), name: `dec_deconv${i + 1}` }).apply(h) as tf.SymbolicTensor;
  });
  const logits = tf.layers.conv2dTranspose({ filters: model.channels, kernelSize: 3, strides: 1, padding: 'same', ...init(9 * model.channels), name: 'dec_logits' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'decoder' });
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

/** The image the decoder means: sigmoid of the logits, in [0, 1]. */
export function decodeToImage(decoder: tf.LayersModel, z: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => tf.sigmoid(decoder.predict(z) as tf.Tensor4D));
}
