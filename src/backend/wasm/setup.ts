// Starts the TensorFlow.js wasm backend in Node, as fast as it goes: the native kernels where
// they were built (nativeLoader.ts; then the single-threaded SIMD build beside their own pool),
// else the threaded SIMD build with one thread per core (via the patch in nodeThreads.ts, which
// tfjs does not support in Node on its own), falling back to the single-threaded build; the
// binaries found next to the bundle or in node_modules; the training kernels registered (register.ts).
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeRequire } from '../nodeRequire';
import type { BackendOptions } from '../options';
import { configureWasmKernels } from './kernelSettings';
import { enableNativeKernels } from './nativeKernels';
import { loadNativeKernels } from './nativeLoader';
import { patchWasmThreadsForNode } from './nodeThreads';
import { registerWasmTrainingKernels } from './register';

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

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

let wasmConfigured = false;

const isNodeProcess = () => typeof process !== 'undefined' && !!process.versions?.node;

/**
 * The XNNPACK thread pool's pthreads are Node workers that Emscripten keeps referenced while
 * they run, and they run forever: without this, a process that used the threaded build
 * never exits on its own.
 */
function unrefWasmThreads(): void {
  const mod = (tf.backend() as unknown as { wasm?: { PThread?: { runningWorkers?: { unref?: () => void }[]; unusedWorkers?: { unref?: () => void }[] } } }).wasm;
  for (const w of [...(mod?.PThread?.runningWorkers ?? []), ...(mod?.PThread?.unusedWorkers ?? [])]) w.unref?.();
}

/**
 * Selects the wasm backend (initialising it on first use) with `options`: its thread count
 * (first initialisation only) and the switches of the training kernels (every call).
 */
export async function loadWasm(options: BackendOptions, log: (msg: string) => void): Promise<void> {
  registerWasmTrainingKernels();
  configureWasmKernels(options);
  enableNativeKernels(options.nativeKernels);
  if (tf.getBackend() === 'wasm') return;
  let unpatch: (() => void) | null = null;
  if (!wasmConfigured) {
    setWasmPaths(wasmBinaryDir() + path.sep);
    const cores = os.cpus().length;
    // The native kernels first (nativeLoader.ts): where they load they run the convolutions and
    // matrix products on a pool of their own, and a threaded wasm build beside them would only
    // keep a second pool of spinning workers (measured: 1,060–1,180 images/s with both pools,
    // 1,370–1,510 with native threads alone; docs/performance.md, "Native kernels"). So the
    // thread count (wasmThreads: a sweep's share of the cores, Slurm's CPUs per task) goes to
    // the native pool, and wasm runs single-threaded.
    let native = false;
    if (options.nativeKernels && isNodeProcess()) {
      const nativeThreads = options.nativeThreads || (typeof options.wasmThreads === 'number' ? options.wasmThreads : options.wasmThreads ? cores : 1);
      const loaded = loadNativeKernels(nativeThreads);
      log(loaded.note);
      native = loaded.binding !== null;
    }
    const threads = native ? 1 : options.wasmThreads;
    if (threads !== false && threads !== 0 && threads !== 1 && isNodeProcess()) {
      const n = typeof threads === 'number' ? Math.max(1, Math.floor(threads)) : cores;
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
