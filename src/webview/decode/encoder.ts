/**
 * The VAE encoder inside the webview (issue 15, "where do they land"): the generators encode
 * decoded prior samples again to see where the model puts them. Shipped like the decoder
 * (ViewEncoder, a binary payload cached by the host); it runs on the backend the decoder chose.
 */
import * as tf from '@tensorflow/tfjs';
import type { ViewEncoder } from '../../protocol/panelIpc';

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

export class BrowserEncoder {
  private model: tf.LayersModel | null = null;
  private loading: Promise<void> = Promise.resolve();
  step = -1;
  error: string | null = null;

  get ready(): boolean {
    return this.model !== null;
  }

  /** Load new weights; the previous model keeps encoding until they are ready. */
  load(e: ViewEncoder): Promise<void> {
    this.loading = this.loading.then(async () => {
      try {
        const json = e.modelJson as ModelJson;
        const model = await tf.loadLayersModel(tf.io.fromMemory({
          modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
          weightSpecs: (json.weightsManifest ?? []).flatMap((g) => g.weights),
          weightData: e.weights,
        }));
        const old = this.model;
        this.model = model;
        this.step = e.step;
        this.error = null;
        old?.dispose();
      } catch (err) {
        this.error = err instanceof Error ? err.message : String(err);
      }
    });
    return this.loading;
  }

  /** μ of n images (n × H × W × C floats in [0, 1]) in one predict call: n × latentDim. */
  encodeMu(pixels: Float32Array, n: number, h: number, w: number, c: number): Float32Array | null {
    if (!this.model || !n) return null;
    const model = this.model;
    // A conditional encoder also takes the one-hot label: encode as the first label (where prior samples land, approximately).
    const labelInput = model.inputs[1];
    return tf.tidy(() => {
      const x = tf.tensor4d(pixels, [n, h, w, c]);
      const input = labelInput ? [x, tf.oneHot(tf.zeros([n], 'int32') as tf.Tensor1D, labelInput.shape[1] ?? 1).toFloat()] : x;
      const out = model.predict(input, { batchSize: n }) as tf.Tensor2D;
      const d = out.shape[1] / 2;
      return out.slice([0, 0], [n, d]).dataSync() as Float32Array;
    });
  }
}
