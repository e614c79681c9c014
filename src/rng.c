#include "lifeline/rng.h"

#define PCG_MULT 6364136223846793005ULL

uint32_t lifeline_rng_u32(lifeline_rng *r) {
  uint64_t old = r->state;
  r->state = old * PCG_MULT + r->inc;
  uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
  uint32_t rot = (uint32_t)(old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

void lifeline_rng_seed(lifeline_rng *r, uint64_t seed, uint64_t stream) {
  r->state = 0u;
  r->inc = (stream << 1u) | 1u;
  lifeline_rng_u32(r);
  r->state += seed;
  lifeline_rng_u32(r);
}

uint32_t lifeline_rng_bounded(lifeline_rng *r, uint32_t bound) {
  if (bound == 0) return 0;
  /* Rejection below 2^32 mod bound removes the bias of a plain modulo (pcg32_boundedrand_r). */
  uint32_t threshold = (uint32_t)(-bound) % bound;
  for (;;) {
    uint32_t x = lifeline_rng_u32(r);
    if (x >= threshold) return x % bound;
  }
}

double lifeline_rng_double(lifeline_rng *r) {
  uint64_t hi = lifeline_rng_u32(r) >> 5; /* 27 bits */
  uint64_t lo = lifeline_rng_u32(r) >> 6; /* 26 bits */
  return (double)((hi << 26) | lo) * (1.0 / 9007199254740992.0);
}
