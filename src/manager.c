/* The manager object: configuration, the action batch and arena, handles, public entry points. */
#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"
#include "manager_internal.h"

/* Control actions (OPEN, CLOSE, STATUS, WAKE_AT) and their spans may exceed the delivery caps by
 * this much, so that a batch full of events can still report what happened to connections. */
#define MGR_CONTROL_ACTIONS_PER_CONN 6u
#define MGR_MAX_DEDUP 4096u

void lifeline_manager_config_default(lifeline_manager_config *c) {
  memset(c, 0, sizeof *c);
  c->max_connections = 32;
  c->max_channels = 256;
  c->max_subscribers = 1024;
  c->max_actions = 65536;
  c->max_arena_bytes = 8u << 20;
  c->linger_ms = 1000;
  c->online_spread_ms = 250;
  c->metrics = 1;
}

void lifeline_manager_conn_config_default(lifeline_manager_conn_config *c) {
  memset(c, 0, sizeof *c);
  c->endpoint_count = 1;
  c->features = LIFELINE_MGR_ALL;
  c->heartbeat_timeout_ms = 45000;
  c->connect_timeout_ms = 30000;
  c->plain_retry_ms = 3000;
  lifeline_backoff_config_default(&c->backoff);
  lifeline_breaker_config_default(&c->breaker);
  /* A stream is one call at a time: its half-open probe is the one reconnect, and a second
   * success can never come while it stays open, so one probe decides. */
  c->breaker.half_open_probes = 1;
  c->breaker.half_open_successes = 1;
  c->breaker.half_open_failures = 1;
}

void lifeline_manager_channel_config_default(lifeline_manager_channel_config *c) {
  memset(c, 0, sizeof *c);
  c->replay_bytes = 256u << 10;
  c->dedup_window = 256;
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

static int register_metrics(lifeline_manager *m) {
  m->metrics = lifeline_metrics_new();
  if (!m->metrics) return LIFELINE_ERR_NO_MEMORY;
  for (int i = 0; i < MGR_METRIC_COUNT_; i++) {
    int id = metric_defs[i].histogram
                 ? lifeline_metrics_histogram(m->metrics, metric_defs[i].name, metric_defs[i].help)
                 : lifeline_metrics_counter(m->metrics, metric_defs[i].name, metric_defs[i].help);
    if (id < 0) return id;
    m->mid[i] = id;
  }
  return LIFELINE_OK;
}

void mgr_count(lifeline_manager *m, int metric, uint64_t now) {
  if (m->metrics) lifeline_metrics_add(m->metrics, m->mid[metric], 1, now);
}

void mgr_observe(lifeline_manager *m, int metric, uint64_t value_ms, uint64_t now) {
  if (m->metrics) lifeline_metrics_observe(m->metrics, m->mid[metric], (double)value_ms, now);
}

lifeline_metrics *lifeline_manager_metrics(lifeline_manager *m) { return m ? m->metrics : NULL; }

int lifeline_manager_observe_latency(lifeline_manager *m, double latency_ms, uint64_t now_ms) {
  if (!m || !(latency_ms >= 0)) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (!m->metrics) return LIFELINE_ERR_STATE;
  return lifeline_metrics_observe(m->metrics, m->mid[MGR_M_LATENCY_MS], latency_ms, now_ms);
}

lifeline_manager *lifeline_manager_new(const lifeline_manager_config *c) {
  lifeline_manager_config d;
  if (!c) {
    lifeline_manager_config_default(&d);
    c = &d;
  }
  if (!c->max_connections || c->max_connections > 4096 || !c->max_channels ||
      c->max_channels > 65535 || !c->max_subscribers || c->max_subscribers > 65535 ||
      !c->max_actions || c->max_arena_bytes < 1024)
    return NULL;
  lifeline_manager *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->cfg = *c;
  m->conns = calloc(c->max_connections, sizeof *m->conns);
  m->channels = calloc(c->max_channels, sizeof *m->channels);
  m->subs = calloc(c->max_subscribers, sizeof *m->subs);
  if (!m->conns || !m->channels || !m->subs) {
    lifeline_manager_free(m);
    return NULL;
  }
  if (c->metrics && register_metrics(m) != LIFELINE_OK) {
    lifeline_manager_free(m);
    return NULL;
  }
  m->online = 1;
  m->next_stream = 1;
  m->next_sub = 1;
  lifeline_rng_seed(&m->rng, c->seed, 0x6d616e61676572ULL);
  return m;
}

static void conn_free(lifeline_manager *m, uint32_t i) {
  if (!m->conns[i]) return;
  mgr_conn_destroy(m->conns[i]);
  free(m->conns[i]);
  m->conns[i] = NULL;
}

void mgr_forget_all(lifeline_manager *m) {
  for (uint32_t i = 0; i < m->cfg.max_subscribers; i++) {
    free(m->subs[i].types);
    memset(&m->subs[i], 0, sizeof m->subs[i]);
  }
  for (uint32_t i = 0; i < m->cfg.max_channels; i++)
    if (m->channels[i].used) mgr_channel_destroy(m, &m->channels[i]);
  m->channels_hi = 0;
  for (uint32_t i = 0; i < m->cfg.max_connections; i++) conn_free(m, i);
}

void lifeline_manager_free(lifeline_manager *m) {
  if (!m) return;
  if (m->conns && m->channels && m->subs) mgr_forget_all(m);
  free(m->conns);
  free(m->channels);
  free(m->subs);
  free(m->actions);
  free(m->arena);
  lifeline_metrics_free(m->metrics);
  free(m);
}

/* ---- batch and arena ---- */

void mgr_begin(lifeline_manager *m) {
  m->nactions = 0;
  m->arena_len = 0;
}

void mgr_end(lifeline_manager *m) {
  uint64_t t = lifeline_manager_deadline(m);
  lifeline_mgr_action *a = mgr_push(m, LIFELINE_MGR_ACT_WAKE_AT, 0);
  if (!a) return;
  a->time_lo = (uint32_t)t;
  a->time_hi = (uint32_t)(t >> 32);
}

lifeline_mgr_action *mgr_push(lifeline_manager *m, lifeline_mgr_action_kind kind, int data) {
  size_t limit = data ? m->cfg.max_actions
                      : m->cfg.max_actions + (size_t)m->cfg.max_connections * MGR_CONTROL_ACTIONS_PER_CONN + 2;
  if (m->nactions >= limit) return NULL;
  if (m->nactions == m->actions_cap) {
    size_t cap = m->actions_cap ? m->actions_cap * 2 : 64;
    size_t hard = m->cfg.max_actions + (size_t)m->cfg.max_connections * MGR_CONTROL_ACTIONS_PER_CONN + 2;
    if (cap > hard) cap = hard;
    lifeline_mgr_action *n = realloc(m->actions, cap * sizeof *n);
    if (!n) return NULL;
    m->actions = n;
    m->actions_cap = cap;
  }
  lifeline_mgr_action *a = &m->actions[m->nactions++];
  memset(a, 0, sizeof *a);
  a->kind = (uint32_t)kind;
  return a;
}

int mgr_arena_put(lifeline_manager *m, const void *p, size_t len, int data, lifeline_mgr_span *out) {
  size_t limit = data ? m->cfg.max_arena_bytes
                      : (size_t)m->cfg.max_arena_bytes + (size_t)m->cfg.max_connections * LIFELINE_MGR_MAX_ID;
  if (len > limit || m->arena_len > limit - len) return LIFELINE_ERR_FULL;
  if (m->arena_len + len > m->arena_cap) {
    size_t cap = m->arena_cap ? m->arena_cap : 4096;
    while (cap < m->arena_len + len) cap *= 2;
    uint8_t *n = realloc(m->arena, cap);
    if (!n) return LIFELINE_ERR_NO_MEMORY;
    m->arena = n;
    m->arena_cap = cap;
  }
  if (len) memcpy(m->arena + m->arena_len, p, len);
  out->off = (uint32_t)m->arena_len;
  out->len = (uint32_t)len;
  m->arena_len += len;
  return LIFELINE_OK;
}

size_t lifeline_manager_action_count(const lifeline_manager *m) { return m ? m->nactions : 0; }
const lifeline_mgr_action *lifeline_manager_actions(const lifeline_manager *m) { return m ? m->actions : NULL; }
const uint8_t *lifeline_manager_arena(const lifeline_manager *m) { return m ? m->arena : NULL; }

uint64_t lifeline_manager_deadline(const lifeline_manager *m) {
  uint64_t t = LIFELINE_NEVER;
  for (uint32_t i = 0; i < m->cfg.max_connections; i++) {
    if (!m->conns[i]) continue;
    uint64_t d = mgr_conn_deadline(m->conns[i]);
    if (d < t) t = d;
  }
  return t;
}

/* ---- handles ---- */

mgr_conn *mgr_conn_get(const lifeline_manager *m, uint32_t handle) {
  if (!m || handle == 0 || handle > m->cfg.max_connections) return NULL;
  return m->conns[handle - 1];
}

mgr_channel *mgr_channel_get(const lifeline_manager *m, uint32_t handle) {
  if (!m || handle == 0 || handle > m->cfg.max_channels) return NULL;
  mgr_channel *ch = &m->channels[handle - 1];
  return ch->used ? ch : NULL;
}

mgr_conn *mgr_conn_by_stream(lifeline_manager *m, uint32_t stream) {
  if (stream == 0) return NULL;
  for (uint32_t i = 0; i < m->cfg.max_connections; i++)
    if (m->conns[i] && m->conns[i]->stream == stream) return m->conns[i];
  m->stats.stale_inputs++;
  return NULL;
}

/* ---- configuration entry points ---- */

int lifeline_manager_connection(lifeline_manager *m, const char *key, size_t key_len,
                                const lifeline_manager_conn_config *cfg, uint32_t *conn) {
  if (!m || !conn || (!key && key_len)) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (key_len > LIFELINE_MGR_MAX_KEY) return LIFELINE_ERR_FULL;
  uint32_t free_slot = 0;
  for (uint32_t i = 0; i < m->cfg.max_connections; i++) {
    mgr_conn *c = m->conns[i];
    if (!c) {
      if (!free_slot) free_slot = i + 1;
    } else if (c->key_len == key_len && (key_len == 0 || memcmp(c->key, key, key_len) == 0)) {
      *conn = i + 1;
      return LIFELINE_OK;
    }
  }
  if (!free_slot) return LIFELINE_ERR_FULL;
  mgr_conn *c = calloc(1, sizeof *c);
  if (!c) return LIFELINE_ERR_NO_MEMORY;
  c->key = malloc(key_len ? key_len : 1);
  if (!c->key) {
    free(c);
    return LIFELINE_ERR_NO_MEMORY;
  }
  if (key_len) memcpy(c->key, key, key_len);
  c->key_len = key_len;
  c->handle = free_slot;
  int rc = mgr_conn_init(m, c, cfg);
  if (rc != LIFELINE_OK) {
    mgr_conn_destroy(c);
    free(c);
    return rc;
  }
  m->conns[free_slot - 1] = c;
  *conn = free_slot;
  return LIFELINE_OK;
}

int lifeline_manager_connection_release(lifeline_manager *m, uint32_t conn) {
  mgr_conn *c = mgr_conn_get(m, conn);
  if (!c) return LIFELINE_ERR_NOT_FOUND;
  if (c->channels || (c->state != LIFELINE_MGR_IDLE && c->state != LIFELINE_MGR_CLOSED &&
                      c->state != LIFELINE_MGR_FAILED))
    return LIFELINE_ERR_STATE;
  conn_free(m, conn - 1);
  return LIFELINE_OK;
}

int lifeline_manager_set_last_event_id(lifeline_manager *m, uint32_t conn, const char *id,
                                       size_t len) {
  mgr_conn *c = mgr_conn_get(m, conn);
  if (!c) return LIFELINE_ERR_NOT_FOUND;
  if (!id && len) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (len > LIFELINE_MGR_MAX_ID) return LIFELINE_ERR_FULL;
  if (len && memchr(id, 0, len)) return LIFELINE_ERR_INVALID_ARGUMENT; /* the spec ignores such ids */
  if (len) memcpy(c->last_id, id, len);
  c->last_id_len = len;
  return LIFELINE_OK;
}

int lifeline_manager_channel(lifeline_manager *m, uint32_t conn,
                             const lifeline_manager_channel_config *cfg, uint32_t *channel) {
  lifeline_manager_channel_config d;
  mgr_conn *c = mgr_conn_get(m, conn);
  if (!c) return LIFELINE_ERR_NOT_FOUND;
  if (!channel) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (!cfg) {
    lifeline_manager_channel_config_default(&d);
    cfg = &d;
  }
  if (cfg->dedup_window == 0 || cfg->dedup_window > MGR_MAX_DEDUP || cfg->replay_events > 65536)
    return LIFELINE_ERR_INVALID_ARGUMENT;
  for (uint32_t i = 0; i < m->cfg.max_channels; i++) {
    if (m->channels[i].used) continue;
    int rc = mgr_channel_init(&m->channels[i], conn, cfg);
    if (rc != LIFELINE_OK) return rc;
    if (i + 1 > m->channels_hi) m->channels_hi = i + 1;
    c->channels++;
    *channel = i + 1;
    return LIFELINE_OK;
  }
  return LIFELINE_ERR_FULL;
}

/* Every entry point that takes now_ms starts a new batch, also when it fails, so that a host
 * reading the batch after any such call never sees the previous one twice. */
static int bind_(lifeline_manager *m, uint32_t channel, uint32_t conn, uint64_t now_ms) {
  mgr_channel *ch = mgr_channel_get(m, channel);
  mgr_conn *to = mgr_conn_get(m, conn);
  if (!ch || !to) return LIFELINE_ERR_NOT_FOUND;
  if (ch->conn == conn) return LIFELINE_OK;
  mgr_conn *from = mgr_conn_get(m, ch->conn);
  ch->conn = conn;
  mgr_channel_forget_stream(ch);
  to->channels++;
  if (ch->nsubs) mgr_conn_ref(to, (int)ch->nsubs, now_ms);
  if (from) {
    from->channels--;
    if (ch->nsubs) mgr_conn_ref(from, -(int)ch->nsubs, now_ms);
  }
  return LIFELINE_OK;
}

static int remove_(lifeline_manager *m, uint32_t channel, uint64_t now_ms) {
  mgr_channel *ch = mgr_channel_get(m, channel);
  if (!ch) return LIFELINE_ERR_NOT_FOUND;
  mgr_conn *c = mgr_conn_get(m, ch->conn);
  uint32_t n = ch->nsubs;
  mgr_channel_destroy(m, ch);
  if (c) {
    c->channels--;
    if (n) mgr_conn_ref(c, -(int)n, now_ms);
  }
  return LIFELINE_OK;
}

/* ---- subscribers ---- */

static int subscribe_(lifeline_manager *m, uint32_t channel, int32_t priority, const char *types,
                      size_t types_len, uint32_t replay, uint64_t now_ms, uint32_t *sub) {
  mgr_channel *ch = mgr_channel_get(m, channel);
  if (!ch) return LIFELINE_ERR_NOT_FOUND;
  if (!sub || (!types && types_len)) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (types_len > LIFELINE_MGR_MAX_FILTER) return LIFELINE_ERR_FULL;
  int rc = mgr_sub_add(m, channel, priority, types, types_len, replay, sub);
  if (rc == LIFELINE_OK) mgr_conn_ref(mgr_conn_get(m, ch->conn), 1, now_ms);
  return rc;
}

static int unsubscribe_(lifeline_manager *m, uint32_t sub, uint64_t now_ms) {
  if (sub == 0) return LIFELINE_ERR_INVALID_ARGUMENT;
  uint32_t channel = 0;
  int rc = mgr_sub_remove(m, sub, &channel);
  if (rc == LIFELINE_OK) {
    mgr_channel *ch = mgr_channel_get(m, channel);
    mgr_conn_ref(mgr_conn_get(m, ch->conn), -1, now_ms);
  }
  return rc;
}

#define MGR_CALL(m, expr)              \
  do {                                 \
    if (!(m)) return LIFELINE_ERR_INVALID_ARGUMENT; \
    mgr_begin(m);                      \
    int rc_ = (expr);                  \
    mgr_end(m);                        \
    return rc_;                        \
  } while (0)

int lifeline_manager_channel_bind(lifeline_manager *m, uint32_t channel, uint32_t conn,
                                  uint64_t now_ms) {
  MGR_CALL(m, bind_(m, channel, conn, now_ms));
}

int lifeline_manager_channel_remove(lifeline_manager *m, uint32_t channel, uint64_t now_ms) {
  MGR_CALL(m, remove_(m, channel, now_ms));
}

int lifeline_manager_subscribe(lifeline_manager *m, uint32_t channel, int32_t priority,
                               const char *types, size_t types_len, uint32_t replay,
                               uint64_t now_ms, uint32_t *sub) {
  MGR_CALL(m, subscribe_(m, channel, priority, types, types_len, replay, now_ms, sub));
}

int lifeline_manager_unsubscribe(lifeline_manager *m, uint32_t sub, uint64_t now_ms) {
  MGR_CALL(m, unsubscribe_(m, sub, now_ms));
}
