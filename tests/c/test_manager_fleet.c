/* Manager: what a fleet of servers needs from the client (issue 14): failover at once to the
 * next endpoint when one gets no answer, the server's drain notice, and its reset notice. */
#include "manager_driver.h"

static lifeline_manager_conn_config three_endpoints(void) {
  lifeline_manager_conn_config cfg = drv_fixed_cfg();
  cfg.endpoint_count = 3;
  return cfg;
}

/* A refused connect (no answer) goes to the next endpoint at once, without a backoff delay;
 * that one opens and resumes from the same Last-Event-ID. */
static void test_refused_fails_over_at_once(void) {
  lifeline_manager_conn_config cfg = three_endpoints();
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  drv_ok(d, c);
  drv_feed(d, c, "id: 7\ndata: a\n\n");
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK); /* the instance died mid-stream */
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  CHECK_EQ_INT(1000, d->delay[c]); /* a drop of an open stream: the backoff, same endpoint */
  drv_advance(d, d->wake);
  CHECK_EQ_INT(0, d->endpoint[c]);
  uint64_t t = d->now;
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK); /* refused */
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  CHECK_EQ_INT(1, d->endpoint[c]);
  CHECK(t == d->now);
  CHECK_EQ_STR("7", d->open_id[c]);
  drv_ok(d, c);
  CHECK_EQ_INT(LIFELINE_MANAGER_OPEN, d->state[c]);
  lifeline_manager_stats st;
  lifeline_manager_get_stats(d->m, &st);
  CHECK_EQ_INT(1, (int)st.failovers);
  drv_free(d);
}

/* One round over the list at once, then the backoff: every endpoint down does not spin. */
static void test_all_refused_backs_off_after_one_round(void) {
  lifeline_manager_conn_config cfg = three_endpoints();
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  int opens = d->opens;
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK); /* e0 */
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK); /* e1 */
  CHECK_EQ_INT(2, d->endpoint[c]);
  CHECK_EQ_INT(opens + 2, d->opens);
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK); /* e2: every endpoint failed */
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  CHECK_EQ_INT(1000, d->delay[c]);
  drv_advance(d, d->wake);
  CHECK_EQ_INT(opens + 3, d->opens);
  drv_end(d, c, LIFELINE_MANAGER_END_TIMEOUT); /* after the wait, a new round at once */
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  CHECK_EQ_INT(opens + 4, d->opens);
  drv_free(d);
}

/* An HTTP answer is not "unreachable": a 502 stays on the endpoint (the breaker decides), and a
 * single endpoint never spins. */
static void test_answers_and_single_endpoint_keep_the_backoff(void) {
  lifeline_manager_conn_config cfg = three_endpoints();
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  drv_opened(d, c, 502, NULL);
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  drv_advance(d, d->wake);
  CHECK_EQ_INT(0, d->endpoint[c]);
  drv_free(d);

  lifeline_manager_conn_config one = drv_fixed_cfg();
  d = drv_setup(&one, &c);
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  CHECK_EQ_INT(1000, d->delay[c]);
  drv_free(d);
}

/* Drain: the notice is not delivered, the stream closes at once, the next endpoint is tried
 * within the spread with the same Last-Event-ID, no backoff growth, nothing after the notice
 * in the same chunk is taken. */
static void test_drain_moves_on_within_the_spread(void) {
  lifeline_manager_conn_config cfg = three_endpoints();
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  drv_ok(d, c);
  for (int i = 0; i < 3; i++) { /* grown backoff before: a drain must not use it */
    drv_end(d, c, LIFELINE_MANAGER_END_CLEAN);
    drv_advance(d, d->wake);
    drv_ok(d, c);
  }
  drv_feed(d, c, "id: 3\ndata: a\n\n");
  drv_clear(d);
  drv_feed(d, c, "id: 4\ndata: b\n\nevent: lifeline:drain\ndata: 250\n\nid: 5\ndata: late\n\n");
  CHECK_LOG(d, "DELIVER u1 message|b|4");
  CHECK_NOLOG(d, "lifeline:drain");
  CHECK_NOLOG(d, "late");
  CHECK_LOG(d, "CLOSE c1 drain");
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  CHECK_EQ_INT(LIFELINE_MANAGER_REASON_DRAIN, d->reason[c]);
  CHECK(d->delay[c] <= 250);
  uint64_t t = d->now;
  drv_advance(d, d->wake);
  CHECK(d->now - t <= 250);
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  uint32_t e = d->endpoint[c];
  CHECK(e == 1 || e == 2);
  CHECK_EQ_STR("4", d->open_id[c]);
  /* the draining endpoint is not tried again at once: refused goes to the third, then backs off */
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_EQ_INT(3 - e, d->endpoint[c]);
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  CHECK_EQ_INT(1000, d->delay[c]); /* the backoff was reset by the drain */
  lifeline_manager_stats st;
  lifeline_manager_get_stats(d->m, &st);
  CHECK_EQ_INT(1, (int)st.drains);
  CHECK_EQ_INT(0, (int)st.errors[LIFELINE_MANAGER_REASON_DRAIN]);
  CHECK(!lifeline_manager_reason_is_failure(LIFELINE_MANAGER_REASON_DRAIN));
  CHECK_EQ_STR("drain", lifeline_manager_reason_name(LIFELINE_MANAGER_REASON_DRAIN));
  drv_free(d);
}

/* The spread: a decimal, a default for anything else, capped; spreads differ between clients. */
static void test_drain_spread_values(void) {
  static const struct { const char *data; uint32_t max; } cases[] = {
      {"0", 0}, {"", LIFELINE_MANAGER_DRAIN_DEFAULT_MS}, {"soon", LIFELINE_MANAGER_DRAIN_DEFAULT_MS},
      {"99999999", LIFELINE_MANAGER_DRAIN_MAX_MS}, {"-5", LIFELINE_MANAGER_DRAIN_DEFAULT_MS}};
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    uint32_t c;
    drv *d = drv_setup(NULL, &c);
    drv_ok(d, c);
    char text[128];
    snprintf(text, sizeof text, "event: lifeline:drain\ndata: %s\n\n", cases[k].data);
    drv_feed(d, c, text);
    if (cases[k].max == 0) {
      CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]); /* at once, same single endpoint */
      CHECK_EQ_INT(0, d->endpoint[c]);
    } else {
      CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
      CHECK(d->delay[c] <= cases[k].max);
    }
    drv_free(d);
  }
  /* many clients told the same spread do not come back at the same moment */
  lifeline_manager_config mc;
  lifeline_manager_config_default(&mc);
  drv *d = drv_new(&mc);
  uint32_t lo = UINT32_MAX, hi = 0;
  for (int i = 0; i < 30; i++) {
    char key[16];
    snprintf(key, sizeof key, "k%d", i);
    uint32_t c = drv_conn(d, key, NULL);
    drv_sub(d, drv_channel(d, c, 0), 0, NULL, 0);
    drv_ok(d, c);
    drv_feed(d, c, "event: lifeline:drain\ndata: 1000\n\n");
    if (d->delay[c] < lo) lo = d->delay[c];
    if (d->delay[c] > hi) hi = d->delay[c];
  }
  CHECK(hi <= 1000);
  CHECK(hi - lo > 500);
  drv_free(d);
  /* ... and over the other endpoints, not all onto the one after the draining one */
  lifeline_manager_conn_config three = three_endpoints();
  d = drv_new(&mc);
  int to[3] = {0, 0, 0};
  for (int i = 0; i < 30; i++) {
    char key[16];
    snprintf(key, sizeof key, "k%d", i);
    uint32_t c = drv_conn(d, key, &three);
    drv_sub(d, drv_channel(d, c, 0), 0, NULL, 0);
    drv_ok(d, c);
    drv_feed(d, c, "event: lifeline:drain\ndata: 0\n\n");
    to[d->endpoint[c]]++;
  }
  CHECK_EQ_INT(0, to[0]);
  CHECK(to[1] >= 8 && to[2] >= 8);
  drv_free(d);
}

/* A drain with an id is an app's event; with the reconnect policy off, a drain is an event. */
static void test_drain_only_as_a_notice(void) {
  uint32_t c;
  drv *d = drv_setup(NULL, &c);
  drv_ok(d, c);
  drv_feed(d, c, "event: lifeline:drain\nid: 9\ndata: 5\n\n");
  CHECK_LOG(d, "DELIVER u1 lifeline:drain|5|9");
  CHECK_EQ_INT(LIFELINE_MANAGER_OPEN, d->state[c]);
  drv_free(d);

  lifeline_manager_conn_config plain;
  lifeline_manager_conn_config_default(&plain);
  plain.features = 0;
  d = drv_setup(&plain, &c);
  drv_ok(d, c);
  drv_feed(d, c, "event: lifeline:drain\ndata: 5\n\n");
  CHECK_LOG(d, "DELIVER u1 lifeline:drain|5|");
  CHECK_EQ_INT(LIFELINE_MANAGER_OPEN, d->state[c]);
  drv_free(d);
}

/* EventSource input: the same drain (the event has no id of its own: it repeats the last). */
static void test_drain_from_eventsource(void) {
  lifeline_manager_conn_config cfg = three_endpoints();
  uint32_t c;
  drv *d = drv_setup(&cfg, &c);
  drv_ok(d, c);
  lifeline_manager_event(d->m, d->stream[c], "", 0, "a", 1, "4", 1, d->now);
  drv_drain(d);
  drv_clear(d);
  lifeline_manager_event(d->m, d->stream[c], "lifeline:drain", 14, "0", 1, "4", 1, d->now);
  drv_drain(d);
  CHECK_NOLOG(d, "DELIVER");
  CHECK_LOG(d, "CLOSE c1 drain");
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  CHECK_EQ_INT(1, d->endpoint[c]);
  CHECK_EQ_STR("4", d->open_id[c]);
  /* The EventSource's last id moved through events nobody listened to: the drain looks id'd. */
  drv_ok(d, c);
  lifeline_manager_event(d->m, d->stream[c], "", 0, "b", 1, "5", 1, d->now);
  drv_drain(d);
  drv_clear(d);
  lifeline_manager_event(d->m, d->stream[c], "lifeline:drain", 14, "0", 1, "9", 1, d->now);
  drv_drain(d);
  CHECK_NOLOG(d, "DELIVER");
  CHECK_LOG(d, "CLOSE c1 drain");
  CHECK_EQ_STR("5", d->open_id[c]);
  drv_free(d);
}

/* Reset: the server starts afresh, so its ids may repeat ours: the window is emptied (an id seen
 * before the reset is delivered after it), the host gets a RESET status with the data, and the
 * event itself is delivered; the state does not change. */
static void test_reset_empties_the_window_and_is_reported(void) {
  uint32_t c;
  drv *d = drv_setup(NULL, &c);
  drv_ok(d, c);
  drv_feed(d, c, "id: 1\ndata: a\n\nid: 2\ndata: b\n\n");
  int statuses = d->statuses;
  drv_clear(d);
  drv_feed(d, c, "event: reset\nid: 0\ndata: {\"reason\":\"log-replaced\"}\n\nid: 1\ndata: new\n\n");
  CHECK_LOG(d, "RESET c1 {\"reason\":\"log-replaced\"}\nDELIVER u1 reset|{\"reason\":\"log-replaced\"}|0\nDELIVER u1 message|new|1");
  CHECK_EQ_INT(statuses, d->statuses);
  CHECK_EQ_INT(1, d->resets);
  CHECK_EQ_INT(LIFELINE_MANAGER_OPEN, d->state[c]);
  drv_feed(d, c, "id: 1\ndata: again\n\n"); /* a real repeat after the reset is a duplicate */
  CHECK_NOLOG(d, "again");
  lifeline_manager_stats st;
  lifeline_manager_get_stats(d->m, &st);
  CHECK_EQ_INT(1, (int)st.resets);
  drv_free(d);
}

int main(void) {
  test_refused_fails_over_at_once();
  test_all_refused_backs_off_after_one_round();
  test_answers_and_single_endpoint_keep_the_backoff();
  test_drain_moves_on_within_the_spread();
  test_drain_spread_values();
  test_drain_only_as_a_notice();
  test_drain_from_eventsource();
  test_reset_empties_the_window_and_is_reported();
  return check_report("manager_fleet");
}
