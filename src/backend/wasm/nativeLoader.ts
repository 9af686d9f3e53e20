// Finds and loads the native kernels (native/lens_native.c, built by scripts/build-native.mjs
// into dist/native/lens_native.node, next to the shared libraries it links) for the wasm backend in Node, and starts their thread pool.
// Optional by design: where the addon was not built (no C compiler or libxnnpack-dev, another
// OS or CPU) or does not load, training runs on the wasm kernels alone, and the log says why.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeRequire } from '../nodeRequire';
import { setNativeBinding, type NativeBinding } from './nativeKernels';

export const NATIVE_KERNELS_FILE = 'lens_native.node';

/** Where the addon may be: next to the running bundle (dist/), else the repository's dist/ (TS sources under tsx). */
export function nativeKernelCandidates(): string[] {
  const dirs: string[] = [];
  if (typeof __dirname !== 'undefined') dirs.push(path.join(__dirname, 'native'), path.resolve(__dirname, '../../../dist/native'));
  dirs.push(path.join(process.cwd(), 'dist', 'native'));
  return [...new Set(dirs)].map((d) => path.join(d, NATIVE_KERNELS_FILE));
}

export interface NativeLoadResult { binding: NativeBinding | null; note: string }

/**
 * Loads the addon `file` with a pool of `threads` (without installing it for the kernels): the
 * binding, or null with the reason in `note` (a missing, damaged or foreign file is not an error:
 * training goes on with the wasm kernels).
 */
export function loadNativeKernelsFile(file: string, threads: number): NativeLoadResult {
  if (!fs.existsSync(file)) {
    return { binding: null, note: `native kernels: not built (${NATIVE_KERNELS_FILE} is in none of ${nativeKernelCandidates().join(', ')}; \`npm run build:native\` needs a C compiler and libxnnpack-dev); using the wasm kernels` };
  }
  try {
    const binding = nodeRequire()(file) as NativeBinding;
    const pool = binding.init(Math.max(1, Math.floor(threads)));
    return { binding, note: `native kernels: XNNPACK on ${pool} thread${pool > 1 ? 's' : ''} from ${file}` };
  } catch (e) {
    return { binding: null, note: `native kernels: ${file} did not load (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); using the wasm kernels` };
  }
}

let attempted: NativeLoadResult | null = null;

/**
 * Loads the addon once per process with a pool of `threads`, installs it for the kernels
 * (nativeKernels.ts) and returns a line for the log; null binding when absent or broken.
 */
export function loadNativeKernels(threads: number): NativeLoadResult {
  if (attempted) return attempted;
  const file = nativeKernelCandidates().find((f) => fs.existsSync(f)) ?? nativeKernelCandidates()[0];
  attempted = loadNativeKernelsFile(file, threads);
  setNativeBinding(attempted.binding);
  return attempted;
}
