#include "lifeline/histogram.h"

#include <math.h>
#include <string.h>

#include "bytes.h"
#include "lifeline/error.h"

/* Mantissa bits of 2^(j/64), j = 1..63: the bucket boundaries inside one power of two. */
static const uint64_t boundary[63] = {
    0x02c9a3e778061u, 0x059b0d3158574u, 0x0874518759bc8u, 0x0b5586cf9890fu,
    0x0e3ec32d3d1a2u, 0x11301d0125b51u, 0x1429aaea92de0u, 0x172b83c7d517bu,
    0x1a35beb6fcb75u, 0x1d4873168b9aau, 0x2063b88628cd6u, 0x2387a6e756238u,
    0x26b4565e27cddu, 0x29e9df51fdee1u, 0x2d285a6e4030bu, 0x306fe0a31b715u,
    0x33c08b26416ffu, 0x371a7373aa9cbu, 0x3a7db34e59ff7u, 0x3dea64c123422u,
    0x4160a21f72e2au, 0x44e086061892du, 0x486a2b5c13cd0u, 0x4bfdad5362a27u,
    0x4f9b2769d2ca7u, 0x5342b569d4f82u, 0x56f4736b527dau, 0x5ab07dd485429u,
    0x5e76f15ad2148u, 0x6247eb03a5585u, 0x6623882552225u, 0x6a09e667f3bcdu,
    0x6dfb23c651a2fu, 0x71f75e8ec5f74u, 0x75feb564267c9u, 0x7a11473eb0187u,
    0x7e2f336cf4e62u, 0x82589994cce13u, 0x868d99b4492edu, 0x8ace5422aa0dbu,
    0x8f1ae99157736u, 0x93737b0cdc5e5u, 0x97d829fde4e50u, 0x9c49182a3f090u,
    0xa0c667b5de565u, 0xa5503b23e255du, 0xa9e6b5579fdbfu, 0xae89f995ad3adu,
    0xb33a2b84f15fbu, 0xb7f76f2fb5e47u, 0xbcc1e904bc1d2u, 0xc199bdd85529cu,
    0xc67f12e57d14bu, 0xcb720dcef9069u, 0xd072d4a07897cu, 0xd5818dcfba487u,
    0xda9e603db3285u, 0xdfc97337b9b5fu, 0xe502ee78b3ff6u, 0xea4afa2a490dau,
    0xefa1bee615a27u, 0xf50765b6e4540u, 0xfa7c1819e90d8u
};

/* For the top 8 mantissa bits, the number of boundaries below that 1/256 cell. The boundaries
 * are >= 1.09% apart and the cells 0.39% wide, so a cell holds at most one: one more compare. */
static const uint8_t first_boundary[256] = {
     0,  0,  0,  1,  1,  1,  2,  2,  2,  3,  3,  3,  4,  4,  4,  5,
     5,  5,  6,  6,  6,  7,  7,  7,  8,  8,  8,  9,  9,  9, 10, 10,
    10, 11, 11, 11, 12, 12, 12, 13, 13, 13, 14, 14, 14, 14, 15, 15,
    15, 16, 16, 16, 17, 17, 17, 17, 18, 18, 18, 19, 19, 19, 20, 20,
    20, 20, 21, 21, 21, 22, 22, 22, 22, 23, 23, 23, 24, 24, 24, 24,
    25, 25, 25, 25, 26, 26, 26, 27, 27, 27, 27, 28, 28, 28, 28, 29,
    29, 29, 29, 30, 30, 30, 30, 31, 31, 31, 31, 32, 32, 32, 33, 33,
    33, 33, 34, 34, 34, 34, 35, 35, 35, 35, 35, 36, 36, 36, 36, 37,
    37, 37, 37, 38, 38, 38, 38, 39, 39, 39, 39, 40, 40, 40, 40, 40,
    41, 41, 41, 41, 42, 42, 42, 42, 43, 43, 43, 43, 43, 44, 44, 44,
    44, 45, 45, 45, 45, 45, 46, 46, 46, 46, 47, 47, 47, 47, 47, 48,
    48, 48, 48, 48, 49, 49, 49, 49, 50, 50, 50, 50, 50, 51, 51, 51,
    51, 51, 52, 52, 52, 52, 52, 53, 53, 53, 53, 53, 54, 54, 54, 54,
    54, 55, 55, 55, 55, 55, 56, 56, 56, 56, 56, 57, 57, 57, 57, 57,
    58, 58, 58, 58, 58, 58, 59, 59, 59, 59, 59, 60, 60, 60, 60, 60,
    61, 61, 61, 61, 61, 61, 62, 62, 62, 62, 62, 63, 63, 63, 63, 63
};

void lifeline_histogram_init(lifeline_histogram *h) {
  memset(h, 0, sizeof *h);
}

int32_t lifeline_histogram_index(double value) {
  uint64_t bits;
  memcpy(&bits, &value, sizeof bits);
  int32_t e = (int32_t)((bits >> 52) & 0x7ff) - 1023;
  uint64_t m = bits & ((1ULL << 52) - 1);
  if (m == 0) return e * 64 - 1; /* exact powers of two close their bucket */
  uint32_t lo = first_boundary[m >> 44];
  if (lo < 63 && boundary[lo] < m) lo++;
  return e * 64 + (int32_t)lo;
}

int lifeline_histogram_record(lifeline_histogram *h, double v) {
  if (!(v >= 0.0) || v == INFINITY) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (h->count == 0 || v < h->min) h->min = v;
  if (h->count == 0 || v > h->max) h->max = v;
  h->count++;
  h->sum += v;
  if (v <= 0.0625) {
    if (h->underflow < UINT32_MAX) h->underflow++;
    return LIFELINE_OK;
  }
  int32_t i = lifeline_histogram_index(v);
  if (i > LIFELINE_HISTOGRAM_MAX_INDEX) i = LIFELINE_HISTOGRAM_MAX_INDEX;
  uint32_t *c = &h->counts[i - LIFELINE_HISTOGRAM_MIN_INDEX];
  if (*c < UINT32_MAX) ++*c;
  return LIFELINE_OK;
}


void lifeline_histogram_merge(lifeline_histogram *dst, const lifeline_histogram *src) {
  if (src->count == 0) return;
  if (dst->count == 0 || src->min < dst->min) dst->min = src->min;
  if (dst->count == 0 || src->max > dst->max) dst->max = src->max;
  dst->count += src->count;
  dst->sum += src->sum;
  dst->underflow = lifeline_sat_add_u32(dst->underflow, src->underflow);
  for (int i = 0; i < LIFELINE_HISTOGRAM_BUCKETS; i++)
    dst->counts[i] = lifeline_sat_add_u32(dst->counts[i], src->counts[i]);
}

/* 2^(index / 64), made from the boundary table's bits (2^floor(index / 64) with the mantissa of
 * 2^(j / 64)) rather than with exp2(), whose code and table are about 2.5 KB of Wasm (issue 12). */
static double pow2_64th(int32_t index) {
  int32_t e = index >= 0 ? index / 64 : -((63 - index) / 64); /* floor(index / 64) */
  int32_t j = index - e * 64;
  uint64_t bits = ((uint64_t)(e + 1023) << 52) | (j ? boundary[j - 1] : 0);
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

static double bucket_point(int32_t index) {
  double lo = pow2_64th(index), hi = pow2_64th(index + 1);
  return 2.0 * lo * hi / (lo + hi);
}

double lifeline_histogram_quantile(const lifeline_histogram *h, double q) {
  if (h->count == 0) return 0.0;
  if (!(q > 0.0)) return h->min; /* also NaN */
  if (q >= 1.0) return h->max;
  uint64_t rank = (uint64_t)ceil(q * (double)h->count);
  if (rank < 1) rank = 1;
  /* The extreme ranks are known exactly. */
  if (rank >= h->count) return h->max;
  uint64_t seen = h->underflow;
  if (rank == 1 || seen >= rank) return h->min;
  double v = h->max;
  for (int i = 0; i < LIFELINE_HISTOGRAM_BUCKETS; i++) {
    seen += h->counts[i];
    if (seen >= rank) {
      /* The top bucket also holds everything above the range: its point means nothing. */
      if (i == LIFELINE_HISTOGRAM_BUCKETS - 1) break;
      v = bucket_point(i + LIFELINE_HISTOGRAM_MIN_INDEX);
      break;
    }
  }
  if (v < h->min) v = h->min;
  if (v > h->max) v = h->max;
  return v;
}

double lifeline_histogram_mean(const lifeline_histogram *h) {
  return h->count ? h->sum / (double)h->count : 0.0;
}

int lifeline_rolling_init(lifeline_rolling_histogram *r, uint32_t window_ms) {
  int rc = LIFELINE_OK;
  if (window_ms < LIFELINE_ROLLING_SLOTS) {
    rc = LIFELINE_ERR_INVALID_ARGUMENT;
    window_ms = 60000;
  }
  r->slot_ms = window_ms / LIFELINE_ROLLING_SLOTS;
  memset(r->stamp, 0, sizeof r->stamp);
  for (int i = 0; i < LIFELINE_ROLLING_SLOTS; i++) lifeline_histogram_init(&r->slots[i]);
  return rc;
}

int lifeline_rolling_record(lifeline_rolling_histogram *r, double value, uint64_t now_ms) {
  uint64_t n = now_ms / r->slot_ms;
  int k = (int)(n % LIFELINE_ROLLING_SLOTS);
  /* Stamps are slot number + 1, so slot 0 at time 0 differs from "never used". */
  if (r->stamp[k] < n + 1) { /* an older slot (a clock that went back keeps the newer one) */
    lifeline_histogram_init(&r->slots[k]);
    r->stamp[k] = n + 1;
  }
  return lifeline_histogram_record(&r->slots[k], value);
}

void lifeline_rolling_merge(const lifeline_rolling_histogram *r, uint64_t now_ms, lifeline_histogram *out) {
  uint64_t n = now_ms / r->slot_ms + 1;
  lifeline_histogram_init(out);
  for (int k = 0; k < LIFELINE_ROLLING_SLOTS; k++)
    if (r->stamp[k] && r->stamp[k] <= n && r->stamp[k] + LIFELINE_ROLLING_SLOTS > n)
      lifeline_histogram_merge(out, &r->slots[k]);
}
