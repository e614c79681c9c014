/* What every layer of the manager shares: its configuration, the action batch and the arena
 * its spans point into, the counters and metrics, the online flag, the random source and the
 * stream counter. The bottom layer: it calls nothing else of the manager. Internal.
 *
 * Layers, each calling only those below it:
 *   manager.c           the public object and entry points; the WAKE_AT that ends a batch
 *   manager_conn.c      one connection's whole state machine
 *   manager_fresh.c     its freshness: stale threshold, outage clock, catch-up (pure)
 *   manager_delivery.c  channels, subscribers, filters, duplicate window, replay, fan-out
 *   manager_policy.c    how an answer is classified (pure functions)
 *   manager_base.c      this: batch, arena, counters */
#ifndef LIFELINE_MANAGER_BASE_H
#define LIFELINE_MANAGER_BASE_H

#include "lifeline/manager.h"
#include "lifeline/metrics.h"
#include "lifeline/rng.h"

/* Metrics registered in the manager's registry (names and help in manager_base.c). */
enum {
  MGR_M_CONNECTS, MGR_M_RECONNECTS, MGR_M_EVENTS, MGR_M_ERRORS, MGR_M_DUPLICATES, MGR_M_STALLS,
  MGR_M_FAILOVERS, MGR_M_CONNECT_MS, MGR_M_FIRST_EVENT_MS, MGR_M_RECONNECT_DELAY_MS,
  MGR_M_RECOVERY_MS, MGR_M_LATENCY_MS, MGR_METRIC_COUNT_
};

typedef struct {
  lifeline_manager_config cfg;
  lifeline_manager_action *actions;
  size_t nactions, actions_cap;
  uint8_t *arena;
  size_t arena_len, arena_cap;
  int online;
  uint32_t next_stream;
  uint64_t seeds; /* counter mixed into per-connection seeds */
  uint64_t now;   /* now_ms of the call in progress (parser callbacks need it) */
  lifeline_rng rng;
  lifeline_manager_stats stats;
  lifeline_metrics *metrics; /* NULL when cfg.metrics is 0 */
  int mid[MGR_METRIC_COUNT_];
} mgr_base;

/* Validates and copies *cfg. Returns LIFELINE_OK, LIFELINE_ERR_INVALID_ARGUMENT (a cap out of
 * range) or LIFELINE_ERR_NO_MEMORY; on error *b holds nothing to free. */
int mgr_base_init(mgr_base *b, const lifeline_manager_config *cfg);
void mgr_base_free(mgr_base *b);
/* Starts a new batch (the previous one's actions and spans are gone). */
void mgr_begin(mgr_base *b);
/* Appends an action (zeroed but for kind); NULL when the batch is full. data: a DELIVER, held to
 * max_actions; control actions have room beyond it so that a batch full of events can still
 * say what happened to connections. */
lifeline_manager_action *mgr_push(mgr_base *b, lifeline_manager_action_kind kind, int data);
/* Copies len bytes into the arena; *out receives the span. LIFELINE_ERR_FULL past the cap
 * (max_arena_bytes for data, more for control spans), LIFELINE_ERR_NO_MEMORY. */
int mgr_arena_put(mgr_base *b, const void *p, size_t len, int data, lifeline_manager_span *out);
void mgr_count(mgr_base *b, int metric, uint64_t now);
void mgr_observe(mgr_base *b, int metric, uint64_t value_ms, uint64_t now);
/* A fresh stream id (never 0; wraps after 2^32 - 1). */
uint32_t mgr_new_stream(mgr_base *b);
/* A seed for a new connection's backoff and breakers, derived from cfg.seed. */
uint64_t mgr_new_seed(mgr_base *b);

#endif
