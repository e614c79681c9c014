/* Manager: pooling, subscribers, filters, priority, duplicate window, order, replay, caps. */
#include "manager_driver.h"

static void test_pooling_by_key(void) {
  drv *d = drv_new(NULL);
  uint32_t a = drv_conn(d, "http://x/feed|fetch", NULL);
  uint32_t b = drv_conn(d, "http://x/feed|fetch", NULL);
  uint32_t c = drv_conn(d, "http://x/feed|eventsource", NULL);
  CHECK_EQ_INT(a, b);
  CHECK(a != c);
  uint32_t ch1 = drv_channel(d, a, 0), ch2 = drv_channel(d, a, 0);
  drv_sub(d, ch1, 0, NULL, 0);
  drv_sub(d, ch2, 0, NULL, 0);
  drv_sub(d, ch2, 0, NULL, 0);
  CHECK_EQ_INT(1, d->opens); /* one stream for every subscriber of every channel on the key */
  lifeline_manager_conn_info info;
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_get_conn_info(d->m, a, &info));
  CHECK_EQ_INT(3, info.subscribers);
  CHECK_EQ_INT(2, info.channels);
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, info.state);
  drv_ok(d, a);
  int before = d->delivers;
  drv_feed(d, a, "data: hi\n\n");
  CHECK_EQ_INT(before + 3, d->delivers);
  drv_free(d);
}

static void test_priority_and_filters(void) {
  drv *d = drv_new(NULL);
  uint32_t c = drv_conn(d, "k", NULL);
  uint32_t ch = drv_channel(d, c, 0);
  uint32_t low = drv_sub(d, ch, -1, NULL, 0);
  uint32_t mid = drv_sub(d, ch, 1, NULL, 0);
  uint32_t hi1 = drv_sub(d, ch, 5, NULL, 0);
  uint32_t hi2 = drv_sub(d, ch, 5, "update\nprogress", 0);
  drv_ok(d, c);
  drv_clear(d);
  drv_feed(d, c, "event: update\ndata: u\n\ndata: m\n\n");
  char want[512];
  snprintf(want, sizeof want,
           "DELIVER u%u update|u|\nDELIVER u%u update|u|\nDELIVER u%u update|u|\nDELIVER u%u update|u|\n"
           "DELIVER u%u message|m|\nDELIVER u%u message|m|\nDELIVER u%u message|m|\n",
           hi1, hi2, mid, low, hi1, mid, low);
  CHECK_EQ_STR(want, d->log);
  drv_free(d);
}

static void test_duplicates_and_order_across_reconnect(void) {
  drv *d = drv_new(NULL);
  uint32_t c = drv_conn(d, "k", NULL);
  uint32_t s = drv_sub(d, drv_channel(d, c, 0), 0, NULL, 0);
  drv_ok(d, c);
  drv_feed(d, c, "id: 1\ndata: a\n\nid: 2\ndata: b\n\ndata: b2\n\n"); /* b2 repeats id 2 */
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  drv_advance(d, d->wake);
  CHECK_EQ_STR("2", d->open_id[c]);
  drv_ok(d, c);
  /* a server that replays inclusively: 2 again, then 3 */
  drv_feed(d, c, "id: 2\ndata: b\n\nid: 3\ndata: c\n\ndata: c2\n\n");
  char want[128];
  snprintf(want, sizeof want, "%u:a %u:b %u:b2 %u:c %u:c2 ", s, s, s, s, s);
  CHECK_EQ_STR(want, d->delivered);
  lifeline_manager_stats st;
  lifeline_manager_get_stats(d->m, &st);
  CHECK_EQ_INT(1, st.duplicates);
  CHECK_EQ_INT(1, st.recovery_count);
  /* an explicit empty id resets the last event id */
  drv_feed(d, c, "id\ndata: d\n\n");
  lifeline_manager_conn_info info;
  lifeline_manager_get_conn_info(d->m, c, &info);
  CHECK_EQ_INT(0, info.last_id_len);
  drv_free(d);
}

static void test_chunk_splits(void) {
  const char *stream = "id: 7\nevent: tick\ndata: one\ndata: two\n\n: hb\r\nid: 8\r\ndata: three\r\n\r\n";
  size_t n = strlen(stream);
  for (size_t step = 1; step <= n; step++) {
    drv *d = drv_new(NULL);
    uint32_t c = drv_conn(d, "k", NULL);
    drv_sub(d, drv_channel(d, c, 0), 0, NULL, 0);
    drv_ok(d, c);
    drv_clear(d);
    for (size_t off = 0; off < n; off += step) {
      size_t len = n - off < step ? n - off : step;
      lifeline_manager_feed(d->m, d->stream[c], (const uint8_t *)stream + off, len, d->now);
      drv_drain(d);
    }
    CHECK_EQ_STR("DELIVER u1 tick|one\ntwo|7\nDELIVER u1 message|three|8\n", d->log);
    drv_free(d);
  }
}

static void test_eventsource_input(void) {
  drv *d = drv_new(NULL);
  uint32_t c = drv_conn(d, "k", NULL);
  drv_sub(d, drv_channel(d, c, 0), 0, NULL, 0);
  drv_ok(d, c);
  drv_clear(d);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_event(d->m, d->stream[c], "", 0, "x", 1, "5", 1, d->now));
  drv_drain(d);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_event(d->m, d->stream[c], "note", 4, "y", 1, "5", 1, d->now));
  drv_drain(d);
  CHECK_EQ_STR("DELIVER u1 message|x|5\nDELIVER u1 note|y|5\n", d->log);
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  drv_advance(d, d->wake);
  CHECK_EQ_STR("5", d->open_id[c]);
  drv_free(d);
}

static void test_replay_to_late_subscriber(void) {
  drv *d = drv_new(NULL);
  uint32_t c = drv_conn(d, "k", NULL);
  uint32_t ch = drv_channel(d, c, 3);
  drv_sub(d, ch, 0, NULL, 0);
  drv_ok(d, c);
  drv_feed(d, c, "id: 1\ndata: a\n\nid: 2\nevent: x\ndata: b\n\nid: 3\ndata: c\n\nid: 4\ndata: d\n\nid: 5\ndata: e\n\n");
  drv_clear(d);
  uint32_t late = drv_sub(d, ch, 0, NULL, 2);
  char want[256];
  snprintf(want, sizeof want, "DELIVER u%u message|d|4 replayed\nDELIVER u%u message|e|5 replayed\n", late, late);
  CHECK_EQ_STR(want, d->log);
  drv_clear(d);
  uint32_t typed = drv_sub(d, ch, 0, "message", 10); /* at most the 3 remembered */
  snprintf(want, sizeof want,
           "DELIVER u%u message|c|3 replayed\nDELIVER u%u message|d|4 replayed\nDELIVER u%u message|e|5 replayed\n",
           typed, typed, typed);
  CHECK_EQ_STR(want, d->log);
  int before = d->delivers;
  drv_feed(d, c, "id: 6\ndata: f\n\n");
  CHECK_EQ_INT(before + 3, d->delivers); /* then live, like everyone else */
  drv_free(d);
}

static void test_caps(void) {
  lifeline_manager_config mc;
  lifeline_manager_config_default(&mc);
  mc.max_connections = 1;
  mc.max_channels = 2;
  mc.max_subscribers = 2;
  drv *d = drv_new(&mc);
  uint32_t c = drv_conn(d, "k", NULL), x = 0;
  CHECK_EQ_INT(LIFELINE_ERR_FULL, lifeline_manager_connection(d->m, "other", 5, NULL, &x));
  char big[LIFELINE_MANAGER_MAX_KEY + 1];
  memset(big, 'k', sizeof big);
  CHECK_EQ_INT(LIFELINE_ERR_FULL, lifeline_manager_connection(d->m, big, sizeof big, NULL, &x));
  uint32_t ch = drv_channel(d, c, 0);
  drv_channel(d, c, 0);
  CHECK_EQ_INT(LIFELINE_ERR_FULL, lifeline_manager_channel(d->m, c, NULL, &x));
  drv_sub(d, ch, 0, NULL, 0);
  drv_sub(d, ch, 0, NULL, 0);
  CHECK_EQ_INT(LIFELINE_ERR_FULL, lifeline_manager_subscribe(d->m, ch, 0, NULL, 0, 0, d->now, &x));
  CHECK_EQ_INT(LIFELINE_ERR_FULL, lifeline_manager_subscribe(d->m, ch, 0, big, LIFELINE_MANAGER_MAX_FILTER + 1, 0, d->now, &x));
  CHECK_EQ_INT(LIFELINE_ERR_FULL, lifeline_manager_set_last_event_id(d->m, c, big, LIFELINE_MANAGER_MAX_ID + 1));
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_manager_subscribe(d->m, 99, 0, NULL, 0, 0, d->now, &x));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_manager_unsubscribe(d->m, 0, d->now));
  lifeline_manager_conn_config bad;
  lifeline_manager_conn_config_default(&bad);
  bad.endpoint_count = LIFELINE_MANAGER_MAX_ENDPOINTS + 1;
  drv_free(d);
  d = drv_new(NULL);
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_manager_connection(d->m, "k", 1, &bad, &x));
  lifeline_manager_config zero;
  memset(&zero, 0, sizeof zero);
  CHECK(lifeline_manager_new(&zero) == NULL);
  drv_free(d);
}

/* A batch too small for a chunk's events: what fits is delivered, the stream is dropped and
 * resumed from the last delivered id, and nothing is delivered twice or lost. */
static void test_batch_overflow_resumes(void) {
  lifeline_manager_config mc;
  lifeline_manager_config_default(&mc);
  mc.max_actions = 3;
  drv *d = drv_new(&mc);
  uint32_t c = drv_conn(d, "k", NULL);
  uint32_t s = drv_sub(d, drv_channel(d, c, 0), 0, NULL, 0);
  drv_ok(d, c);
  drv_clear(d);
  drv_feed(d, c, "id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\nid: 4\ndata: d\n\nid: 5\ndata: e\n\n");
  CHECK_LOG(d, "CLOSE c1 overflow\n");
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  drv_advance(d, d->wake);
  CHECK_EQ_STR("3", d->open_id[c]);
  drv_ok(d, c);
  drv_feed(d, c, "id: 4\ndata: d\n\n");
  drv_feed(d, c, "id: 5\ndata: e\n\n");
  char want[64];
  snprintf(want, sizeof want, "%u:a %u:b %u:c %u:d %u:e ", s, s, s, s, s);
  CHECK_EQ_STR(want, d->delivered);
  drv_free(d);
}

static void test_rebind_and_remove(void) {
  drv *d = drv_new(NULL);
  uint32_t a = drv_conn(d, "a", NULL), b = drv_conn(d, "b", NULL);
  uint32_t ch = drv_channel(d, a, 0);
  drv_sub(d, ch, 0, NULL, 0);
  drv_clear(d);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_channel_bind(d->m, ch, b, d->now));
  drv_drain(d);
  CHECK_LOG(d, "OPEN c2 e0 a0");
  drv_advance(d, d->now + 1000); /* a lingers, then closes */
  CHECK_LOG(d, "STATUS c1 closed a0 linger\n");
  drv_clear(d);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_channel_remove(d->m, ch, d->now));
  drv_drain(d);
  drv_advance(d, d->now + 1000);
  CHECK_LOG(d, "STATUS c2 closed a0 linger\n");
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_manager_channel_remove(d->m, ch, d->now));
  drv_free(d);
}

static void test_many_subscribers_bounded_memory(void) {
  /* churn: subscribe/unsubscribe many times, replay ring and dedup stay within their caps */
  drv *d = drv_new(NULL);
  uint32_t c = drv_conn(d, "k", NULL);
  uint32_t ch = drv_channel(d, c, 4);
  uint32_t keep = drv_sub(d, ch, 0, NULL, 0);
  drv_ok(d, c);
  char ev[64];
  for (int i = 0; i < 2000; i++) {
    uint32_t s = drv_sub(d, ch, i % 7, NULL, 1);
    snprintf(ev, sizeof ev, "id: %d\ndata: %d\n\n", i, i);
    drv_feed(d, c, ev);
    CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_unsubscribe(d->m, s, d->now));
    drv_drain(d);
  }
  lifeline_manager_conn_info info;
  lifeline_manager_get_conn_info(d->m, c, &info);
  CHECK_EQ_INT(1, info.subscribers);
  CHECK_EQ_INT(LIFELINE_MANAGER_OPEN, info.state);
  CHECK(keep != 0);
  drv_free(d);
}

/* A failing call still replaces the batch, so a host never runs the previous actions twice. */
static void test_failed_calls_start_a_new_batch(void) {
  drv *d = drv_new(NULL);
  uint32_t c = drv_conn(d, "k", NULL);
  uint32_t ch = drv_channel(d, c, 0), x = 0;
  drv_sub(d, ch, 0, NULL, 0);
  drv_ok(d, c);
  drv_feed(d, c, "data: once\n\n");
  CHECK_EQ_INT(2, lifeline_manager_action_count(d->m)); /* DELIVER + WAKE_AT */
#define FRESH(call)                                                      \
  do {                                                                   \
    drv_feed(d, c, "data: again\n\n"); /* a batch with a DELIVER */   \
    CHECK((call) < 0);                                                   \
    CHECK_EQ_INT(1, lifeline_manager_action_count(d->m)); /* WAKE_AT */  \
  } while (0)
  FRESH(lifeline_manager_subscribe(d->m, 999, 0, NULL, 0, 0, d->now, &x));
  FRESH(lifeline_manager_unsubscribe(d->m, 0, d->now));
  FRESH(lifeline_manager_channel_bind(d->m, ch, 999, d->now));
  FRESH(lifeline_manager_channel_remove(d->m, 999, d->now));
  FRESH(lifeline_manager_retry_now(d->m, 999, d->now));
  FRESH(lifeline_manager_close(d->m, 999, d->now));
  FRESH(lifeline_manager_feed(d->m, d->stream[c], NULL, 3, d->now));
  FRESH(lifeline_manager_event(d->m, d->stream[c], NULL, 2, "", 0, "", 0, d->now));
  FRESH(lifeline_manager_closed(d->m, d->stream[c], (lifeline_manager_end)9, d->now));
  FRESH(lifeline_manager_opened(d->m, 12345, 200, NULL, 4, -1, d->now));
#undef FRESH
  CHECK_EQ_INT(LIFELINE_MANAGER_ACT_WAKE_AT, lifeline_manager_actions(d->m)[0].kind);
  drv_free(d);
}

int main(void) {
  test_failed_calls_start_a_new_batch();
  test_pooling_by_key();
  test_priority_and_filters();
  test_duplicates_and_order_across_reconnect();
  test_chunk_splits();
  test_eventsource_input();
  test_replay_to_late_subscriber();
  test_caps();
  test_batch_overflow_resumes();
  test_rebind_and_remove();
  test_many_subscribers_bounded_memory();
  return check_report("manager_subs");
}
