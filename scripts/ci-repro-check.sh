#!/usr/bin/env bash
# Reproducibility check for CI: reruns configs/ci.yaml with the built CLI into a temporary folder and
# compares it, run by run and epoch by epoch, with the committed reference (results/reference/).
# Exit codes: 0 the numbers reproduce, 1 something differs (the table says what), 2 usage/setup.
#
#   scripts/ci-repro-check.sh                  # tolerance 0.002 (absolute, accuracy and loss)
#   TOLERANCE=0.005 scripts/ci-repro-check.sh
#
# A change meant to change the numbers must regenerate the reference: npm run reference.
set -euo pipefail
cd "$(dirname "$0")/.."

tolerance=${TOLERANCE:-0.002}
if [ ! -f dist/cli/main.js ]; then
  echo "ci-repro-check: the CLI is not built; run npm install (or npm run build) first" >&2
  exit 2
fi
if [ ! -f results/reference/manifest.json ]; then
  echo "ci-repro-check: results/reference/ is missing; create it with npm run reference" >&2
  exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nrelu-ci-repro.XXXXXX")
echo "ci-repro-check: running configs/ci.yaml into $tmp"
if ! node bin/nrelu-bench.js run configs/ci.yaml --out "$tmp" --no-report > "$tmp.log" 2>&1; then
  cat "$tmp.log" >&2
  echo "ci-repro-check: the ci.yaml run failed (folder kept: $tmp)" >&2
  exit 1
fi

status=0
node bin/nrelu-bench.js check "$tmp" --reference results/reference --tolerance "$tolerance" || status=$?
if [ "$status" -eq 0 ]; then
  rm -rf "$tmp" "$tmp.log"
else
  echo "ci-repro-check: results differ from results/reference (kept: $tmp)." >&2
  echo "If the change is meant to change the numbers, regenerate the reference (npm run reference) and commit it." >&2
fi
exit "$status"
