/* PCG32 pseudo-random generator (O'Neill, pcg-random.org; the "pcg32_random_r" variant).
 *
 * The core never reads a random source of its own: the host seeds one generator per object
 * (backoff, breaker) once, so every run is reproducible from its seed. Not cryptographic.
 *
 * Ownership: a plain struct, no allocation; copy it to fork a sequence.
 */
#ifndef LIFELINE_RNG_H
#define LIFELINE_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "Never": the value a deadline function returns when an object will not change by itself. */
#ifndef LIFELINE_NEVER
#define LIFELINE_NEVER UINT64_MAX
#endif

typedef struct {
  uint64_t state;
  uint64_t inc; /* stream selector; always odd */
} lifeline_rng;

/* Seeds the generator. Two generators with the same (seed, stream) produce the same sequence;
 * different streams give independent sequences for the same seed. */
void lifeline_rng_seed(lifeline_rng *r, uint64_t seed, uint64_t stream);

/* The next 32 uniformly distributed bits. */
uint32_t lifeline_rng_u32(lifeline_rng *r);

/* A uniform integer in [0, bound) without modulo bias; returns 0 when bound is 0. */
uint32_t lifeline_rng_bounded(lifeline_rng *r, uint32_t bound);

/* A uniform double in [0, 1) with 53 random bits (two draws). */
double lifeline_rng_double(lifeline_rng *r);

#ifdef __cplusplus
}
#endif
#endif
