/** μ / log σ² of many images with a TensorFlow.js encoder (the statistics of them: ./collapseRule). */
import * as tf from '@tensorflow/tfjs';
import { splitMuLogVar } from '../model/vae';
import type { ImageShape } from '../protocol/runFormat';

/** Pixels of some images as a float tensor in [0, 1]. */
export function batchTensor(pixels: Uint8Array, indices: ArrayLike<number>, shape: ImageShape): tf.Tensor4D {
  const size = shape.height * shape.width * shape.channels;
  const out = new Float32Array(indices.length * size);
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * size;
    for (let k = 0; k < size; k++) out[b * size + k] = pixels[src + k] / 255;
  }
  return tf.tensor4d(out, [indices.length, shape.height, shape.width, shape.channels]);
}

/** μ and log σ² of every image (row-major, count × latentDim), in batches of 256. */
export function encodeAll(encoder: tf.LayersModel, pixels: Uint8Array, count: number, shape: ImageShape, latentDim: number): { mu: Float32Array; logVar: Float32Array } {
  const mu = new Float32Array(count * latentDim);
  const logVar = new Float32Array(count * latentDim);
  for (let s = 0; s < count; s += 256) {
    const idx = Array.from({ length: Math.min(256, count - s) }, (_, i) => s + i);
    const [m, v] = tf.tidy(() => {
      // One call per batch of 256: predict()'s default would split it again into batches of 32.
      const out = splitMuLogVar(encoder.predict(batchTensor(pixels, idx, shape), { batchSize: idx.length }) as tf.Tensor2D);
      return [out.mu.dataSync(), out.logVar.dataSync()];
    });
    mu.set(m, s * latentDim);
    logVar.set(v, s * latentDim);
  }
  return { mu, logVar };
}

// The active-unit and collapse rules are pure and shared with the webview: ./collapseRule.
export {
  ACTIVE_UNIT_THRESHOLD, COLLAPSE_MIN_STEPS, latentStatistics, posteriorCollapseWarning, isPosteriorCollapse,
} from './collapseRule';
