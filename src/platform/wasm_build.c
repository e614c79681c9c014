/* What this Wasm build is, for js/wasm.js and for bug reports: whether it was compiled with Wasm
 * SIMD (dist/lifeline-core.wasm) or without (dist/lifeline-core-nosimd.wasm, for engines that
 * lack it), and which Emscripten made it. */
#include "platform/wasm_export.h"

#ifndef __EMSCRIPTEN_major__ /* defined by emcc up to 3.1.22, by <emscripten.h> since 3.1.23 */
#error "the Emscripten version macros are missing"
#endif

/* 1 when built with -msimd128, 0 otherwise. */
LIFELINE_WASM_EXPORT int lifeline_wasm_simd(void) {
#ifdef __wasm_simd128__
  return 1;
#else
  return 0;
#endif
}

/* The Emscripten version as major * 10000 + minor * 100 + tiny (3.1.6 is 30106). */
LIFELINE_WASM_EXPORT int lifeline_wasm_emscripten_version(void) {
  return __EMSCRIPTEN_major__ * 10000 + __EMSCRIPTEN_minor__ * 100 + __EMSCRIPTEN_tiny__;
}
