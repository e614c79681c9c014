/* How many bytes of the SSE core's heap are allocated, for leak checks (e2e/soak.spec.js) and bug
 * reports. The size of Wasm memory says little: it only grows, a page of 64 KiB at a time, to the
 * high-water mark of the allocations. */
#include <emscripten/emmalloc.h>

#include "platform/wasm_export.h"

/* Bytes in allocated blocks (emmalloc's heap less its free blocks; the block headers counted). */
LIFELINE_WASM_EXPORT size_t lifeline_wasm_heap_in_use(void) {
  return emmalloc_dynamic_heap_size() - emmalloc_free_dynamic_memory();
}
