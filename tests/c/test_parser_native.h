/* Native-only parser tests (included by test_parser.c): API, reset, stop, bounded memory. */
#ifndef LIFELINE_TEST_PARSER_NATIVE_H
#define LIFELINE_TEST_PARSER_NATIVE_H

static int feed_str(lifeline_parser *p, const char *s) {
  return lifeline_parser_feed(p, (const uint8_t *)s, strlen(s));
}

static void test_partial_bom(event_log *l) {
  lifeline_parser *p = make_parser(l, 0, 0);
  CHECK_EQ_INT(LIFELINE_OK, feed_str(p, "\xEF\xBB"));
  CHECK_EQ_INT(LIFELINE_OK, feed_str(p, "data: a\n\n:c\n"));
  CHECK_EQ_STR("comment c\n", l->text); /* the line was "\xEF\xBBdata: a": an unknown field */
  lifeline_parser_free(p);
  p = make_parser(l, 0, 0);
  CHECK_EQ_INT(LIFELINE_OK, feed_str(p, "\xEF"));
  CHECK_EQ_INT(LIFELINE_OK, feed_str(p, ":x\n"));
  CHECK_EQ_STR("", l->text); /* "\xEF:x" is a field named "\xEF" */
  lifeline_parser_free(p);
}

static void test_invalid_utf8_passes_through(event_log *l) {
  lifeline_parser *p = make_parser(l, 0, 0);
  CHECK_EQ_INT(LIFELINE_OK, feed_str(p, "data: \xff\xc3\n\n"));
  CHECK_EQ_STR("event type=message data=\\xff\\xc3 id=\n", l->text);
  lifeline_parser_free(p);
}

static void test_reset(event_log *l) {
  lifeline_parser *p = make_parser(l, 16, 0);
  CHECK_EQ_INT(LIFELINE_OK, feed_str(p, "\xEF\xBB\xBFid: 1\ndata: a\n\nid: 2\ndata: part"));
  lifeline_parser_reset(p);
  CHECK_EQ_INT(LIFELINE_OK, feed_str(p, "\xEF\xBB\xBF" "data: b\n\n"));
  CHECK_EQ_STR("event type=message data=a id=1\nevent type=message data=b id=1\n", l->text);
  /* Skip mode is cleared too. */
  CHECK_EQ_INT(LIFELINE_OK, feed_str(p, "data: 12345678901234567"));
  lifeline_parser_reset(p);
  CHECK_EQ_INT(LIFELINE_OK, feed_str(p, "data: c\n\n"));
  CHECK(strstr(l->text, "data=c id=1\n") != NULL);
  size_t n;
  const uint8_t *id = lifeline_parser_last_event_id(p, &n);
  CHECK(n == 1 && id[0] == '1');
  lifeline_parser_free(p);
}

static void test_stop(event_log *l) {
  lifeline_parser *p = make_parser(l, 0, 0);
  l->stop_after = 1;
  CHECK_EQ_INT(LIFELINE_ERR_STOPPED, feed_str(p, "data: a\n\ndata: b\n\n"));
  CHECK_EQ_INT(LIFELINE_ERR_STOPPED, feed_str(p, "data: c\n\n"));
  CHECK_EQ_STR("event type=message data=a id=\n", l->text);
  l->stop_after = 0;
  lifeline_parser_reset(p);
  CHECK_EQ_INT(LIFELINE_OK, feed_str(p, "data: d\n\n"));
  CHECK_EQ_STR("event type=message data=a id=\nevent type=message data=d id=\n", l->text);
  lifeline_parser_free(p);
}

static void test_last_event_id_api(event_log *l) {
  lifeline_parser *p = make_parser(l, 8, 0);
  size_t n = 99;
  lifeline_parser_last_event_id(p, &n);
  CHECK_EQ_INT(0, n);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_parser_set_last_event_id(p, (const uint8_t *)"42", 2));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_parser_set_last_event_id(p, (const uint8_t *)"a\0b", 3));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_parser_set_last_event_id(p, (const uint8_t *)"123456789", 9));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_parser_set_last_event_id(p, NULL, 1));
  CHECK_EQ_INT(LIFELINE_OK, feed_str(p, "data: x\n\n"));
  CHECK_EQ_STR("event type=message data=x id=42\n", l->text);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_parser_set_last_event_id(p, NULL, 0));
  lifeline_parser_last_event_id(p, &n);
  CHECK_EQ_INT(0, n);
  lifeline_parser_free(p);
}

static void test_bad_arguments(void) {
  lifeline_parser *p = lifeline_parser_new(NULL);
  CHECK(p != NULL);
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_parser_feed(NULL, (const uint8_t *)"x", 1));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_parser_feed(p, NULL, 1));
  CHECK_EQ_INT(LIFELINE_OK, lifeline_parser_feed(p, NULL, 0));
  CHECK_EQ_INT(LIFELINE_OK, feed_str(p, "data: no callbacks\n\n: fine\nretry: 5\n"));
  lifeline_parser_free(p);
  lifeline_parser_free(NULL);
  lifeline_parser_reset(NULL);
  CHECK_EQ_INT(0, lifeline_parser_buffered_bytes(NULL));
}

static lifeline_parser *reentry_target;
static int reentry_result;
static int reenter(void *user, const lifeline_parser_event *ev) {
  (void)user;
  (void)ev;
  reentry_result = feed_str(reentry_target, "data: again\n\n");
  return 0;
}

static void test_reentry_rejected(void) {
  lifeline_parser_config cfg = {0};
  cfg.on_event = reenter;
  reentry_target = lifeline_parser_new(&cfg);
  CHECK_EQ_INT(LIFELINE_OK, feed_str(reentry_target, "data: a\n\n"));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, reentry_result);
  lifeline_parser_free(reentry_target);
}

static void test_side_by_side(void) {
  event_log a = {0}, b = {0};
  lifeline_parser *pa = make_parser(&a, 0, 0), *pb = make_parser(&b, 0, 0);
  CHECK_EQ_INT(LIFELINE_OK, feed_str(pa, "id: a\ndata: 1"));
  CHECK_EQ_INT(LIFELINE_OK, feed_str(pb, "data: 2\r"));
  CHECK_EQ_INT(LIFELINE_OK, feed_str(pa, "\n\n"));
  CHECK_EQ_INT(LIFELINE_OK, feed_str(pb, "\n\r"));
  CHECK_EQ_STR("event type=message data=1 id=a\n", a.text);
  CHECK_EQ_STR("event type=message data=2 id=\n", b.text);
  lifeline_parser_free(pa);
  lifeline_parser_free(pb);
  free(a.text);
  free(b.text);
}

/* 64 MiB without a line end must not grow the buffers past the cap. */
static void test_bounded_memory(event_log *l) {
  lifeline_parser *p = make_parser(l, 0, 0);
  static uint8_t chunk[1 << 16];
  memset(chunk, 'x', sizeof chunk);
  memcpy(chunk, "data: ", 6);
  size_t max_seen = 0;
  for (int i = 0; i < 1024; i++) {
    CHECK_EQ_INT(LIFELINE_OK, lifeline_parser_feed(p, chunk, sizeof chunk));
    size_t b = lifeline_parser_buffered_bytes(p);
    if (b > max_seen) max_seen = b;
  }
  CHECK(max_seen <= LIFELINE_PARSER_DEFAULT_CAP + 256);
  CHECK_EQ_INT(LIFELINE_OK, feed_str(p, "\n\ndata: ok\n\n"));
  CHECK_EQ_STR("error LIFELINE_ERR_LINE_TOO_LONG\nevent type=message data=ok id=\n", l->text);
  /* Many short data lines: the event cap bounds the data buffer. */
  static const char line[] = "data: 0123456789012345678901234567890123456789\n";
  for (int i = 0; i < 50000; i++) feed_str(p, line);
  feed_str(p, "\n");
  CHECK(lifeline_parser_buffered_bytes(p) <= 2 * LIFELINE_PARSER_DEFAULT_CAP + 256);
  CHECK(strstr(l->text, "error LIFELINE_ERR_EVENT_TOO_LARGE\n") != NULL);
  lifeline_parser_free(p);
}

static int log_has_id(void *user, const lifeline_parser_event *ev) {
  event_log *l = user;
  log_str(l, ev->has_id ? "1" : "0");
  return 0;
}

/* has_id says whether the event's own block had an id field: the stamped last id of an id-less
 * event must not pass for the event's own (the manager's duplicate window keys on it). */
static void test_has_id(event_log *l) {
  static const char in[] = "id: 1\ndata: a\n\ndata: b\n\nid: 2\n\ndata: c\n\n"
                           "id: x\0y\ndata: d\n\nid:\ndata: e\n\n";
  size_t n = sizeof in - 1;
  for (size_t step = 1; step <= n; step++) {
    lifeline_parser_config cfg = {0, 0, log_has_id, NULL, NULL, NULL, l};
    lifeline_parser *p = lifeline_parser_new(&cfg);
    l->len = 0;
    if (l->text) l->text[0] = 0;
    for (size_t off = 0; off < n; off += step)
      lifeline_parser_feed(p, (const uint8_t *)in + off, off + step <= n ? step : n - off);
    CHECK_EQ_STR("10001", l->text ? l->text : ""); /* an id with NUL is ignored, "id:" is own */
    lifeline_parser_free(p);
  }
}

/* Crash reproducers from fuzz/ become cases here (none found so far beyond the shared cases). */
static void run_native_tests(event_log *l) {
  test_partial_bom(l);
  test_invalid_utf8_passes_through(l);
  test_reset(l);
  test_stop(l);
  test_last_event_id_api(l);
  test_bad_arguments();
  test_reentry_rejected();
  test_side_by_side();
  test_bounded_memory(l);
  test_has_id(l);
}

#endif
