#!/usr/bin/env bash
# Builds the C core natively (static library + unit tests, ASan/UBSan) and to WebAssembly, the
# two modules the JS package loads (CMakeLists.txt): the SSE core dist/lifeline-core.wasm with
# Wasm SIMD and dist/lifeline-core-nosimd.wasm without, and the router module
# dist/lifeline-router.mjs + .wasm. Emscripten 3.1.6 to 6.0.x (CMakeLists.txt checks).
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
  # The glue of the SSE core before it became a standalone module: npm pack must not ship it.
  rm -f dist/lifeline-core.mjs dist/lifeline-core-nosimd.mjs
fi
