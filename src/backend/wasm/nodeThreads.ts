// Multi-threaded tfjs wasm backend in Node.
//
// tfjs-backend-wasm 4.22 ships a threaded SIMD build (XNNPACK with a pthreadpool), but
//  1. its flag WASM_HAS_MULTITHREAD_SUPPORT is hard-wired to false when IS_NODE, and
//  2. its init() hands Emscripten two `blob:` URLs — the pthread worker script (via
//     locateFile → URL.createObjectURL(new Blob(...))) and the main script
//     (factoryConfig.mainScriptUrlOrBlob = new Blob(['var WasmBackendModuleThreadedSimd = '
//     + factory.toString()])) — and Node's worker_threads cannot load either.
// Emscripten's glue itself supports Node workers (the worker script requires
// worker_threads and reads scripts with fs), so it suffices to turn those two blobs into
// real files. During the backend's initialisation only, this module
//  * wraps `Blob` to remember the text of string-only blobs,
//  * makes `URL.createObjectURL` write such a blob to a temporary file and return its path,
//  * intercepts the assignment `factoryConfig.mainScriptUrlOrBlob = blob` (an accessor on
//    Object.prototype, removed right after) to store a file path instead,
// and sets the flag to true. The main script's factory source was cut out of the bundle it
// lived in, so it can reference bundle-level variables (rollup's require$$0 = fs, …, or
// esbuild-minified names); it is evaluated inside `with (proxy)` where the proxy answers
// every name that is not a global with an object carrying fs/path/os/perf_hooks members.
//
// Finally the size of XNNPACK's thread pool: tfjs's C++ init caps it at
// emscripten_num_logical_cores() / 2 ("many x86-64 processors have 2 threads per core"),
// and in Node that function returns os.cpus().length — so on a 2-vCPU machine the pool has
// ONE thread and the threaded build runs single-threaded. While the module initialises,
// os.cpus() is made to report twice the wanted thread count.
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeRequire } from '../nodeRequire';

const MAIN_PREFIX = 'var WasmBackendModuleThreadedSimd = ';

function mainScriptSource(text: string): string {
  const factory = text.startsWith(MAIN_PREFIX) ? text.slice(MAIN_PREFIX.length) : null;
  if (factory == null) return text;
  return [
    '// tfjs-backend-wasm threaded-simd factory, written by Latent Lens (src/backend/wasm/nodeThreads.ts)',
    'var WasmBackendModuleThreadedSimd = (function () {',
    '  var __mods = Object.assign({}, require("fs"), require("path"), require("os"), { performance: require("perf_hooks").performance });',
    '  var __scope = new Proxy({}, {',
    '    has: function (_t, k) { return typeof k === "string" && k !== "WasmBackendModuleThreadedSimd" && !(k in globalThis); },',
    '    get: function (_t, k) { return k === Symbol.unscopables ? undefined : __mods; },',
    '    set: function (_t, k, v) { globalThis[k] = v; return true; }',
    '  });',
    '  with (__scope) { return (' + factory + '); }',
    '})();',
    '',
  ].join('\n');
}

/**
 * Prepares the next wasm backend initialisation to use the threaded SIMD build in Node.
 * Returns a function that removes the temporary patches (call it once tf.setBackend('wasm')
 * has settled). The temporary directory is removed when the process exits.
 */
export function patchWasmThreadsForNode(threads: number = os.cpus().length): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latent-lens-wasm-'));
  process.once('exit', () => {
    try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
  });
  let n = 0;
  const texts = new WeakMap<object, string>();
  const writeScript = (text: string): string => {
    const file = path.join(dir, `script-${n++}.js`);
    fs.writeFileSync(file, mainScriptSource(text));
    return file;
  };

  const g = globalThis as unknown as { Blob: typeof Blob };
  const OrigBlob = g.Blob;
  const origCreate = URL.createObjectURL;
  class RecordingBlob extends OrigBlob {
    constructor(parts?: BlobPart[], opts?: BlobPropertyBag) {
      super(parts, opts);
      if (Array.isArray(parts) && parts.every((p) => typeof p === 'string')) texts.set(this, (parts as string[]).join(''));
    }
  }
  g.Blob = RecordingBlob as typeof Blob;
  URL.createObjectURL = (obj: Blob) => {
    const t = texts.get(obj);
    return t != null ? writeScript(t) : origCreate(obj);
  };
  Object.defineProperty(Object.prototype, 'mainScriptUrlOrBlob', {
    configurable: true,
    enumerable: false,
    set(this: object, v: unknown) {
      const t = v != null && typeof v === 'object' ? texts.get(v) : undefined;
      Object.defineProperty(this, 'mainScriptUrlOrBlob', {
        value: t != null ? writeScript(t) : v, writable: true, enumerable: true, configurable: true,
      });
    },
  });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  // The CommonJS exports object of 'os' (the one Emscripten's glue holds), not an ESM namespace.
  const osMutable = nodeRequire()('os') as { cpus: typeof os.cpus };
  const origCpus = osMutable.cpus;
  const wanted = Math.max(1, Math.min(8, Math.floor(threads)));
  osMutable.cpus = () => {
    const real = origCpus.call(osMutable);
    return Array.from({ length: 2 * wanted }, (_, i) => real[i % Math.max(1, real.length)]);
  };

  return () => {
    osMutable.cpus = origCpus;
    g.Blob = OrigBlob;
    URL.createObjectURL = origCreate;
    delete (Object.prototype as Record<string, unknown>).mainScriptUrlOrBlob;
  };
}
