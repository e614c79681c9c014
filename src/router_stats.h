/* Per-service statistics from real calls: a ring of recent samples, percentiles over a window,
 * the attempt timeout derived from them, the anomaly rule for hedge losers, the retry budget,
 * and the outcome classes of a status. Reads and writes one service; calls nothing. */
#ifndef LIFELINE_ROUTER_STATS_H
#define LIFELINE_ROUTER_STATS_H

#include "router_state.h"

void rt_record_sample(rt_service *s, int ok, uint32_t latency_ms, uint64_t now);
/* Percentiles (nearest rank) of the successful samples younger than window_ms. */
void rt_stats_get(const rt_service *s, uint64_t now, uint32_t window_ms, rt_stats *st);
/* clamp(4 x p95, min_attempt_timeout_ms, the service's timeout); cold_timeout_ms with fewer
 * than RT_MIN_TIMEOUT_SAMPLES successes. ms. */
uint32_t rt_attempt_timeout(const lifeline_router *r, const rt_service *s, uint64_t now);
/* 1 when a call running elapsed_ms is far slower than usual (3 x the median). */
int rt_is_anomalously_slow(const rt_service *s, uint32_t elapsed_ms, uint64_t now);
/* 1 when a retry or hedge to s stays within the budget (a share of its requests plus a reserve). */
int rt_budget_allows(lifeline_router *r, rt_service *s, uint64_t now);
/* RT_OUT_SUCCESS (2xx/3xx), RT_OUT_CALLER (4xx but 408/429: the request's fault, no failover)
 * or RT_OUT_FAILURE (the service's fault: 1xx, 408, 429, 5xx, network error, timeout). */
int rt_classify(int status);

#endif
