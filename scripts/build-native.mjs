// Builds Latent Lens' native kernels (native/lens_native.c) into dist/native/lens_native.node: a
// Node-API addon (ABI-stable across Node and Electron versions) linked against the system's
// XNNPACK and pthreadpool (Debian: libxnnpack-dev, libpthreadpool-dev; scripts/setup.sh installs
// them). The shared libraries it needs (XNNPACK, pthreadpool, cpuinfo: ≈ 1.1 MB, BSD licences,
// whose copyright files are copied along) are copied next to it and found there through an
// $ORIGIN run path (DT_RPATH, which also serves the libraries' own dependencies), so the .vsix (which carries dist/native/) needs no system package.
//
// Optional by design: where there is no C compiler, no Node headers or no XNNPACK, this prints
// why and exits 0 — training then runs on the wasm kernels alone (src/backend/wasm/nativeLoader.ts
// logs which). `--require` makes a missing prerequisite an error (CI uses the native path).
// Usage: node scripts/build-native.mjs [--require]
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

const required = process.argv.includes('--require');
const outDir = path.join('dist', 'native');
const out = path.join(outDir, 'lens_native.node');
const src = path.join('native', 'lens_native.c');

function skip(why) {
  // An addon of an earlier build must not outlive a source it no longer matches.
  rmSync(outDir, { recursive: true, force: true });
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
const compilers = process.env.CC ? [process.env.CC] : ['cc', 'gcc', 'clang'];
const cc = compilers.find((c) => { try { execFileSync(c, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } });
if (!cc) skip(`no C compiler (tried ${compilers.join(', ')}; set CC)`);

mkdirSync(outDir, { recursive: true });
const tmp = `${out}.tmp-${process.pid}`;
try {
  execFileSync(cc, ['-O2', '-fPIC', '-shared', '-Wall', '-Werror', `-I${nodeInclude}`, '-DNODE_GYP_MODULE_NAME=lens_native',
    src, '-o', tmp, '-Wl,-rpath,$ORIGIN', '-Wl,--disable-new-dtags', '-lXNNPACK', '-lpthreadpool', '-lm'], { stdio: 'inherit' });
} catch (e) {
  rmSync(tmp, { force: true });
  skip(`${cc} failed (${e instanceof Error ? e.message.split('\n')[0] : e})`);
}

// The shared libraries the addon links (as ldd resolves them), copied next to it with their
// Debian copyright files; C library parts (libc, libm, libpthread, the loader) stay the system's.
const SYSTEM = /^(linux-vdso|libc|libm|libpthread|libdl|librt|ld-linux|libgcc_s|libstdc\+\+)[.-]/;
const ldd = execFileSync('ldd', [tmp], { encoding: 'utf8' });
for (const line of ldd.split('\n')) {
  const m = /^\s*(\S+) => (\/\S+)/.exec(line);
  if (!m || SYSTEM.test(m[1])) continue;
  copyFileSync(m[2], path.join(outDir, m[1]));
  const pkg = /^lib([a-z]+)/i.exec(m[1])?.[1].toLowerCase();
  const doc = readdirCopyright(pkg);
  if (doc) copyFileSync(doc, path.join(outDir, `${m[1]}.copyright`));
}
renameSync(tmp, out); // last: never leave a half-built addon where the loader looks
console.log(`build-native: ${out}`);

/** /usr/share/doc/<package>/copyright of the Debian package that ships lib<name>, if found. */
function readdirCopyright(name) {
  if (!name) return undefined;
  for (const pkg of [`lib${name}0`, `lib${name}-dev`, `lib${name}`]) {
    const f = `/usr/share/doc/${pkg}/copyright`;
    if (existsSync(f) && readFileSync(f, 'utf8').length > 0) return f;
  }
  return undefined;
}
