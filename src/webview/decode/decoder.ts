/**
 * Runs the VAE decoder inside the webview, so decoding a hovered point never waits for the
 * training loop: the trainer saves model/decoder every few steps, the host forwards it as a
 * `decoder` message, and this class swaps the new weights in when they have loaded.
 *
 * Backend: TensorFlow.js `wasm` (XNNPACK, SIMD) when the page provides the wasm binaries,
 * else `cpu`. The canonical decoder is ~22 M multiply-adds per image: ~28 ms on the cpu
 * backend, a few ms on wasm; webgl without a GPU (SwiftShader) took ~70 ms. `?backend=cpu`
 * (or webgl) in the report URL overrides.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmInferenceKernels } from '../../backend/wasm/inferenceKernels';
import type { ViewDecoder } from '../../protocol/panelIpc';

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
  /** Called after every weight swap (the "Decode as label" view redraws). */
  readonly onLoad = new Set<() => void>();

  /** Pick the backend; `wasm` maps binary names to URLs (blob: or webview resource URLs). */
  async init(backend: string, wasm?: { simd: string; plain: string }): Promise<void> {
    if (wasm) {
      setWasmPaths({
        'tfjs-backend-wasm.wasm': wasm.plain,
        'tfjs-backend-wasm-simd.wasm': wasm.simd,
        // Threads need cross-origin isolation, which neither a webview nor a file: page has.
        'tfjs-backend-wasm-threaded-simd.wasm': wasm.simd,
      });
    }
    const order = backend === 'auto' ? (wasm ? ['wasm', 'cpu'] : ['cpu']) : [backend, 'cpu'];
    for (const b of order) {
      try {
        if (await tf.setBackend(b)) break;
      } catch {
        /* next */
      }
    }
    await tf.ready();
    this.backend = tf.getBackend();
    if (this.backend === 'wasm') registerWasmInferenceKernels();
  }

  get ready(): boolean {
    return this.model !== null;
  }

  private topology = '';

  /**
   * Load new weights; the previous model keeps decoding until they are ready. When the
   * topology is unchanged (every update during a run) the weights are written into the
   * existing model's variables — a few milliseconds, against ~100 ms to build a new model.
   */
  load(d: ViewDecoder): Promise<void> {
    this.loading = this.loading.then(async () => {
      try {
        const json = d.modelJson as ModelJson;
        const weightSpecs = (json.weightsManifest ?? []).flatMap((g) => g.weights);
        const bytes = d.weights;
        const topology = JSON.stringify(json.modelTopology ?? null);
        if (this.model && topology === this.topology && this.updateWeights(bytes, weightSpecs)) {
          this.step = d.step;
          this.version++;
          this.cache.clear();
          this.error = null;
          this.onLoad.forEach((fn) => fn());
          return;
        }
        const model = await tf.loadLayersModel(tf.io.fromMemory({
          modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
          weightSpecs,
          weightData: bytes,
        }));
        // Warm up (first predict compiles/allocates).
        const dim = this.inputDim(model);
        tf.tidy(() => { (model.predict(model.inputs.map((i) => tf.zeros([1, i.shape[1] ?? dim]))) as tf.Tensor).dataSync(); });
        const old = this.model;
        this.model = model;
        this.topology = topology;
        this.step = d.step;
        this.version++;
        this.cache.clear();
        this.error = null;
        old?.dispose();
        this.onLoad.forEach((fn) => fn());
      } catch (err) {
        // A weights file that does not fit its model.json (truncated, another model): name it, not only TensorFlow.js's shape error.
        this.error = `the decoder weights (model/decoder) do not fit its model.json: ${err instanceof Error ? err.message : String(err)}`;
      }
    });
    return this.loading;
  }

  /** Write decoded weights into the current model's variables; false if they do not match. */
  private updateWeights(bytes: ArrayBuffer, specs: tf.io.WeightsManifestEntry[]): boolean {
    const model = this.model!;
    const named = tf.io.decodeWeights(bytes, specs);
    try {
      const vars = model.weights;
      const pairs = vars.map((v) => [v, named[v.originalName] ?? named[v.name]] as const);
      if (pairs.some(([v, t]) => !t || t.size !== v.shape.reduce<number>((a, b) => a * (b ?? 1), 1))) return false;
      tf.tidy(() => { for (const [v, t] of pairs) v.write(t.reshape(v.shape as number[])); });
      return true;
    } finally {
      tf.dispose(Object.values(named));
    }
  }

  private inputDim(model: tf.LayersModel): number {
    const shape = model.inputs[0].shape;
    return (shape[shape.length - 1] as number) ?? 1;
  }

  get latentDim(): number {
    return this.model ? this.inputDim(this.model) : 0;
  }

  /** Labels a conditional decoder takes beside z (its one-hot size); 0 for an unconditional one. */
  get labelCount(): number {
    return this.model && this.model.inputs.length > 1 ? (this.model.inputs[1].shape[1] as number) : 0;
  }

  /**
   * Decode one latent vector to pixel intensities in [0, 1] (H × W × C, row-major): the
   * sigmoid of the decoder's logits, i.e. the image the decoder means. `key` caches the result.
   * `label`: the model's label index a conditional decoder decodes with (default its first).
   */
  decode(z: Float32Array, key?: string, label?: number): Float32Array | null {
    if (!this.model) return null;
    const k = key === undefined ? undefined : `${this.version}:${key}${label === undefined ? '' : `:${label}`}`;
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
      const zt = tf.tensor2d(z, [1, z.length]);
      const labels = this.labelCount;
      const logits = model.predict(labels ? [zt, tf.oneHot([label ?? 0], labels).toFloat()] : zt) as tf.Tensor;
      return tf.sigmoid(logits).dataSync() as Float32Array;
    });
    if (k !== undefined) {
      this.cache.set(k, out);
      if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    }
    return out;
  }

  /**
   * Generators (issue 15): decode n latent vectors (n × latentDim, row-major) in ONE predict call
   * — no cache — to pixel intensities in [0, 1] (n × H × W × C).
   */
  decodeBatch(z: Float32Array, n: number, labels?: ArrayLike<number>): Float32Array | null {
    if (!this.model || !n) return null;
    const model = this.model, k = this.labelCount;
    return tf.tidy(() => {
      const zt = tf.tensor2d(z, [n, z.length / n]);
      // A conditional decoder takes [z, one-hot label]: each row's label, else the first label.
      const input = k ? [zt, tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => labels?.[i] ?? 0), 'int32'), k).toFloat()] : zt;
      return tf.sigmoid(model.predict(input, { batchSize: n }) as tf.Tensor).dataSync() as Float32Array;
    });
  }

  clearCache(): void {
    this.cache.clear();
  }
}
