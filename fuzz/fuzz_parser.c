/* libFuzzer target for the parser. The first bytes choose small caps (to reach the overflow
 * paths) and split points; the rest is the stream. The stream is parsed whole, at the chosen
 * split points and byte by byte: the three event logs must be identical (chunk-split invariance),
 * and the parser's buffers must stay within the caps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lifeline/parser.h"

typedef struct {
  uint8_t *buf;
  size_t len, cap;
  size_t max_event;
} fz_log;

static void put(fz_log *l, const void *p, size_t n) {
  if (l->len + n > l->cap) {
    size_t cap = l->cap ? l->cap : 1024;
    while (cap < l->len + n) cap *= 2;
    l->buf = realloc(l->buf, cap);
    if (!l->buf) abort();
    l->cap = cap;
  }
  memcpy(l->buf + l->len, p, n);
  l->len += n;
}

static void put_span(fz_log *l, char tag, lifeline_span s) {
  put(l, &tag, 1);
  put(l, &s.len, sizeof s.len);
  if (s.len) put(l, s.ptr, s.len);
}

static int on_event(void *u, const lifeline_parser_event *e) {
  fz_log *l = u;
  if (e->data.len >= l->max_event) abort(); /* the cap counts the spec's final LF */
  if (memchr(e->id.ptr, 0, e->id.len) && e->id.len) abort();
  put_span(l, 'T', e->type);
  put_span(l, 'D', e->data);
  put_span(l, 'I', e->id);
  return 0;
}
static int on_comment(void *u, lifeline_span t) {
  put_span(u, 'C', t);
  return 0;
}
static int on_retry(void *u, uint64_t ms) {
  if (ms > LIFELINE_PARSER_RETRY_MAX) abort();
  put(u, "R", 1);
  put(u, &ms, sizeof ms);
  return 0;
}
static int on_error(void *u, int code) {
  put(u, "E", 1);
  put(u, &code, sizeof code);
  return 0;
}

static void run(const uint8_t *s, size_t n, size_t max_line, size_t max_event, const size_t *cuts,
                size_t ncuts, fz_log *l) {
  l->max_event = max_event;
  lifeline_parser_config cfg = {max_line, max_event, on_event, on_comment, on_retry, on_error, l};
  lifeline_parser *p = lifeline_parser_new(&cfg);
  if (!p) abort();
  size_t prev = 0;
  for (size_t i = 0; i <= ncuts; i++) {
    size_t end = i < ncuts ? cuts[i] : n;
    if (lifeline_parser_feed(p, s + prev, end - prev) != 0) abort();
    if (lifeline_parser_buffered_bytes(p) > 4 * max_line + max_event + 256) abort();
    prev = end;
  }
  size_t id_len;
  const uint8_t *id = lifeline_parser_last_event_id(p, &id_len);
  put(l, "L", 1);
  put(l, id, id_len);
  lifeline_parser_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4) return 0;
  size_t max_line = data[0] & 0x80 ? LIFELINE_PARSER_DEFAULT_CAP : 1 + (data[0] & 0x3F);
  size_t max_event = data[1] & 0x80 ? LIFELINE_PARSER_DEFAULT_CAP : 1 + (data[1] & 0x7F);
  unsigned seed = (unsigned)data[2] | (unsigned)data[3] << 8;
  const uint8_t *s = data + 4;
  size_t n = size - 4;

  size_t *cuts = malloc((n + 1) * sizeof *cuts);
  if (!cuts) return 0;
  fz_log whole = {0}, split = {0}, bytes = {0};
  run(s, n, max_line, max_event, NULL, 0, &whole);
  size_t k = 0;
  for (size_t off = 0; n && (off += 1 + (seed = seed * 1103515245u + 12345u) % (n / 2 + 1)) < n;)
    cuts[k++] = off;
  run(s, n, max_line, max_event, cuts, k, &split);
  for (k = 0; k + 1 < n; k++) cuts[k] = k + 1;
  run(s, n, max_line, max_event, cuts, n ? n - 1 : 0, &bytes);
  if (whole.len != split.len || (whole.len && memcmp(whole.buf, split.buf, whole.len))) abort();
  if (whole.len != bytes.len || (whole.len && memcmp(whole.buf, bytes.buf, whole.len))) abort();
  free(whole.buf);
  free(split.buf);
  free(bytes.buf);
  free(cuts);
  return 0;
}
