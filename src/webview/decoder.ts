/**
 * Runs the VAE decoder inside the webview, so decoding a hovered point never waits for the
 * training loop: the trainer saves model/decoder every few steps, the host forwards it as a
 * `decoder` message, and this class swaps the new weights in when they have loaded.
 *
 * Backend: TensorFlow.js `cpu` by default. For one 28×28 image the decoder is a few million
 * multiply-adds, which the cpu backend does in milliseconds with no GPU upload/readback; the
 * webgl backend needs a GPU the webview may not have. `?backend=webgl` in the report URL (or
 * `setBackend`) switches.
 */
import * as tf from '@tensorflow/tfjs';
import { decodeBytes, type ViewDecoder } from '../shared/viewProtocol';

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

const CACHE_SIZE = 2000;

export class BrowserDecoder {
  private model: tf.LayersModel | null = null;
  private loading: Promise<void> = Promise.resolve();
  private cache = new Map<string, Float32Array>();
  /** Step of the weights in use (-1 before any). */
  step = -1;
  backend = '';
  /** Bumped at every weight swap (cache key). */
  version = 0;
  error: string | null = null;

  async init(backend: string): Promise<void> {
    try {
      if (!(await tf.setBackend(backend))) await tf.setBackend('cpu');
    } catch {
      await tf.setBackend('cpu');
    }
    await tf.ready();
    this.backend = tf.getBackend();
  }

  get ready(): boolean {
    return this.model !== null;
  }

  /** Load new weights; the previous model keeps decoding until they are ready. */
  load(d: ViewDecoder): Promise<void> {
    this.loading = this.loading.then(async () => {
      try {
        const json = d.modelJson as ModelJson;
        const weightSpecs = (json.weightsManifest ?? []).flatMap((g) => g.weights);
        const bytes = decodeBytes(d.weights);
        const model = await tf.loadLayersModel(tf.io.fromMemory({
          modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
          weightSpecs,
          weightData: bytes.buffer as ArrayBuffer,
        }));
        // Warm up (first predict compiles/allocates).
        const dim = this.inputDim(model);
        tf.tidy(() => { (model.predict(tf.zeros([1, dim])) as tf.Tensor).dataSync(); });
        const old = this.model;
        this.model = model;
        this.step = d.step;
        this.version++;
        this.cache.clear();
        this.error = null;
        old?.dispose();
      } catch (err) {
        this.error = err instanceof Error ? err.message : String(err);
      }
    });
    return this.loading;
  }

  private inputDim(model: tf.LayersModel): number {
    const shape = model.inputs[0].shape;
    return (shape[shape.length - 1] as number) ?? 1;
  }

  get latentDim(): number {
    return this.model ? this.inputDim(this.model) : 0;
  }

  /**
   * Decode one latent vector to pixel intensities in [0, 1] (H × W × C, row-major): the
   * sigmoid of the decoder's logits, i.e. the image the decoder means. `key` caches the result.
   */
  decode(z: Float32Array, key?: string): Float32Array | null {
    if (!this.model) return null;
    const k = key === undefined ? undefined : `${this.version}:${key}`;
    if (k !== undefined) {
      const hit = this.cache.get(k);
      if (hit) {
        this.cache.delete(k);
        this.cache.set(k, hit);
        return hit;
      }
    }
    const model = this.model;
    const out = tf.tidy(() => {
      const logits = model.predict(tf.tensor2d(z, [1, z.length])) as tf.Tensor;
      return tf.sigmoid(logits).dataSync() as Float32Array;
    });
    if (k !== undefined) {
      this.cache.set(k, out);
      if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    }
    return out;
  }

  clearCache(): void {
    this.cache.clear();
  }
}
