/* One pooled connection's state machine: open, classify failures, back off, fail over, watch,
 * linger, online/offline, resume, retry-now, close. */
#include "manager_conn.h"

#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"
#include "manager_policy.h"

#define HAS(c, f) (((c)->cfg.features & (f)) != 0)

static void set_state(mgr_conn *c, lifeline_manager_state st, lifeline_manager_reason r, uint64_t now);
static void try_open(mgr_conn *c, int bypass_breaker, uint64_t now);
static void fail(mgr_conn *c, lifeline_manager_reason r, int64_t retry_after, int send_close, uint64_t now);
static int on_conn_event(mgr_conn *c, const uint8_t *type, size_t tl, const uint8_t *data, size_t dl,
                         const uint8_t *id, size_t il, int own_id, uint64_t now);
static void drain(mgr_conn *c, uint64_t now);

static int on_event(void *user, const lifeline_parser_event *e) {
  mgr_conn *c = user;
  int rc = on_conn_event(c, e->type.ptr, e->type.len, e->data.ptr, e->data.len, e->id.ptr,
                         e->id.len, e->has_id, c->b->now);
  return rc != LIFELINE_OK || c->drain_pending; /* a drain: nothing after it is for us */
}

static void server_retry(mgr_conn *c, uint32_t retry_ms) {
  c->server_retry_ms = retry_ms;
  c->has_server_retry = 1;
  lifeline_backoff_set_server_retry(&c->backoff, retry_ms);
}

static int on_retry(void *user, uint64_t retry_ms) {
  server_retry(user, retry_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)retry_ms);
  return 0;
}

static int on_error(void *user, int code) {
  /* The parser already skipped the oversized event; it can never fit the caps, so reconnecting
   * for it would loop. Counted, and parsing goes on. */
  mgr_conn *c = user;
  c->b->stats.overflows++;
  return 0;
}

void lifeline_manager_conn_config_default(lifeline_manager_conn_config *c) {
  memset(c, 0, sizeof *c);
  c->endpoint_count = 1;
  c->features = LIFELINE_MANAGER_ALL;
  c->heartbeat_timeout_ms = 45000;
  c->connect_timeout_ms = 30000;
  c->plain_retry_ms = 3000;
  c->grace_ms = 2000;
  lifeline_backoff_config_default(&c->backoff);
  lifeline_breaker_config_default(&c->breaker);
  /* A stream is one call at a time: its half-open probe is the one reconnect, and a second
   * success can never come while it stays open, so one probe decides. */
  c->breaker.half_open_probes = 1;
  /* Consecutive failed attempts only: a failure rate over a minute counts faults between which
   * events flowed (a burst of drops and 5xx), opens the circuit and doubles its break at every
   * probe that meets one more fault, keeping a stream down long after the server is fine. The
   * progress-aware backoff paces those faults. 1.0 turns the rate rule off (fails > calls). */
  c->breaker.failure_rate_threshold = 1.0;
  /* The break does not double: the backoff already grows between attempts, and a doubling
   * break that a half-open probe meeting one more 5xx doubled again kept streams in
   * circuit-open for 10-40 s after the server was fine (the chaos soak's heal check). */
  c->breaker.max_open_ms = c->breaker.open_ms;
  c->breaker.half_open_successes = 1;
  c->breaker.half_open_failures = 1;
}

int mgr_conn_init(mgr_conn *c, mgr_base *b, mgr_delivery *d, const lifeline_manager_conn_config *cfg) {
  lifeline_manager_conn_config def;
  if (!cfg) {
    lifeline_manager_conn_config_default(&def);
    cfg = &def;
  }
  if (cfg->endpoint_count == 0 || cfg->endpoint_count > LIFELINE_MANAGER_MAX_ENDPOINTS ||
      ((cfg->features & LIFELINE_MANAGER_WATCHDOG) && cfg->heartbeat_timeout_ms == 0))
    return LIFELINE_ERR_INVALID_ARGUMENT;
  c->b = b;
  c->d = d;
  c->cfg = *cfg;
  /* The default's max_open_ms is its open_ms (no doubling); a longer open_ms raises it. */
  if (c->cfg.breaker.max_open_ms < c->cfg.breaker.open_ms) c->cfg.breaker.max_open_ms = c->cfg.breaker.open_ms;
  uint64_t seed = mgr_new_seed(b);
  c->cfg.backoff.seed = seed;
  if (lifeline_backoff_init(&c->backoff, &c->cfg.backoff) != LIFELINE_OK)
    return LIFELINE_ERR_INVALID_ARGUMENT;
  for (uint32_t i = 0; i < cfg->endpoint_count; i++) {
    c->cfg.breaker.seed = seed + 1 + i;
    if (lifeline_breaker_init(&c->breaker[i], &c->cfg.breaker) != LIFELINE_OK)
      return LIFELINE_ERR_INVALID_ARGUMENT;
  }
  lifeline_parser_config pc;
  memset(&pc, 0, sizeof pc);
  pc.max_line_bytes = cfg->max_line_bytes;
  pc.max_event_bytes = cfg->max_event_bytes;
  pc.on_event = on_event;
  pc.on_retry = on_retry;
  pc.on_error = on_error;
  pc.user = c;
  c->parser = lifeline_parser_new(&pc);
  if (!c->parser) return LIFELINE_ERR_NO_MEMORY;
  /* Widened to the largest window of the channels bound to it (mgr_conn_bind_window). */
  if (dedup_window_init(&c->seen, 1) != LIFELINE_OK) return LIFELINE_ERR_NO_MEMORY;
  c->state = LIFELINE_MANAGER_IDLE;
  c->linger_at = c->retry_at = c->drop_at = LIFELINE_NEVER;
  mgr_fresh_init(&c->fresh, cfg->stale_after_ms, cfg->heartbeat_timeout_ms, cfg->grace_ms);
  return LIFELINE_OK;
}

int mgr_conn_set_last_event_id(mgr_conn *c, const uint8_t *id, size_t len) {
  if (len > LIFELINE_MANAGER_MAX_ID) return LIFELINE_ERR_FULL;
  if (len && memchr(id, 0, len)) return LIFELINE_ERR_INVALID_ARGUMENT; /* the spec ignores such ids */
  if (len) memcpy(c->last_id, id, len);
  c->last_id_len = len;
  return LIFELINE_OK;
}

int mgr_conn_bind_window(mgr_conn *c, uint32_t window) { return dedup_window_grow(&c->seen, window); }

void mgr_conn_destroy(mgr_conn *c) {
  dedup_window_free(&c->seen);
  lifeline_parser_free(c->parser);
  c->parser = NULL;
  free(c->key);
  c->key = NULL;
}

/* ---- status ---- */

/* Stale detection runs where the watchdog could judge silence (it sees the bytes), or when the
 * app set a threshold. */
static int watches(const mgr_conn *c) {
  return HAS(c, LIFELINE_MANAGER_WATCHDOG) || c->cfg.stale_after_ms != 0;
}

/* Waiting for the stream to come back: the states in which an alert can become due. */
static int waits(const mgr_conn *c) {
  return c->state == LIFELINE_MANAGER_CONNECTING || c->state == LIFELINE_MANAGER_RECONNECTING ||
         c->state == LIFELINE_MANAGER_CIRCUIT_OPEN || c->state == LIFELINE_MANAGER_OFFLINE;
}

/* An outage runs while the stream is not open, or open but silent past the threshold (a stall
 * is an outage from its last byte): an accepted stream that has not been proven silent is not. */
static int in_outage(const mgr_conn *c, lifeline_manager_state st) {
  return st != LIFELINE_MANAGER_OPEN || c->fresh.stale;
}

/* The severity flags of a STATUS: stale while open; an alert for an outage past its grace time,
 * and always for FAILED. */
static uint32_t status_flags(const mgr_conn *c, lifeline_manager_state st) {
  uint32_t f = 0;
  if (st == LIFELINE_MANAGER_OPEN && c->fresh.stale) f |= LIFELINE_MANAGER_FLAG_STALE;
  if (st == LIFELINE_MANAGER_FAILED || (in_outage(c, st) && c->fresh.alert))
    f |= LIFELINE_MANAGER_FLAG_ALERT;
  return f;
}

static void set_state(mgr_conn *c, lifeline_manager_state st, lifeline_manager_reason r, uint64_t now) {
  if (st != c->state) c->since = now;
  c->state = st;
  c->reason = r;
  mgr_fresh_tick(&c->fresh, now, watches(c) && st == LIFELINE_MANAGER_OPEN);
  c->rep_stale_after = mgr_fresh_threshold(&c->fresh, now);
  uint32_t flags = status_flags(c, st);
  uint32_t delay = 0;
  if ((st == LIFELINE_MANAGER_RECONNECTING || st == LIFELINE_MANAGER_CIRCUIT_OPEN) &&
      c->retry_at != LIFELINE_NEVER)
    delay = c->retry_at > now ? (uint32_t)(c->retry_at - now) : 0;
  if (c->reported && c->rep_state == st && c->rep_reason == r && c->rep_attempt == c->attempt &&
      c->rep_delay == delay && c->rep_flags == flags)
    return;
  lifeline_manager_action *a = mgr_push(c->b, LIFELINE_MANAGER_ACT_STATUS, 0);
  if (!a) return;
  a->conn = c->handle;
  a->state = st;
  a->attempt = c->attempt;
  a->reason = r;
  a->delay_ms = delay;
  a->http_status = c->http_status;
  a->flags = flags;
  c->reported = 1;
  c->rep_flags = flags;
  c->rep_state = st;
  c->rep_reason = r;
  c->rep_attempt = c->attempt;
  c->rep_delay = delay;
}

/* ---- streams ---- */

static void open_stream(mgr_conn *c, uint32_t flags, uint64_t now) {
  mgr_base *m = c->b;
  c->stream = mgr_new_stream(m);
  c->stream_open = 0;
  c->open_at = now;
  c->first_event_seen = 0;
  c->retry_at = LIFELINE_NEVER;
  c->es_prev_hash = mgr_hash(NULL, 0); /* a new EventSource starts with an empty last id */
  c->es_prev_len = 0;
  c->tried |= 1u << c->endpoint;
  c->drain_pending = 0;
  lifeline_parser_reset(c->parser);
  /* The parser stamps this id on the stream's first id-less events, as the server resumes from
   * it. It cannot fail: last_id never holds a NUL and is shorter than the parser's line cap. */
  lifeline_parser_set_last_event_id(c->parser, c->last_id, c->last_id_len);
  m->stats.opens++;
  mgr_count(m, MGR_M_CONNECTS, now);
  if (c->attempt) {
    m->stats.reconnects++;
    c->n_reconnects++;
    mgr_count(m, MGR_M_RECONNECTS, now);
  }
  if (c->drop_at != LIFELINE_NEVER && !c->attempt_seen) {
    c->attempt_seen = 1;
    mgr_observe(m, MGR_M_RECONNECT_DELAY_MS, now - c->drop_at, now);
  }
  lifeline_manager_action *a = mgr_push(m, LIFELINE_MANAGER_ACT_OPEN, 0);
  if (a) {
    a->conn = c->handle;
    a->stream = c->stream;
    a->endpoint = c->endpoint;
    a->attempt = c->attempt;
    a->flags = flags;
    mgr_arena_put(m, c->last_id, c->last_id_len, 0, &a->span[0]);
  }
  set_state(c, LIFELINE_MANAGER_CONNECTING, c->reason, now);
}

/* An outcome for the endpoint's breaker; it settles the admitted attempt, if any. */
static void breaker_outcome(mgr_conn *c, int ok, uint64_t latency, uint64_t now) {
  c->probe_pending = 0;
  lifeline_breaker_record(&c->breaker[c->endpoint], ok,
                          latency > UINT32_MAX ? UINT32_MAX : (uint32_t)latency, now);
}

/* An accepted stream: the endpoint works now. Its breaker closes with an empty window (what
 * failed before says nothing about the endpoint any more), also after a retry_now that went
 * past an open breaker, whose outcome the breaker itself would ignore. */
static void breaker_success(mgr_conn *c, uint64_t now) {
  c->probe_pending = 0;
  lifeline_breaker_set_mode(&c->breaker[c->endpoint], LIFELINE_BREAKER_NORMAL, now);
}

static void abandon(mgr_conn *c, int send_close, lifeline_manager_reason r, uint64_t now) {
  if (c->probe_pending) {
    /* Ended for a reason that says nothing about the server's health (auth, 404, linger,
     * close...): a half-open breaker gets its probe slot back. */
    c->probe_pending = 0;
    lifeline_breaker_release(&c->breaker[c->endpoint], now);
  }
  if (!c->stream) return;
  if (send_close) {
    lifeline_manager_action *a = mgr_push(c->b, LIFELINE_MANAGER_ACT_CLOSE, 0);
    if (a) {
      a->conn = c->handle;
      a->stream = c->stream;
      a->reason = r;
    }
  }
  c->stream = 0;
  c->stream_open = 0;
}

/* Picks the first endpoint, from the current one on, whose breaker lets a call through. */
static int pick_endpoint(mgr_conn *c, uint64_t now) {
  uint32_t n = c->cfg.endpoint_count;
  for (uint32_t k = 0; k < n; k++) {
    uint32_t e = (c->endpoint + k) % n;
    if (lifeline_breaker_allow(&c->breaker[e], now)) {
      c->probe_pending = 1;
      if (e != c->endpoint) {
        c->b->stats.failovers++;
        mgr_count(c->b, MGR_M_FAILOVERS, now);
      }
      c->endpoint = e;
      return 1;
    }
  }
  return 0;
}

static void try_open(mgr_conn *c, int bypass_breaker, uint64_t now) {
  c->retry_at = LIFELINE_NEVER;
  if (!c->b->online && !bypass_breaker) {
    set_state(c, LIFELINE_MANAGER_OFFLINE, LIFELINE_MANAGER_REASON_OFFLINE, now);
    return;
  }
  if (HAS(c, LIFELINE_MANAGER_BREAKER) && !bypass_breaker && !pick_endpoint(c, now)) {
    uint64_t t = LIFELINE_NEVER;
    for (uint32_t i = 0; i < c->cfg.endpoint_count; i++) {
      uint64_t d = lifeline_breaker_deadline(&c->breaker[i]);
      if (d < t) t = d;
    }
    c->retry_at = t > now ? t : now + 1;
    set_state(c, LIFELINE_MANAGER_CIRCUIT_OPEN, LIFELINE_MANAGER_REASON_CIRCUIT_OPEN, now);
    return;
  }
  uint32_t flags = c->auth_next ? LIFELINE_MANAGER_FLAG_AUTH : 0;
  c->auth_next = 0;
  open_stream(c, flags, now);
}

/* ---- failures ---- */

static void schedule(mgr_conn *c, lifeline_manager_reason r, int64_t retry_after, uint64_t now) {
  uint32_t delay = 0;
  if (!HAS(c, LIFELINE_MANAGER_RECONNECT)) {
    delay = c->has_server_retry ? c->server_retry_ms : c->cfg.plain_retry_ms;
  } else if (r != LIFELINE_MANAGER_REASON_STALL) {
    if (retry_after >= 0)
      lifeline_backoff_set_retry_after(&c->backoff,
                                       retry_after > UINT32_MAX ? UINT32_MAX : (uint32_t)retry_after);
    if (lifeline_backoff_next(&c->backoff, now, &delay) != LIFELINE_OK) {
      c->b->stats.fatal++;
      set_state(c, LIFELINE_MANAGER_FAILED, LIFELINE_MANAGER_REASON_EXHAUSTED, now);
      return;
    }
  }
  c->attempt++;
  c->retry_at = now + delay;
  c->tried = 0; /* after this wait, every endpoint may be tried at once again */
  set_state(c, LIFELINE_MANAGER_RECONNECTING, r, now);
  if (delay == 0) try_open(c, 0, now);
}

/* The next endpoint after the current one not tried since the last open or wait, or -1. */
static int untried_endpoint(const mgr_conn *c) {
  uint32_t n = c->cfg.endpoint_count;
  for (uint32_t k = 1; k < n; k++) {
    uint32_t e = (c->endpoint + k) % n;
    if (!(c->tried & (1u << e))) return (int)e;
  }
  return -1;
}

/* An attempt that got no answer at all (refused, reset, connect timeout): the instance is
 * unreachable, not overloaded, so the next endpoint is tried at once; the backoff paces only
 * a round in which every endpoint failed. HTTP answers stay with the breaker. */
static int fail_over_now(mgr_conn *c, lifeline_manager_reason r, int was_open, uint64_t now) {
  if (was_open || c->http_status != 0 || !HAS(c, LIFELINE_MANAGER_RECONNECT) ||
      (r != LIFELINE_MANAGER_REASON_NETWORK && r != LIFELINE_MANAGER_REASON_TIMEOUT))
    return 0;
  int e = untried_endpoint(c);
  if (e < 0) return 0;
  c->endpoint = (uint32_t)e;
  c->b->stats.failovers++;
  mgr_count(c->b, MGR_M_FAILOVERS, now);
  c->attempt++;
  set_state(c, LIFELINE_MANAGER_RECONNECTING, r, now);
  try_open(c, 0, now);
  return 1;
}

static void fail(mgr_conn *c, lifeline_manager_reason r, int64_t retry_after, int send_close,
                 uint64_t now) {
  mgr_base *m = c->b;
  int was_open = c->stream_open;
  uint64_t latency = now - c->open_at;
  /* STRICT_STATUS: the answers RECONNECT would retry are fatal, as without it. */
  int retries_answers = HAS(c, LIFELINE_MANAGER_RECONNECT) && !HAS(c, LIFELINE_MANAGER_STRICT_STATUS);
  if (HAS(c, LIFELINE_MANAGER_BREAKER) && mgr_counts_for_breaker(r, was_open, c->http_status, retries_answers)) {
    breaker_outcome(c, 0, latency, now);
    lifeline_breaker *b = &c->breaker[c->endpoint];
    if (c->cfg.endpoint_count > 1 && lifeline_breaker_get_state(b) == LIFELINE_BREAKER_OPEN)
      lifeline_backoff_reset(&c->backoff); /* the next endpoint deserves a prompt first try */
  }
  abandon(c, send_close, r, now);
  mgr_fresh_lost(&c->fresh, now);
  m->stats.errors[r]++;
  mgr_count(m, MGR_M_ERRORS, now);
  if (c->drop_at == LIFELINE_NEVER) {
    c->drop_at = now;
    c->attempt_seen = 0;
  }
  if (!was_open && HAS(c, LIFELINE_MANAGER_RECONNECT))
    /* An HTTP answer, even a 500, says the network works: only a failure to get one is a
     * network-quality sample (a 5xx run judged "poor" doubled the cap to 60 s). */
    lifeline_backoff_record_outcome(&c->backoff, mgr_got_answer(r, c->http_status));
  if (r == LIFELINE_MANAGER_REASON_AUTH) {
    if (HAS(c, LIFELINE_MANAGER_AUTH_HOOK) && HAS(c, LIFELINE_MANAGER_RECONNECT) && !c->auth_used) {
      c->auth_used = 1;
      c->auth_next = 1;
      c->attempt++;
      set_state(c, LIFELINE_MANAGER_RECONNECTING, r, now);
      try_open(c, 0, now);
      return;
    }
    m->stats.fatal++;
    c->retry_at = LIFELINE_NEVER;
    set_state(c, LIFELINE_MANAGER_FAILED, r, now);
    return;
  }
  if (mgr_is_fatal(r, c->http_status, retries_answers)) {
    m->stats.fatal++;
    c->retry_at = LIFELINE_NEVER;
    set_state(c, LIFELINE_MANAGER_FAILED, r, now);
    return;
  }
  if (!m->online) {
    c->retry_at = LIFELINE_NEVER;
    set_state(c, LIFELINE_MANAGER_OFFLINE, r, now);
    return;
  }
  if (fail_over_now(c, r, was_open, now)) return;
  schedule(c, r, retry_after, now);
}

/* ---- inputs ---- */

void mgr_conn_opened(mgr_conn *c, int status, const char *ct, size_t ct_len, int64_t retry_after,
                     uint64_t now) {
  if (c->stream_open) return;
  lifeline_manager_reason r = mgr_classify_status(status, mgr_content_type_ok(ct, ct_len), retry_after);
  c->http_status = status > 0 ? (uint32_t)status : 0;
  if (r != LIFELINE_MANAGER_REASON_NONE) {
    fail(c, r, retry_after, 1, now);
    return;
  }
  uint64_t connect_ms = now - c->open_at;
  c->stream_open = 1;
  c->opened_at = now;
  mgr_fresh_opened(&c->fresh, now);
  if (c->fresh.resumed) c->last_caught_up = 0;
  c->auth_used = 0;
  c->http_status = 0;
  c->tried = 0;
  c->b->stats.opened++;
  c->b->stats.connect_ms_sum += connect_ms;
  c->b->stats.connect_count++;
  mgr_observe(c->b, MGR_M_CONNECT_MS, connect_ms, now);
  if (HAS(c, LIFELINE_MANAGER_RECONNECT)) {
    lifeline_backoff_connected(&c->backoff, now);
    lifeline_backoff_record_connect(&c->backoff, connect_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)connect_ms);
    lifeline_backoff_record_outcome(&c->backoff, 1);
  }
  if (HAS(c, LIFELINE_MANAGER_BREAKER)) breaker_success(c, now);
  c->attempt = 0;
  set_state(c, LIFELINE_MANAGER_OPEN, LIFELINE_MANAGER_REASON_NONE, now);
}

static void set_last_id(mgr_conn *c, const uint8_t *id, size_t len) {
  if (len > LIFELINE_MANAGER_MAX_ID) return; /* not tracked: a resume restarts from the last short one */
  if (len) memcpy(c->last_id, id, len);
  c->last_id_len = len;
}

/* Data arrived on the open stream: it is fresh again, and an outage it ends is measured, from the
 * last data before it: a stall counts in full. */
static void alive(mgr_conn *c, uint64_t now) {
  uint64_t outage;
  int ended = mgr_fresh_byte(&c->fresh, now, &outage);
  c->rep_stale_after = mgr_fresh_threshold(&c->fresh, now); /* the rhythm learnt so far */
  if (!ended) return;
  mgr_base *m = c->b;
  mgr_observe(m, MGR_M_RECOVERY_MS, outage, now);
  m->stats.recovery_ms_sum += outage;
  m->stats.recovery_count++;
  if (outage > m->stats.recovery_ms_max) m->stats.recovery_ms_max = outage;
  c->n_outages++;
  c->outage_ms += outage;
  c->drop_at = LIFELINE_NEVER;
  set_state(c, c->state, c->reason, now); /* no longer stale */
}

void mgr_conn_feed(mgr_conn *c, const uint8_t *bytes, size_t len, uint64_t now) {
  if (len) alive(c, now);
  c->b->stats.bytes += len;
  c->b->now = now;
  c->feed_error = 0;
  lifeline_parser_feed(c->parser, bytes, len);
  if (c->feed_error) {
    /* The parser committed the id of the event that did not fit; the resume must send the id
     * of the last event delivered, which on_event kept. */
    fail(c, LIFELINE_MANAGER_REASON_OVERFLOW, -1, 1, now);
    return;
  }
  size_t n;
  const uint8_t *id = lifeline_parser_last_event_id(c->parser, &n);
  set_last_id(c, id, n); /* also moved by id-only blocks, which dispatch no event */
  if (c->drain_pending) drain(c, now); /* the parser stopped at the notice: nothing after it */
}

static int type_is(const uint8_t *type, size_t tl, const char *name) {
  size_t n = strlen(name);
  return tl == n && memcmp(type, name, n) == 0;
}

/* The drain's data: a decimal spread in ms; anything else is the default, a longer one the max. */
static uint32_t drain_spread(const uint8_t *d, size_t n) {
  uint64_t v = 0;
  if (n == 0 || n > 12) return LIFELINE_MANAGER_DRAIN_DEFAULT_MS;
  for (size_t i = 0; i < n; i++) {
    if (d[i] < '0' || d[i] > '9') return LIFELINE_MANAGER_DRAIN_DEFAULT_MS;
    v = v * 10 + (uint64_t)(d[i] - '0');
  }
  return v > LIFELINE_MANAGER_DRAIN_MAX_MS ? LIFELINE_MANAGER_DRAIN_MAX_MS : (uint32_t)v;
}

/* The server could not resume us: its ids may start over, so the window of ours goes, and the
 * app hears of it as a status (before the event itself, which is delivered as usual). */
static void notice_reset(mgr_conn *c, const uint8_t *data, size_t dl, uint64_t now) {
  dedup_window_clear(&c->seen);
  c->b->stats.resets++;
  lifeline_manager_action *a = mgr_push(c->b, LIFELINE_MANAGER_ACT_STATUS, 0);
  if (!a) return; /* the batch is full: the event itself still tells the subscribers */
  a->conn = c->handle;
  a->state = c->state;
  a->attempt = c->attempt;
  a->reason = c->reason;
  a->http_status = c->http_status;
  a->flags = LIFELINE_MANAGER_FLAG_RESET;
  mgr_arena_put(c->b, data, dl, 0, &a->span[0]);
  (void)now;
}

static int on_conn_event(mgr_conn *c, const uint8_t *type, size_t tl, const uint8_t *data, size_t dl,
                         const uint8_t *id, size_t il, int own_id, uint64_t now) {
  mgr_base *m = c->b;
  m->now = now;
  if (HAS(c, LIFELINE_MANAGER_RECONNECT)) {
    if (!own_id && type_is(type, tl, LIFELINE_MANAGER_DRAIN_EVENT)) {
      c->drain_pending = 1;
      c->drain_spread_ms = drain_spread(data, dl);
      return LIFELINE_OK;
    }
    if (type_is(type, tl, LIFELINE_MANAGER_RESET_EVENT)) notice_reset(c, data, dl, now);
  }
  int fresh = 0, keep = HAS(c, LIFELINE_MANAGER_NO_DEDUP);
  int catchup = mgr_fresh_event(&c->fresh, now);
  int rc = mgr_deliver(m, c->d, &c->seen, c->handle, c->subs, type, tl, data, dl, id, il, own_id,
                       keep, catchup ? LIFELINE_MANAGER_FLAG_CATCHUP : 0, &fresh);
  if (rc != LIFELINE_OK) {
    c->feed_error = 1;
    return rc;
  }
  c->n_events++;
  if (!fresh && !keep) c->n_duplicates++;
  else if (catchup) {
    c->n_caught_up++;
    c->last_caught_up++;
  }
  if (own_id) {
    set_last_id(c, id, il);
    /* Progress past the last event id: this stream is not an accept-then-drop loop. */
    if (fresh && il && HAS(c, LIFELINE_MANAGER_RECONNECT)) lifeline_backoff_progress(&c->backoff);
  }
  m->stats.events++;
  mgr_count(m, MGR_M_EVENTS, now);
  if (!c->first_event_seen) {
    c->first_event_seen = 1;
    m->stats.first_event_ms_sum += now - c->open_at;
    m->stats.first_event_count++;
    mgr_observe(m, MGR_M_FIRST_EVENT_MS, now - c->open_at, now);
  }
  return LIFELINE_OK;
}

int mgr_conn_es_event(mgr_conn *c, const uint8_t *type, size_t tl, const uint8_t *data, size_t dl,
                      const uint8_t *id, size_t il, uint64_t now) {
  static const uint8_t message[] = "message";
  mgr_base *m = c->b;
  size_t cap = c->cfg.max_event_bytes ? c->cfg.max_event_bytes : LIFELINE_PARSER_DEFAULT_CAP;
  alive(c, now);
  if (dl >= cap) {
    /* The fetch transport's parser skips such an event; so does this one. It would come back
     * on every resume, so reconnecting for it would loop. */
    m->stats.overflows++;
    return LIFELINE_OK;
  }
  uint64_t h = mgr_hash(id, il);
  int own_id = !(h == c->es_prev_hash && il == c->es_prev_len);
  /* An EventSource moves its last id through events nobody listens to, so a drain notice may
   * seem to carry an id of its own; the server never sends one with an id. */
  if (type_is(type, tl, LIFELINE_MANAGER_DRAIN_EVENT)) own_id = 0;
  c->feed_error = 0;
  int rc = on_conn_event(c, tl ? type : message, tl ? tl : sizeof message - 1, data, dl, id, il,
                          own_id, now);
  if (c->drain_pending) {
    drain(c, now);
    return LIFELINE_OK;
  }
  if (c->feed_error) {
    /* The batch caps were reached: close this EventSource, reconnect and resume from the last
     * delivered id. */
    m->stats.overflows++;
    fail(c, LIFELINE_MANAGER_REASON_OVERFLOW, -1, 1, now);
    return rc;
  }
  c->es_prev_hash = h;
  c->es_prev_len = il;
  return LIFELINE_OK;
}

/* The server is draining: leave now for the next endpoint, at a random point within the spread
 * it asked for (so its clients do not land on the others together), with no backoff growth and
 * nothing held against the endpoint, which is not tried again at once. */
static void drain(mgr_conn *c, uint64_t now) {
  mgr_base *m = c->b;
  c->drain_pending = 0;
  m->stats.drains++;
  abandon(c, 1, LIFELINE_MANAGER_REASON_DRAIN, now);
  mgr_fresh_lost(&c->fresh, now);
  if (c->drop_at == LIFELINE_NEVER) {
    c->drop_at = now;
    c->attempt_seen = 0;
  }
  lifeline_backoff_reset(&c->backoff);
  c->tried = 1u << c->endpoint;
  if (c->cfg.endpoint_count > 1) {
    /* Any other endpoint, at random: the clients of a draining instance spread over the rest
     * instead of all landing on the one after it in their lists. */
    uint32_t n = c->cfg.endpoint_count;
    c->endpoint = (c->endpoint + 1 + lifeline_rng_bounded(&m->rng, n - 1)) % n;
    m->stats.failovers++;
    mgr_count(m, MGR_M_FAILOVERS, now);
  }
  c->attempt++;
  if (!m->online) {
    c->retry_at = LIFELINE_NEVER;
    set_state(c, LIFELINE_MANAGER_OFFLINE, LIFELINE_MANAGER_REASON_DRAIN, now);
    return;
  }
  c->retry_at = now + lifeline_rng_bounded(&m->rng, c->drain_spread_ms + 1);
  set_state(c, LIFELINE_MANAGER_RECONNECTING, LIFELINE_MANAGER_REASON_DRAIN, now);
  if (c->retry_at <= now) try_open(c, 0, now);
}

void mgr_conn_closed(mgr_conn *c, lifeline_manager_end end, uint64_t now) {
  switch (end) {
  case LIFELINE_MANAGER_END_ABORTED:
    abandon(c, 0, LIFELINE_MANAGER_REASON_ABORTED, now);
    mgr_conn_close(c, LIFELINE_MANAGER_REASON_ABORTED, now);
    break;
  case LIFELINE_MANAGER_END_CLEAN:
    fail(c, c->stream_open ? LIFELINE_MANAGER_REASON_SERVER_CLOSED : LIFELINE_MANAGER_REASON_NETWORK, -1, 0, now);
    break;
  case LIFELINE_MANAGER_END_TIMEOUT:
    fail(c, LIFELINE_MANAGER_REASON_TIMEOUT, -1, 0, now);
    break;
  default:
    fail(c, LIFELINE_MANAGER_REASON_NETWORK, -1, 0, now);
    break;
  }
}


/* ---- lifecycle, environment, time ---- */

static int is_stopped(const mgr_conn *c) {
  return c->state == LIFELINE_MANAGER_IDLE || c->state == LIFELINE_MANAGER_CLOSED ||
         c->state == LIFELINE_MANAGER_FAILED;
}

static void restart(mgr_conn *c, uint64_t now) {
  c->attempt = 0;
  c->auth_used = 0;
  c->http_status = 0;
  lifeline_backoff_reset(&c->backoff);
  c->reason = LIFELINE_MANAGER_REASON_NONE;
}

void mgr_conn_ref(mgr_conn *c, int delta, uint64_t now) {
  if (!c) return;
  uint32_t old = c->subs;
  c->subs = (uint32_t)((int64_t)c->subs + delta);
  if (old == 0 && c->subs > 0) {
    c->linger_at = LIFELINE_NEVER;
    if (is_stopped(c)) {
      restart(c, now);
      try_open(c, 0, now);
    }
  } else if (old > 0 && c->subs == 0 && !is_stopped(c)) {
    if (c->b->cfg.linger_ms == 0)
      mgr_conn_close(c, LIFELINE_MANAGER_REASON_LINGER, now);
    else
      c->linger_at = now + c->b->cfg.linger_ms;
  }
}

void mgr_conn_close(mgr_conn *c, lifeline_manager_reason reason, uint64_t now) {
  abandon(c, 1, reason, now);
  mgr_fresh_closed(&c->fresh, now);
  mgr_fresh_forget_outage(&c->fresh); /* nobody waits for data any more */
  c->retry_at = c->linger_at = c->drop_at = LIFELINE_NEVER;
  c->attempt = 0;
  set_state(c, LIFELINE_MANAGER_CLOSED, reason, now);
}

uint64_t mgr_conn_deadline(const mgr_conn *c) {
  uint64_t t = c->linger_at < c->retry_at ? c->linger_at : c->retry_at;
  /* Open: when it turns stale; waiting or stale: when the outage becomes alert-worthy. */
  int open = c->state == LIFELINE_MANAGER_OPEN;
  uint64_t f = mgr_fresh_deadline(&c->fresh, watches(c) && open, waits(c) || (open && c->fresh.stale));
  if (f < t) t = f;
  if (c->stream && HAS(c, LIFELINE_MANAGER_WATCHDOG)) {
    uint64_t d = LIFELINE_NEVER;
    if (c->stream_open)
      d = c->fresh.last_byte_at + c->cfg.heartbeat_timeout_ms;
    else if (c->cfg.connect_timeout_ms)
      d = c->open_at + c->cfg.connect_timeout_ms;
    if (d < t) t = d;
  }
  return t;
}

void mgr_conn_tick(mgr_conn *c, uint64_t now) {
  if (c->linger_at <= now) {
    mgr_conn_close(c, LIFELINE_MANAGER_REASON_LINGER, now);
    return;
  }
  if (c->stream && HAS(c, LIFELINE_MANAGER_WATCHDOG)) {
    if (c->stream_open && now >= c->fresh.last_byte_at + c->cfg.heartbeat_timeout_ms) {
      c->b->stats.stalls++;
      mgr_count(c->b, MGR_M_STALLS, now);
      fail(c, LIFELINE_MANAGER_REASON_STALL, -1, 1, now);
    } else if (!c->stream_open && c->cfg.connect_timeout_ms &&
               now >= c->open_at + c->cfg.connect_timeout_ms) {
      c->http_status = 0;
      fail(c, LIFELINE_MANAGER_REASON_TIMEOUT, -1, 1, now);
    }
  }
  if (c->retry_at <= now) try_open(c, 0, now);
  /* Stale, or an outage past its grace time: the same state, told with its new flags. */
  if (mgr_fresh_tick(&c->fresh, now, watches(c) && c->state == LIFELINE_MANAGER_OPEN))
    set_state(c, c->state, c->reason, now);
}

void mgr_conn_set_online(mgr_conn *c, int online, uint64_t now) {
  if (!online) {
    if (c->state == LIFELINE_MANAGER_RECONNECTING || c->state == LIFELINE_MANAGER_CIRCUIT_OPEN) {
      c->retry_at = LIFELINE_NEVER;
      set_state(c, LIFELINE_MANAGER_OFFLINE, LIFELINE_MANAGER_REASON_OFFLINE, now);
    }
    return;
  }
  if (c->state != LIFELINE_MANAGER_OFFLINE && c->state != LIFELINE_MANAGER_RECONNECTING) return;
  lifeline_backoff_reset(&c->backoff);
  uint32_t spread = lifeline_rng_bounded(&c->b->rng, c->b->cfg.online_spread_ms + 1);
  uint64_t at = now + spread;
  if (c->state == LIFELINE_MANAGER_RECONNECTING && c->retry_at < at) at = c->retry_at;
  c->retry_at = at;
  set_state(c, LIFELINE_MANAGER_RECONNECTING, c->reason, now);
  if (at <= now) try_open(c, 0, now);
}

/* Page shown again: the watchdog and other overdue deadlines run now; a pending retry moves
 * up to within online_spread_ms, at a random point so that tabs and clients woken together do
 * not return in lockstep. The attempt still goes through the breaker. */
void mgr_conn_resume(mgr_conn *c, uint64_t now) {
  mgr_conn_tick(c, now);
  if (c->state != LIFELINE_MANAGER_RECONNECTING) return;
  uint64_t at = now + lifeline_rng_bounded(&c->b->rng, c->b->cfg.online_spread_ms + 1);
  if (c->retry_at <= at) return;
  c->retry_at = at;
  set_state(c, LIFELINE_MANAGER_RECONNECTING, c->reason, now);
  if (at <= now) try_open(c, 0, now);
}

void mgr_conn_retry_now(mgr_conn *c, uint64_t now) {
  switch (c->state) {
  case LIFELINE_MANAGER_FAILED:
  case LIFELINE_MANAGER_RECONNECTING:
  case LIFELINE_MANAGER_CIRCUIT_OPEN:
  case LIFELINE_MANAGER_OFFLINE:
    break;
  case LIFELINE_MANAGER_OPEN:
  case LIFELINE_MANAGER_CONNECTING:
    /* A silent stream or a hanging attempt is given up for a new one, as the watchdog would.
     * An attempt younger than the grace time is not hanging to the user (the alert was not
     * even due): replacing it would only open a second stream, so it is kept. */
    if (c->state == LIFELINE_MANAGER_OPEN && !c->fresh.stale) return; /* live: nothing to retry */
    if (c->state == LIFELINE_MANAGER_CONNECTING && now < c->open_at + c->cfg.grace_ms) return;
    abandon(c, 1, LIFELINE_MANAGER_REASON_ABORTED, now);
    mgr_fresh_lost(&c->fresh, now);
    break;
  case LIFELINE_MANAGER_CLOSED:
  case LIFELINE_MANAGER_IDLE:
    if (c->subs) break;
    return;
  default:
    return;
  }
  restart(c, now);
  c->linger_at = LIFELINE_NEVER;
  try_open(c, 1, now);
}
