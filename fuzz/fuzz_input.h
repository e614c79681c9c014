/* Reads a fuzzer's input as a stream of big-endian integers; past its end every byte reads 0,
 * so any input, however short, drives a whole run. Shared by the fuzz targets. */
#ifndef LIFELINE_FUZZ_INPUT_H
#define LIFELINE_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* An invariant the target checks; a violation aborts, which libFuzzer reports as a crash. */
#define REQUIRE(c)     \
  do {                 \
    if (!(c)) abort(); \
  } while (0)

typedef struct {
  const uint8_t *p;
  size_t n;
} input;

/* The next `bytes` (1-4) bytes as an unsigned integer. */
static inline uint32_t take(input *in, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; i++) {
    v = v << 8 | (in->n ? *in->p : 0);
    if (in->n) in->p++, in->n--;
  }
  return v;
}

#endif
