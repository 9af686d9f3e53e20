/** Picks the TensorFlow.js backend (see src/backend/ladder.ts) and makes it able to train. */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../protocol/trainerIpc';
import { selectBackend } from './ladder';
import { registerWasmTrainingKernels } from './wasm/register';

export async function initBackend(requested: BackendName, log: (m: string) => void): Promise<string> {
  registerWasmTrainingKernels();
  const name = await selectBackend(requested, log);
  log(`TensorFlow.js ${tf.version.tfjs} on the ${name} backend`);
  return name;
}
