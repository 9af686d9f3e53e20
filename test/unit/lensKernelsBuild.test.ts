// The companion wasm kernels are committed as a generated file (lensKernelsBinary.ts) so that
// building needs no C toolchain; this checks that it was regenerated after lens_kernels.c
// changed, and that the build's safety checks (no data, no stack, no globals) still pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const haveClang = ['clang', 'wasm-ld', 'llvm-objdump'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);

test('lensKernelsBinary.ts is what scripts/build-kernels.mjs builds from lens_kernels.c', { skip: haveClang ? false : 'clang, lld or llvm-objdump missing (scripts/setup.sh installs them)' }, () => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-kernels.mjs'), '--check'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /matches/);
});
