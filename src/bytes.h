/* Byte helpers shared by the core and the Wasm boundary, so that each exists once. Internal. */
#ifndef LIFELINE_BYTES_H
#define LIFELINE_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* memcpy for the parser's copies (ids, types, values, data lines), 16 bytes a step at any
 * alignment up to 4 KiB: in the Wasm build without bulk memory, memcpy copies byte by byte unless
 * both pointers share their alignment; with it, memory.copy is a call into the engine, which
 * costs more than inline steps for short copies. */
void lifeline_copy_bytes(uint8_t *dst, const uint8_t *src, size_t n);
/* 1 when no byte has its high bit set (the text can be decoded as Latin-1/ASCII in one pass).
 * SIMD when built with -msimd128. */
int lifeline_is_ascii(const uint8_t *s, size_t n);
/* a + b, saturating at UINT32_MAX (counters that must never wrap). */
static inline uint32_t lifeline_sat_add_u32(uint32_t a, uint32_t b) {
  return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

#endif
