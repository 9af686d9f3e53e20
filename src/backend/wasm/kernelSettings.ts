// The switches the wasm training kernels follow: the kernel part of BackendOptions
// (../options.ts), handed over by wasm/setup.ts each time the wasm backend is selected. The
// kernels read them here at call time; nothing here reads the environment.
import { DEFAULT_BACKEND_OPTIONS, type BackendOptions } from '../options';

export type WasmKernelSettings = Pick<BackendOptions, 'lensKernels' | 'filterGradient' | 'inputGradient' | 'im2colChunk'>;

function pick(o: WasmKernelSettings): WasmKernelSettings {
  return { lensKernels: o.lensKernels, filterGradient: o.filterGradient, inputGradient: o.inputGradient, im2colChunk: o.im2colChunk };
}

let current: WasmKernelSettings = pick(DEFAULT_BACKEND_OPTIONS);

export function wasmKernelSettings(): Readonly<WasmKernelSettings> {
  return current;
}

/** Sets the given switches (the others keep their value); tests use it for A/B paths. */
export function configureWasmKernels(settings: Partial<WasmKernelSettings>): void {
  current = pick({ ...current, ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) });
}
