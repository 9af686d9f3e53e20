#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set-up (system packages, npm ci), build, type-check,
# lint, unit and browser tests (node:test), then the integration tests inside a real VS Code
# server (when test/integration exists). The last line is the total: "all: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "setup failed"; exit 1; }
npm run build || { echo "build failed"; exit 1; }
npm run typecheck || { echo "type-check failed"; exit 1; }
npm run lint || { echo "lint failed"; exit 1; }

log=$(mktemp)
# Every test run starts with an empty pixel cache of its own (src/trainer/pixelCache.ts), never the user's.
export LATENT_LENS_CACHE_DIR="${LATENT_LENS_CACHE_DIR:-$(mktemp -d)}"
passed=0; failed=0
# Unit tests, browser tests (which train a real run on the sample), then the Slurm sweep test
# (a one-node cluster on this machine: scripts/slurm-cluster.sh; it skips, saying why, where it
# cannot run). One file at a time: the machine has 2 cores and the training tests want both.
node --import tsx --test --test-concurrency=1 test/unit/*.test.ts $(ls test/browser/*.test.ts test/slurm/*.test.ts 2>/dev/null) 2>&1 | tee "$log"
passed=$((passed + $(grep -E '^# pass [0-9]+' "$log" | tail -1 | awk '{print $3}')))
failed=$((failed + $(grep -E '^# fail [0-9]+' "$log" | tail -1 | awk '{print $3}')))

if [ -f scripts/test-vscode.mjs ] && [ "${LATENT_LENS_SKIP_VSCODE:-0}" != 1 ]; then
  node scripts/test-vscode.mjs 2>&1 | tee "$log"
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -n "$line" ]; then
    passed=$((passed + $(echo "$line" | awk '{print $1}')))
    failed=$((failed + $(echo "$line" | awk '{print $3}')))
  else
    echo "the VS Code integration suite did not report its results"; failed=$((failed + 1))
  fi
fi
rm -f "$log"
echo "all: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
