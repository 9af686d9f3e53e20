// Builds Latent Lens' native kernels (native/lens_native.c) into dist/lens_native.node: a Node-API
// addon (ABI-stable across Node and Electron versions) linked against the system's XNNPACK and
// pthreadpool (Debian: libxnnpack-dev, libpthreadpool-dev; scripts/setup.sh installs them).
//
// Optional by design: where there is no C compiler, no Node headers or no XNNPACK, this prints
// why and exits 0 — training then runs on the wasm kernels alone (src/backend/wasm/nativeLoader.ts
// logs which). `--require` makes a missing prerequisite an error (CI uses the native path).
// Usage: node scripts/build-native.mjs [--require]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

const required = process.argv.includes('--require');
const out = path.join('dist', 'lens_native.node');
const src = path.join('native', 'lens_native.c');

function skip(why) {
  const msg = `build-native: ${why}; the native kernels are not built (training uses the wasm kernels)`;
  if (required) { console.error(msg); process.exit(1); }
  console.log(msg);
  process.exit(0);
}

if (process.platform !== 'linux') skip(`${process.platform} is not supported yet (Linux only)`);
const includeDirs = [path.resolve(path.dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
const nodeInclude = includeDirs.find((d) => existsSync(path.join(d, 'node_api.h')));
if (!nodeInclude) skip(`no Node-API headers (node_api.h) in ${includeDirs.join(', ')}`);
if (!['/usr/include/xnnpack.h', '/usr/local/include/xnnpack.h'].some(existsSync)) skip('no xnnpack.h (install libxnnpack-dev and libpthreadpool-dev)');
const cc = process.env.CC || 'cc';
try { execFileSync(cc, ['--version'], { stdio: 'ignore' }); } catch { skip(`no C compiler (${cc})`); }

mkdirSync('dist', { recursive: true });
const tmp = `${out}.tmp-${process.pid}`;
try {
  execFileSync(cc, ['-O2', '-fPIC', '-shared', '-Wall', '-Werror', `-I${nodeInclude}`, '-DNODE_GYP_MODULE_NAME=lens_native',
    src, '-o', tmp, '-lXNNPACK', '-lpthreadpool', '-lm'], { stdio: 'inherit' });
  renameSync(tmp, out); // never leave a half-written addon where the loader looks
} catch (e) {
  rmSync(tmp, { force: true });
  skip(`${cc} failed (${e instanceof Error ? e.message.split('\n')[0] : e})`);
}
console.log(`build-native: ${out}`);
