// Chooses the TensorFlow.js backend the trainer runs on (DESIGN.md, "TensorFlow.js backends"):
//   @tensorflow/tfjs-node-gpu (CUDA) → @tensorflow/tfjs-node (native CPU) → wasm → cpu.
// The two native packages are optionalDependencies that are usually absent; they are loaded
// with a plain dynamic require inside try/catch, which esbuild leaves external (esbuild.mjs
// lists them as external) and whose absence is not an error for 'auto'. They are looked for
// first in the folders of `nativePaths` (options.ts: the extension's native-backend install and
// the latentLens.nativeBackendPath setting), then in node_modules. Starting wasm is
// wasm/setup.ts's job; the switches of the backend are options.ts's.
import * as fs from 'node:fs';
import * as path from 'node:path';
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

type NativePackage = '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node';

/**
 * The folder of `pkg` inside one of `dirs` (each an npm --prefix, a node_modules folder or the
 * package folder itself), or undefined.
 */
export function findNativePackage(pkg: NativePackage, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    for (const candidate of [path.join(dir, 'node_modules', pkg), path.join(dir, pkg), dir]) {
      try {
        const json = JSON.parse(fs.readFileSync(path.join(candidate, 'package.json'), 'utf8')) as { name?: string };
        if (json.name === pkg) return candidate;
      } catch { /* not this one */ }
    }
  }
  return undefined;
}

async function loadNative(pkg: NativePackage, o: BackendOptions, say: Log): Promise<void> {
  // The package registers the 'tensorflow' backend with the (shared, global) tfjs engine: its own
  // copy of tfjs-core finds the engine of ours on the global object, so the versions must match
  // (4.22: what "VAE: Install Native Backend…" installs).
  const installed = findNativePackage(pkg, o.nativePaths);
  if (installed) say(`loading ${pkg} from ${installed}`);
  else if (o.nativePaths.length) say(`${pkg} is not in ${o.nativePaths.join(', ')}; trying node_modules`);
  nodeRequire()(installed ?? pkg);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its 'tensorflow' backend failed to initialise`);
}

async function loadCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
}

const ADVICE: Record<Exclude<BackendRequest, 'auto'>, string> = {
  'tfjs-node-gpu': 'install it ("VAE: Install Native Backend…" in VS Code, or `npm install @tensorflow/tfjs-node-gpu@4.22.0` and LATENT_LENS_NATIVE_BACKEND_PATH=<its --prefix>; its install script downloads libtensorflow with CUDA, which needs network access, and it runs with CUDA 11.2 and cuDNN 8.1), or choose backend "auto", "wasm" or "cpu"',
  'tfjs-node': 'install it ("VAE: Install Native Backend…" in VS Code, or `npm install @tensorflow/tfjs-node@4.22.0` and LATENT_LENS_NATIVE_BACKEND_PATH=<its --prefix>; its install script downloads libtensorflow, which needs network access), or choose backend "auto", "wasm" or "cpu"',
  wasm: 'check that the .wasm files sit next to the bundle (run `npm run build`) or in node_modules/@tensorflow/tfjs-backend-wasm/dist, or choose backend "auto" or "cpu"',
  cpu: 'the pure-JS backend ships with @tensorflow/tfjs; reinstall the dependencies (`npm ci`)',
};

const LOADERS: Record<Exclude<BackendRequest, 'auto'>, (o: BackendOptions, log: Log) => Promise<void>> = {
  'tfjs-node-gpu': (o, log) => loadNative('@tensorflow/tfjs-node-gpu', o, log),
  'tfjs-node': (o, log) => loadNative('@tensorflow/tfjs-node', o, log),
  wasm: loadWasm,
  cpu: () => loadCpu(),
};

/**
 * The backend in use as the run records it: 'wasm', 'cpu', or for native TensorFlow (whose
 * tfjs name, 'tensorflow', does not say which) 'tfjs-node-gpu' when it sees a GPU, else 'tfjs-node'.
 */
function backendInUse(): string {
  const name = tf.getBackend();
  if (name !== 'tensorflow') return name;
  return (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice ? 'tfjs-node-gpu' : 'tfjs-node';
}

/**
 * Activates a TensorFlow.js backend and returns the name of the backend in use
 * ('wasm', 'cpu', 'tfjs-node' or 'tfjs-node-gpu': see backendInUse).
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
    say(`backend: ${backendInUse()} (requested ${requested})`);
    return backendInUse();
  }
  const order: Exclude<BackendRequest, 'auto'>[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];
  const skipped: string[] = [];
  for (const name of order) {
    try {
      await LOADERS[name](options, say);
      say(`backend: ${backendInUse()} (auto${skipped.length ? `; skipped ${skipped.join('; ')}` : ''})`);
      return backendInUse();
    } catch (e) {
      skipped.push(`${name}: ${errorText(e)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could be loaded: ${skipped.join('; ')}`);
}
