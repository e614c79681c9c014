/* Manager: the connection state machine with a fake driver and a fake clock. */
#include "manager_driver.h"

static const char *SSE = "text/event-stream";


static void test_first_subscriber_opens(void) {
  uint32_t c;
  drv *d = drv_setup(NULL, &c);
  CHECK_LOG(d, "OPEN c1 e0 a0 f0 id=\n");
  CHECK_LOG(d, "STATUS c1 connecting a0 none\n");
  drv_clear(d);
  CHECK_EQ_INT(LIFELINE_OK, drv_ok(d, c));
  CHECK_LOG(d, "STATUS c1 open a0 none\n");
  /* the next wake-up: the stream turns stale (two thirds of the watchdog's 45 s, the threshold
   * until the server's rhythm is known), then the watchdog */
  CHECK_EQ_INT(d->now + 30000, d->wake);
  drv_clear(d);
  drv_advance(d, d->now + 30000);
  CHECK_LOG(d, "STATUS c1 open a0 none\n");
  CHECK(d->sflags[c] & LIFELINE_MANAGER_FLAG_STALE);
  /* then the alert, the grace time (2 s) after the silence was noticed, then the watchdog */
  CHECK_EQ_INT(d->now + 2000, d->wake);
  drv_advance(d, d->now + 2000);
  CHECK(d->sflags[c] & LIFELINE_MANAGER_FLAG_ALERT);
  CHECK_EQ_INT(d->now + 13000, d->wake);
  drv_free(d);
}

static void test_drop_backs_off_and_resumes(void) {
  lifeline_manager_conn_config cfg;
  lifeline_manager_conn_config_default(&cfg); /* full jitter: first retry within 1 s */
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  drv_ok(d, c);
  drv_feed(d, c, "id: 41\ndata: a\n\n");
  drv_clear(d);
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_LOG(d, "STATUS c1 reconnecting a1 network\n");
  CHECK(d->delay[c] <= 1000);
  CHECK(d->wake <= d->now + 1000);
  drv_clear(d);
  drv_advance(d, d->now + 1000);
  CHECK_LOG(d, "OPEN c1 e0 a1 f0 id=41\n");
  drv_free(d);
}

static void test_backoff_grows_then_resets_after_healthy(void) {
  lifeline_manager_conn_config cfg = drv_fixed_cfg();
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  uint32_t want[] = {1000, 1600, 2560, 4096};
  for (int i = 0; i < 4; i++) { /* a server that accepts, sends one event and closes */
    drv_ok(d, c);
    drv_feed(d, c, "data: x\n\n");
    drv_end(d, c, LIFELINE_MANAGER_END_CLEAN);
    CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
    CHECK_EQ_INT(LIFELINE_MANAGER_REASON_SERVER_CLOSED, d->reason[c]);
    CHECK_EQ_INT(want[i], d->delay[c]);
    drv_advance(d, d->wake);
    CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  }
  drv_ok(d, c);
  drv_advance(d, d->now + 6000); /* healthy for longer than healthy_after (5 s) */
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_EQ_INT(1000, d->delay[c]);
  drv_free(d);
}

/* The delay after n failed attempts with adaptation on (jitter none, no breaker), each answered
 * with `status` (0: as the EventSource transport reports a response the browser refused), or
 * getting no answer at all (status < 0). */
static uint32_t adaptive_delay_after(int n, int status) {
  lifeline_manager_conn_config cfg = drv_fixed_cfg();
  cfg.backoff.adaptive = 1;
  cfg.features = LIFELINE_MANAGER_RECONNECT | LIFELINE_MANAGER_WATCHDOG;
  uint32_t c, delay = 0;
  drv *d = drv_setup(&cfg, &c);
  for (int i = 0; i < n; i++) {
    if (status >= 0) drv_opened(d, c, status, NULL);
    else drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
    CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
    delay = d->delay[c];
    drv_advance(d, d->wake);
  }
  drv_free(d);
  return delay;
}

/* Only an attempt that got no HTTP answer is a bad-network sample: a refused EventSource answer
 * was one too, so a 5xx run on EventSource was judged a poor network and backed off toward
 * twice the cap (a 31.7 s wait after the heal burst of the chaos soak, with max 30 s). */
static void test_refused_answers_are_not_a_poor_network(void) {
  uint32_t answered = adaptive_delay_after(12, 500);
  CHECK(answered <= 30000);
  CHECK_EQ_INT(answered, adaptive_delay_after(12, 0));
  CHECK(adaptive_delay_after(12, -1) > 30000); /* poor: toward twice the cap */
}

static void test_watchdog_stall_reconnects_at_once(void) {
  uint32_t c;
  drv *d = drv_setup(NULL, &c);
  drv_ok(d, c);
  uint64_t t0 = d->now;
  drv_advance(d, t0 + 30000);
  drv_feed(d, c, ": heartbeat\n"); /* a comment proves liveness */
  drv_clear(d);
  drv_advance(d, t0 + 30000 + 44999);
  CHECK_NOLOG(d, "CLOSE");
  drv_advance(d, t0 + 30000 + 45000);
  CHECK_LOG(d, "CLOSE c1 stall\n");
  CHECK_LOG(d, "OPEN c1 e0 a1");
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  drv_free(d);
}

static void test_connect_timeout(void) {
  uint32_t c;
  drv *d = drv_setup(NULL, &c);
  drv_clear(d);
  drv_advance(d, d->now + 30000);
  CHECK_LOG(d, "CLOSE c1 timeout\n");
  CHECK_LOG(d, "STATUS c1 reconnecting a1 timeout\n");
  drv_free(d);
}

static void check_fatal(int status, const char *ct, lifeline_manager_reason want) {
  uint32_t c;
  drv *d = drv_setup(NULL, &c);
  drv_clear(d);
  drv_opened(d, c, status, ct);
  CHECK_EQ_INT(LIFELINE_MANAGER_FAILED, d->state[c]);
  CHECK_EQ_INT(want, d->reason[c]);
  CHECK_EQ_INT(status, d->http[c]);
  CHECK_LOG(d, "CLOSE c1");
  CHECK_EQ_INT(LIFELINE_NEVER, d->wake);
  int opens = d->opens;
  drv_advance(d, d->now + 600000);
  CHECK_EQ_INT(opens, d->opens);
  /* retry_now is the user's way out */
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_retry_now(d->m, c, d->now));
  drv_drain(d);
  CHECK_EQ_INT(opens + 1, d->opens);
  drv_free(d);
}

static void check_retriable(int status, int64_t retry_after, lifeline_manager_reason want,
                            uint32_t min_delay) {
  uint32_t c;
  drv *d = drv_setup(NULL, &c);
  lifeline_manager_opened(d->m, d->stream[c], status, "text/html", 9, retry_after, d->now);
  drv_drain(d);
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  CHECK_EQ_INT(want, d->reason[c]);
  CHECK(d->delay[c] >= min_delay);
  int opens = d->opens;
  drv_advance(d, d->now + min_delay - 1); /* the alert's wake-up (grace time) opens nothing */
  CHECK_EQ_INT(opens, d->opens);
  drv_free(d);
}

static void test_status_classes(void) {
  check_fatal(204, SSE, LIFELINE_MANAGER_REASON_NO_CONTENT);
  check_fatal(404, SSE, LIFELINE_MANAGER_REASON_NOT_FOUND);
  check_fatal(410, NULL, LIFELINE_MANAGER_REASON_NOT_FOUND);
  check_fatal(200, "text/html; charset=utf-8", LIFELINE_MANAGER_REASON_CONTENT_TYPE);
  check_fatal(200, NULL, LIFELINE_MANAGER_REASON_CONTENT_TYPE);
  check_fatal(400, SSE, LIFELINE_MANAGER_REASON_HTTP_STATUS);
  check_fatal(401, SSE, LIFELINE_MANAGER_REASON_AUTH); /* no auth hook: no retry */
  check_retriable(500, -1, LIFELINE_MANAGER_REASON_HTTP_5XX, 0);
  check_retriable(502, -1, LIFELINE_MANAGER_REASON_HTTP_5XX, 0);
  check_retriable(503, -1, LIFELINE_MANAGER_REASON_HTTP_5XX, 0);
  check_retriable(429, -1, LIFELINE_MANAGER_REASON_RATE_LIMITED, 0);
  check_retriable(408, -1, LIFELINE_MANAGER_REASON_TIMEOUT, 0);
  check_retriable(503, 7000, LIFELINE_MANAGER_REASON_RETRY_AFTER, 7000);
  check_retriable(429, 12000, LIFELINE_MANAGER_REASON_RETRY_AFTER, 12000);
  /* content types are compared case-insensitively, parameters allowed */
  uint32_t c;
  drv *d = drv_setup(NULL, &c);
  drv_opened(d, c, 200, " Text/Event-Stream;charset=utf-8");
  CHECK_EQ_INT(LIFELINE_MANAGER_OPEN, d->state[c]);
  drv_free(d);
}

static void test_auth_retry_once(void) {
  lifeline_manager_conn_config cfg;
  lifeline_manager_conn_config_default(&cfg);
  cfg.features |= LIFELINE_MANAGER_AUTH_HOOK;
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  drv_clear(d);
  drv_opened(d, c, 401, NULL);
  CHECK_LOG(d, "OPEN c1 e0 a1 f1"); /* at once, asking for fresh credentials */
  drv_clear(d);
  drv_opened(d, c, 403, NULL);
  CHECK_EQ_INT(LIFELINE_MANAGER_FAILED, d->state[c]);
  CHECK_EQ_INT(LIFELINE_MANAGER_REASON_AUTH, d->reason[c]);
  CHECK_NOLOG(d, "OPEN");
  /* after a successful connection the budget is back */
  lifeline_manager_retry_now(d->m, c, d->now);
  drv_drain(d);
  drv_ok(d, c);
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  drv_advance(d, d->wake);
  drv_clear(d);
  drv_opened(d, c, 401, NULL);
  CHECK_LOG(d, "f1 id=");
  drv_free(d);
}

static void test_stale_stream_ignored(void) {
  uint32_t c;
  drv *d = drv_setup(NULL, &c);
  drv_ok(d, c);
  uint32_t old = d->stream[c];
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  drv_advance(d, d->wake);
  CHECK(d->stream[c] != old);
  drv_clear(d);
  const char *ev = "data: late\n\n";
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND,
               lifeline_manager_feed(d->m, old, (const uint8_t *)ev, strlen(ev), d->now));
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_manager_event(d->m, old, "", 0, "x", 1, "", 0, d->now));
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_manager_closed(d->m, old, LIFELINE_MANAGER_END_CLEAN, d->now));
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_manager_opened(d->m, old, 200, "text/event-stream", 17, -1, d->now));
  drv_drain(d);
  CHECK_NOLOG(d, "DELIVER");
  CHECK_NOLOG(d, "STATUS");
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  /* bytes before the response was accepted are a driver error */
  CHECK_EQ_INT(LIFELINE_ERR_STATE, drv_feed(d, c, "data: early\n\n"));
  lifeline_manager_stats st;
  lifeline_manager_get_stats(d->m, &st);
  CHECK_EQ_INT(4, st.stale_inputs);
  drv_free(d);
}

static void test_offline_online(void) {
  uint32_t c;
  drv *d = drv_setup(NULL, &c);
  drv_ok(d, c);
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  lifeline_manager_set_online(d->m, 0, d->now);
  drv_drain(d);
  CHECK_EQ_INT(LIFELINE_MANAGER_OFFLINE, d->state[c]);
  int opens = d->opens;
  drv_advance(d, d->now + 120000);
  CHECK_EQ_INT(opens, d->opens);
  lifeline_manager_set_online(d->m, 1, d->now);
  drv_drain(d);
  CHECK(d->state[c] == LIFELINE_MANAGER_RECONNECTING || d->state[c] == LIFELINE_MANAGER_CONNECTING);
  CHECK(d->delay[c] <= 4000); /* online_spread_ms */
  drv_advance(d, d->now + 4000);
  CHECK_EQ_INT(opens + 1, d->opens);
  /* a drop while offline waits for "online" */
  drv_ok(d, c);
  lifeline_manager_set_online(d->m, 0, d->now);
  drv_drain(d);
  CHECK_EQ_INT(LIFELINE_MANAGER_OPEN, d->state[c]); /* an open stream is left alone */
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_EQ_INT(LIFELINE_MANAGER_OFFLINE, d->state[c]);
  CHECK_EQ_INT(LIFELINE_NEVER, d->wake);
  drv_free(d);
}

static void test_resume_and_retry_now(void) {
  lifeline_manager_conn_config cfg = drv_fixed_cfg();
  cfg.features &= ~LIFELINE_MANAGER_BREAKER; /* resume respects an open breaker: a test of its own */
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  for (int i = 0; i < 5; i++) { /* push the delay up */
    drv_opened(d, c, 500, NULL);
    drv_advance(d, d->wake);
  }
  drv_opened(d, c, 500, NULL);
  CHECK(d->delay[c] > 5000);
  int opens = d->opens;
  lifeline_manager_resume(d->m, d->now);
  drv_drain(d);
  drv_advance(d, d->now + 4000); /* within online_spread_ms, not after the long delay */
  CHECK_EQ_INT(opens + 1, d->opens);
  drv_opened(d, c, 500, NULL);
  lifeline_manager_retry_now(d->m, c, d->now);
  drv_drain(d);
  CHECK_EQ_INT(opens + 2, d->opens);
  drv_free(d);
}

static void test_server_retry_and_exhausted(void) {
  lifeline_manager_conn_config cfg = drv_fixed_cfg();
  cfg.backoff.max_attempts = 2;
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  drv_ok(d, c);
  drv_feed(d, c, "retry: 4000\n\n");
  drv_end(d, c, LIFELINE_MANAGER_END_CLEAN);
  CHECK(d->delay[c] >= 4000 && d->delay[c] <= 4800); /* a floor, with up to a fifth added */
  drv_advance(d, d->wake);
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  drv_advance(d, d->wake);
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_EQ_INT(LIFELINE_MANAGER_FAILED, d->state[c]);
  CHECK_EQ_INT(LIFELINE_MANAGER_REASON_EXHAUSTED, d->reason[c]);
  drv_free(d);
}

static void test_failover_and_circuit_open(void) {
  lifeline_manager_conn_config cfg = drv_fixed_cfg();
  cfg.endpoint_count = 2;
  cfg.breaker.consecutive_failures = 3;
  cfg.breaker.open_jitter = 0;
  cfg.breaker.open_ms = 60000;
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  for (int i = 0; i < 3; i++) {
    CHECK_EQ_INT(0, d->endpoint[c]);
    drv_opened(d, c, 502, NULL);
    drv_advance(d, d->wake);
  }
  CHECK_EQ_INT(1, d->endpoint[c]); /* endpoint 0's breaker is open: failed over */
  for (int i = 0; i < 3; i++) {
    CHECK_EQ_INT(1, d->endpoint[c]);
    drv_opened(d, c, 502, NULL);
    drv_advance(d, d->wake);
  }
  /* both breakers open: circuit-open until the earliest half-open */
  CHECK_EQ_INT(LIFELINE_MANAGER_CIRCUIT_OPEN, d->state[c]);
  CHECK(d->delay[c] > 0);
  CHECK_EQ_INT(LIFELINE_MANAGER_REASON_CIRCUIT_OPEN, d->reason[c]);
  int opens = d->opens;
  drv_advance(d, d->wake);
  CHECK_EQ_INT(opens + 1, d->opens); /* a half-open probe */
  drv_ok(d, c);
  CHECK_EQ_INT(LIFELINE_MANAGER_OPEN, d->state[c]);
  lifeline_manager_stats st;
  lifeline_manager_get_stats(d->m, &st);
  CHECK(st.failovers >= 1);
  drv_free(d);
}

static void test_plain_eventsource_mode(void) {
  lifeline_manager_conn_config cfg;
  lifeline_manager_conn_config_default(&cfg);
  cfg.features = 0;
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  drv_ok(d, c);
  drv_advance(d, d->now + 600000); /* no watchdog */
  CHECK_EQ_INT(LIFELINE_MANAGER_OPEN, d->state[c]);
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_EQ_INT(3000, d->delay[c]);
  drv_advance(d, d->now + d->delay[c]);
  drv_ok(d, c);
  drv_feed(d, c, "retry: 1500\n\n");
  drv_end(d, c, LIFELINE_MANAGER_END_CLEAN);
  CHECK_EQ_INT(1500, d->delay[c]); /* no growth, the server's retry */
  drv_advance(d, d->now + d->delay[c]);
  drv_opened(d, c, 503, NULL);
  CHECK_EQ_INT(LIFELINE_MANAGER_FAILED, d->state[c]); /* any non-200 fails a plain EventSource */
  drv_free(d);
}

static void test_single_features_off(void) {
  /* watchdog off: silence is fine, reconnection still uses the backoff */
  lifeline_manager_conn_config cfg = drv_fixed_cfg();
  cfg.features = LIFELINE_MANAGER_RECONNECT | LIFELINE_MANAGER_BREAKER;
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  CHECK_EQ_INT(LIFELINE_NEVER, d->wake); /* no connect timeout either */
  drv_ok(d, c);
  drv_advance(d, d->now + 3600000);
  CHECK_EQ_INT(LIFELINE_MANAGER_OPEN, d->state[c]);
  drv_opened(d, c, 200, NULL); /* a second "opened" for an open stream is ignored */
  CHECK_EQ_INT(LIFELINE_MANAGER_OPEN, d->state[c]);
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_EQ_INT(1000, d->delay[c]);
  drv_free(d);
  /* breaker off: many failures never open a circuit */
  cfg = drv_fixed_cfg();
  cfg.features = LIFELINE_MANAGER_RECONNECT | LIFELINE_MANAGER_WATCHDOG;
  cfg.backoff.max_ms = 2000;
  d = drv_setup(&cfg, &c);
  for (int i = 0; i < 30; i++) {
    drv_opened(d, c, 503, NULL);
    CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
    drv_advance(d, d->wake);
  }
  lifeline_manager_stats st;
  lifeline_manager_get_stats(d->m, &st);
  CHECK_EQ_INT(31, st.opens);
  drv_free(d);
  /* an EventSource refusal (status unknown) is retried, not fatal */
  d = drv_setup(NULL, &c);
  drv_opened(d, c, 0, NULL);
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  CHECK_EQ_INT(LIFELINE_MANAGER_REASON_HTTP_STATUS, d->reason[c]);
  drv_free(d);
}

static void test_linger_and_close(void) {
  drv *d = drv_new(NULL); /* linger 1000 ms */
  uint32_t c = drv_conn(d, "k", NULL);
  uint32_t ch = drv_channel(d, c, 0);
  uint32_t s = drv_sub(d, ch, 0, NULL, 0);
  drv_ok(d, c);
  drv_clear(d);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_unsubscribe(d->m, s, d->now));
  drv_drain(d);
  CHECK_NOLOG(d, "CLOSE");
  CHECK_EQ_INT(d->now + 1000, d->wake);
  drv_advance(d, d->now + 500);
  s = drv_sub(d, ch, 0, NULL, 0); /* back within the linger: same stream */
  CHECK_NOLOG(d, "OPEN");
  lifeline_manager_unsubscribe(d->m, s, d->now);
  drv_drain(d);
  drv_advance(d, d->now + 1000);
  CHECK_LOG(d, "CLOSE c1 linger\n");
  CHECK_LOG(d, "STATUS c1 closed a0 linger\n");
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_manager_unsubscribe(d->m, s, d->now));
  drv_clear(d);
  drv_sub(d, ch, 0, NULL, 0);
  CHECK_LOG(d, "OPEN c1 e0 a0");
  lifeline_manager_close(d->m, c, d->now);
  drv_drain(d);
  CHECK_EQ_INT(LIFELINE_MANAGER_CLOSED, d->state[c]);
  CHECK_EQ_INT(LIFELINE_MANAGER_REASON_ABORTED, d->reason[c]);
  CHECK_EQ_INT(LIFELINE_ERR_STATE, lifeline_manager_connection_release(d->m, c)); /* bound */
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_channel_remove(d->m, ch, d->now));
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_connection_release(d->m, c));
  drv_free(d);
}

static void test_app_abort_and_close_all(void) {
  uint32_t c;
  drv *d = drv_setup(NULL, &c);
  drv_ok(d, c);
  drv_end(d, c, LIFELINE_MANAGER_END_ABORTED);
  CHECK_EQ_INT(LIFELINE_MANAGER_CLOSED, d->state[c]);
  CHECK_EQ_INT(LIFELINE_NEVER, d->wake);
  lifeline_manager_retry_now(d->m, c, d->now);
  drv_drain(d);
  drv_ok(d, c);
  drv_clear(d);
  lifeline_manager_close_all(d->m, d->now);
  drv_drain(d);
  CHECK_LOG(d, "CLOSE c1 aborted\n");
  CHECK_LOG(d, "STATUS c1 closed a0 aborted\n");
  lifeline_manager_conn_info info;
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_manager_get_conn_info(d->m, c, &info));
  drv_free(d);
}

static void test_metrics_registry(void) {
  uint32_t c;
  drv *d = drv_setup(NULL, &c);
  drv_ok(d, c);
  drv_feed(d, c, "id: 1\ndata: a\n\n");
  uint64_t t_last = d->now; /* the outage runs from the last data received */
  d->now += 100;
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  drv_advance(d, d->wake);
  d->now += 20;
  drv_ok(d, c);
  d->now += 30;
  drv_feed(d, c, "id: 2\ndata: b\n\n");
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_observe_latency(d->m, 12.5, d->now));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_manager_observe_latency(d->m, -1, d->now));
  lifeline_metrics *reg = lifeline_manager_metrics(d->m);
  CHECK(reg != NULL);
  const lifeline_histogram *rec = lifeline_metrics_get_histogram(reg, lifeline_metrics_find(reg, "lifeline_sse_recovery_ms"));
  CHECK(rec != NULL);
  if (rec) {
    CHECK_EQ_INT(1, rec->count);
    CHECK_EQ_INT(d->now - t_last, rec->max); /* last data (100) drop, delay, open (20), event (30) */
  }
  const lifeline_histogram *con = lifeline_metrics_get_histogram(reg, lifeline_metrics_find(reg, "lifeline_sse_connect_ms"));
  CHECK(con && con->count == 2 && con->max == 20);
  lifeline_counter *ev = lifeline_metrics_get_counter(reg, lifeline_metrics_find(reg, "lifeline_sse_events_total"));
  CHECK(ev && ev->value == 2);
  char buf[8192];
  size_t n = lifeline_metrics_write_json(reg, d->now, buf, sizeof buf);
  CHECK(n < sizeof buf);
  CHECK(strstr(buf, "\"lifeline_sse_event_latency_ms\"") != NULL);
  drv_free(d);
  lifeline_manager_config mc;
  lifeline_manager_config_default(&mc);
  mc.metrics = 0;
  d = drv_new(&mc);
  CHECK(lifeline_manager_metrics(d->m) == NULL);
  CHECK_EQ_INT(LIFELINE_ERR_STATE, lifeline_manager_observe_latency(d->m, 1, d->now));
  drv_free(d);
}

static void test_reason_is_failure(void) {
  CHECK(!lifeline_manager_reason_is_failure(LIFELINE_MANAGER_REASON_NONE));
  CHECK(!lifeline_manager_reason_is_failure(LIFELINE_MANAGER_REASON_ABORTED));
  CHECK(!lifeline_manager_reason_is_failure(LIFELINE_MANAGER_REASON_LINGER));
  CHECK(lifeline_manager_reason_is_failure(LIFELINE_MANAGER_REASON_STALL));
  CHECK(lifeline_manager_reason_is_failure(LIFELINE_MANAGER_REASON_AUTH));
  /* A pause is not its own cause: the failure before it stays the last error. */
  CHECK(!lifeline_manager_reason_is_failure(LIFELINE_MANAGER_REASON_CIRCUIT_OPEN));
  CHECK(!lifeline_manager_reason_is_failure(LIFELINE_MANAGER_REASON_OFFLINE));
}

int main(void) {
  test_reason_is_failure();
  test_metrics_registry();
  test_first_subscriber_opens();
  test_drop_backs_off_and_resumes();
  test_backoff_grows_then_resets_after_healthy();
  test_refused_answers_are_not_a_poor_network();
  test_watchdog_stall_reconnects_at_once();
  test_connect_timeout();
  test_status_classes();
  test_auth_retry_once();
  test_stale_stream_ignored();
  test_offline_online();
  test_resume_and_retry_now();
  test_server_retry_and_exhausted();
  test_failover_and_circuit_open();
  test_plain_eventsource_mode();
  test_single_features_off();
  test_linger_and_close();
  test_app_abort_and_close_all();
  return check_report("manager_conn");
}
