/**
 * The fixed grid of z decoded at every epoch end for the replay's `--samples` GIF
 * (history/epoch-<n>/samples.u8): rows × cols latent vectors drawn once from N(0, I) with a
 * seeded generator (src/shared/random.ts), so every epoch decodes the very same z and the GIF
 * shows the decoder changing, not the draw. Pixels are sigmoid(logits) as in the panel's decoder.
 */
import * as tf from '@tensorflow/tfjs';
import { oneHotLabels, withLabels } from '../../model/vae';
import type { HistorySamples, ImageShape } from '../../protocol/runFormat';
import { mulberry32 } from '../../shared/random';

/** 8 × 8 images, z from this seed. */
export const SAMPLE_GRID = { rows: 8, cols: 8, seed: 20240610 } as const;

export function sampleGridSpec(shape: ImageShape): HistorySamples {
  return { ...SAMPLE_GRID, height: shape.height, width: shape.width, channels: shape.channels };
}

/** rows·cols standard normal vectors of `latentDim` (Box–Muller on the seeded uniform generator). */
export function fixedZ(spec: HistorySamples, latentDim: number): Float32Array {
  const rand = mulberry32(spec.seed);
  const z = new Float32Array(spec.rows * spec.cols * latentDim);
  for (let i = 0; i < z.length; i += 2) {
    const u = Math.max(rand(), 1e-12), v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    z[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < z.length) z[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return z;
}

/**
 * The grid decoded: rows·cols images of height × width × channels, uint8, image after image.
 * A conditional model's decoder (`labelCount` > 0) takes cell i with label i mod labelCount, so
 * each row of the grid shows the labels side by side.
 */
export function decodeGrid(decoder: tf.LayersModel, spec: HistorySamples, z: Float32Array, labelCount = 0): Uint8Array {
  const n = spec.rows * spec.cols;
  const values = tf.tidy(() => {
    const zt = tf.tensor2d(z, [n, z.length / n]);
    const y = labelCount > 0 ? oneHotLabels(Array.from({ length: n }, (_, i) => i % labelCount), labelCount) : undefined;
    const logits = decoder.predict(withLabels(zt, y), { batchSize: n }) as tf.Tensor;
    return tf.sigmoid(logits).mul(255).round().clipByValue(0, 255).dataSync();
  });
  return Uint8Array.from(values);
}
