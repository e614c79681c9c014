/* Latency histograms with base-2 exponential buckets and bounded relative error.
 *
 * The OpenTelemetry exponential histogram / Prometheus native histogram scheme at a fixed scale 6:
 * bucket index = ceil(log2(v) * 64) - 1, so bucket i holds (2^(i/64), 2^((i+1)/64)] and the
 * bucket boundaries are the same in every histogram (two histograms merge by adding counts).
 * A quantile is reported as the point of its bucket with the smallest worst-case relative error,
 * 2lu/(l+u), so any reported quantile is within (2^(1/64)-1)/(2^(1/64)+1) = 0.54% of the exact
 * value at the same rank (the rank-ceil(q*n) element of the sorted input), clamped to [min, max].
 *
 * Range: values in (2^-4, 2^22] = (0.0625, 4194304] (in ms: 62.5 us to 70 min) are bucketed;
 * smaller non-negative values are counted in an underflow bucket reported as the exact minimum;
 * larger ones in the top bucket (reported no higher than the exact maximum). count, sum, min and
 * max are always exact. Fixed memory: sizeof(lifeline_histogram) is about 6.7 KB; no allocation.
 *
 * Units are the caller's (the library uses ms). Counts saturate at UINT32_MAX per bucket.
 */
#ifndef LIFELINE_HISTOGRAM_H
#define LIFELINE_HISTOGRAM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIFELINE_HISTOGRAM_SCALE 6
#define LIFELINE_HISTOGRAM_MIN_INDEX (-4 * 64)   /* bucket of values just above 2^-4 */
#define LIFELINE_HISTOGRAM_MAX_INDEX (22 * 64 - 1) /* bucket ending at 2^22 */
#define LIFELINE_HISTOGRAM_BUCKETS (LIFELINE_HISTOGRAM_MAX_INDEX - LIFELINE_HISTOGRAM_MIN_INDEX + 1)

typedef struct {
  uint64_t count;
  double sum, min, max;
  uint32_t underflow;
  uint32_t counts[LIFELINE_HISTOGRAM_BUCKETS];
} lifeline_histogram;

/* Empties the histogram (also serves as _init). */
void lifeline_histogram_init(lifeline_histogram *h);

/* Records one value >= 0. Returns 0, or LIFELINE_ERR_INVALID_ARGUMENT for a negative, NaN or
 * infinite value (nothing recorded). */
int lifeline_histogram_record(lifeline_histogram *h, double value);

/* The bucket index of a value > 0 by the formula above (not clamped to the stored range). */
int32_t lifeline_histogram_index(double value);

/* Adds every count of *src into *dst. */
void lifeline_histogram_merge(lifeline_histogram *dst, const lifeline_histogram *src);

/* The value at quantile q (0..1, clamped), 0 when empty: the estimate of the element of rank
 * ceil(q * count) in sorted order. Ranks 1 and count (so q = 0 and q = 1) give the exact min and
 * max; a rank in the top bucket (values at or above 2^22) gives max. */
double lifeline_histogram_quantile(const lifeline_histogram *h, double q);

/* The arithmetic mean (sum / count), 0 when empty. */
double lifeline_histogram_mean(const lifeline_histogram *h);

/* A histogram of the last window_ms, as a ring of LIFELINE_ROLLING_SLOTS histograms each
 * covering window_ms / LIFELINE_ROLLING_SLOTS, rotated lazily by now_ms (about 40 KB).
 * A value stops counting between (5/6) and 1 window after it was recorded. */
#define LIFELINE_ROLLING_SLOTS 6

typedef struct {
  uint32_t slot_ms;
  uint64_t stamp[LIFELINE_ROLLING_SLOTS]; /* slot number + 1 held by each slot, 0 = empty */
  lifeline_histogram slots[LIFELINE_ROLLING_SLOTS];
} lifeline_rolling_histogram;

/* window_ms >= LIFELINE_ROLLING_SLOTS (default use: 60000). Returns 0 or
 * LIFELINE_ERR_INVALID_ARGUMENT (then 60000 is used). */
int lifeline_rolling_init(lifeline_rolling_histogram *r, uint32_t window_ms);

/* Records value at now_ms; same errors as lifeline_histogram_record. */
int lifeline_rolling_record(lifeline_rolling_histogram *r, double value, uint64_t now_ms);

/* Fills *out with the merge of the slots still inside the window at now_ms. */
void lifeline_rolling_merge(const lifeline_rolling_histogram *r, uint64_t now_ms, lifeline_histogram *out);

#ifdef __cplusplus
}
#endif
#endif
