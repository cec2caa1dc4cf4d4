#!/bin/sh
# The GPU check, run from the folder tools/gpu/pack.mjs wrote (no Node, no network needed): unpacks Node and
# Dawn, gives our Node Debian's Vulkan loader (the machine's own driver, e.g. NVIDIA's ICD, does the rest), runs
# tools/bench/student on webgpu for t5-base and t5-small shapes, then PyTorch fp32 (TF32 off) on the same GPU with
# the same shapes and batch, and prints our TFLOP/s, PyTorch's and the ratio. Each part has a time limit, so one
# slow or stuck part cannot eat the others' time; the whole fits one 10-minute run (see README.md).
#   sh run.sh                      full run
#   KARD_GPU_DRY_RUN=1 sh run.sh   tiny shapes on whatever adapter (SwiftShader here), to check the wiring
# Results go to $OUT (default ./out): bench-*.log, ours-*.json, torch-*.json, summary.md.
set -eu
START=$(date +%s)
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/out}
mkdir -p "$OUT"
WORK=${KARD_GPU_WORK:-${TMPDIR:-/tmp}/kard-gpu}
mkdir -p "$WORK/bin"
log() { echo "[gpu-check $(($(date +%s) - START))s] $*"; }

# xz, or Python's lzma where the machine has no xz.
unxz_to() {
  if command -v xz >/dev/null; then
    xz -dc "$1" >"$2"
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  fi
}
# Runs "$@" for at most $1 seconds when coreutils' timeout is there.
limit() {
  s=$1
  shift
  if command -v timeout >/dev/null; then timeout -k 10 "$s" "$@"; else "$@"; fi
}

if [ ! -x "$WORK/bin/node" ]; then
  unxz_to "$HERE/bin/node.xz" "$WORK/bin/node.tmp" && chmod +x "$WORK/bin/node.tmp" && mv "$WORK/bin/node.tmp" "$WORK/bin/node"
fi
rm -rf "$WORK/app" && cp -r "$HERE/app" "$WORK/app"
DAWN="$WORK/app/node_modules/webgpu/dist/linux-x64/dawn.node"
unxz_to "$DAWN.xz" "$DAWN" && rm -f "$DAWN.xz"
NODE="$WORK/bin/node"
log "unpacked: node $("$NODE" --version), $(ldd --version 2>&1 | head -1) (Dawn needs glibc >= 2.34, libstdc++ GLIBCXX_3.4.30)"

# The Vulkan driver: the machine's ICD files; where a container has NVIDIA's Vulkan library (libGLX_nvidia.so.0)
# but not its ICD file, one is written for it.
ICDS=$(ls /etc/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json 2>/dev/null || true)
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -z "$ICDS" ]; then
  GLX=$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia\.so\.0/ {print $NF; exit}')
  if [ -n "$GLX" ]; then
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3"}}\n' "$GLX" >"$WORK/nvidia_icd.json"
    export VK_ICD_FILENAMES="$WORK/nvidia_icd.json"
    log "no Vulkan ICD file; wrote $VK_ICD_FILENAMES for $GLX"
  else
    log "no Vulkan ICD file and no libGLX_nvidia.so.0: no GPU for webgpu (NVIDIA containers need the 'graphics' driver capability)"
  fi
fi
log "vulkan drivers: ${VK_ICD_FILENAMES:-$ICDS}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

if [ "${KARD_GPU_DRY_RUN:-0}" = 1 ]; then
  MODELS="quick"; BENCH_ARGS="--quick --steps 1 --gen-tokens 4"; TORCH_ARGS="--batch 2 --seq 16 --steps 1 --gen-tokens 4"
  OURS_S=600; TORCH_S=300
else
  # Batch 32 x 128 source + 128 target tokens: enough work per step to fill a large GPU, small enough for 10 min.
  # t5-base first: it is the target (>= 10% of PyTorch fp32).
  MODELS="base small"; BENCH_ARGS="--batch 32 --seq 128 --steps 3 --gen-tokens 32"
  TORCH_ARGS="--batch 32 --seq 128 --steps 3 --gen-tokens 32"
fi
for m in $MODELS; do
  if [ "$m" = quick ]; then margs=""; else margs="--model $m"; fi
  # Worst case 200 + 90 + 130 + 60 = 480 s, plus unpacking: inside a 600-second run.
  case $m in
    base) OURS_S=200; TORCH_S=90 ;;
    small) OURS_S=130; TORCH_S=60 ;;
  esac
  log "ours (webgpu): $m (at most ${OURS_S}s)"
  # --backend webgpu even on a software adapter; the adapter is printed first. Only our Node gets the loader.
  (cd "$WORK/app" && KARD_BACKEND=webgpu LD_LIBRARY_PATH="$HERE/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    limit "$OURS_S" "$NODE" bench.mjs --backends webgpu $margs $BENCH_ARGS --json "$OUT/ours-$m.json") \
    >"$OUT/bench-$m.log" 2>&1 || echo "ours $m failed or timed out (exit $?)" >>"$OUT/bench-$m.log"
  cat "$OUT/bench-$m.log"
  log "PyTorch: $m (at most ${TORCH_S}s)"
  if python3 -c 'import torch' 2>/dev/null; then
    limit "$TORCH_S" python3 "$HERE/torch_bench.py" --model "$m" $TORCH_ARGS --json "$OUT/torch-$m.json" \
      >"$OUT/torch-$m.log" 2>&1 || echo "torch $m failed or timed out (exit $?)" >>"$OUT/torch-$m.log"
    cat "$OUT/torch-$m.log"
  else
    log "no PyTorch here (python3 -c 'import torch' failed): baseline skipped" | tee "$OUT/torch-$m.log"
  fi
done
"$NODE" "$HERE/compare.mjs" "$OUT" | tee "$OUT/summary.md"
log "done; results in $OUT"
