// The switches of the TensorFlow.js backend, in one object, and the ONE place that reads them
// from the environment: `resolveBackendOptions`, called when the backend is initialised
// (selectBackend in ladder.ts). No other module of src/backend reads process.env.
//
// Defaults are the fastest found (docs/performance.md); the switches exist for A/B
// measurements and to step around a problem on an unusual machine.

export interface BackendOptions {
  /**
   * Threads of the backend in Node: `true` = one per core (the default), a number = that many,
   * `false`/0/1 = one. Where the native kernels load they get these threads in their own pool and
   * wasm runs its single-threaded SIMD build beside them; else wasm runs its threaded build
   * with them (its single-threaded build for one).
   * Only the first wasm initialisation in a process can choose; later calls reuse it.
   * Env: LATENT_LENS_WASM_THREADS=off|<count>.
   */
  wasmThreads: boolean | number;
  /**
   * Latent Lens' companion SIMD kernels (wasm/companion.ts); off = JS and XNNPACK paths only
   * (about 25 % slower). Env: LATENT_LENS_WASM_LENS_KERNELS=off.
   */
  lensKernels: boolean;
  /**
   * Latent Lens' native kernels (native/lens_native.c: convolutions and matrix products through
   * the system's XNNPACK on AVX2/AVX-512, in place on the wasm heap) where the addon was built
   * (`npm run build:native`); off = wasm kernels only. Env: LATENT_LENS_NATIVE_KERNELS=off.
   */
  nativeKernels: boolean;
  /**
   * Threads of the native kernels' pool (the calling thread included); 0 (the default) = what
   * `wasmThreads` says. Env: LATENT_LENS_NATIVE_THREADS.
   */
  nativeThreads: number;
  /**
   * dL/dW of a convolution (wasm/convFilterGrad.ts): one XNNPACK conv, or a transposed im2col
   * + chunked matMuls (the fallback where the conv does not apply). `auto` (the default) = im2col
   * where the companion kernels do the im2col in SIMD (≈ 15 % less CPU for the dWs than the
   * conv), the conv where they are off (the JS im2col is slow); where the native kernels load,
   * their own dW (the im2col on their pool + one native matMul per chunk of 4,096 pixels: 6–8 %
   * faster training than the im2col path with native matMuls). 'conv' and 'im2col' force those
   * composite paths. Env: LATENT_LENS_WASM_DW.
   */
  filterGradient: 'auto' | 'conv' | 'im2col';
  /**
   * dL/dx of a strided convolution (wasm/convInputGrad.ts): s² stride-1 XNNPACK convs, or a
   * matMul + col2im (slower; the fallback where the phases do not apply). Env: LATENT_LENS_WASM_DX.
   */
  inputGradient: 'phase' | 'col2im';
  /**
   * Chunk of the reduction dimension of the im2col path's matMuls (4096: the same CPU as 2048 on
   * 1 thread, ≈ 8 % less for the dWs with 2 threads: fewer thread-pool dispatches). Env: LATENT_LENS_WASM_KCHUNK.
   */
  im2colChunk: number;
  /**
   * Folders to load @tensorflow/tfjs-node(-gpu) from before node_modules: an npm `--prefix`, a
   * node_modules folder or the package folder (the extension passes its setting
   * latentLens.nativeBackendPath and what "VAE: Install Native Backend…" installed).
   * Env: LATENT_LENS_NATIVE_BACKEND_PATH, folders separated by the path delimiter (`:`, `;` on Windows).
   */
  nativePaths: string[];
}

export const DEFAULT_BACKEND_OPTIONS: Readonly<BackendOptions> = {
  wasmThreads: true,
  lensKernels: true,
  nativeKernels: true,
  nativeThreads: 0,
  filterGradient: 'auto',
  inputGradient: 'phase',
  im2colChunk: 4096,
  nativePaths: [],
};

const isOff = (v: string) => v === 'off' || v === 'false' || v === 'no';

/**
 * The options the environment sets (only those it sets, and only valid values: an unknown
 * value leaves the default).
 */
export function backendOptionsFromEnv(env: NodeJS.ProcessEnv): Partial<BackendOptions> {
  const get = (name: string) => env[name]?.trim().toLowerCase() || undefined;
  const out: Partial<BackendOptions> = {};
  const threads = get('LATENT_LENS_WASM_THREADS');
  if (threads !== undefined) {
    const n = Number(threads);
    if (isOff(threads)) out.wasmThreads = false;
    else if (Number.isFinite(n)) out.wasmThreads = n;
  }
  const lens = get('LATENT_LENS_WASM_LENS_KERNELS');
  if (lens !== undefined && isOff(lens)) out.lensKernels = false;
  const nativeKernels = get('LATENT_LENS_NATIVE_KERNELS');
  if (nativeKernels !== undefined && isOff(nativeKernels)) out.nativeKernels = false;
  const nativeThreads = Math.floor(Number(get('LATENT_LENS_NATIVE_THREADS')));
  if (nativeThreads >= 1) out.nativeThreads = nativeThreads;
  const dw = get('LATENT_LENS_WASM_DW');
  if (dw === 'auto' || dw === 'conv' || dw === 'im2col') out.filterGradient = dw;
  const dx = get('LATENT_LENS_WASM_DX');
  if (dx === 'phase' || dx === 'col2im') out.inputGradient = dx;
  const chunk = Math.floor(Number(get('LATENT_LENS_WASM_KCHUNK')));
  if (chunk >= 1) out.im2colChunk = chunk;
  // Paths keep their case (not `get`); `path.delimiter` without importing node:path here.
  const native = env.LATENT_LENS_NATIVE_BACKEND_PATH?.split(process.platform === 'win32' ? ';' : ':').map((p) => p.trim()).filter(Boolean);
  if (native?.length) out.nativePaths = native;
  return out;
}

/**
 * Defaults, overridden by the environment, overridden by what the caller sets explicitly
 * (fields left undefined do not count).
 */
export function resolveBackendOptions(explicit: Partial<BackendOptions> = {}, env: NodeJS.ProcessEnv = process.env): BackendOptions {
  const set = Object.fromEntries(Object.entries(explicit).filter(([, v]) => v !== undefined)) as Partial<BackendOptions>;
  return { ...DEFAULT_BACKEND_OPTIONS, ...backendOptionsFromEnv(env), ...set };
}
