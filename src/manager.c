/* The manager object and its public entry points. Every entry point that takes now_ms starts a
 * new batch, also when it fails, so that a host reading the batch after any such call never
 * sees the previous one twice, and ends it with WAKE_AT. The top layer (see manager_base.h). */
#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"
#include "manager_base.h"
#include "manager_conn.h"
#include "manager_delivery.h"

struct lifeline_manager {
  mgr_base b;
  mgr_delivery d;
  mgr_conn **conns; /* b.cfg.max_connections slots, NULL: free */
};

#define FOR_EACH_CONN(m, c)                                     \
  for (uint32_t i_ = 0; i_ < (m)->b.cfg.max_connections; i_++) \
    if (((c) = (m)->conns[i_]) != NULL)

lifeline_metrics *lifeline_manager_metrics(lifeline_manager *m) { return m ? m->b.metrics : NULL; }

int lifeline_manager_observe_latency(lifeline_manager *m, double latency_ms, uint64_t now_ms) {
  if (!m || !(latency_ms >= 0)) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (!m->b.metrics) return LIFELINE_ERR_STATE;
  return lifeline_metrics_observe(m->b.metrics, m->b.mid[MGR_M_LATENCY_MS], latency_ms, now_ms);
}

lifeline_manager *lifeline_manager_new(const lifeline_manager_config *c) {
  lifeline_manager_config d;
  if (!c) {
    lifeline_manager_config_default(&d);
    c = &d;
  }
  lifeline_manager *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  if (mgr_base_init(&m->b, c) != LIFELINE_OK) {
    free(m);
    return NULL;
  }
  m->conns = calloc(c->max_connections, sizeof *m->conns);
  if (!m->conns || mgr_delivery_init(&m->d, c->max_channels, c->max_subscribers) != LIFELINE_OK) {
    free(m->conns);
    mgr_base_free(&m->b);
    free(m);
    return NULL;
  }
  return m;
}

static void conn_free(lifeline_manager *m, uint32_t i) {
  if (!m->conns[i]) return;
  mgr_conn_destroy(m->conns[i]);
  free(m->conns[i]);
  m->conns[i] = NULL;
}

static void forget_all(lifeline_manager *m) {
  mgr_delivery_clear(&m->d);
  for (uint32_t i = 0; i < m->b.cfg.max_connections; i++) conn_free(m, i);
}

void lifeline_manager_free(lifeline_manager *m) {
  if (!m) return;
  forget_all(m);
  free(m->conns);
  mgr_delivery_free(&m->d);
  mgr_base_free(&m->b);
  free(m);
}

/* ---- the batch ---- */

size_t lifeline_manager_action_count(const lifeline_manager *m) { return m ? m->b.nactions : 0; }
const lifeline_manager_action *lifeline_manager_actions(const lifeline_manager *m) { return m ? m->b.actions : NULL; }
const uint8_t *lifeline_manager_arena(const lifeline_manager *m) { return m ? m->b.arena : NULL; }

uint64_t lifeline_manager_deadline(const lifeline_manager *m) {
  uint64_t t = LIFELINE_NEVER;
  for (uint32_t i = 0; i < m->b.cfg.max_connections; i++) {
    if (!m->conns[i]) continue;
    uint64_t d = mgr_conn_deadline(m->conns[i]);
    if (d < t) t = d;
  }
  return t;
}

static void end_batch(lifeline_manager *m) {
  uint64_t t = lifeline_manager_deadline(m);
  lifeline_manager_action *a = mgr_push(&m->b, LIFELINE_MANAGER_ACT_WAKE_AT, 0);
  if (!a) return;
  a->time_lo = (uint32_t)t;
  a->time_hi = (uint32_t)(t >> 32);
}

/* ---- handles ---- */

static mgr_conn *conn_get(const lifeline_manager *m, uint32_t handle) {
  if (!m || handle == 0 || handle > m->b.cfg.max_connections) return NULL;
  return m->conns[handle - 1];
}

static mgr_conn *conn_by_stream(lifeline_manager *m, uint32_t stream) {
  if (stream == 0) return NULL;
  for (uint32_t i = 0; i < m->b.cfg.max_connections; i++)
    if (m->conns[i] && m->conns[i]->stream == stream) return m->conns[i];
  m->b.stats.stale_inputs++;
  return NULL;
}

/* ---- configuration entry points ---- */

int lifeline_manager_connection(lifeline_manager *m, const char *key, size_t key_len,
                                const lifeline_manager_conn_config *cfg, uint32_t *conn) {
  if (!m || !conn || (!key && key_len)) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (key_len > LIFELINE_MANAGER_MAX_KEY) return LIFELINE_ERR_FULL;
  uint32_t free_slot = 0;
  for (uint32_t i = 0; i < m->b.cfg.max_connections; i++) {
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
  int rc = mgr_conn_init(c, &m->b, &m->d, cfg);
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
  mgr_conn *c = conn_get(m, conn);
  if (!c) return LIFELINE_ERR_NOT_FOUND;
  if (c->channels || (c->state != LIFELINE_MANAGER_IDLE && c->state != LIFELINE_MANAGER_CLOSED &&
                      c->state != LIFELINE_MANAGER_FAILED))
    return LIFELINE_ERR_STATE;
  conn_free(m, conn - 1);
  return LIFELINE_OK;
}

int lifeline_manager_set_last_event_id(lifeline_manager *m, uint32_t conn, const char *id,
                                       size_t len) {
  mgr_conn *c = conn_get(m, conn);
  if (!c) return LIFELINE_ERR_NOT_FOUND;
  if (!id && len) return LIFELINE_ERR_INVALID_ARGUMENT;
  return mgr_conn_set_last_event_id(c, (const uint8_t *)id, len);
}

int lifeline_manager_channel(lifeline_manager *m, uint32_t conn,
                             const lifeline_manager_channel_config *cfg, uint32_t *channel) {
  lifeline_manager_channel_config d;
  mgr_conn *c = conn_get(m, conn);
  if (!c) return LIFELINE_ERR_NOT_FOUND;
  if (!channel) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (!cfg) {
    lifeline_manager_channel_config_default(&d);
    cfg = &d;
  }
  int rc = mgr_channel_add(&m->d, conn, cfg, channel);
  if (rc == LIFELINE_OK && mgr_conn_bind_window(c, cfg->dedup_window) != LIFELINE_OK) {
    mgr_channel_destroy(&m->d, mgr_channel_get(&m->d, *channel));
    rc = LIFELINE_ERR_NO_MEMORY;
  }
  if (rc == LIFELINE_OK) c->channels++;
  return rc;
}

static int bind_(lifeline_manager *m, uint32_t channel, uint32_t conn, uint64_t now_ms) {
  mgr_channel *ch = mgr_channel_get(&m->d, channel);
  mgr_conn *to = conn_get(m, conn);
  if (!ch || !to) return LIFELINE_ERR_NOT_FOUND;
  if (ch->conn == conn) return LIFELINE_OK;
  if (mgr_conn_bind_window(to, ch->cfg.dedup_window) != LIFELINE_OK) return LIFELINE_ERR_NO_MEMORY;
  mgr_conn *from = conn_get(m, ch->conn);
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
  mgr_channel *ch = mgr_channel_get(&m->d, channel);
  if (!ch) return LIFELINE_ERR_NOT_FOUND;
  mgr_conn *c = conn_get(m, ch->conn);
  uint32_t n = ch->nsubs;
  mgr_channel_destroy(&m->d, ch);
  if (c) {
    c->channels--;
    if (n) mgr_conn_ref(c, -(int)n, now_ms);
  }
  return LIFELINE_OK;
}

/* ---- subscribers ---- */

static int subscribe_(lifeline_manager *m, uint32_t channel, int32_t priority, const char *types,
                      size_t types_len, uint32_t replay, uint64_t now_ms, uint32_t *sub) {
  mgr_channel *ch = mgr_channel_get(&m->d, channel);
  if (!ch) return LIFELINE_ERR_NOT_FOUND;
  if (!sub || (!types && types_len)) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (types_len > LIFELINE_MANAGER_MAX_FILTER) return LIFELINE_ERR_FULL;
  int rc = mgr_sub_add(&m->b, &m->d, channel, priority, types, types_len, replay, sub);
  if (rc == LIFELINE_OK) mgr_conn_ref(conn_get(m, ch->conn), 1, now_ms);
  return rc;
}

static int unsubscribe_(lifeline_manager *m, uint32_t sub, uint64_t now_ms) {
  if (sub == 0) return LIFELINE_ERR_INVALID_ARGUMENT;
  uint32_t channel = 0;
  int rc = mgr_sub_remove(&m->d, sub, &channel);
  if (rc == LIFELINE_OK) {
    mgr_channel *ch = mgr_channel_get(&m->d, channel);
    mgr_conn_ref(conn_get(m, ch->conn), -1, now_ms);
  }
  return rc;
}

#define MGR_CALL(m, expr)              \
  do {                                 \
    if (!(m)) return LIFELINE_ERR_INVALID_ARGUMENT; \
    mgr_begin(&m->b);                  \
    int rc_ = (expr);                  \
    end_batch(m);                      \
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

/* ---- transport results, environment, time ---- */

int lifeline_manager_opened(lifeline_manager *m, uint32_t stream, int http_status,
                            const char *content_type, size_t ct_len, int64_t retry_after_ms,
                            uint64_t now_ms) {
  if (!m) return LIFELINE_ERR_INVALID_ARGUMENT;
  mgr_begin(&m->b);
  mgr_conn *c = (!content_type && ct_len) ? NULL : conn_by_stream(m, stream);
  if (c) mgr_conn_opened(c, http_status, content_type, ct_len, retry_after_ms, now_ms);
  end_batch(m);
  if (!content_type && ct_len) return LIFELINE_ERR_INVALID_ARGUMENT;
  return c ? LIFELINE_OK : LIFELINE_ERR_NOT_FOUND;
}

int lifeline_manager_feed(lifeline_manager *m, uint32_t stream, const uint8_t *bytes, size_t len,
                          uint64_t now_ms) {
  if (!m) return LIFELINE_ERR_INVALID_ARGUMENT;
  mgr_begin(&m->b);
  mgr_conn *c = (!bytes && len) ? NULL : conn_by_stream(m, stream);
  int rc = (!bytes && len) ? LIFELINE_ERR_INVALID_ARGUMENT : LIFELINE_ERR_NOT_FOUND;
  if (c && !c->stream_open) {
    rc = LIFELINE_ERR_STATE;
  } else if (c) {
    mgr_conn_feed(c, bytes, len, now_ms);
    rc = LIFELINE_OK;
  }
  end_batch(m);
  return rc;
}

int lifeline_manager_event(lifeline_manager *m, uint32_t stream, const char *type, size_t type_len,
                           const char *data, size_t data_len, const char *id, size_t id_len,
                           uint64_t now_ms) {
  if (!m) return LIFELINE_ERR_INVALID_ARGUMENT;
  int bad = (!type && type_len) || (!data && data_len) || (!id && id_len);
  mgr_begin(&m->b);
  mgr_conn *c = bad ? NULL : conn_by_stream(m, stream);
  int rc = bad ? LIFELINE_ERR_INVALID_ARGUMENT : LIFELINE_ERR_NOT_FOUND;
  if (c && !c->stream_open) {
    rc = LIFELINE_ERR_STATE;
  } else if (c) {
    rc = mgr_conn_es_event(c, (const uint8_t *)type, type_len, (const uint8_t *)data, data_len,
                           (const uint8_t *)id, id_len, now_ms);
  }
  end_batch(m);
  return rc;
}

int lifeline_manager_closed(lifeline_manager *m, uint32_t stream, lifeline_manager_end end,
                            uint64_t now_ms) {
  if (!m) return LIFELINE_ERR_INVALID_ARGUMENT;
  int bad = (unsigned)end > LIFELINE_MANAGER_END_ABORTED;
  mgr_begin(&m->b);
  mgr_conn *c = bad ? NULL : conn_by_stream(m, stream);
  if (c) {
    c->http_status = 0;
    mgr_conn_closed(c, end, now_ms);
  }
  end_batch(m);
  if (bad) return LIFELINE_ERR_INVALID_ARGUMENT;
  return c ? LIFELINE_OK : LIFELINE_ERR_NOT_FOUND;
}

void lifeline_manager_set_online(lifeline_manager *m, int online, uint64_t now_ms) {
  if (!m) return;
  mgr_begin(&m->b);
  mgr_conn *c;
  m->b.online = online != 0;
  FOR_EACH_CONN(m, c) mgr_conn_set_online(c, m->b.online, now_ms);
  end_batch(m);
}

void lifeline_manager_resume(lifeline_manager *m, uint64_t now_ms) {
  if (!m) return;
  mgr_begin(&m->b);
  mgr_conn *c;
  FOR_EACH_CONN(m, c) mgr_conn_resume(c, now_ms);
  end_batch(m);
}

int lifeline_manager_retry_now(lifeline_manager *m, uint32_t conn, uint64_t now_ms) {
  if (!m) return LIFELINE_ERR_INVALID_ARGUMENT;
  mgr_begin(&m->b);
  mgr_conn *c = conn_get(m, conn);
  if (c) mgr_conn_retry_now(c, now_ms);
  end_batch(m);
  return c ? LIFELINE_OK : LIFELINE_ERR_NOT_FOUND;
}

int lifeline_manager_close(lifeline_manager *m, uint32_t conn, uint64_t now_ms) {
  if (!m) return LIFELINE_ERR_INVALID_ARGUMENT;
  mgr_begin(&m->b);
  mgr_conn *c = conn_get(m, conn);
  if (c) mgr_conn_close(c, LIFELINE_MANAGER_REASON_ABORTED, now_ms);
  end_batch(m);
  return c ? LIFELINE_OK : LIFELINE_ERR_NOT_FOUND;
}

void lifeline_manager_close_all(lifeline_manager *m, uint64_t now_ms) {
  if (!m) return;
  mgr_begin(&m->b);
  mgr_conn *c;
  FOR_EACH_CONN(m, c) {
    if (c->state != LIFELINE_MANAGER_IDLE && c->state != LIFELINE_MANAGER_CLOSED)
      mgr_conn_close(c, LIFELINE_MANAGER_REASON_ABORTED, now_ms);
  }
  forget_all(m);
  end_batch(m);
}

void lifeline_manager_tick(lifeline_manager *m, uint64_t now_ms) {
  if (!m) return;
  mgr_begin(&m->b);
  mgr_conn *c;
  FOR_EACH_CONN(m, c) mgr_conn_tick(c, now_ms);
  end_batch(m);
}

int lifeline_manager_get_conn_info(const lifeline_manager *m, uint32_t conn, lifeline_manager_conn_info *out) {
  const mgr_conn *c = conn_get(m, conn);
  if (!c) return LIFELINE_ERR_NOT_FOUND;
  if (!out) return LIFELINE_ERR_INVALID_ARGUMENT;
  out->state = c->state;
  out->reason = c->reason;
  out->attempt = c->attempt;
  out->http_status = c->http_status;
  out->endpoint = c->endpoint;
  out->subscribers = c->subs;
  out->channels = c->channels;
  out->next_attempt_at = c->retry_at;
  out->since = c->since;
  out->last_id = c->last_id;
  out->last_id_len = c->last_id_len;
  out->last_byte_at = c->fresh.last_byte_at;
  out->last_event_at = c->fresh.last_event_at;
  out->outage_since = c->fresh.outage_from;
  out->stale_after_ms = c->rep_stale_after;
  out->stale = (c->rep_flags & LIFELINE_MANAGER_FLAG_STALE) != 0;
  out->alert = (c->rep_flags & LIFELINE_MANAGER_FLAG_ALERT) != 0;
  out->events = c->n_events;
  out->duplicates = c->n_duplicates;
  out->reconnects = c->n_reconnects;
  out->outages = c->n_outages;
  out->outage_ms = c->outage_ms;
  out->caught_up = c->n_caught_up;
  out->last_caught_up = c->last_caught_up;
  return LIFELINE_OK;
}

int lifeline_manager_get_channel_info(const lifeline_manager *m, uint32_t channel,
                                      lifeline_manager_channel_info *out) {
  const mgr_channel *ch = m ? mgr_channel_get(&m->d, channel) : NULL;
  if (!ch) return LIFELINE_ERR_NOT_FOUND;
  if (!out) return LIFELINE_ERR_INVALID_ARGUMENT;
  out->conn = ch->conn;
  out->subscribers = ch->nsubs;
  out->events = ch->events;
  out->delivered = ch->delivered;
  out->replayed = ch->replayed;
  out->duplicates = ch->duplicates;
  out->caught_up = ch->caught_up;
  return LIFELINE_OK;
}

void lifeline_manager_get_stats(const lifeline_manager *m, lifeline_manager_stats *out) {
  if (m && out) *out = m->b.stats;
}

const char *lifeline_manager_state_name(lifeline_manager_state s) {
  static const char *const names[] = {"idle",    "connecting",   "open",   "reconnecting",
                                      "offline", "circuit-open", "failed", "closed"};
  return (unsigned)s < sizeof names / sizeof *names ? names[s] : "unknown";
}

const char *lifeline_manager_reason_name(lifeline_manager_reason r) {
  static const char *const names[] = {
      "none",      "network",      "timeout",       "stall",      "http-5xx",
      "rate-limited", "retry-after", "auth",        "no-content", "not-found",
      "http-status", "content-type", "overflow",    "aborted",    "server-closed",
      "exhausted", "offline",      "circuit-open",  "linger",     "drain"};
  return (unsigned)r < sizeof names / sizeof *names ? names[r] : "unknown";
}
