// Loads Latent Lens' companion wasm kernels (src/backend/wasm/kernels/lens_kernels.c) onto the
// linear memory of the running tfjs wasm backend, so that they operate on tensors in place
// by heap offset. Why: tfjs's wasm data-movement kernels are generic per-element loops, and JS
// loops on the heap cannot use SIMD; the companion kernels do the transposes, interleaves,
// one-channel dW, ReLU gradient and Adam update of training in SIMD128 (about 25 % of a step,
// docs/performance.md, item 7). See lens_kernels.c for what each computes. Switched off by
// BackendOptions.lensKernels (kernelSettings.ts); the kernels then take their JS/XNNPACK paths.
import * as tf from '@tensorflow/tfjs';
import { LENS_KERNELS_PLAIN, LENS_KERNELS_SHARED } from './kernels/lensKernelsBinary';
import { wasmKernelSettings } from './kernelSettings';

/** Pointers are byte offsets into tfjs's heap; sizes are element counts. */
export interface LensKernels {
  pad_single_channel(x: number, xp: number, B: number, H: number, W: number, Hp: number, Wp: number, pt: number, pl: number): void;
  pad_channel(x: number, xp: number, B: number, H: number, W: number, C: number, c: number, Hp: number, Wp: number, pt: number, pl: number): void;
  dw_single_channel_3x3(xp: number, dy: number, dw: number, B: number, Hp: number, Wp: number, OH: number, OW: number, Co: number, sH: number, sW: number): void;
  transpose_apc_to_cpa(src: number, dst: number, A: number, P: number, C: number): void;
  copy_runs(src: number, dst: number, n0: number, n1: number, n2: number, len: number,
    s0: number, s1: number, s2: number, d0: number, d1: number, d2: number): void;
  adam_update(p: number, m: number, v: number, g: number, po: number, mo: number, vo: number, n: number,
    negLr: number, b1: number, oneMinusB1: number, b2: number, oneMinusB2: number, eps: number, c1: number, c2: number): void;
  relu_grad(dy: number, x: number, dx: number, n: number): void;
  im2col_t(x: number, colsT: number, m0: number, len: number, H: number, W: number, Ci: number, OH: number, OW: number,
    KH: number, KW: number, sH: number, sW: number, pt: number, pl: number): void;
  conv_to_one_channel(dy: number, wf: number, dx: number, B: number, OH: number, OW: number, Co: number,
    H: number, W: number, KH: number, KW: number, pt: number, pl: number): void;
}

interface EmscriptenModule { wasmMemory?: WebAssembly.Memory; asm?: Record<string, unknown> }

/** Base64 → bytes with `atob`, which Node and the webview both have (this file also runs in the page: inferenceKernels.ts). */
function base64Bytes(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(s.length));
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const cache = new WeakMap<WebAssembly.Memory, LensKernels | null>();

function memoryOf(mod: EmscriptenModule): WebAssembly.Memory | null {
  if (mod.wasmMemory instanceof WebAssembly.Memory) return mod.wasmMemory; // threaded build
  const exported = Object.values(mod.asm ?? {}).find((v) => v instanceof WebAssembly.Memory);
  return (exported as WebAssembly.Memory | undefined) ?? null; // single-threaded builds export it
}

/**
 * The kernels bound to the memory of `backend` (a tfjs wasm backend), or null when they are
 * switched off (BackendOptions.lensKernels) or cannot be instantiated there (then callers use their JS/XNNPACK paths).
 */
export function lensKernelsFor(backend: tf.KernelBackend): LensKernels | null {
  if (!wasmKernelSettings().lensKernels) return null;
  const mod = (backend as unknown as { wasm?: EmscriptenModule }).wasm;
  const memory = mod ? memoryOf(mod) : null;
  if (!memory) return null;
  const hit = cache.get(memory);
  if (hit !== undefined) return hit;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  let kernels: LensKernels | null = null;
  try {
    const bytes = base64Bytes(shared ? LENS_KERNELS_SHARED : LENS_KERNELS_PLAIN);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    kernels = instance.exports as unknown as LensKernels;
  } catch (e) {
    // Training still works without them (JS/XNNPACK paths), only slower: say so once.
    console.warn(`Latent Lens: the companion wasm kernels could not be loaded (${e instanceof Error ? e.message : String(e)}); training on wasm continues without them, about 25 % slower.`);
  }
  cache.set(memory, kernels);
  return kernels;
}
