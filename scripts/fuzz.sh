#!/usr/bin/env bash
# Builds every fuzz/fuzz_*.c target with clang + libFuzzer + ASan/UBSan and runs each for a
# bounded time from its seed corpus (fuzz/corpus/<target>/). A crash fails the run; its input is
# left in build/fuzz/ to become a unit test.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
CC=clang cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIFELINE_FUZZ=ON >/dev/null
targets=$(cd fuzz 2>/dev/null && ls fuzz_*.c 2>/dev/null | sed 's/\.c$//' || true)
if [ -z "$targets" ]; then echo "fuzz: no targets"; exit 0; fi
cmake --build build/fuzz -j "$(nproc)" --target $targets >/dev/null
for t in $targets; do
  seeds=fuzz/corpus/${t#fuzz_}
  work=build/fuzz/corpus-$t
  mkdir -p "$work"
  (cd build/fuzz && ./"$t" -max_total_time="$secs" -print_final_stats=0 "../../$work" $( [ -d "$seeds" ] && echo "../../$seeds" ) 2>"../../build/fuzz/$t.log") || {
    echo "fuzz: FAIL $t (see build/fuzz/$t.log)"; tail -30 "build/fuzz/$t.log"; exit 1; }
  echo "fuzz: ok $t ($(grep -o 'cov: [0-9]*' "build/fuzz/$t.log" | tail -1), ${secs}s)"
done
