#!/usr/bin/env bash
# GPU check: nrelu-bench on WebGPU (Dawn, Vulkan) on a machine with an NVIDIA GPU and driver.
#
#   bash scripts/gpu-check.sh [OUT_DIR]          (default: results/gpu-check-<date>)
#
# Needs:
#   - Node.js >= 20.19 and this checkout, built (npm ci; npm ci runs the build), with the optional
#     dependencies `webgpu` (Dawn's Node.js binding, ships dawn.node) and
#     `@tensorflow/tfjs-backend-webgpu` installed;
#   - libvulkan1 (the Vulkan loader, libvulkan.so.1), e.g. apt-get install libvulkan1;
#   - the driver's Vulkan ICD: NVIDIA's driver package installs nvidia_icd.json under
#     /usr/share/vulkan/icd.d or /etc/vulkan/icd.d (in a container: the NVIDIA container toolkit
#     with NVIDIA_DRIVER_CAPABILITIES including graphics or all). CUDA itself is not used.
#
# What it does, everything written to OUT_DIR (and a log of it all, OUT_DIR/gpu-check.log):
#   1. `nrelu-bench info` and a webgpu selection that must be a hardware adapter (a software
#      renderer such as llvmpipe, lavapipe or SwiftShader fails the check);
#   2. `nrelu-bench bench` for the MLP and the CNN with relu and nrelu (batch 128), on webgpu and,
#      for the ratio, on wasm on this machine's CPU; then the full `npm run bench` table on webgpu;
#   3. trains configs/ci.yaml on webgpu and on wasm and compares them with `nrelu-bench check`
#      at TOLERANCE (see below).
# Exit status: 0 when every step passed, 1 otherwise (the failing step is named on stderr).
set -euo pipefail
export PATH="$PATH:/sbin:/usr/sbin"  # ldconfig
cd "$(dirname "$0")/.."

OUT="${1:-results/gpu-check-$(date -u +%Y%m%dT%H%M%SZ)}"
# Tolerance of the ci.yaml comparison (absolute, on loss and accuracy; nrelu-bench check's
# default). The backends sum in different orders, so the weights drift apart by float32 rounding
# over ci.yaml's 64 Adam steps. On Mesa's software renderer webgpu matched the wasm reference to
# 1e-6 in every loss, with equal accuracies and dead-neuron counts; a GPU's tiled, FMA-using
# reductions round differently, so allow two test samples (0.002 of 1000) instead of zero, which
# still fails a wrong kernel (those cost tenths). Dead-neuron counts must match exactly (check's
# rule): a unit on the edge can tip, and the check then names it.
TOLERANCE="${GPU_CHECK_TOLERANCE:-0.002}"
mkdir -p "$OUT"
LOG="$OUT/gpu-check.log"
exec > >(tee -a "$LOG") 2>&1

fail() {
  echo "gpu-check: FAILED: $*" >&2
  exit 1
}

step() {
  echo
  echo "== $*"
}

step "requirements"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
  || fail "Node.js >= 20.19 is required (found $(node --version))"
echo "node $(node --version)"
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  fail "libvulkan.so.1 not found: install the Vulkan loader (apt-get install libvulkan1)"
fi
icds=$(ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json 2>/dev/null || true)
echo "Vulkan ICDs: ${icds:-none}"
grep -qi nvidia <<<"$icds" || echo "warning: no NVIDIA Vulkan ICD file found; Dawn may find no hardware adapter"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | tee "$OUT/nvidia-smi.txt" \
  || echo "nvidia-smi not available"
npm run --silent build   # always: a dist/ from an older checkout would check old code

step "backend selection (a hardware adapter is required)"
node bin/nrelu-bench.js info | tee "$OUT/info.txt"
node --input-type=module -e '
  const { selectBackend } = await import("./dist/backend/select.js");
  const s = await selectBackend("webgpu");
  console.log(JSON.stringify(s, null, 2));
  if (!s.adapter || s.adapter.software) { console.error("webgpu runs on a software renderer, not a GPU"); process.exit(1); }
' | tee "$OUT/selection.json" || fail "webgpu did not select a hardware adapter (see $OUT/selection.json)"

step "step benchmarks: MLP and CNN, relu and nrelu, batch 128"
for backend in webgpu wasm; do
  for model in mlp cnn; do
    for activation in relu '{name: nrelu, sigma: 0.1}'; do
      node bin/nrelu-bench.js bench --backend "$backend" --model "$model" --activation "$activation" --steps 30 --json \
        >>"$OUT/bench-steps.jsonl" || fail "bench $backend $model $activation"
    done
  done
done
cat "$OUT/bench-steps.jsonl"

step "full bench table on webgpu"
npm run --silent bench -- --backend webgpu --out "$OUT" || fail "npm run bench -- --backend webgpu"

step "configs/ci.yaml on webgpu and on wasm, compared at tolerance $TOLERANCE"
node bin/nrelu-bench.js run configs/ci.yaml --backend webgpu --out "$OUT/ci-webgpu" --fresh --no-report || fail "training ci.yaml on webgpu"
node bin/nrelu-bench.js run configs/ci.yaml --backend wasm --out "$OUT/ci-wasm" --fresh --no-report || fail "training ci.yaml on wasm"
node bin/nrelu-bench.js check "$OUT/ci-webgpu" --reference "$OUT/ci-wasm" --tolerance "$TOLERANCE" | tee "$OUT/ci-check.txt" \
  || fail "ci.yaml on webgpu differs from wasm beyond $TOLERANCE (see $OUT/ci-check.txt)"

step "done"
echo "gpu-check: all steps passed; results in $OUT (commit the bench table as results/bench/webgpu-<gpu>.md)"
