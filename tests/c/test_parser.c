/* Parser unit tests. The shared cases (tests/fixtures/parser-cases.json, also run by
 * tests/js/parser.test.js against the Wasm build) are replayed whole, at every chunk size from 1
 * to the input length, and at random split points (fixed seed). Native-only rules follow. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "lifeline/error.h"
#include "lifeline/parser.h"
#include "parser_cases.h"

typedef struct {
  char *text;
  size_t len, cap;
  int stop_after; /* stop when this many entries were logged (0: never) */
  int entries;
} event_log;

static void log_bytes(event_log *l, const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (l->len + 8 > l->cap) {
      l->cap = l->cap ? l->cap * 2 : 4096;
      l->text = realloc(l->text, l->cap);
    }
    uint8_t c = s[i];
    if (c == '\\') l->len += (size_t)snprintf(l->text + l->len, 8, "\\\\");
    else if (c == '\n') l->len += (size_t)snprintf(l->text + l->len, 8, "\\n");
    else if (c == '\r') l->len += (size_t)snprintf(l->text + l->len, 8, "\\r");
    else if (c < 0x20 || c >= 0x7f) l->len += (size_t)snprintf(l->text + l->len, 8, "\\x%02x", c);
    else l->text[l->len++] = (char)c;
  }
  l->text[l->len] = 0;
}

static void log_str(event_log *l, const char *s) {
  size_t n = strlen(s);
  if (l->len + n + 1 > l->cap) {
    l->cap = (l->len + n + 1) * 2;
    l->text = realloc(l->text, l->cap);
  }
  memcpy(l->text + l->len, s, n + 1);
  l->len += n;
}

static int log_end(event_log *l) {
  log_str(l, "\n");
  l->entries++;
  return l->stop_after && l->entries >= l->stop_after;
}

static int on_event(void *user, const lifeline_parser_event *ev) {
  event_log *l = user;
  log_str(l, "event type=");
  log_bytes(l, ev->type.ptr, ev->type.len);
  log_str(l, " data=");
  log_bytes(l, ev->data.ptr, ev->data.len);
  log_str(l, " id=");
  log_bytes(l, ev->id.ptr, ev->id.len);
  return log_end(l);
}

static int on_comment(void *user, lifeline_span text) {
  event_log *l = user;
  log_str(l, "comment ");
  log_bytes(l, text.ptr, text.len);
  return log_end(l);
}

static int on_retry(void *user, uint64_t ms) {
  event_log *l = user;
  char buf[32];
  snprintf(buf, sizeof buf, "retry %llu", (unsigned long long)ms);
  log_str(l, buf);
  return log_end(l);
}

static int on_error(void *user, int code) {
  event_log *l = user;
  log_str(l, "error ");
  log_str(l, lifeline_errname(code));
  return log_end(l);
}

static lifeline_parser *make_parser(event_log *l, size_t max_line, size_t max_event) {
  lifeline_parser_config cfg = {max_line, max_event, on_event, on_comment, on_retry, on_error, l};
  l->len = 0;
  l->entries = 0;
  log_str(l, "");
  return lifeline_parser_new(&cfg);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 16);
}

/* Feeds input split at the given cut points and returns the parser (for the last id). */
static void run_split(const pc_case *c, event_log *l, const size_t *cuts, size_t ncuts, const char *how) {
  lifeline_parser *p = make_parser(l, c->max_line, c->max_event);
  const uint8_t *in = (const uint8_t *)c->input.ptr;
  size_t prev = 0;
  for (size_t i = 0; i <= ncuts; i++) {
    size_t end = i < ncuts ? cuts[i] : c->input.len;
    CHECK_EQ_INT(LIFELINE_OK, lifeline_parser_feed(p, in + prev, end - prev));
    prev = end;
  }
  if (strcmp(c->expect.ptr, l->text) != 0) {
    fprintf(stderr, "case \"%s\" (%s):\n", c->name.ptr, how);
  }
  CHECK_EQ_STR(c->expect.ptr, l->text);
  if (c->has_last_id) {
    size_t n;
    const uint8_t *id = lifeline_parser_last_event_id(p, &n);
    CHECK(n == c->last_id.len && memcmp(id, c->last_id.ptr, n) == 0);
  }
  lifeline_parser_free(p);
}

static void run_case(const pc_case *c, event_log *l) {
  size_t n = c->input.len;
  size_t *cuts = malloc((n + 1) * sizeof *cuts);
  run_split(c, l, NULL, 0, "whole");
  for (size_t step = 1; step <= n; step++) {
    size_t k = 0;
    for (size_t off = step; off < n; off += step) cuts[k++] = off;
    run_split(c, l, cuts, k, "fixed step");
  }
  for (int round = 0; round < 64; round++) {
    size_t k = 0, off = 0;
    while (n && (off += 1 + rng() % (n / 3 + 1)) < n) cuts[k++] = off;
    run_split(c, l, cuts, k, "random split");
  }
  free(cuts);
}

static void test_shared_cases(event_log *l) {
  char path[4096];
  snprintf(path, sizeof path, "%s", __FILE__);
  char *slash = strrchr(path, '/');
  snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0),
           "../fixtures/parser-cases.json");
  pc_case *cases = NULL;
  size_t count = pc_load(path, &cases);
  CHECK(count >= 50);
  for (size_t i = 0; i < count; i++) run_case(&cases[i], l);
  printf("parser: %zu shared cases replayed\n", count);
  if (cases) pc_free(cases, count);
}

#include "test_parser_native.h"

int main(void) {
  event_log l = {0};
  test_shared_cases(&l);
  run_native_tests(&l);
  free(l.text);
  return check_report("parser");
}
