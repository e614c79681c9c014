#!/usr/bin/env bash
# Builds the C core natively (static library + unit tests, ASan/UBSan) and to WebAssembly
# (dist/lifeline-core.mjs + .wasm with Wasm SIMD, dist/lifeline-core-nosimd.* without, which the
# JS package loads). Emscripten 3.1.6 to 6.0.x (CMakeLists.txt checks).
#   scripts/build.sh            both
#   scripts/build.sh wasm       only the Wasm package build
# Progress goes to stderr: npm's prepack runs this, and `npm pack --json` must print only JSON.
set -euo pipefail
exec 1>&2
cd "$(dirname "$0")/.."
# Debian's emcc needs Debian's acorn for its optimiser; this machine's node is not Debian's.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
jobs=$(nproc 2>/dev/null || echo 2)
what=${1:-all}

if [ "$what" = all ] || [ "$what" = native ]; then
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Debug -DLIFELINE_SANITIZE=ON -DLIFELINE_WERROR=ON >/dev/null
  cmake --build build/native -j "$jobs"
fi
if [ "$what" = all ] || [ "$what" = wasm ]; then
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release -DLIFELINE_WERROR=ON >/dev/null
  cmake --build build/wasm -j "$jobs"
fi
