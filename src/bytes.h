/* Byte helpers shared by the core and the Wasm boundary, so that each exists once. Internal. */
#ifndef LIFELINE_BYTES_H
#define LIFELINE_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* memcpy for the many short copies (ids, types, short values): in Wasm memcpy is a call that
 * dispatches on size, and a plain loop is cheaper below a cache line. */
void lifeline_copy_bytes(uint8_t *dst, const uint8_t *src, size_t n);
/* 1 when no byte has its high bit set (the text can be decoded as Latin-1/ASCII in one pass).
 * SIMD when built with -msimd128. */
int lifeline_is_ascii(const uint8_t *s, size_t n);
/* a + b, saturating at UINT32_MAX (counters that must never wrap). */
static inline uint32_t lifeline_sat_add_u32(uint32_t a, uint32_t b) {
  return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

#endif
