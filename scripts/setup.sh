#!/usr/bin/env bash
# Installs what Latent Lens needs on a fresh Debian machine with Node 20: the system packages
# (Chromium for browser tests, Fashion-MNIST for tests and benchmarks, Kerberos headers for the
# VS Code server's native module, clang for the wasm-kernel check, XNNPACK for the native kernels, Slurm and munge for the sweep test's
# one-node cluster) and the npm dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
# clang + lld + llvm-objdump: the test suite rebuilds src/backend/wasm/kernels/lens_kernels.c and checks
# that the committed binary (lensKernelsBinary.ts) matches it. Building the extension does not need them.
command -v clang >/dev/null 2>&1 && command -v wasm-ld >/dev/null 2>&1 && command -v llvm-objdump >/dev/null 2>&1 || need+=(clang lld llvm)
# libxnnpack-dev + libpthreadpool-dev: the native kernels (native/lens_native.c, built by `npm run build`
# into dist/native/; without them training runs on the wasm kernels alone, slower).
dpkg -s libxnnpack-dev >/dev/null 2>&1 && dpkg -s libpthreadpool-dev >/dev/null 2>&1 || need+=(libxnnpack-dev libpthreadpool-dev)
# slurm-wlm + munge: test/slurm/sweep.test.ts starts a one-node cluster (scripts/slurm-cluster.sh).
command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v sbatch >/dev/null 2>&1 || need+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || need+=(munge)
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup: installing system packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
