// Chooses the TensorFlow.js backend the trainer runs on (DESIGN.md, "TensorFlow.js backends"):
//   @tensorflow/tfjs-node-gpu (CUDA) → @tensorflow/tfjs-node (native CPU) → wasm → cpu.
// The two native packages are optionalDependencies that are usually absent; they are loaded
// with a plain dynamic require inside try/catch, which esbuild leaves external (esbuild.mjs
// lists them as external) and whose absence is not an error for 'auto'.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { registerWasmTrainingKernels } from './wasmKernels';
import { patchWasmThreadsForNode } from './wasmThreads';

export type BackendRequest = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

export interface SelectBackendOptions {
  /**
   * Threads for the wasm backend in Node: `true`/undefined = threaded build with one thread
   * per core (the default), a number = that many threads, `false`/0/1 = the single-threaded
   * SIMD build. The environment variable LATENT_LENS_WASM_THREADS (same meanings, 'off' for
   * false) overrides an undefined option. Only the first wasm initialisation in a process
   * can choose; later calls reuse it.
   */
  wasmThreads?: boolean | number;
}

type Log = (msg: string) => void;

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

function nodeRequire(): NodeJS.Require {
  // `require` exists in the CommonJS bundle (dist/*.js) and under tsx; fall back for ESM.
  if (typeof require === 'function') return require;
  return createRequire(path.join(process.cwd(), 'index.js'));
}

/**
 * Directory holding the wasm binaries: next to the running bundle (esbuild.mjs copies them
 * to dist/), else the package's own dist/ folder (running from TS sources, e.g. unit tests).
 */
export function wasmBinaryDir(): string {
  const candidates: string[] = [];
  if (typeof __dirname !== 'undefined') candidates.push(__dirname);
  try {
    candidates.push(path.join(path.dirname(nodeRequire().resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch { /* not resolvable from here */ }
  candidates.push(path.join(process.cwd(), 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'));
  const found = candidates.find((d) => WASM_FILES.every((f) => fs.existsSync(path.join(d, f))));
  if (!found) {
    throw new Error(`the tfjs wasm binaries (${WASM_FILES.join(', ')}) were found in none of: ${candidates.join(', ')}`);
  }
  return found;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0];
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

function threadsWanted(opt: boolean | number | undefined): number | boolean {
  if (opt !== undefined) return opt;
  const env = process.env.LATENT_LENS_WASM_THREADS?.trim().toLowerCase();
  if (!env) return true;
  if (env === 'off' || env === 'false' || env === 'no') return false;
  const n = Number(env);
  return Number.isFinite(n) ? n : true;
}

async function loadNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<void> {
  // The package registers the 'tensorflow' backend with the (shared, global) tfjs engine.
  nodeRequire()(pkg);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its 'tensorflow' backend failed to initialise`);
}

let wasmConfigured = false;

/**
 * The XNNPACK thread pool's pthreads are Node workers that Emscripten keeps referenced while
 * they run, and they run forever: without this, a process that used the threaded build
 * never exits on its own.
 */
function unrefWasmThreads(): void {
  const mod = (tf.backend() as unknown as { wasm?: { PThread?: { runningWorkers?: { unref?: () => void }[]; unusedWorkers?: { unref?: () => void }[] } } }).wasm;
  for (const w of [...(mod?.PThread?.runningWorkers ?? []), ...(mod?.PThread?.unusedWorkers ?? [])]) w.unref?.();
}

async function loadWasm(opts: SelectBackendOptions, log: Log): Promise<void> {
  registerWasmTrainingKernels();
  if (tf.getBackend() === 'wasm') return;
  let unpatch: (() => void) | null = null;
  if (!wasmConfigured) {
    setWasmPaths(wasmBinaryDir() + path.sep);
    const threads = threadsWanted(opts.wasmThreads);
    const isNode = typeof process !== 'undefined' && !!process.versions?.node;
    if (threads !== false && threads !== 0 && threads !== 1 && isNode) {
      const n = typeof threads === 'number' ? Math.max(1, Math.floor(threads)) : os.cpus().length;
      setThreadsCount(n);
      unpatch = patchWasmThreadsForNode(n);
    }
    wasmConfigured = true;
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend('wasm');
  } finally {
    unpatch?.();
  }
  if (!ok && unpatch) {
    log('wasm: the multi-threaded build failed to start; retrying single-threaded');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    ok = await tf.setBackend('wasm');
  }
  if (!ok) throw new Error('tf.setBackend("wasm") returned false (see the warning above for the cause)');
  unrefWasmThreads();
  log(`wasm: ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? `threaded (${getThreadsCount()} threads) ` : ''}SIMD build, ` +
    `${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? '' : '(no SIMD) '}binaries from ${wasmBinaryDir()}`);
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

const LOADERS: Record<Exclude<BackendRequest, 'auto'>, (o: SelectBackendOptions, log: Log) => Promise<void>> = {
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
 * what to do.
 */
export async function selectBackend(requested: BackendRequest, log?: Log, options: SelectBackendOptions = {}): Promise<string> {
  const say: Log = log ?? (() => undefined);
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
