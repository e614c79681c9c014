/* The manager across the Wasm boundary (js/manager.js is the only caller).
 *
 * Strings and bytes go in through one per-manager input buffer (lifeline_wasm_mgr_buffer): JS
 * copies them there, then calls with their lengths. Times are doubles (ms). After every call JS
 * reads the batch: lifeline_wasm_mgr_batch() returns a header of 5 u32 (actions ptr, action
 * count, arena ptr, arena len, arena is ASCII); each action is a lifeline_manager_action (20 u32).
 * Handles and ids come back through the out word (lifeline_wasm_mgr_out) so that return values
 * stay error codes. */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "lifeline/error.h"
#include "lifeline/manager.h"
#include "platform/wasm_export.h"

typedef struct {
  lifeline_manager *m;
  uint8_t *in;
  size_t in_cap;
  uint32_t header[5];
  uint32_t out;
  uint32_t info[12];
  double fresh[13]; /* lifeline_wasm_mgr_fresh */
  double chan[7];   /* lifeline_wasm_mgr_channel_info */
  char *text; /* metrics exposition */
  size_t text_cap;
  lifeline_manager_conn_config cc; /* being filled by the conn_* setters */
} wasm_mgr;

static uint64_t ms(double t) { return t <= 0 ? 0 : (uint64_t)t; }

LIFELINE_WASM_EXPORT wasm_mgr *lifeline_wasm_mgr_new(uint32_t max_connections, uint32_t max_channels,
                                                     uint32_t max_subscribers, uint32_t linger_ms,
                                                     uint32_t spread_ms, double seed) {
  lifeline_manager_config c;
  lifeline_manager_config_default(&c);
  if (max_connections) c.max_connections = max_connections;
  if (max_channels) c.max_channels = max_channels;
  if (max_subscribers) c.max_subscribers = max_subscribers;
  c.linger_ms = linger_ms;
  c.online_spread_ms = spread_ms;
  c.seed = seed < 0 ? 0 : (uint64_t)seed;
  wasm_mgr *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->m = lifeline_manager_new(&c);
  if (!w->m) {
    free(w);
    return NULL;
  }
  lifeline_manager_conn_config_default(&w->cc);
  return w;
}

LIFELINE_WASM_EXPORT void lifeline_wasm_mgr_free(wasm_mgr *w) {
  if (!w) return;
  lifeline_manager_free(w->m);
  free(w->in);
  free(w->text);
  free(w);
}

/* The defaults JS shows and keys connections by, as 5 u32: heartbeat timeout, connect timeout,
 * plain retry (lifeline_manager_conn_config), linger, online spread (lifeline_manager_config). */
LIFELINE_WASM_EXPORT const uint32_t *lifeline_wasm_mgr_defaults(void) {
  static uint32_t v[5];
  lifeline_manager_conn_config cc;
  lifeline_manager_config c;
  lifeline_manager_conn_config_default(&cc);
  lifeline_manager_config_default(&c);
  v[0] = cc.heartbeat_timeout_ms;
  v[1] = cc.connect_timeout_ms;
  v[2] = cc.plain_retry_ms;
  v[3] = c.linger_ms;
  v[4] = c.online_spread_ms;
  return v;
}

/* A buffer of at least n bytes for the next call's input; NULL when out of memory. */
LIFELINE_WASM_EXPORT uint8_t *lifeline_wasm_mgr_buffer(wasm_mgr *w, uint32_t n) {
  if (n > w->in_cap) {
    size_t cap = w->in_cap ? w->in_cap : 4096;
    while (cap < n) cap *= 2;
    uint8_t *p = realloc(w->in, cap);
    if (!p) return NULL;
    w->in = p;
    w->in_cap = cap;
  }
  return w->in ? w->in : (uint8_t *)&w->out;
}

LIFELINE_WASM_EXPORT uint32_t lifeline_wasm_mgr_out(wasm_mgr *w) { return w->out; }


LIFELINE_WASM_EXPORT uint32_t *lifeline_wasm_mgr_batch(wasm_mgr *w) {
  const lifeline_manager_action *a = lifeline_manager_actions(w->m);
  const uint8_t *arena = lifeline_manager_arena(w->m);
  w->header[0] = (uint32_t)(uintptr_t)a;
  w->header[1] = (uint32_t)lifeline_manager_action_count(w->m);
  w->header[2] = (uint32_t)(uintptr_t)arena;
  w->header[3] = 0;
  for (uint32_t i = 0; i < w->header[1]; i++) { /* the arena's used length */
    for (int s = 0; s < 3; s++) {
      uint32_t end = a[i].span[s].off + a[i].span[s].len;
      if (end > w->header[3]) w->header[3] = end;
    }
  }
  w->header[4] = arena ? (uint32_t)lifeline_is_ascii(arena, w->header[3]) : 1;
  return w->header;
}

/* ---- connection config: reset, then setters, then lifeline_wasm_mgr_connection ---- */

LIFELINE_WASM_EXPORT void lifeline_wasm_mgr_conn_reset(wasm_mgr *w) {
  lifeline_manager_conn_config_default(&w->cc);
}

LIFELINE_WASM_EXPORT void lifeline_wasm_mgr_conn_basic(wasm_mgr *w, uint32_t endpoints, uint32_t features,
                                                       uint32_t heartbeat_ms, uint32_t connect_timeout_ms,
                                                       uint32_t plain_retry_ms, uint32_t max_event_bytes) {
  w->cc.endpoint_count = endpoints;
  w->cc.features = features;
  if (heartbeat_ms) w->cc.heartbeat_timeout_ms = heartbeat_ms;
  w->cc.connect_timeout_ms = connect_timeout_ms;
  if (plain_retry_ms) w->cc.plain_retry_ms = plain_retry_ms;
  w->cc.max_line_bytes = max_event_bytes;
  w->cc.max_event_bytes = max_event_bytes;
}

/* Freshness and severity: stale_after_ms 0 learns the threshold; grace_ms < 0 keeps the default. */
LIFELINE_WASM_EXPORT void lifeline_wasm_mgr_conn_fresh(wasm_mgr *w, uint32_t stale_after_ms, int32_t grace_ms) {
  w->cc.stale_after_ms = stale_after_ms;
  if (grace_ms >= 0) w->cc.grace_ms = (uint32_t)grace_ms;
}

/* Backoff and breaker fields: 0 (or a negative jitter/adaptive) keeps the default. */
LIFELINE_WASM_EXPORT void lifeline_wasm_mgr_conn_backoff(wasm_mgr *w, uint32_t initial_ms, uint32_t max_ms,
                                                         double multiplier, int jitter,
                                                         uint32_t max_attempts, uint32_t healthy_after_ms,
                                                         int adaptive) {
  lifeline_backoff_config *b = &w->cc.backoff;
  if (initial_ms) b->initial_ms = initial_ms;
  if (max_ms) b->max_ms = max_ms;
  if (multiplier > 0) b->multiplier = multiplier;
  if (jitter >= 0) b->jitter = (lifeline_jitter)jitter;
  if (max_attempts) b->max_attempts = max_attempts;
  if (healthy_after_ms) b->healthy_after_ms = healthy_after_ms;
  if (adaptive >= 0) b->adaptive = adaptive;
}

LIFELINE_WASM_EXPORT void lifeline_wasm_mgr_conn_breaker(wasm_mgr *w, uint32_t consecutive_failures,
                                                         double failure_rate, uint32_t minimum_calls,
                                                         uint32_t window_ms, uint32_t open_ms,
                                                         uint32_t max_open_ms) {
  lifeline_breaker_config *b = &w->cc.breaker;
  if (consecutive_failures) b->consecutive_failures = consecutive_failures;
  if (failure_rate > 0) b->failure_rate_threshold = failure_rate;
  if (minimum_calls) b->minimum_calls = minimum_calls;
  if (window_ms) {
    b->window_ms = window_ms;
    b->window_buckets = 0;
  }
  if (open_ms) b->open_ms = open_ms;
  if (max_open_ms) b->max_open_ms = max_open_ms;
  if (b->max_open_ms < b->open_ms) b->max_open_ms = b->open_ms;
}

/* key: key_len bytes in the input buffer. The handle goes to the out word. */
LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_connection(wasm_mgr *w, uint32_t key_len) {
  return lifeline_manager_connection(w->m, (const char *)w->in, key_len, &w->cc, &w->out);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_release(wasm_mgr *w, uint32_t conn) {
  return lifeline_manager_connection_release(w->m, conn);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_set_last_id(wasm_mgr *w, uint32_t conn, uint32_t len) {
  return lifeline_manager_set_last_event_id(w->m, conn, (const char *)w->in, len);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_channel(wasm_mgr *w, uint32_t conn, uint32_t replay_events,
                                                   uint32_t replay_bytes, uint32_t dedup_window) {
  lifeline_manager_channel_config c;
  lifeline_manager_channel_config_default(&c);
  c.replay_events = replay_events;
  if (replay_bytes) c.replay_bytes = replay_bytes;
  if (dedup_window) c.dedup_window = dedup_window;
  return lifeline_manager_channel(w->m, conn, &c, &w->out);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_bind(wasm_mgr *w, uint32_t channel, uint32_t conn, double now) {
  return lifeline_manager_channel_bind(w->m, channel, conn, ms(now));
}

LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_remove(wasm_mgr *w, uint32_t channel, double now) {
  return lifeline_manager_channel_remove(w->m, channel, ms(now));
}

/* types: types_len bytes in the input buffer ('\n'-separated). The id goes to the out word. */
LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_subscribe(wasm_mgr *w, uint32_t channel, int priority,
                                                     uint32_t types_len, uint32_t replay, double now) {
  return lifeline_manager_subscribe(w->m, channel, priority, (const char *)w->in, types_len, replay,
                                    ms(now), &w->out);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_unsubscribe(wasm_mgr *w, uint32_t sub, double now) {
  return lifeline_manager_unsubscribe(w->m, sub, ms(now));
}

/* ---- transport results (strings in the input buffer) ---- */

LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_opened(wasm_mgr *w, uint32_t stream, int status,
                                                  uint32_t ct_len, double retry_after_ms, double now) {
  int64_t ra = retry_after_ms < 0 ? -1 : (int64_t)retry_after_ms;
  return lifeline_manager_opened(w->m, stream, status, (const char *)w->in, ct_len, ra, ms(now));
}

LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_feed(wasm_mgr *w, uint32_t stream, uint32_t len, double now) {
  return lifeline_manager_feed(w->m, stream, w->in, len, ms(now));
}

/* type, data and id back to back in the input buffer. */
LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_event(wasm_mgr *w, uint32_t stream, uint32_t type_len,
                                                 uint32_t data_len, uint32_t id_len, double now) {
  const char *p = (const char *)w->in;
  return lifeline_manager_event(w->m, stream, p, type_len, p + type_len, data_len,
                                p + type_len + data_len, id_len, ms(now));
}

LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_closed(wasm_mgr *w, uint32_t stream, int end, double now) {
  return lifeline_manager_closed(w->m, stream, (lifeline_manager_end)end, ms(now));
}

/* ---- environment, time ---- */

LIFELINE_WASM_EXPORT void lifeline_wasm_mgr_set_online(wasm_mgr *w, int online, double now) {
  lifeline_manager_set_online(w->m, online, ms(now));
}
LIFELINE_WASM_EXPORT void lifeline_wasm_mgr_resume(wasm_mgr *w, double now) {
  lifeline_manager_resume(w->m, ms(now));
}
LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_retry_now(wasm_mgr *w, uint32_t conn, double now) {
  return lifeline_manager_retry_now(w->m, conn, ms(now));
}
LIFELINE_WASM_EXPORT void lifeline_wasm_mgr_close_all(wasm_mgr *w, double now) {
  lifeline_manager_close_all(w->m, ms(now));
}
LIFELINE_WASM_EXPORT void lifeline_wasm_mgr_tick(wasm_mgr *w, double now) {
  lifeline_manager_tick(w->m, ms(now));
}

/* ---- introspection ---- */

/* 12 u32: state, reason, attempt, http, endpoint, subscribers, channels, next attempt (lo, hi),
 * since (lo, hi), last id length; the id itself is copied to the input buffer. */
LIFELINE_WASM_EXPORT uint32_t *lifeline_wasm_mgr_info(wasm_mgr *w, uint32_t conn) {
  lifeline_manager_conn_info i;
  if (lifeline_manager_get_conn_info(w->m, conn, &i) != LIFELINE_OK) return NULL;
  if (!lifeline_wasm_mgr_buffer(w, (uint32_t)i.last_id_len + 1)) return NULL;
  memcpy(w->in, i.last_id, i.last_id_len);
  uint32_t v[12] = {i.state, i.reason, i.attempt, i.http_status, i.endpoint, i.subscribers,
                    i.channels, (uint32_t)i.next_attempt_at, (uint32_t)(i.next_attempt_at >> 32),
                    (uint32_t)i.since, (uint32_t)(i.since >> 32), (uint32_t)i.last_id_len};
  memcpy(w->info, v, sizeof v);
  return w->info;
}

static double when(uint64_t t) { return t == LIFELINE_NEVER ? -1 : (double)t; }

/* A connection's freshness and counters as 13 doubles (times: -1 for none): last byte, last
 * event, outage since, stale threshold, stale, alert, events, duplicates, reconnects, outages,
 * outage ms, caught up, caught up by the last resumed stream. NULL for an unknown handle. */
LIFELINE_WASM_EXPORT const double *lifeline_wasm_mgr_fresh(wasm_mgr *w, uint32_t conn) {
  lifeline_manager_conn_info i;
  if (lifeline_manager_get_conn_info(w->m, conn, &i) != LIFELINE_OK) return NULL;
  double v[13] = {when(i.last_byte_at), when(i.last_event_at), when(i.outage_since),
                  i.stale_after_ms, i.stale, i.alert, (double)i.events, (double)i.duplicates,
                  (double)i.reconnects, (double)i.outages, (double)i.outage_ms,
                  (double)i.caught_up, i.last_caught_up};
  memcpy(w->fresh, v, sizeof v);
  return w->fresh;
}

/* A channel's counters as 7 doubles: connection, subscribers, events, delivered, replayed,
 * duplicates, caught up. NULL for an unknown handle. */
LIFELINE_WASM_EXPORT const double *lifeline_wasm_mgr_channel_info(wasm_mgr *w, uint32_t channel) {
  lifeline_manager_channel_info i;
  if (lifeline_manager_get_channel_info(w->m, channel, &i) != LIFELINE_OK) return NULL;
  double v[7] = {i.conn, i.subscribers, (double)i.events, (double)i.delivered,
                 (double)i.replayed, (double)i.duplicates, (double)i.caught_up};
  memcpy(w->chan, v, sizeof v);
  return w->chan;
}

/* A snapshot of lifeline_manager_stats: every field is a u64 (read as lo/hi u32 pairs). */
LIFELINE_WASM_EXPORT const lifeline_manager_stats *lifeline_wasm_mgr_stats(wasm_mgr *w) {
  static lifeline_manager_stats s;
  lifeline_manager_get_stats(w->m, &s);
  return &s;
}

/* One metric of the registry, named by the input buffer's first name_len bytes, as numbers: a
 * histogram's count, mean, min, max, p50, p90, p95, p99 (all samples), a counter's value and
 * rate over the last minute (per second). NULL when metrics are off or there is no such metric.
 * getMetrics() reads these rather than the JSON exposition, which the SSE core then leaves out. */
LIFELINE_WASM_EXPORT const double *lifeline_wasm_mgr_metric(wasm_mgr *w, uint32_t name_len, double now) {
  static const double q[4] = {0.5, 0.9, 0.95, 0.99};
  static double v[8];
  char name[64];
  lifeline_metrics *reg = lifeline_manager_metrics(w->m);
  if (!reg || !w->in || name_len >= sizeof name) return NULL;
  memcpy(name, w->in, name_len);
  name[name_len] = '\0';
  int id = lifeline_metrics_find(reg, name);
  const lifeline_histogram *h = lifeline_metrics_get_histogram(reg, id);
  lifeline_counter *c = lifeline_metrics_get_counter(reg, id);
  if (h) {
    v[0] = (double)h->count;
    v[1] = lifeline_histogram_mean(h);
    v[2] = h->min;
    v[3] = h->max;
    for (int i = 0; i < 4; i++) v[4 + i] = lifeline_histogram_quantile(h, q[i]);
  } else if (c) {
    v[0] = (double)c->value;
    v[1] = lifeline_counter_rate_1m(c, ms(now));
  } else {
    return NULL;
  }
  return v;
}

/* The metrics registry as Prometheus text, NUL-terminated; NULL when metrics are off or out of
 * memory. */
LIFELINE_WASM_EXPORT const char *lifeline_wasm_mgr_prometheus(wasm_mgr *w, double now) {
  lifeline_metrics *reg = lifeline_manager_metrics(w->m);
  if (!reg) return NULL;
  for (;;) {
    size_t n = lifeline_metrics_write_prometheus(reg, ms(now), w->text, w->text_cap);
    if (n < w->text_cap) return w->text;
    char *p = realloc(w->text, n + 1);
    if (!p) return NULL;
    w->text = p;
    w->text_cap = n + 1;
  }
}

LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_observe_latency(wasm_mgr *w, double latency_ms, double now) {
  return lifeline_manager_observe_latency(w->m, latency_ms, ms(now));
}
