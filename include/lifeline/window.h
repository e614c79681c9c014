/* Sliding time window: a ring of time buckets holding two counters each, rotated lazily.
 *
 * The building block of the breaker's failure rate, the metrics' rates and the SLO burn rates.
 * No timers: every call passes `now_ms` and the ring drops buckets that fell out of the window
 * before it is read or written. O(1) per call amortised (at most bucket_count buckets cleared per
 * call, and an idle gap longer than the window clears them all in one pass); fixed memory.
 *
 * Exact semantics, with W = bucket_ms and N = bucket_count: at time now the window holds the
 * events whose bucket floor(t / W) lies in (floor(now / W) - N, floor(now / W)]. So an event stops
 * counting between (N-1)*W and N*W after it happened: with 60 x 1 s, an event 59 s old or less
 * always counts and one older than 60 s never does (60.001 s old: gone).
 *
 * Time must not go backwards; an earlier now_ms is treated as the latest one seen.
 */
#ifndef LIFELINE_WINDOW_H
#define LIFELINE_WINDOW_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIFELINE_WINDOW_MAX_BUCKETS 64

typedef struct {
  uint32_t a, b;
} lifeline_window_bucket;

typedef struct {
  uint32_t bucket_ms;
  uint32_t bucket_count;
  uint64_t head;       /* bucket number (now / bucket_ms) of the newest bucket */
  uint64_t sum_a, sum_b;
  lifeline_window_bucket buckets[LIFELINE_WINDOW_MAX_BUCKETS];
} lifeline_window;

/* bucket_ms >= 1, 1 <= bucket_count <= LIFELINE_WINDOW_MAX_BUCKETS; returns 0 or
 * LIFELINE_ERR_INVALID_ARGUMENT (the window is then set to 1 bucket of 1000 ms). */
int lifeline_window_init(lifeline_window *w, uint32_t bucket_ms, uint32_t bucket_count);

/* Empties the window (the clock position is kept). */
void lifeline_window_clear(lifeline_window *w);

/* Drops the buckets that left the window at now_ms. */
void lifeline_window_advance(lifeline_window *w, uint64_t now_ms);

/* Advances to now_ms, then adds to the two counters of the current bucket (saturating). */
void lifeline_window_add(lifeline_window *w, uint64_t now_ms, uint32_t a, uint32_t b);

/* The window's length in ms (bucket_ms * bucket_count). */
uint64_t lifeline_window_span_ms(const lifeline_window *w);

#ifdef __cplusplus
}
#endif
#endif
