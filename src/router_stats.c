/* Per-service latency statistics, attempt timeouts, the retry budget, outcome classes. */
#include "router_stats.h"

#include <string.h>

void rt_record_sample(rt_service *s, int ok, uint32_t latency_ms, uint64_t now) {
  rt_sample *x = &s->samples[s->sample_head];
  x->at = now;
  x->latency_ms = latency_ms;
  x->ok = (uint8_t)(ok != 0);
  s->sample_head = (s->sample_head + 1) % RT_SAMPLES;
  if (s->sample_count < RT_SAMPLES) s->sample_count++;
}

static int32_t nearest_rank(const uint32_t *sorted, uint32_t n, uint32_t pct) {
  uint32_t rank = (n * pct + 99) / 100; /* ceil(n * p), >= 1 for n >= 1 */
  return (int32_t)sorted[rank ? rank - 1 : 0];
}

void rt_stats_get(const rt_service *s, uint64_t now, uint32_t window_ms, rt_stats *st) {
  uint32_t lat[RT_SAMPLES];
  memset(st, 0, sizeof *st);
  for (uint32_t i = 0; i < s->sample_count; i++) {
    const rt_sample *x = &s->samples[i];
    if (x->at + window_ms <= now) continue;
    st->total++;
    if (!x->ok) continue;
    uint32_t j = st->ok++;
    while (j > 0 && lat[j - 1] > x->latency_ms) { /* insertion sort: at most 64 values */
      lat[j] = lat[j - 1];
      j--;
    }
    lat[j] = x->latency_ms;
  }
  if (!st->ok) {
    st->p50 = st->p95 = st->p99 = -1;
    return;
  }
  st->p50 = nearest_rank(lat, st->ok, 50);
  st->p95 = nearest_rank(lat, st->ok, 95);
  st->p99 = nearest_rank(lat, st->ok, 99);
}

uint32_t rt_attempt_timeout(const lifeline_router *r, const rt_service *s, uint64_t now) {
  rt_stats st;
  rt_stats_get(s, now, RT_LATENCY_WINDOW_MS, &st);
  uint32_t hi = s->max_attempt_timeout_ms, lo = r->cfg.min_attempt_timeout_ms;
  if (st.ok < RT_MIN_TIMEOUT_SAMPLES) return r->cfg.cold_timeout_ms < hi ? r->cfg.cold_timeout_ms : hi;
  uint64_t t = 4 * (uint64_t)st.p95; /* p95, not p99: one or two stalls must not stretch it */
  if (t < lo) t = lo;
  if (t > hi) t = hi;
  return (uint32_t)t;
}

int rt_is_anomalously_slow(const rt_service *s, uint32_t elapsed_ms, uint64_t now) {
  rt_stats st;
  rt_stats_get(s, now, RT_LATENCY_WINDOW_MS, &st);
  /* The median, not p99: one stall among the samples must not excuse a service that hangs. */
  return st.ok >= RT_MIN_TIMEOUT_SAMPLES && elapsed_ms >= 3 * (uint64_t)st.p50;
}

int rt_budget_allows(lifeline_router *r, rt_service *s, uint64_t now) {
  lifeline_window_advance(&s->budget, now);
  uint64_t allowed = s->budget.sum_a * r->cfg.retry_budget_percent / 100 +
                     (uint64_t)r->cfg.retry_budget_reserve_per_s * (r->cfg.retry_budget_window_ms / 1000);
  return s->budget.sum_b < allowed;
}

int rt_classify(int status) {
  if (status >= 200 && status < 400) return RT_OUT_SUCCESS;
  if (status >= 400 && status < 500 && status != 408 && status != 429) return RT_OUT_CALLER;
  return RT_OUT_FAILURE; /* 1xx, 408, 429, 5xx, network error, timeout */
}
