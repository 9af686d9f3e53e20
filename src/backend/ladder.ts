// Chooses the TensorFlow.js backend the trainer runs on (DESIGN.md, "TensorFlow.js backends"):
//   @tensorflow/tfjs-node-gpu (CUDA) → @tensorflow/tfjs-node (native CPU) → wasm → cpu.
// The two native packages are optionalDependencies that are usually absent; they are loaded
// with a plain dynamic require inside try/catch, which esbuild leaves external (esbuild.mjs
// lists them as external) and whose absence is not an error for 'auto'. Starting wasm is
// wasm/setup.ts's job; the switches of the backend are options.ts's.
import * as tf from '@tensorflow/tfjs';
import { nodeRequire } from './nodeRequire';
import { resolveBackendOptions, type BackendOptions } from './options';
import { loadWasm } from './wasm/setup';

export type BackendRequest = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

type Log = (msg: string) => void;

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0];
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

async function loadNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<void> {
  // The package registers the 'tensorflow' backend with the (shared, global) tfjs engine.
  nodeRequire()(pkg);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its 'tensorflow' backend failed to initialise`);
}

async function loadCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
}

const ADVICE: Record<Exclude<BackendRequest, 'auto'>, string> = {
  'tfjs-node-gpu': 'install it (`npm install @tensorflow/tfjs-node-gpu`; its install script downloads libtensorflow with CUDA, which needs network access and a CUDA-capable GPU with drivers), or choose backend "auto", "wasm" or "cpu"',
  'tfjs-node': 'install it (`npm install @tensorflow/tfjs-node`; its install script downloads libtensorflow, which needs network access), or choose backend "auto", "wasm" or "cpu"',
  wasm: 'check that the .wasm files sit next to the bundle (run `npm run build`) or in node_modules/@tensorflow/tfjs-backend-wasm/dist, or choose backend "auto" or "cpu"',
  cpu: 'the pure-JS backend ships with @tensorflow/tfjs; reinstall the dependencies (`npm ci`)',
};

const LOADERS: Record<Exclude<BackendRequest, 'auto'>, (o: BackendOptions, log: Log) => Promise<void>> = {
  'tfjs-node-gpu': () => loadNative('@tensorflow/tfjs-node-gpu'),
  'tfjs-node': () => loadNative('@tensorflow/tfjs-node'),
  wasm: loadWasm,
  cpu: () => loadCpu(),
};

/**
 * Activates a TensorFlow.js backend and returns the name of the backend in use
 * (tf.getBackend(): 'tensorflow', 'wasm' or 'cpu').
 * 'auto' tries tfjs-node-gpu, tfjs-node, wasm, cpu in that order and takes the first that
 * loads; a forced backend that cannot load throws an Error naming the backend, the cause and
 * what to do. `explicit` options override the environment's switches, which override the
 * defaults (resolveBackendOptions, options.ts: the one place that reads them).
 */
export async function selectBackend(requested: BackendRequest, log?: Log, explicit: Partial<BackendOptions> = {}): Promise<string> {
  const say: Log = log ?? (() => undefined);
  const options = resolveBackendOptions(explicit);
  if (requested !== 'auto') {
    const loader = LOADERS[requested];
    if (!loader) throw new Error(`Unknown backend "${String(requested)}"; expected one of ${BACKEND_REQUESTS.join(', ')}`);
    try {
      await loader(options, say);
    } catch (e) {
      throw new Error(`Backend "${requested}" could not be loaded: ${errorText(e)}. To fix: ${ADVICE[requested]}.`);
    }
    say(`backend: ${tf.getBackend()} (requested ${requested})`);
    return tf.getBackend();
  }
  const order: Exclude<BackendRequest, 'auto'>[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];
  const skipped: string[] = [];
  for (const name of order) {
    try {
      await LOADERS[name](options, say);
      say(`backend: ${tf.getBackend()} (auto${skipped.length ? `; skipped ${skipped.join('; ')}` : ''})`);
      return tf.getBackend();
    } catch (e) {
      skipped.push(`${name}: ${errorText(e)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could be loaded: ${skipped.join('; ')}`);
}
