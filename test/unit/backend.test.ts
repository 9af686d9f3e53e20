// selectBackend (src/backend/ladder.ts). Run: node --import tsx --test test/unit/backend.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';
import { findNativePackage, selectBackend } from '../../src/backend/ladder';
import { DEFAULT_BACKEND_OPTIONS, backendOptionsFromEnv, resolveBackendOptions } from '../../src/backend/options';
import { loadNativeKernelsFile } from '../../src/backend/wasm/nativeLoader';
import { lensKernelsFor } from '../../src/backend/wasm/companion';
import { wasmBinaryDir } from '../../src/backend/wasm/setup';

function nativeInstalled(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

describe('selectBackend', () => {
  test('wasm binaries are found (node_modules when running from sources)', () => {
    const dir = wasmBinaryDir();
    assert.ok(fs.existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm')), dir);
  });

  test('auto falls through the absent native packages and returns the backend in use', async () => {
    const logs: string[] = [];
    const name = await selectBackend('auto', (m) => logs.push(m));
    // Native TensorFlow ('tensorflow' to tfjs) is recorded as the package that ran it.
    assert.equal(name, tf.getBackend() === 'tensorflow' ? name.match(/^tfjs-node(-gpu)?$/)?.[0] : tf.getBackend());
    if (!nativeInstalled('@tensorflow/tfjs-node') && !nativeInstalled('@tensorflow/tfjs-node-gpu')) {
      assert.equal(name, 'wasm');
      assert.match(logs.join('\n'), /skipped tfjs-node-gpu: .*tfjs-node: /);
    }
    // The training kernels are registered for wasm.
    assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
    // And it computes.
    assert.deepEqual(Array.from(tf.tidy(() => tf.add(tf.tensor([1, 2]), 1).dataSync())), [2, 3]);
  });

  test('a forced native backend that is absent throws a message naming it, the cause and the fix', async (t) => {
    if (nativeInstalled('@tensorflow/tfjs-node')) return t.skip('tfjs-node is installed here');
    await assert.rejects(selectBackend('tfjs-node'), (e: Error) => {
      assert.match(e.message, /Backend "tfjs-node" could not be loaded/);
      assert.match(e.message, /Cannot find module '@tensorflow\/tfjs-node'/);
      assert.match(e.message, /npm install @tensorflow\/tfjs-node/);
      return true;
    });
  });

  test('tfjs-node-gpu likewise', async (t) => {
    if (nativeInstalled('@tensorflow/tfjs-node-gpu')) return t.skip('tfjs-node-gpu is installed here');
    await assert.rejects(selectBackend('tfjs-node-gpu'), /Backend "tfjs-node-gpu" could not be loaded: .*To fix: /);
  });

  test('cpu and wasm can be forced, and switching back reuses the initialised wasm', async () => {
    assert.equal(await selectBackend('cpu'), 'cpu');
    assert.equal(await selectBackend('wasm'), 'wasm');
  });

  test('an unknown backend name is rejected', async () => {
    await assert.rejects(selectBackend('webgpu' as never), /Unknown backend "webgpu"/);
  });
});

describe('backend options (src/backend/options.ts)', () => {
  test('the environment switches are parsed; unset or unknown values leave the default', () => {
    assert.deepEqual(backendOptionsFromEnv({}), {});
    for (const off of ['off', 'OFF', ' false ', 'no']) assert.deepEqual(backendOptionsFromEnv({ LATENT_LENS_WASM_THREADS: off }), { wasmThreads: false }, off);
    assert.deepEqual(backendOptionsFromEnv({ LATENT_LENS_WASM_THREADS: '3' }), { wasmThreads: 3 });
    assert.deepEqual(backendOptionsFromEnv({ LATENT_LENS_WASM_THREADS: 'lots', LATENT_LENS_WASM_LENS_KERNELS: 'on' }), {});
    assert.deepEqual(backendOptionsFromEnv({ LATENT_LENS_WASM_LENS_KERNELS: 'off' }), { lensKernels: false });
    assert.deepEqual(backendOptionsFromEnv({ LATENT_LENS_WASM_DW: 'im2col', LATENT_LENS_WASM_DX: 'col2im', LATENT_LENS_WASM_KCHUNK: '512' }),
      { filterGradient: 'im2col', inputGradient: 'col2im', im2colChunk: 512 });
    assert.deepEqual(backendOptionsFromEnv({ LATENT_LENS_WASM_DW: 'fft', LATENT_LENS_WASM_DX: '', LATENT_LENS_WASM_KCHUNK: '0' }), {});
    assert.deepEqual(backendOptionsFromEnv({ LATENT_LENS_NATIVE_KERNELS: 'off', LATENT_LENS_NATIVE_THREADS: '3' }), { nativeKernels: false, nativeThreads: 3 });
    assert.deepEqual(backendOptionsFromEnv({ LATENT_LENS_NATIVE_KERNELS: 'on', LATENT_LENS_NATIVE_THREADS: 'many' }), {});
  });

  test('a missing or damaged native-kernels file is reported by name and leaves the wasm kernels', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'native-kernels-'));
    try {
      const missing = loadNativeKernelsFile(path.join(dir, 'lens_native.node'), 2);
      assert.equal(missing.binding, null);
      assert.match(missing.note, /not built .*npm run build:native.*using the wasm kernels/);
      const damaged = path.join(dir, 'lens_native.node');
      fs.writeFileSync(damaged, 'not an ELF file');
      const bad = loadNativeKernelsFile(damaged, 2);
      assert.equal(bad.binding, null);
      assert.ok(bad.note.includes(damaged) && bad.note.includes('did not load') && bad.note.endsWith('using the wasm kernels'), bad.note);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('explicit options override the environment, which overrides the defaults', () => {
    assert.deepEqual(resolveBackendOptions({}, {}), DEFAULT_BACKEND_OPTIONS);
    const env = { LATENT_LENS_WASM_THREADS: 'off', LATENT_LENS_WASM_LENS_KERNELS: 'off' };
    assert.deepEqual(resolveBackendOptions({ wasmThreads: undefined, lensKernels: true }, env),
      { ...DEFAULT_BACKEND_OPTIONS, wasmThreads: false, lensKernels: true });
  });

  test('no other module of src/backend reads the environment', () => {
    const dir = path.resolve(import.meta.dirname, '..', '..', 'src', 'backend');
    const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    const readers = files.filter((f) => /process\.env\b/.test(fs.readFileSync(path.join(dir, f), 'utf8')));
    assert.deepEqual(readers, ['options.ts']);
  });

  test('selectBackend hands the kernel switches to the wasm kernels', async () => {
    await selectBackend('wasm', undefined, { lensKernels: false });
    assert.equal(lensKernelsFor(tf.backend()), null, 'companion kernels off');
    await selectBackend('wasm', undefined, { lensKernels: true });
    assert.ok(lensKernelsFor(tf.backend()), 'companion kernels on again');
  });
});

describe('native TensorFlow from a folder (LATENT_LENS_NATIVE_BACKEND_PATH, "VAE: Install Native Backend…")', () => {
  /** A fake @tensorflow/tfjs-node whose loading fails with a known message. */
  function fakeNative(): string {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'll-fake-native-'));
    const pkg = path.join(prefix, 'node_modules', '@tensorflow', 'tfjs-node');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: '4.22.0', main: 'index.js' }));
    fs.writeFileSync(path.join(pkg, 'index.js'), "throw new Error('fake tfjs-node loaded from the native path');\n");
    return prefix;
  }

  test('the paths come from the environment, split at the path delimiter', () => {
    const sep = process.platform === 'win32' ? ';' : ':';
    assert.deepEqual(backendOptionsFromEnv({ LATENT_LENS_NATIVE_BACKEND_PATH: `/a/B${sep}${sep} /c ` }), { nativePaths: ['/a/B', '/c'] });
    assert.deepEqual(backendOptionsFromEnv({ LATENT_LENS_NATIVE_BACKEND_PATH: '' }), {});
    assert.deepEqual(DEFAULT_BACKEND_OPTIONS.nativePaths, []);
  });

  test('the package is found in an npm prefix, a node_modules folder or its own folder', () => {
    const prefix = fakeNative();
    const pkg = path.join(prefix, 'node_modules', '@tensorflow', 'tfjs-node');
    assert.equal(findNativePackage('@tensorflow/tfjs-node', [prefix]), pkg);
    assert.equal(findNativePackage('@tensorflow/tfjs-node', [path.join(prefix, 'node_modules')]), pkg);
    assert.equal(findNativePackage('@tensorflow/tfjs-node', ['/nonexistent', pkg]), pkg);
    assert.equal(findNativePackage('@tensorflow/tfjs-node-gpu', [prefix]), undefined);
    fs.rmSync(prefix, { recursive: true, force: true });
  });

  test('a forced native backend is loaded from the folder; auto falls through it to wasm', async () => {
    const prefix = fakeNative();
    const logs: string[] = [];
    await assert.rejects(selectBackend('tfjs-node', (m) => logs.push(m), { nativePaths: [prefix] }),
      /Backend "tfjs-node" could not be loaded: fake tfjs-node loaded from the native path\. To fix: install it \("VAE: Install Native Backend…"/);
    assert.match(logs.join('\n'), /loading @tensorflow\/tfjs-node from .*ll-fake-native-/);
    const name = await selectBackend('auto', (m) => logs.push(m), { nativePaths: [prefix] });
    if (!nativeInstalled('@tensorflow/tfjs-node-gpu')) {
      assert.equal(name, 'wasm');
      assert.match(logs.join('\n'), /skipped .*tfjs-node: fake tfjs-node loaded from the native path/);
    }
    fs.rmSync(prefix, { recursive: true, force: true });
  });
});
