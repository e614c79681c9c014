#!/usr/bin/env bash
# Benchmarks against peers, side by side in one run (ratios, medians of interleaved runs).
# Not tests: they print numbers. Each bench/*.bench.js is a Node script.
#   scripts/bench.sh               every benchmark, full length
#   scripts/bench.sh parser        only bench/parser.bench.js
#   BENCH_QUICK=1 scripts/bench.sh short runs (what CI does, to prove they still run)
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
bash scripts/setup.sh
[ -f dist/lifeline-core.wasm ] || bash scripts/build.sh wasm
if [ $# -gt 0 ]; then files=$(printf 'bench/%s.bench.js ' "$@"); else files=$(ls bench/*.bench.js 2>/dev/null || true); fi
[ -n "$files" ] || { echo "bench: no benchmarks"; exit 0; }
for f in $files; do
  echo "==== $f"
  start=$SECONDS
  node "$f"
  echo "($f: $((SECONDS - start)) s)"
done
