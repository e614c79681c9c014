#include "bytes.h"

#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

void lifeline_copy_bytes(uint8_t *dst, const uint8_t *src, size_t n) {
  if (n > 32) {
    memcpy(dst, src, n);
    return;
  }
  for (size_t i = 0; i < n; i++) dst[i] = src[i];
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
