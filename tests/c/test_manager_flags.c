/* Manager: the opt-in flags STRICT_STATUS (the WHATWG rule for answers) and NO_DEDUP (repeated
 * ids delivered), each against the default behaviour it changes. */
#include "manager_driver.h"

static const char *SSE = "text/event-stream";

static drv *setup_flags(uint32_t extra, uint32_t *c) {
  lifeline_manager_conn_config cfg = drv_fixed_cfg();
  cfg.features |= extra;
  return drv_setup(&cfg, c);
}

/* With STRICT_STATUS the answers RECONNECT retries (5xx, 503 + Retry-After, 408, 429) fail. */
static void check_strict_fails(int status, int64_t retry_after) {
  uint32_t c;
  drv *d = setup_flags(LIFELINE_MANAGER_STRICT_STATUS, &c);
  drv_clear(d);
  lifeline_manager_opened(d->m, d->stream[c], status, SSE, strlen(SSE), retry_after, d->now);
  drv_drain(d);
  CHECK_EQ_INT(LIFELINE_MANAGER_FAILED, d->state[c]);
  CHECK_EQ_INT(status, d->http[c]);
  CHECK_LOG(d, "CLOSE c1");
  CHECK_NOLOG(d, "reconnecting");
  CHECK_EQ_INT(LIFELINE_NEVER, d->wake);
  int opens = d->opens;
  drv_advance(d, d->now + 600000);
  CHECK_EQ_INT(opens, d->opens);
  drv_free(d);
}

/* Without it the same answers back off (the default this flag must not change). */
static void check_default_retries(int status) {
  uint32_t c;
  drv *d = setup_flags(0, &c);
  drv_opened(d, c, status, SSE);
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  drv_free(d);
}

static void test_strict_status(void) {
  int statuses[] = {500, 502, 503, 408, 429};
  for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
    check_strict_fails(statuses[i], -1);
    check_default_retries(statuses[i]);
  }
  check_strict_fails(503, 2000);
  check_strict_fails(429, 1000);
}

/* Network errors, clean ends and stalls still reconnect with backoff under STRICT_STATUS. */
static void test_strict_keeps_transport_retries(void) {
  uint32_t c;
  drv *d = setup_flags(LIFELINE_MANAGER_STRICT_STATUS, &c);
  drv_ok(d, c);
  drv_feed(d, c, "id: 1\ndata: a\n\n");
  drv_end(d, c, LIFELINE_MANAGER_END_CLEAN);
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  CHECK_EQ_INT(1000, d->delay[c]); /* the backoff's first delay (no jitter here), not 3 s */
  drv_advance(d, d->wake);
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  CHECK_EQ_INT(0, strcmp("1", d->open_id[c]));
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK); /* no answer at all: a network error */
  CHECK_EQ_INT(LIFELINE_MANAGER_RECONNECTING, d->state[c]);
  drv_advance(d, d->wake);
  drv_ok(d, c);
  drv_advance(d, d->now + 45000); /* the watchdog */
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  CHECK_EQ_INT(LIFELINE_MANAGER_REASON_STALL, d->reason[c]);
  drv_free(d);
}

/* The auth hook's single retry is the app's explicit choice: kept under STRICT_STATUS. */
static void test_strict_keeps_auth_hook(void) {
  uint32_t c;
  drv *d = setup_flags(LIFELINE_MANAGER_STRICT_STATUS | LIFELINE_MANAGER_AUTH_HOOK, &c);
  drv_opened(d, c, 401, SSE);
  CHECK_EQ_INT(LIFELINE_MANAGER_CONNECTING, d->state[c]);
  CHECK_EQ_INT(LIFELINE_MANAGER_FLAG_AUTH, d->flags[c]);
  drv_opened(d, c, 401, SSE);
  CHECK_EQ_INT(LIFELINE_MANAGER_FAILED, d->state[c]);
  drv_free(d);
}

/* A server that replays ids the client has: dropped by default, delivered with NO_DEDUP. */
static void check_replay(uint32_t extra, const char *want) {
  uint32_t c;
  drv *d = setup_flags(extra, &c);
  drv_ok(d, c);
  drv_feed(d, c, "id: 1\ndata: a\n\nid: 2\ndata: b\n\n");
  drv_end(d, c, LIFELINE_MANAGER_END_NETWORK);
  drv_advance(d, d->wake);
  drv_ok(d, c);
  drv_feed(d, c, "id: 2\ndata: b\n\nid: 3\ndata: c\n\n");
  if (strcmp(want, d->delivered) != 0) {
    check_failures_++;
    fprintf(stderr, "%s:%d: delivered \"%s\", want \"%s\"\n", __FILE__, __LINE__, d->delivered, want);
  }
  check_count_++;
  lifeline_manager_stats s;
  lifeline_manager_get_stats(d->m, &s);
  CHECK_EQ_INT(extra ? 0 : 1, (int)s.duplicates);
  drv_free(d);
}

static void test_no_dedup(void) {
  check_replay(0, "1:a 1:b 1:c ");
  check_replay(LIFELINE_MANAGER_NO_DEDUP, "1:a 1:b 1:b 1:c ");
}

/* A stream that only replays what was seen makes no progress: with NO_DEDUP too, the backoff
 * keeps growing instead of resetting on every replayed id. */
static void test_no_dedup_replays_are_not_progress(void) {
  uint32_t c;
  drv *d = setup_flags(LIFELINE_MANAGER_NO_DEDUP, &c);
  drv_ok(d, c);
  drv_feed(d, c, "id: 1\ndata: a\n\n");
  uint32_t want[] = {1000, 1600, 2560};
  for (int i = 0; i < 3; i++) {
    drv_end(d, c, LIFELINE_MANAGER_END_CLEAN);
    CHECK_EQ_INT(want[i], d->delay[c]);
    drv_advance(d, d->wake);
    drv_ok(d, c);
    drv_feed(d, c, "id: 1\ndata: a\n\n");
  }
  drv_free(d);
}

int main(void) {
  test_strict_status();
  test_strict_keeps_transport_retries();
  test_strict_keeps_auth_hook();
  test_no_dedup();
  test_no_dedup_replays_are_not_progress();
  return check_report("manager_flags");
}
