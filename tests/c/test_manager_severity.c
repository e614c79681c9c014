/* What the user is told, decided in the core: a stall is reported stale before the watchdog acts
 * and its outage counts in full; a blip within the grace time never raises the alert, a longer
 * outage does, a permanent failure at once; permanent failures and old failures never pause a
 * healthy server's stream (the breaker window); "Retry now" tries at once and its success closes
 * the breaker; a resumed stream's catch-up burst is marked; the counters per connection and
 * channel. Fake driver and clock (manager_driver.h). */
#include "manager_driver.h"

#define ALERT LIFELINE_MANAGER_FLAG_ALERT
#define STALE LIFELINE_MANAGER_FLAG_STALE

static lifeline_manager_conn_info info_of(drv *d, uint32_t c) {
  lifeline_manager_conn_info i;
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_get_conn_info(d->m, c, &i));
  return i;
}

/* The demo's stream: watchdog 12 s, a byte every 2 s; the stall is reported stale at 4 s (twice
 * the learned gap) and the recorded outage covers the stall from its last byte. */
static void test_stall_stale_before_watchdog(void) {
  lifeline_manager_conn_config cfg;
  lifeline_manager_conn_config_default(&cfg);
  cfg.heartbeat_timeout_ms = 12000;
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  drv_ok(d, c);
  for (int i = 0; i < 8; i++) { /* 16 s of rhythm: learned */
    drv_advance(d, d->now + 2000);
    drv_feed(d, c, "data: x\n\n");
  }
  uint64_t last = d->now;
  lifeline_manager_conn_info in = info_of(d, c);
  CHECK_EQ_INT(last, in.last_byte_at);
  CHECK_EQ_INT(last, in.last_event_at);
  CHECK_EQ_INT(4000, in.stale_after_ms);
  CHECK_EQ_INT(LIFELINE_NEVER, in.outage_since);
  CHECK_EQ_INT(last + 4000, d->wake);
  drv_clear(d);
  drv_advance(d, last + 4000);
  CHECK_LOG(d, "STATUS c1 open a0 none\n");
  CHECK_EQ_INT(STALE, d->sflags[c]);
  in = info_of(d, c);
  CHECK(in.stale && !in.alert);
  CHECK_EQ_INT(last, in.outage_since);
  /* The grace time after the stall was noticed: the alert, while the stream is still open. */
  CHECK_EQ_INT(last + 6000, d->wake);
  drv_clear(d);
  drv_advance(d, last + 6000);
  CHECK_LOG(d, "STATUS c1 open a0 none\n");
  CHECK_EQ_INT(STALE | ALERT, d->sflags[c]);
  CHECK(info_of(d, c).alert);
  /* The watchdog at 12 s: reconnecting, the alert kept. */
  drv_clear(d);
  drv_advance(d, last + 12000);
  CHECK_LOG(d, "STATUS c1 reconnecting a1 stall\n");
  CHECK(d->sflags[c] & ALERT);
  /* The server is still stalled for a while: the new stream answers but sends nothing. */
  drv_ok(d, c);
  CHECK_EQ_INT(0, d->sflags[c]); /* open again: no alert; fresh until proven silent */
  drv_advance(d, last + 15000);
  drv_feed(d, c, "data: back\n\n");
  lifeline_manager_stats st;
  lifeline_manager_get_stats(d->m, &st);
  CHECK_EQ_INT(1, st.recovery_count);
  CHECK_EQ_INT(15000, st.recovery_ms_max); /* the whole stall, not the 3 s after the watchdog */
  in = info_of(d, c);
  CHECK_EQ_INT(1, in.outages);
  CHECK_EQ_INT(15000, in.outage_ms);
  CHECK_EQ_INT(LIFELINE_NEVER, in.outage_since);
  CHECK(!in.stale && !in.alert);
  drv_free(d);
}

/* A silence that ends in the same stream: stale, then fresh again at the next byte. */
static void test_stale_clears_on_data(void) {
  lifeline_manager_conn_config cfg;
  lifeline_manager_conn_config_default(&cfg);
  cfg.stale_after_ms = 3000;
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  drv_ok(d, c);
  drv_feed(d, c, ": hi\n\n");
  uint64_t last = d->now;
  drv_advance(d, last + 3000);
  CHECK_EQ_INT(STALE, d->sflags[c]);
  drv_advance(d, last + 4999); /* within the grace time: stale only */
  CHECK_EQ_INT(STALE, d->sflags[c]);
  drv_advance(d, last + 6000); /* past it: the silence is an outage worth the alert */
  CHECK_EQ_INT(STALE | ALERT, d->sflags[c]);
  drv_clear(d);
  drv_feed(d, c, ": heartbeat\n\n");
  CHECK_LOG(d, "STATUS c1 open a0 none\n");
  CHECK_EQ_INT(0, d->sflags[c]);
  CHECK_EQ_INT(6000, info_of(d, c).outage_ms);
  drv_free(d);
}

/* A 300 ms blip never raises the alert; a 5 s outage does, 2 s after it was noticed. */
static void test_blip_versus_outage(void) {
  lifeline_manager_conn_config cfg = drv_fixed_cfg();
  cfg.grace_ms = 2000;
  cfg.stale_after_ms = 0;
  cfg.backoff.initial_ms = 300; /* the blip: back 300 ms later */
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  drv_ok(d, c);
  drv_feed(d, c, "data: a\n\n");
  d->statuses = 0;
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_EQ_INT(0, d->sflags[c]);
  drv_advance(d, d->now + 300);
  drv_ok(d, c);
  drv_feed(d, c, "data: b\n\n");
  drv_advance(d, d->now + 5000);
  CHECK_EQ_INT(0, d->sflags[c]);
  CHECK_EQ_INT(3, d->statuses); /* reconnecting, connecting, open: no flag-only change */
  /* Down for 5 s: each attempt refused; the alert comes once, at the grace time. */
  uint64_t drop = d->now;
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  int alerts = 0;
  uint32_t prev = 0;
  while (d->now < drop + 5000) {
    drv_advance(d, d->now + 100);
    if (d->state[c] == LIFELINE_MANAGER_CONNECTING) drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
    if ((d->sflags[c] & ALERT) && !(prev & ALERT)) {
      alerts++;
      CHECK(d->now >= drop + 2000 && d->now <= drop + 2100);
    }
    prev = d->sflags[c];
  }
  CHECK_EQ_INT(1, alerts);
  /* Five refusals in a row open the breaker: circuit-open, still alerting, until it lets a probe
   * through; the accepted stream ends the alert. */
  CHECK(d->sflags[c] & ALERT);
  for (int i = 0; i < 10 && d->state[c] != LIFELINE_MANAGER_CONNECTING; i++) drv_advance(d, d->wake);
  drv_ok(d, c);
  CHECK_EQ_INT(0, d->sflags[c]);
  drv_free(d);
}

/* Permanent failures are alert-worthy at once, with no grace. */
static void test_failed_alerts_at_once(void) {
  uint32_t c;
  drv *d = drv_setup(NULL, &c);
  drv_opened(d, c, 404, NULL);
  CHECK_EQ_INT(LIFELINE_MANAGER_FAILED, d->state[c]);
  CHECK_EQ_INT(ALERT, d->sflags[c]);
  CHECK(info_of(d, c).alert);
  CHECK_EQ_INT(LIFELINE_NEVER, d->wake); /* nothing pending: no wake-up for the grace time */
  drv_free(d);
}

/* The sequence: a 401 test, a 404 test, then failures of other kinds; a single drop
 * afterwards must find the server's breaker closed, and Retry now works at the first press. */
static void test_old_failures_do_not_pause(void) {
  lifeline_manager_conn_config cfg = drv_fixed_cfg();
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  const int answers[] = {401, 404, 400, 400, 405, 400, 400}; /* five "other 4xx" among them */
  for (int i = 0; i < 7; i++) { /* permanent failures in a row, each retried by the user */
    drv_opened(d, c, answers[i], "application/json");
    CHECK_EQ_INT(LIFELINE_MANAGER_FAILED, d->state[c]);
    CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_retry_now(d->m, c, d->now));
    drv_drain(d);
    CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  }
  drv_ok(d, c);
  drv_feed(d, c, "data: live\n\n");
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  CHECK_EQ_INT(LIFELINE_MANAGER_REASON_NETWORK, d->reason[c]);
  drv_free(d);
}

/* Three 5xx open the breaker (a long break); Retry now goes past it at once, and its success
 * closes it: the next drop reconnects with backoff instead of waiting out the break (the old core
 * ignored that success and said "circuit open" at the next drop). */
static void test_retry_now_closes_breaker(void) {
  lifeline_manager_conn_config cfg = drv_fixed_cfg();
  cfg.breaker.consecutive_failures = 3;
  cfg.breaker.open_ms = 60000;
  cfg.breaker.open_jitter = 0;
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  for (int i = 0; i < 3; i++) {
    drv_opened(d, c, 500, NULL);
    drv_advance(d, d->now + d->delay[c]);
  }
  CHECK_EQ_INT(LIFELINE_MANAGER_CIRCUIT_OPEN, d->state[c]);
  int opens = d->opens;
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_retry_now(d->m, c, d->now));
  drv_drain(d);
  CHECK_EQ_INT(opens + 1, d->opens); /* at once, past the open breaker */
  drv_ok(d, c);
  drv_feed(d, c, "data: a\n\n");
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  drv_advance(d, d->now + d->delay[c]);
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  drv_free(d);
}

/* Retry now while the breaker's half-open probe has just left keeps that probe: a second stream
 * 9 ms later was what the status UI test saw under load (two connects, one press). Retry now
 * before the break ends makes the press the probe: the break's end opens nothing more. */
static void test_retry_now_during_fresh_probe(void) {
  lifeline_manager_conn_config cfg = drv_fixed_cfg();
  cfg.breaker.consecutive_failures = 3;
  cfg.breaker.open_ms = 5000;
  cfg.breaker.open_jitter = 0;
  cfg.grace_ms = 2000;
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  for (int i = 0; i < 3; i++) {
    drv_opened(d, c, 500, NULL);
    drv_advance(d, d->now + d->delay[c]);
  }
  CHECK_EQ_INT(LIFELINE_MANAGER_CIRCUIT_OPEN, d->state[c]);
  uint64_t break_end = d->now + d->delay[c];
  drv_advance(d, break_end); /* the half-open probe leaves */
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  int opens = d->opens, closes = d->closes;
  drv_advance(d, d->now + 9);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_retry_now(d->m, c, d->now));
  drv_drain(d);
  CHECK_EQ_INT(opens, d->opens);
  CHECK_EQ_INT(closes, d->closes);
  /* Past the grace time the attempt is hanging to the user: replaced. */
  drv_advance(d, d->now + cfg.grace_ms);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_retry_now(d->m, c, d->now));
  drv_drain(d);
  CHECK_EQ_INT(opens + 1, d->opens);
  CHECK_EQ_INT(closes + 1, d->closes);
  drv_free(d);

  d = drv_setup(&cfg, &c);
  for (int i = 0; i < 3; i++) {
    drv_opened(d, c, 500, NULL);
    drv_advance(d, d->now + d->delay[c]);
  }
  break_end = d->now + d->delay[c];
  drv_advance(d, break_end - 9);
  opens = d->opens;
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_retry_now(d->m, c, d->now));
  drv_drain(d);
  CHECK_EQ_INT(opens + 1, d->opens);
  drv_advance(d, break_end + 100);
  CHECK_EQ_INT(opens + 1, d->opens); /* the press was the probe */
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  drv_free(d);
}

/* An accepted stream empties the breaker's window: failures before it no longer add up (here
 * with the failure-rate rule on: 2 failures, a success, 2 failures is not 4 of 5). */
static void test_success_empties_window(void) {
  lifeline_manager_conn_config cfg = drv_fixed_cfg();
  cfg.breaker.consecutive_failures = 0;
  cfg.breaker.failure_rate_threshold = 0.5;
  cfg.breaker.minimum_calls = 4;
  cfg.breaker.open_ms = 60000;
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 2; i++) {
      drv_opened(d, c, 503, NULL);
      drv_advance(d, d->now + d->delay[c]);
      CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
    }
    if (round == 0) {
      drv_ok(d, c);
      drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
      drv_advance(d, d->now + d->delay[c]);
    }
  }
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  drv_free(d);
}

/* Retry now on a silent (stale) open stream or a hanging attempt starts a new stream at once. */
static void test_retry_now_on_stale_and_hanging(void) {
  lifeline_manager_conn_config cfg;
  lifeline_manager_conn_config_default(&cfg);
  cfg.stale_after_ms = 1000;
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  drv_ok(d, c);
  drv_clear(d);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_retry_now(d->m, c, d->now));
  drv_drain(d);
  CHECK_EQ_INT(0, d->closes); /* live: nothing to do */
  drv_advance(d, d->now + 1000);
  CHECK_EQ_INT(STALE, d->sflags[c]);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_retry_now(d->m, c, d->now));
  drv_drain(d);
  CHECK_LOG(d, "CLOSE c1 aborted\n");
  CHECK_LOG(d, "OPEN c1 e0 a0 f0 id=\n");
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  drv_clear(d);
  int closes = d->closes;
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_retry_now(d->m, c, d->now)); /* a fresh attempt */
  drv_drain(d);
  CHECK_EQ_INT(closes, d->closes);
  drv_advance(d, d->now + cfg.grace_ms);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_retry_now(d->m, c, d->now)); /* hanging attempt */
  drv_drain(d);
  CHECK_LOG(d, "CLOSE c1 aborted\nOPEN c1");
  drv_free(d);
}

/* The events a resumed stream sends back to back are its catch-up; the first pause ends it.
 * Counters: events once per event per channel, deliveries per subscriber, duplicates dropped. */
static void test_catch_up_and_counters(void) {
  uint32_t c;
  drv *d = drv_new(NULL);
  c = drv_conn(d, "http://a/feed", NULL);
  uint32_t ch = drv_channel(d, c, 0);
  drv_sub(d, ch, 0, NULL, 0);
  drv_sub(d, ch, 0, NULL, 0);
  drv_ok(d, c);
  drv_feed(d, c, "id: 1\ndata: a\n\n");
  CHECK_EQ_INT(0, d->catchups);
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  drv_advance(d, d->wake);
  drv_advance(d, d->now + d->delay[c]);
  drv_ok(d, c);
  d->now += 20;
  drv_feed(d, c, "id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n"); /* 1 is a duplicate */
  d->now += 100;
  drv_feed(d, c, "id: 4\ndata: d\n\n");
  d->now += 2000;
  drv_feed(d, c, "id: 5\ndata: e\n\n"); /* live */
  CHECK_EQ_INT(2 * 3, d->catchups); /* b, c, d to two subscribers */
  lifeline_manager_conn_info in = info_of(d, c);
  CHECK_EQ_INT(3, in.last_caught_up);
  CHECK_EQ_INT(3, in.caught_up);
  CHECK_EQ_INT(6, in.events);
  CHECK_EQ_INT(1, in.duplicates);
  CHECK_EQ_INT(1, in.reconnects);
  lifeline_manager_channel_info ci;
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_get_channel_info(d->m, ch, &ci));
  CHECK_EQ_INT(c, ci.conn);
  CHECK_EQ_INT(2, ci.subscribers);
  CHECK_EQ_INT(6, ci.events);
  CHECK_EQ_INT(10, ci.delivered);
  CHECK_EQ_INT(1, ci.duplicates);
  CHECK_EQ_INT(3, ci.caught_up);
  CHECK_EQ_INT(0, ci.replayed);
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_manager_get_channel_info(d->m, 99, &ci));
  lifeline_manager_stats st;
  lifeline_manager_get_stats(d->m, &st);
  CHECK_EQ_INT(3, st.caught_up);
  CHECK_EQ_INT(10, st.delivered);
  CHECK_EQ_INT(6, st.events);
  drv_free(d);
}

int main(void) {
  test_stall_stale_before_watchdog();
  test_stale_clears_on_data();
  test_blip_versus_outage();
  test_failed_alerts_at_once();
  test_old_failures_do_not_pause();
  test_retry_now_closes_breaker();
  test_retry_now_during_fresh_probe();
  test_success_empties_window();
  test_retry_now_on_stale_and_hanging();
  test_catch_up_and_counters();
  return check_report("manager_severity");
}
