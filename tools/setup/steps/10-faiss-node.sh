#!/usr/bin/env bash
# Builds faiss-node's native addon against Debian's libfaiss-dev (faiss 1.7.3, static, OpenBLAS).
# faiss-node's own install script downloads a prebuilt binary or clones faiss from GitHub; both fail
# offline, so npm runs with install scripts off and this step builds it instead: the package sources
# are copied to a temp dir, the committed patches in tools/setup/patches/faiss-node/ applied there
# (node_modules stays pristine, so the step can run any number of times), and the addon compiled with
# plain cmake against the headers of the running Node (N-API, so no node.lib is linked).
# Skipped when node_modules/faiss-node/build/Release/faiss-node.node already loads.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$PWD
pkg=node_modules/faiss-node
out=$pkg/build/Release/faiss-node.node
patches=$root/tools/setup/patches/faiss-node

if [ ! -d "$pkg" ]; then
  echo "[faiss-node] not installed (optional peer dependency of @kard/retriever): skipped"
  exit 0
fi
if node -e "require('./$pkg')" >/dev/null 2>&1; then
  exit 0
fi

node_inc=$(node -p "require('path').resolve(process.execPath, '../../include/node')")
if [ ! -f "$node_inc/node_api.h" ]; then
  node_inc="${HOME:-/root}/.cache/node-gyp/$(node -p 'process.versions.node')/include/node"
fi
if [ ! -f "$node_inc/node_api.h" ]; then
  echo "[faiss-node] Node headers (node_api.h) not found next to $(command -v node) nor in the node-gyp cache;" >&2
  echo "             install Node from an official build, or run 'npx node-gyp install' once." >&2
  exit 1
fi
addon_api=$(cd "$pkg" && node -p "require('path').dirname(require.resolve('node-addon-api'))")

echo "[faiss-node] building against the system faiss (patches: $(ls "$patches" | tr '\n' ' '))"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$pkg/CMakeLists.txt" "$pkg/src" "$work/"
for p in "$patches"/*.patch; do
  # Outside any repository `git apply` works like `patch -p1`, and git is there wherever the repo was cloned.
  (cd "$work" && git apply --whitespace=nowarn "$p")
done
cmake -S "$work" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_JS_INC="$node_inc" -DNODE_ADDON_API_DIR="$addon_api" >"$work/cmake.log" 2>&1 \
  || { cat "$work/cmake.log" >&2; exit 1; }
cmake --build "$work/build" -j "$(nproc)" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }

# Copy then rename, so a half-written addon never sits at the path `bindings` loads.
mkdir -p "$(dirname "$out")"
cp "$work/build/faiss-node.node" "$out.tmp.$$"
mv "$out.tmp.$$" "$out"
node -e "
  const f = require('./$pkg');
  const ix = new f.IndexFlatIP(2); ix.add([1, 0, 0, 1]);
  const r = ix.search([0.2, 0.9], 1);
  if (r.labels[0] !== 1) throw new Error('faiss-node self-check failed: ' + JSON.stringify(r));
"
echo "[faiss-node] built $out"
