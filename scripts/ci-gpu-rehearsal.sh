#!/usr/bin/env bash
# CI rehearsal of the GPU check (scripts/gpu-check.sh) as the device machine runs it: a copy of the tracked
# working tree plus the carried bundle, in a scratch folder, with no Node.js on PATH, no node_modules within
# reach, no npm; on Mesa's software renderer (--allow-software) and in quick mode, cut down to a few steps
# and two ci.yaml runs so that it takes about a minute. It must leave exactly one tarball holding the
# summary, the step benches and check's OK. Builds the bundle first when bundle/ has none.
#
#   bash scripts/ci-gpu-rehearsal.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
[ -f bundle/nrelu-bench.mjs ] || npm run --silent bundle

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/nrelu-gpu-rehearsal.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
TREE="$SCRATCH/tree"
mkdir -p "$TREE" "$SCRATCH/bin" "$SCRATCH/out"
git ls-files -z | xargs -0 cp --parents -t "$TREE"
cp -r bundle "$TREE/bundle"

# A PATH with every tool of /usr/bin and /bin except Node.js and its package managers.
for dir in /usr/bin /bin; do
  for tool in "$dir"/*; do
    case "$(basename "$tool")" in node|nodejs|npm|npx|corepack|tsx|yarn|pnpm) continue ;; esac
    [ -e "$SCRATCH/bin/$(basename "$tool")" ] || ln -s "$tool" "$SCRATCH/bin/"
  done
done
NOPATH="$SCRATCH/bin:/sbin:/usr/sbin"
if PATH="$NOPATH" command -v node >/dev/null; then echo "rehearsal: node is still on PATH" >&2; exit 1; fi

set +e
env -i HOME="$SCRATCH" PATH="$NOPATH" TMPDIR="$SCRATCH" LANG=C.UTF-8 \
  GPU_CHECK_STEPS=2 GPU_CHECK_WARMUP=1 GPU_CHECK_BATCH=32 GPU_CHECK_ONLY=mlp-relu-seed1,mlp-nrelu-s0.1-seed1 \
  bash "$TREE/scripts/gpu-check.sh" --quick --allow-software --out "$SCRATCH/out"
code=$?
set -e
[ "$code" = 0 ] || { echo "rehearsal: gpu-check.sh exited $code" >&2; exit 1; }

shopt -s nullglob
tarballs=("$SCRATCH"/out/*.tar.gz)
[ "${#tarballs[@]}" = 1 ] || { echo "rehearsal: expected one tarball in --out, found ${#tarballs[@]}" >&2; exit 1; }
mkdir "$SCRATCH/unpacked"
tar -xzf "${tarballs[0]}" -C "$SCRATCH/unpacked"
result=("$SCRATCH"/unpacked/gpu-check-*)
benches=$(grep -c '"step_ms_median"' "${result[0]}/bench-steps.jsonl")
[ "$benches" = 8 ] || { echo "rehearsal: expected 8 step benches, found $benches" >&2; exit 1; }
grep -q '^OK: 2 runs' "${result[0]}/ci-check.txt" || { echo "rehearsal: ci.yaml check did not pass" >&2; exit 1; }
grep -q 'software renderer' "${result[0]}/summary.txt" || { echo "rehearsal: the summary names no adapter" >&2; exit 1; }
echo "rehearsal: OK, $(basename "${tarballs[0]}") ($(stat -c %s "${tarballs[0]}") bytes) from a tree without Node.js or node_modules"
