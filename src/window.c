#include "lifeline/window.h"

#include <string.h>

#include "bytes.h"
#include "lifeline/error.h"

int lifeline_window_init(lifeline_window *w, uint32_t bucket_ms, uint32_t bucket_count) {
  int rc = LIFELINE_OK;
  if (bucket_ms < 1 || bucket_count < 1 || bucket_count > LIFELINE_WINDOW_MAX_BUCKETS) {
    rc = LIFELINE_ERR_INVALID_ARGUMENT;
    bucket_ms = 1000;
    bucket_count = 1;
  }
  memset(w, 0, sizeof *w);
  w->bucket_ms = bucket_ms;
  w->bucket_count = bucket_count;
  return rc;
}

void lifeline_window_clear(lifeline_window *w) {
  memset(w->buckets, 0, sizeof w->buckets);
  w->sum_a = w->sum_b = 0;
}

void lifeline_window_advance(lifeline_window *w, uint64_t now_ms) {
  uint64_t idx = now_ms / w->bucket_ms;
  if (idx <= w->head) return; /* same bucket, or time went backwards */
  if (idx - w->head >= w->bucket_count) {
    /* Idle for a whole window or more: nothing survives. */
    lifeline_window_clear(w);
  } else {
    for (uint64_t i = w->head + 1; i <= idx; i++) {
      lifeline_window_bucket *bk = &w->buckets[i % w->bucket_count];
      w->sum_a -= bk->a;
      w->sum_b -= bk->b;
      bk->a = bk->b = 0;
    }
  }
  w->head = idx;
}


void lifeline_window_add(lifeline_window *w, uint64_t now_ms, uint32_t a, uint32_t b) {
  lifeline_window_advance(w, now_ms);
  lifeline_window_bucket *bk = &w->buckets[w->head % w->bucket_count];
  uint32_t na = lifeline_sat_add_u32(bk->a, a), nb = lifeline_sat_add_u32(bk->b, b);
  w->sum_a += na - bk->a;
  w->sum_b += nb - bk->b;
  bk->a = na;
  bk->b = nb;
}

uint64_t lifeline_window_span_ms(const lifeline_window *w) {
  return (uint64_t)w->bucket_ms * w->bucket_count;
}
