/* The manager's shared bottom layer: configuration, action batch, arena, counters, metrics. */
#include "manager_base.h"

#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"

/* Control actions (OPEN, CLOSE, STATUS, WAKE_AT) and their spans may exceed the delivery caps by
 * this much, so that a batch full of events can still report what happened to connections. */
#define MGR_CONTROL_ACTIONS_PER_CONN 6u

void lifeline_manager_config_default(lifeline_manager_config *c) {
  memset(c, 0, sizeof *c);
  c->max_connections = 32;
  c->max_channels = 256;
  c->max_subscribers = 1024;
  c->max_actions = 65536;
  c->max_arena_bytes = 8u << 20;
  c->linger_ms = 1000;
  c->online_spread_ms = 4000;
  c->metrics = 1;
}

static const struct {
  const char *name, *help;
  int histogram;
} metric_defs[MGR_METRIC_COUNT_] = {
    {"lifeline_sse_connects_total", "SSE connection attempts (OPEN actions)", 0},
    {"lifeline_sse_reconnects_total", "SSE reconnection attempts", 0},
    {"lifeline_sse_events_total", "SSE events received (before fan-out)", 0},
    {"lifeline_sse_errors_total", "SSE connection failures of every class", 0},
    {"lifeline_sse_duplicates_total", "SSE events suppressed as already delivered", 0},
    {"lifeline_sse_stalls_total", "SSE streams declared stalled by the watchdog", 0},
    {"lifeline_sse_failovers_total", "SSE switches to another endpoint", 0},
    {"lifeline_sse_connect_ms", "OPEN to accepted response (ms)", 1},
    {"lifeline_sse_first_event_ms", "OPEN to the stream's first event (ms)", 1},
    {"lifeline_sse_reconnect_delay_ms", "drop to the first new attempt (ms)", 1},
    {"lifeline_sse_recovery_ms", "drop to the first event after it (ms)", 1},
    {"lifeline_sse_event_latency_ms", "event end-to-end latency from server timestamps (ms)", 1},
};

static int register_metrics(mgr_base *b) {
  b->metrics = lifeline_metrics_new();
  if (!b->metrics) return LIFELINE_ERR_NO_MEMORY;
  for (int i = 0; i < MGR_METRIC_COUNT_; i++) {
    int id = metric_defs[i].histogram
                 ? lifeline_metrics_histogram(b->metrics, metric_defs[i].name, metric_defs[i].help)
                 : lifeline_metrics_counter(b->metrics, metric_defs[i].name, metric_defs[i].help);
    if (id < 0) return id;
    b->mid[i] = id;
  }
  return LIFELINE_OK;
}

int mgr_base_init(mgr_base *b, const lifeline_manager_config *c) {
  memset(b, 0, sizeof *b);
  if (!c->max_connections || c->max_connections > 4096 || !c->max_channels ||
      c->max_channels > 65535 || !c->max_subscribers || c->max_subscribers > 65535 ||
      !c->max_actions || c->max_arena_bytes < 1024)
    return LIFELINE_ERR_INVALID_ARGUMENT;
  b->cfg = *c;
  if (c->metrics && register_metrics(b) != LIFELINE_OK) {
    mgr_base_free(b);
    return LIFELINE_ERR_NO_MEMORY;
  }
  b->online = 1;
  b->next_stream = 1;
  lifeline_rng_seed(&b->rng, c->seed, 0x6d616e61676572ULL); /* "manager" */
  return LIFELINE_OK;
}

void mgr_base_free(mgr_base *b) {
  free(b->actions);
  free(b->arena);
  lifeline_metrics_free(b->metrics);
  memset(b, 0, sizeof *b);
}

void mgr_begin(mgr_base *b) {
  b->nactions = 0;
  b->arena_len = 0;
}

lifeline_manager_action *mgr_push(mgr_base *b, lifeline_manager_action_kind kind, int data) {
  size_t hard = b->cfg.max_actions + (size_t)b->cfg.max_connections * MGR_CONTROL_ACTIONS_PER_CONN + 2;
  size_t limit = data ? b->cfg.max_actions : hard;
  if (b->nactions >= limit) return NULL;
  if (b->nactions == b->actions_cap) {
    size_t cap = b->actions_cap ? b->actions_cap * 2 : 64;
    if (cap > hard) cap = hard;
    lifeline_manager_action *n = realloc(b->actions, cap * sizeof *n);
    if (!n) return NULL;
    b->actions = n;
    b->actions_cap = cap;
  }
  lifeline_manager_action *a = &b->actions[b->nactions++];
  memset(a, 0, sizeof *a);
  a->kind = (uint32_t)kind;
  return a;
}

int mgr_arena_put(mgr_base *b, const void *p, size_t len, int data, lifeline_manager_span *out) {
  size_t limit = data ? b->cfg.max_arena_bytes
                      : (size_t)b->cfg.max_arena_bytes + (size_t)b->cfg.max_connections * LIFELINE_MANAGER_MAX_ID;
  if (len > limit || b->arena_len > limit - len) return LIFELINE_ERR_FULL;
  if (b->arena_len + len > b->arena_cap) {
    size_t cap = b->arena_cap ? b->arena_cap : 4096;
    while (cap < b->arena_len + len) cap *= 2;
    uint8_t *n = realloc(b->arena, cap);
    if (!n) return LIFELINE_ERR_NO_MEMORY;
    b->arena = n;
    b->arena_cap = cap;
  }
  if (len) memcpy(b->arena + b->arena_len, p, len);
  out->off = (uint32_t)b->arena_len;
  out->len = (uint32_t)len;
  b->arena_len += len;
  return LIFELINE_OK;
}

void mgr_count(mgr_base *b, int metric, uint64_t now) {
  if (b->metrics) lifeline_metrics_add(b->metrics, b->mid[metric], 1, now);
}

void mgr_observe(mgr_base *b, int metric, uint64_t value_ms, uint64_t now) {
  if (b->metrics) lifeline_metrics_observe(b->metrics, b->mid[metric], (double)value_ms, now);
}

uint32_t mgr_new_stream(mgr_base *b) {
  uint32_t s = b->next_stream++;
  if (b->next_stream == 0) b->next_stream = 1;
  return s;
}

uint64_t mgr_new_seed(mgr_base *b) { return b->cfg.seed ^ (++b->seeds * 0x9E3779B97F4A7C15ULL); }
