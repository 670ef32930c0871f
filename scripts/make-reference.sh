#!/usr/bin/env bash
# Regenerates the pinned reproducibility reference, results/reference/, from configs/ci.yaml
# (mnist-10k, wasm backend), with a freshly built CLI. Do this on purpose only: when a change is
# meant to change the numbers (training, noise generation, kernels, ci.yaml); then review
# `git diff results/reference` and commit it with that change. Usage: npm run reference
set -euo pipefail
cd "$(dirname "$0")/.."

npm run --silent build
rm -rf results/reference
node bin/nrelu-bench.js run configs/ci.yaml --out results/reference --fresh --no-report
# Only the CSVs, the comparison and the manifest are committed.
find results/reference -mindepth 1 -maxdepth 1 \
  ! -name '*.csv' ! -name 'comparison.md' ! -name 'manifest.json' -exec rm -rf {} +
# A reference must reproduce itself: rerun once and compare.
scripts/ci-repro-check.sh
echo "results/reference/ regenerated: review it with git diff results/reference, then commit it."
