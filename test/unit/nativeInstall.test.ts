// "VAE: Install Native Backend…" where libtensorflow cannot be downloaded (these machines): a
// real `npm install @tensorflow/tfjs-node@<bundled tfjs>` into a temporary global storage fails
// in its install script; the error says why and what to do, nothing is left behind, and a
// trainer pointed at the (absent) install trains on wasm. Also: cancelling kills npm's process
// tree, and the ladder loads a native package from LATENT_LENS_NATIVE_BACKEND_PATH.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  NativeInstallError, TFJS_VERSION, explainFailure, installNative, nativeBackendPaths, nativeInstallDir,
} from '../../src/extension/commands/nativeInstall';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'dist', 'cli.js');
const sample = path.join(root, 'samples', 'fashion-mnist-2k');
const hasNpm = spawnSync('npm', ['--version'], { stdio: 'ignore' }).status === 0;

test('the native package to install is the bundled TensorFlow.js version', () => {
  assert.equal(TFJS_VERSION, tf.version.tfjs);
});

test('a real npm install of tfjs-node fails at the libtensorflow download: a clear message, nothing left, training goes on with wasm', { skip: hasNpm ? undefined : 'npm is not on the PATH', timeout: 300_000 }, async () => {
  const storage = await fs.mkdtemp(path.join(os.tmpdir(), 'll-native-'));
  // A temporary folder of an install that was killed earlier: cleaned up by the next install.
  await fs.mkdir(path.join(storage, '.native-install-cpu-dead'));
  const lines: string[] = [];
  let error: unknown;
  try {
    await installNative({ globalStorage: storage, variant: 'cpu', log: (l) => lines.push(l) });
  } catch (e) {
    error = e;
  }
  const log = lines.join('\n');
  if (!error) {
    // A machine that can download libtensorflow: then the install is complete and in place.
    assert.ok(existsSync(path.join(nativeInstallDir(storage, 'cpu'), 'node_modules', '@tensorflow', 'tfjs-node', 'package.json')));
    await fs.rm(storage, { recursive: true, force: true });
    return;
  }
  assert.ok(error instanceof NativeInstallError, String(error));
  const message = (error as Error).message;
  assert.match(log, new RegExp(`npm install --prefix .* @tensorflow/tfjs-node@${TFJS_VERSION.replace(/\./g, '\\.')}`));
  if (/storage\.googleapis\.com/.test(log)) {
    assert.match(message, /^The download of libtensorflow failed: @tensorflow\/tfjs-node's install script fetches it from storage\.googleapis\.com \(not the npm registry\)/);
    assert.match(message, /which this machine cannot reach\. Nothing was installed; training goes on with the wasm backend\./);
    assert.match(message, /set latentLens\.nativeBackendPath/);
  } else {
    assert.match(message, /npm could not reach the package registry|npm install @tensorflow\/tfjs-node@.* failed/);
  }
  // Nothing half-installed: no native-cpu, no temporary folder (not even the stale one).
  assert.deepEqual(await fs.readdir(storage), []);
  assert.deepEqual(nativeBackendPaths(storage, ''), []);

  // The trainer, told to look in the (absent) install, trains on wasm.
  assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
  const out = path.join(storage, 'run');
  const env = { ...process.env, LATENT_LENS_NATIVE_BACKEND_PATH: nativeInstallDir(storage, 'cpu') };
  const r = await new Promise<{ code: number | null; text: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, 'train', sample, '--out', out, '--epochs', '1', '--max-images', '96', '--image-size', '16', '--batch-size', '32', '--latent-dim', '2'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('exit', (code) => resolve({ code, text }));
  });
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /backend: wasm \(auto; skipped tfjs-node-gpu: .*tfjs-node: /);
  const status = JSON.parse(await fs.readFile(path.join(out, 'status.json'), 'utf8'));
  assert.equal(status.status, 'completed');
  assert.match(status.backend, process.platform === 'linux' ? /^wasm \+ native kernels$/ : /^wasm/, 'the run records the backend that ran');
  await fs.rm(storage, { recursive: true, force: true });
});

test('cancelling kills npm and its children and leaves nothing', { skip: process.platform !== 'linux' ? 'POSIX process groups and /proc' : undefined }, async () => {
  const storage = await fs.mkdtemp(path.join(os.tmpdir(), 'll-native-cancel-'));
  const bin = path.join(storage, 'bin');
  await fs.mkdir(bin);
  const pidFile = path.join(storage, 'child.pid');
  // A fake npm whose "install script" (a child process) runs until it is killed.
  await fs.writeFile(path.join(bin, 'npm'), `#!/bin/sh\nsleep 60 &\necho $! > ${JSON.stringify(pidFile)}\necho "* Downloading libtensorflow"\nwait\n`, { mode: 0o755 });
  const abort = new AbortController();
  const lines: string[] = [];
  const done = installNative({ globalStorage: storage, variant: 'gpu', npm: path.join(bin, 'npm'), signal: abort.signal, log: (l) => { lines.push(l); if (/Downloading/.test(l)) abort.abort(); } });
  await assert.rejects(done, (e: NativeInstallError) => e.cancelled && /cancelled; nothing was installed/.test(e.message));
  const childPid = Number(await fs.readFile(pidFile, 'utf8'));
  // Gone, or a zombie (killed; a container's pid 1 may never reap it).
  const running = async () => (await fs.readFile(`/proc/${childPid}/stat`, 'utf8').catch(() => '')).replace(/^.*\) /, '').match(/^[^ZX]/) !== null;
  let alive = true;
  for (let i = 0; i < 50 && alive; i++) {
    alive = await running();
    if (alive) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(alive, false, 'the install script (npm\'s child) was killed too');
  assert.deepEqual((await fs.readdir(storage)).sort(), ['bin', 'child.pid']);
  await fs.rm(storage, { recursive: true, force: true });
});

test('failure messages: registry unreachable, generic', () => {
  assert.match(explainFailure('@tensorflow/tfjs-node', '4.22.0', 1, 'npm error code ENOTFOUND\nnpm error network request to https://registry.npmjs.org/x failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org'), /^npm could not reach the package registry/);
  assert.match(explainFailure('@tensorflow/tfjs-node', '4.22.0', 1, 'npm error code E500\nnpm error oops'), /^npm install @tensorflow\/tfjs-node@4\.22\.0 failed \(exit 1\): npm error code E500 npm error oops\. Nothing was installed/);
});

test('nativeBackendPaths: the setting first, then the installed variants that exist', async () => {
  const storage = await fs.mkdtemp(path.join(os.tmpdir(), 'll-native-paths-'));
  await fs.mkdir(nativeInstallDir(storage, 'cpu'));
  assert.deepEqual(nativeBackendPaths(storage, ' /opt/tf '), ['/opt/tf', nativeInstallDir(storage, 'cpu')]);
  assert.deepEqual(nativeBackendPaths(undefined, ''), []);
  await fs.rm(storage, { recursive: true, force: true });
});
