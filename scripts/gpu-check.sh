#!/usr/bin/env bash
# GPU check: nrelu-bench on WebGPU (Dawn over Vulkan) on a machine with a GPU, run from the bundle
# that `npm run bundle` builds (bundle/: the CLI as one file, its Node.js binary, dawn.node, TF.js's
# wasm binaries, MNIST, the Vulkan loader's .deb). Needs no npm, no system Node.js, no network.
#
#   bash scripts/gpu-check.sh [--quick] [--out DIR] [--allow-software] [--bundle DIR]
#
#   --quick           the short check (about 6 minutes on a GPU): 20 timed steps per bench, ci.yaml for 1 epoch
#   --out DIR         where the one .tar.gz goes (default: the current folder); on the device machine: $OUT
#   --allow-software  accept a software renderer (llvmpipe): the CI rehearsal; otherwise a Vulkan adapter is required
#   --bundle DIR      the bundle (default: bundle/ beside this script's folder)
#
# Environment (all optional):
#   VK_DRIVER_FILES / VK_ICD_FILENAMES  the Vulkan ICD to use, honoured as given; when both are unset the
#                    script looks in /usr/share, /etc, /usr/local/share, /usr/local/etc and /usr/local/nvidia
#                    (share|etc)/vulkan/icd.d, and points both at the NVIDIA ICD it finds there
#   LD_LIBRARY_PATH  honoured: a libvulkan.so.1 there counts as the loader; otherwise the bundle's libvulkan1
#                    .deb is unpacked into the scratch folder (never into /) and put first on it
#   GPU_CHECK_STEPS, GPU_CHECK_WARMUP, GPU_CHECK_BATCH  the step benches' timed steps, warm-up steps, batch
#   GPU_CHECK_ONLY   run ids of ci.yaml to train (comma-separated; default all 14)
#   GPU_CHECK_TOLERANCE  check's tolerance on loss and accuracy (default 0.002), GPU_CHECK_COUNT_TOLERANCE on
#                    unit counts (default 1)
#
# Steps (each one's output in the tarball, all of it in gpu-check.log):
#   1. the adapter: `nrelu-bench info`, which must show webgpu on Vulkan (or any adapter with --allow-software);
#   2. `nrelu-bench bench` for the MLP and the CNN, relu and nrelu, on webgpu and on wasm (bench-steps.jsonl);
#   3. configs/ci.yaml (on the bundle's full MNIST, capped as ci.yaml caps it) on webgpu and on wasm, compared
#      with `nrelu-bench check` (ci-check.txt);
#   4. PyTorch's step on the same GPU (scripts/bench_torch.py --device cuda) when torch sees CUDA (torch.jsonl).
# Output: one DIR/gpu-check-<time>.tar.gz (at most 16 MiB) and a one-screen summary on stdout (also in the
# tarball). Exit status: 0 when every step passed, 1 otherwise, 2 for a bad option or a missing bundle.
# shellcheck disable=SC2317  # the step functions are called through step "NAME" FUNCTION
# Strict mode; each step runs as an `if` condition (step below), so a failing step is recorded, not fatal.
set -euo pipefail
export PATH="$PATH:/sbin:/usr/sbin"  # ldconfig
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

QUICK=0
ALLOW_SOFTWARE=0
OUT_DIR="$PWD"
BUNDLE="$ROOT/bundle"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --allow-software) ALLOW_SOFTWARE=1 ;;
    --out) OUT_DIR="${2:?--out needs a folder}"; shift ;;
    --bundle) BUNDLE="${2:?--bundle needs a folder}"; shift ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ ! -f "$BUNDLE/nrelu-bench.mjs" ]; then
  echo "gpu-check: no bundle in $BUNDLE: run npm run bundle first (and carry the folder)" >&2
  exit 2
fi
mkdir -p "$OUT_DIR" || exit 2
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

if [ "$QUICK" = 1 ]; then DEFAULT_STEPS=20; CI_EPOCHS=(train.epochs=1); else DEFAULT_STEPS=50; CI_EPOCHS=(); fi
STEPS="${GPU_CHECK_STEPS:-$DEFAULT_STEPS}"
WARMUP="${GPU_CHECK_WARMUP:-3}"
BATCH="${GPU_CHECK_BATCH:-128}"
TOLERANCE="${GPU_CHECK_TOLERANCE:-0.002}"
COUNT_TOLERANCE="${GPU_CHECK_COUNT_TOLERANCE:-1}"
ONLY=()
[ -n "${GPU_CHECK_ONLY:-}" ] && ONLY=(--only "$GPU_CHECK_ONLY")

NAME="gpu-check-$(date -u +%Y%m%dT%H%M%SZ)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/nrelu-gpu-check.XXXXXX")"
RES="$WORK/$NAME"
RT="$WORK/runtime"
mkdir -p "$RES" "$RT"
LOG="$RES/gpu-check.log"
exec 3>&1 4>&2 >>"$LOG" 2>&1
STATUS="$RES/steps.txt"
: >"$STATUS"

note() { echo "gpu-check: $*" >&4; echo "== $*"; }
record() { echo "$1 $2" >>"$STATUS"; note "$2: $1"; }  # record PASS|FAIL|SKIP step

unxz_to() {  # unxz_to FILE.xz DEST: xz-utils if present, else Python's lzma
  if command -v xz >/dev/null; then xz -dc "$1" >"$2"; else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}

unpack_runtime() {
  cp -r "$BUNDLE/." "$RT/" || return 1
  local f
  while IFS= read -r f; do
    unxz_to "$f" "${f%.xz}" && rm -f "$f" || return 1
  done < <(find "$RT" -name '*.xz')
  chmod +x "$RT/node"
  "$RT/node" --version
}

loader_found() {
  ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' && return 0
  local dir
  IFS=: read -ra dirs <<<"${LD_LIBRARY_PATH:-}"
  for dir in "${dirs[@]}"; do [ -n "$dir" ] && [ -e "$dir/libvulkan.so.1" ] && return 0; done
  return 1
}

unpack_deb() {  # unpack_deb FILE.deb DIR: dpkg-deb when present, else ar and tar
  if command -v dpkg-deb >/dev/null; then dpkg-deb -x "$1" "$2"; return; fi
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && ar x "$1" && tar -xf data.tar.* -C "$2")
}

setup_vulkan() {
  if loader_found; then
    echo "Vulkan loader: found ($(ldconfig -p 2>/dev/null | grep -m1 'libvulkan\.so\.1' || echo 'on LD_LIBRARY_PATH'))"
  else
    local deb
    for deb in "$RT"/deb/*.deb; do if [ -f "$deb" ]; then unpack_deb "$deb" "$RT/vulkan"; fi; done
    export LD_LIBRARY_PATH="$RT/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    if loader_found; then echo "Vulkan loader: the bundle's libvulkan1, unpacked into $RT/vulkan"; else echo "Vulkan loader: none (no .deb in the bundle)"; fi
  fi
  local dir
  for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
    [ -d "$dir" ] || continue
    case ":${LD_LIBRARY_PATH:-}:" in *":$dir:"*) ;; *) export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$dir" ;; esac
  done
  if [ -n "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
    echo "Vulkan ICD: as given, VK_DRIVER_FILES=${VK_DRIVER_FILES:-} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-}"
  else
    local icds nvidia
    icds="$(ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json \
      /usr/local/etc/vulkan/icd.d/*.json /usr/local/nvidia/share/vulkan/icd.d/*.json /usr/local/nvidia/etc/vulkan/icd.d/*.json 2>/dev/null || true)"
    echo "Vulkan ICDs found: ${icds:-none}"
    nvidia="$(grep -i -m1 nvidia <<<"$icds" || true)"
    if [ -n "$nvidia" ]; then
      export VK_DRIVER_FILES="$nvidia" VK_ICD_FILENAMES="$nvidia"
      echo "Vulkan ICD: $nvidia (VK_DRIVER_FILES and VK_ICD_FILENAMES)"
    fi
  fi
  echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
}

nb() { "$RT/node" "$RT/nrelu-bench.mjs" "$@"; }

check_adapter() {
  nb info | tee "$RES/info.txt"
  local line
  line="$(grep -E '^ +(yes|no) +webgpu' "$RES/info.txt")"
  echo "$line" >"$RES/adapter.txt"
  case "$line" in
    *yes*webgpu*) ;;
    *) echo "no WebGPU adapter: $line"; return 1 ;;
  esac
  if [ "$ALLOW_SOFTWARE" = 0 ] && { grep -q 'software renderer' <<<"$line" || ! grep -q 'Vulkan' <<<"$line"; }; then
    echo "webgpu is not on a Vulkan GPU adapter ($line); pass --allow-software to accept it"
    return 1
  fi
}

bench_steps() {
  local backend model activation failed=0
  for backend in webgpu wasm; do
    for model in mlp cnn; do
      for activation in relu '{name: nrelu, sigma: 0.1}'; do
        nb bench --backend "$backend" --model "$model" --activation "$activation" --batch-size "$BATCH" \
          --steps "$STEPS" --warmup "$WARMUP" --json >>"$RES/bench-steps.jsonl" || { echo "bench $backend $model $activation failed"; failed=1; }
      done
    done
  done
  return "$failed"
}

ci_check() {
  local backend
  for backend in webgpu wasm; do
    nb run "$ROOT/configs/ci.yaml" --backend "$backend" --out "$RES/ci-$backend" --fresh --no-report "${ONLY[@]}" \
      dataset=mnist "${CI_EPOCHS[@]}" || return 1
  done
  nb check "$RES/ci-webgpu" --reference "$RES/ci-wasm" --tolerance "$TOLERANCE" --count-tolerance "$COUNT_TOLERANCE" "${ONLY[@]}" \
    | tee "$RES/ci-check.txt"
}

torch_steps() {
  local model
  for model in mlp cnn; do
    python3 "$ROOT/scripts/bench_torch.py" --device cuda --model "$model" --batch-size "$BATCH" --steps "$STEPS" \
      --warmup "$WARMUP" >>"$RES/torch.jsonl" || return 1
  done
}

step() {  # step NAME FUNCTION: runs it, records PASS or FAIL
  note "$1"
  if "$2"; then record PASS "$1"; else record FAIL "$1"; fi
}

note "results in $RES (log: gpu-check.log)"
START=$(date +%s)
{ echo "started $(date -u +%FT%TZ), quick=$QUICK allow_software=$ALLOW_SOFTWARE steps=$STEPS batch=$BATCH"; uname -a; } >"$RES/environment.txt"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >"$RES/nvidia-smi.txt" 2>&1 || echo "nvidia-smi not available" >"$RES/nvidia-smi.txt"
step "runtime (unpack the bundle)" unpack_runtime
export NRELU_BENCH_DATA="$RT/data"
if [ -x "$RT/node" ]; then
  setup_vulkan >>"$RES/environment.txt"
  step "adapter" check_adapter
fi
if grep -q '^PASS adapter' "$STATUS"; then
  step "step benches" bench_steps
  step "ci.yaml webgpu vs wasm" ci_check
  if command -v python3 >/dev/null && python3 -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    step "PyTorch on CUDA" torch_steps
  else
    record SKIP "PyTorch on CUDA"
  fi
fi
echo "took $(( $(date +%s) - START )) s" >>"$RES/environment.txt"
"$RT/node" "$ROOT/scripts/gpu-check-summary.mjs" "$RES" >"$RES/summary.txt" 2>&1 || cat "$STATUS" >"$RES/summary.txt"
tar -czf "$OUT_DIR/$NAME.tar.gz" -C "$WORK" "$NAME"
SIZE=$(stat -c %s "$OUT_DIR/$NAME.tar.gz")
cat "$RES/summary.txt" >&3
echo "tarball: $OUT_DIR/$NAME.tar.gz ($(( SIZE / 1024 )) KiB; took $(( $(date +%s) - START )) s)" >&3
CODE=0
grep -q '^FAIL' "$STATUS" && CODE=1
if [ "$SIZE" -gt $((16 * 1024 * 1024)) ]; then echo "gpu-check: the tarball is over 16 MiB" >&4; CODE=1; fi
rm -rf "$WORK"
exit "$CODE"
