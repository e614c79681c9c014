/* Public entry points for transport results, the environment and time; introspection. */
#include <string.h>

#include "lifeline/error.h"
#include "manager_internal.h"

#define FOR_EACH_CONN(m, c)                                   \
  for (uint32_t i_ = 0; i_ < (m)->cfg.max_connections; i_++) \
    if (((c) = (m)->conns[i_]) != NULL)

int lifeline_manager_opened(lifeline_manager *m, uint32_t stream, int http_status,
                            const char *content_type, size_t ct_len, int64_t retry_after_ms,
                            uint64_t now_ms) {
  if (!m) return LIFELINE_ERR_INVALID_ARGUMENT;
  mgr_begin(m);
  mgr_conn *c = (!content_type && ct_len) ? NULL : mgr_conn_by_stream(m, stream);
  if (c) mgr_conn_opened(c, http_status, content_type, ct_len, retry_after_ms, now_ms);
  mgr_end(m);
  if (!content_type && ct_len) return LIFELINE_ERR_INVALID_ARGUMENT;
  return c ? LIFELINE_OK : LIFELINE_ERR_NOT_FOUND;
}

int lifeline_manager_feed(lifeline_manager *m, uint32_t stream, const uint8_t *bytes, size_t len,
                          uint64_t now_ms) {
  if (!m) return LIFELINE_ERR_INVALID_ARGUMENT;
  mgr_begin(m);
  mgr_conn *c = (!bytes && len) ? NULL : mgr_conn_by_stream(m, stream);
  int rc = (!bytes && len) ? LIFELINE_ERR_INVALID_ARGUMENT : LIFELINE_ERR_NOT_FOUND;
  if (c && !c->stream_open) {
    rc = LIFELINE_ERR_STATE;
  } else if (c) {
    mgr_conn_feed(c, bytes, len, now_ms);
    rc = LIFELINE_OK;
  }
  mgr_end(m);
  return rc;
}

int lifeline_manager_event(lifeline_manager *m, uint32_t stream, const char *type, size_t type_len,
                           const char *data, size_t data_len, const char *id, size_t id_len,
                           uint64_t now_ms) {
  if (!m) return LIFELINE_ERR_INVALID_ARGUMENT;
  int bad = (!type && type_len) || (!data && data_len) || (!id && id_len);
  mgr_begin(m);
  mgr_conn *c = bad ? NULL : mgr_conn_by_stream(m, stream);
  int rc = bad ? LIFELINE_ERR_INVALID_ARGUMENT : LIFELINE_ERR_NOT_FOUND;
  if (c && !c->stream_open) {
    rc = LIFELINE_ERR_STATE;
  } else if (c) {
    rc = mgr_conn_es_event(c, (const uint8_t *)type, type_len, (const uint8_t *)data, data_len,
                           (const uint8_t *)id, id_len, now_ms);
  }
  mgr_end(m);
  return rc;
}

int lifeline_manager_server_retry(lifeline_manager *m, uint32_t stream, uint32_t retry_ms,
                                  uint64_t now_ms) {
  if (!m) return LIFELINE_ERR_INVALID_ARGUMENT;
  mgr_begin(m);
  mgr_conn *c = mgr_conn_by_stream(m, stream);
  if (c) mgr_conn_server_retry(c, retry_ms);
  mgr_end(m);
  return c ? LIFELINE_OK : LIFELINE_ERR_NOT_FOUND;
}

int lifeline_manager_closed(lifeline_manager *m, uint32_t stream, lifeline_mgr_end end,
                            uint64_t now_ms) {
  if (!m) return LIFELINE_ERR_INVALID_ARGUMENT;
  int bad = (unsigned)end > LIFELINE_MGR_END_ABORTED;
  mgr_begin(m);
  mgr_conn *c = bad ? NULL : mgr_conn_by_stream(m, stream);
  if (c) {
    c->http_status = 0;
    mgr_conn_closed(c, end, now_ms);
  }
  mgr_end(m);
  if (bad) return LIFELINE_ERR_INVALID_ARGUMENT;
  return c ? LIFELINE_OK : LIFELINE_ERR_NOT_FOUND;
}

void lifeline_manager_set_online(lifeline_manager *m, int online, uint64_t now_ms) {
  if (!m) return;
  mgr_begin(m);
  mgr_conn *c;
  m->online = online != 0;
  FOR_EACH_CONN(m, c) mgr_conn_set_online(c, m->online, now_ms);
  mgr_end(m);
}

void lifeline_manager_resume(lifeline_manager *m, uint64_t now_ms) {
  if (!m) return;
  mgr_begin(m);
  mgr_conn *c;
  FOR_EACH_CONN(m, c) mgr_conn_resume(c, now_ms);
  mgr_end(m);
}

int lifeline_manager_retry_now(lifeline_manager *m, uint32_t conn, uint64_t now_ms) {
  if (!m) return LIFELINE_ERR_INVALID_ARGUMENT;
  mgr_begin(m);
  mgr_conn *c = mgr_conn_get(m, conn);
  if (c) mgr_conn_retry_now(c, now_ms);
  mgr_end(m);
  return c ? LIFELINE_OK : LIFELINE_ERR_NOT_FOUND;
}

int lifeline_manager_close(lifeline_manager *m, uint32_t conn, uint64_t now_ms) {
  if (!m) return LIFELINE_ERR_INVALID_ARGUMENT;
  mgr_begin(m);
  mgr_conn *c = mgr_conn_get(m, conn);
  if (c) mgr_conn_close(c, LIFELINE_MGR_REASON_ABORTED, now_ms);
  mgr_end(m);
  return c ? LIFELINE_OK : LIFELINE_ERR_NOT_FOUND;
}

void lifeline_manager_close_all(lifeline_manager *m, uint64_t now_ms) {
  if (!m) return;
  mgr_begin(m);
  mgr_conn *c;
  FOR_EACH_CONN(m, c) {
    if (c->state != LIFELINE_MGR_IDLE && c->state != LIFELINE_MGR_CLOSED)
      mgr_conn_close(c, LIFELINE_MGR_REASON_ABORTED, now_ms);
  }
  mgr_forget_all(m);
  mgr_end(m);
}

void lifeline_manager_tick(lifeline_manager *m, uint64_t now_ms) {
  if (!m) return;
  mgr_begin(m);
  mgr_conn *c;
  FOR_EACH_CONN(m, c) mgr_conn_tick(c, now_ms);
  mgr_end(m);
}

int lifeline_manager_conn_info(const lifeline_manager *m, uint32_t conn, lifeline_mgr_conn_info *out) {
  const mgr_conn *c = mgr_conn_get(m, conn);
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
  return LIFELINE_OK;
}

void lifeline_manager_stats(const lifeline_manager *m, lifeline_mgr_stats *out) {
  if (m && out) *out = m->stats;
}

const char *lifeline_mgr_state_name(lifeline_mgr_state s) {
  static const char *const names[] = {"idle",    "connecting",   "open",   "reconnecting",
                                      "offline", "circuit-open", "failed", "closed"};
  return (unsigned)s < sizeof names / sizeof *names ? names[s] : "unknown";
}

const char *lifeline_mgr_reason_name(lifeline_mgr_reason r) {
  static const char *const names[] = {
      "none",      "network",      "timeout",       "stall",      "http-5xx",
      "rate-limited", "retry-after", "auth",        "no-content", "not-found",
      "http-status", "content-type", "overflow",    "aborted",    "server-closed",
      "exhausted", "offline",      "circuit-open",  "linger"};
  return (unsigned)r < sizeof names / sizeof *names ? names[r] : "unknown";
}
