/* The Wasm boundary's export marker. Only src/platform/ includes <emscripten.h>. */
#ifndef LIFELINE_WASM_EXPORT_H
#define LIFELINE_WASM_EXPORT_H
#include <emscripten.h>
#define LIFELINE_WASM_EXPORT EMSCRIPTEN_KEEPALIVE
#endif
