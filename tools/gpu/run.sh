#!/bin/sh
# The GPU check, run from the folder tools/gpu/pack.mjs wrote (no Node, no network needed): unpacks Node and
# Dawn, puts Debian's Vulkan loader on LD_LIBRARY_PATH (the machine's own driver, e.g. NVIDIA's ICD, does the
# rest), runs tools/bench/student on webgpu for t5-small and t5-base shapes, then PyTorch fp32 (TF32 off) on the
# same GPU with the same shapes and batch, and prints our TFLOP/s, PyTorch's and the ratio.
#   sh run.sh              full run (about 6-8 minutes on an H200)
#   KARD_GPU_DRY_RUN=1 sh run.sh   tiny shapes on whatever adapter (SwiftShader here), to check the wiring
# Results go to $OUT (default ./out): bench-*.log, ours-*.json, torch-*.json, summary.md.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/out}
mkdir -p "$OUT"
WORK=${KARD_GPU_WORK:-${TMPDIR:-/tmp}/kard-gpu}
mkdir -p "$WORK/bin"
if [ ! -x "$WORK/bin/node" ]; then
  xz -dc "$HERE/bin/node.xz" > "$WORK/bin/node.tmp" && chmod +x "$WORK/bin/node.tmp" && mv "$WORK/bin/node.tmp" "$WORK/bin/node"
fi
rm -rf "$WORK/app" && cp -r "$HERE/app" "$WORK/app"
xz -dc "$HERE/app/node_modules/webgpu/dist/linux-x64/dawn.node.xz" > "$WORK/app/node_modules/webgpu/dist/linux-x64/dawn.node"
rm -f "$WORK/app/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
export LD_LIBRARY_PATH="$HERE/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
NODE="$WORK/bin/node"
echo "node $("$NODE" --version); vulkan drivers: ${VK_ICD_FILENAMES:-$(ls /etc/vulkan/icd.d /usr/share/vulkan/icd.d 2>/dev/null | tr '\n' ' ')}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

if [ "${KARD_GPU_DRY_RUN:-0}" = 1 ]; then
  MODELS="quick"; BENCH_ARGS="--quick --steps 1 --gen-tokens 4"; TORCH_ARGS="--batch 2 --seq 16 --steps 1 --gen-tokens 4"
else
  # Batch 32 x 128 source + 128 target tokens: enough work per step to fill a large GPU, small enough for 10 min.
  MODELS="small base"; BENCH_ARGS="--batch 32 --seq 128 --steps 3 --gen-tokens 32"
  TORCH_ARGS="--batch 32 --seq 128 --steps 3 --gen-tokens 32"
fi
for m in $MODELS; do
  if [ "$m" = quick ]; then margs=""; else margs="--model $m"; fi
  echo "== ours (webgpu): $m"
  # --backend webgpu even on a software adapter; the adapter is printed first.
  (cd "$WORK/app" && KARD_BACKEND=webgpu "$NODE" bench.mjs --backends webgpu $margs $BENCH_ARGS --json "$OUT/ours-$m.json") \
    2>&1 | tee "$OUT/bench-$m.log" || echo "ours $m failed"
  echo "== PyTorch: $m"
  if python3 -c 'import torch' 2>/dev/null; then
    python3 "$HERE/torch_bench.py" --model "$m" $TORCH_ARGS --json "$OUT/torch-$m.json" 2>&1 | tee "$OUT/torch-$m.log" \
      || echo "torch $m failed"
  else
    echo "no PyTorch here (python3 -c 'import torch' failed): baseline skipped"
  fi
done
"$NODE" "$HERE/compare.mjs" "$OUT" | tee "$OUT/summary.md"
