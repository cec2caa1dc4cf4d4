#!/usr/bin/env bash
# Builds @kard/nn's native CPU kernels (packages/nn/native: N-API addon over Debian's OpenBLAS).
# Idempotent: rebuilds only when a source file is newer than the built addon.
set -euo pipefail
cd "$(dirname "$0")/../../../packages/nn/native"

out=build/Release/kard_nn.node
if [ -f "$out" ] && [ -z "$(find src binding.gyp -newer "$out" -print -quit)" ]; then
  exit 0
fi
echo "[setup] nn-native: building $out"
# node-gyp ships inside npm (used from there, no download); Node's headers come from Debian's nodejs package (nodedir=/usr, no download).
nodedir=$(npm config get nodedir 2>/dev/null || true)
if [ -z "$nodedir" ] || [ "$nodedir" = "undefined" ]; then nodedir=/usr; fi
gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
if [ -f "$gyp" ]; then run_gyp=(node "$gyp"); else run_gyp=(npx --yes node-gyp); fi
"${run_gyp[@]}" rebuild --directory="$PWD" --nodedir="$nodedir" --loglevel=warn >build.log 2>&1 || {
  cat build.log >&2
  echo "[setup] nn-native: build failed (see above)" >&2
  exit 1
}
node -e "const m = require('./$out'); if (typeof m.gemm !== 'function') process.exit(1)"
echo "[setup] nn-native: ok"
