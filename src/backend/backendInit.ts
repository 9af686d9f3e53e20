/**
 * What the trainer calls to get a backend able to train: picks the TensorFlow.js backend
 * (ladder.ts) with the switches of options.ts, and registers the wasm training kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../protocol/trainerIpc';
import { selectBackend } from './ladder';
import type { BackendOptions } from './options';
import { nativeKernels } from './wasm/nativeKernels';
import { registerWasmTrainingKernels } from './wasm/register';

export async function initBackend(requested: BackendName, log: (m: string) => void, options: Partial<BackendOptions> = {}): Promise<string> {
  registerWasmTrainingKernels();
  const name = await selectBackend(requested, log, options);
  log(`TensorFlow.js ${tf.version.tfjs} on the ${name} backend`);
  return name;
}

/**
 * The backend as a run shows it (status.json, the status bar, the panel's header): the name, and
 * for wasm whether the native kernels ran its convolutions ("wasm + native kernels"), the
 * difference between 0.6× and 1.3× PyTorch's speed (docs/performance.md).
 */
export function backendLabel(name: string): string {
  return name === 'wasm' && nativeKernels() !== null ? 'wasm + native kernels' : name;
}
