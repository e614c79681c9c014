#include "bytes.h"

#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

static void copy16(uint8_t *dst, const uint8_t *src) {
  uint64_t w[2]; /* a constant-size memcpy is plain loads and stores (one v128 with SIMD) */
  memcpy(w, src, 16);
  memcpy(dst, w, 16);
}

void lifeline_copy_bytes(uint8_t *dst, const uint8_t *src, size_t n) {
  if (n > 4096) { /* memcpy: memory.copy with bulk memory; without, byte by byte when misaligned */
    memcpy(dst, src, n);
  } else if (n >= 16) { /* 16 bytes a step whatever the alignment, the last step overlapping */
    for (size_t i = 0; i + 16 < n; i += 16) copy16(dst + i, src + i);
    copy16(dst + n - 16, src + n - 16);
  } else if (n >= 8) { /* two copies that overlap cover any length up to twice their size */
    uint64_t a, b;
    memcpy(&a, src, 8);
    memcpy(&b, src + n - 8, 8);
    memcpy(dst, &a, 8);
    memcpy(dst + n - 8, &b, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    memcpy(&a, src, 4);
    memcpy(&b, src + n - 4, 4);
    memcpy(dst, &a, 4);
    memcpy(dst + n - 4, &b, 4);
  } else {
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
  }
}

int lifeline_is_ascii(const uint8_t *s, size_t n) {
  uint64_t acc = 0;
  size_t i = 0;
#ifdef __wasm_simd128__
  v128_t vacc = wasm_i64x2_splat(0);
  for (; i + 16 <= n; i += 16) vacc = wasm_v128_or(vacc, wasm_v128_load(s + i));
  if (wasm_i8x16_bitmask(vacc)) return 0;
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    acc |= w;
  }
  for (; i < n; i++) acc |= s[i];
  return (acc & 0x8080808080808080ull) == 0;
}
