#!/usr/bin/env bash
# The demo, from a fresh clone: set-up, build, train a VAE on the embedded sample
# (samples/fashion-mnist-2k, 2,000 Fashion-MNIST images), then open the latent-space view:
# in VS Code when a `code` binary is on the PATH, otherwise as the standalone HTML report.
#   DEMO_EPOCHS=N   epochs to train (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build
run=.vae-runs/demo
rm -rf "$run"
node dist/cli.js train samples/fashion-mnist-2k --out "$run" --epochs "${DEMO_EPOCHS:-5}"
node dist/cli.js report "$run" --out "$run/report.html"
if command -v code >/dev/null 2>&1; then
  npm run package
  code --install-extension latent-lens.vsix --force
  code "$PWD"
  # The extension's URI handler shows the run (this also reaches a VS Code already running).
  code --open-url "vscode://latent-lens.latent-lens/open?run=$PWD/$run"
  echo "VS Code shows the run; or run \"VAE: Open Run…\" and pick $run"
else
  echo
  echo "The latent-space view of the demo run: file://$PWD/$run/report.html"
  if [ -n "${DISPLAY:-}" ] && command -v xdg-open >/dev/null 2>&1; then xdg-open "$run/report.html" || true; fi
fi
