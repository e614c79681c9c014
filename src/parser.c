#include "lifeline/parser.h"

#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"

typedef struct {
  uint8_t *ptr;
  size_t len;
  size_t cap;
} buffer;

struct lifeline_parser {
  lifeline_parser_config cfg;
  buffer line;    /* a line split across chunks */
  buffer data;    /* the data buffer, every value followed by LF */
  buffer type;    /* the event type buffer */
  buffer id_buf;  /* the last event ID buffer, when id_pending */
  buffer last_id; /* the last event ID string (committed at dispatch) */
  unsigned bom_pos;
  unsigned char bom_done;
  unsigned char pending_cr;     /* the previous chunk ended with CR */
  unsigned char skipping;       /* dropping lines up to the next blank line */
  unsigned char skip_at_start;  /* while skipping: no byte of the current line seen yet */
  unsigned char id_pending;     /* id_buf is newer than last_id */
  unsigned char stopped;
  unsigned char in_callback;
};

static const uint8_t bom[3] = {0xEF, 0xBB, 0xBF};
static const uint8_t message_type[7] = {'m', 'e', 's', 's', 'a', 'g', 'e'};

/* Grows b to hold need bytes, geometrically, never beyond limit. */
static int buf_reserve(buffer *b, size_t need, size_t limit) {
  if (need <= b->cap) return LIFELINE_OK;
  if (need > limit) return LIFELINE_ERR_FULL;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap = cap > limit / 2 ? limit : cap * 2;
  if (cap > limit) cap = limit;
  uint8_t *ptr = realloc(b->ptr, cap);
  if (!ptr) return LIFELINE_ERR_NO_MEMORY;
  b->ptr = ptr;
  b->cap = cap;
  return LIFELINE_OK;
}

static int buf_set(buffer *b, const uint8_t *src, size_t n, size_t limit) {
  int rc = buf_reserve(b, n, limit);
  if (rc != LIFELINE_OK) return rc;
  if (n) memcpy(b->ptr, src, n);
  b->len = n;
  return LIFELINE_OK;
}

lifeline_parser *lifeline_parser_new(const lifeline_parser_config *config) {
  lifeline_parser *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  if (config) p->cfg = *config;
  if (!p->cfg.max_line_bytes) p->cfg.max_line_bytes = LIFELINE_PARSER_DEFAULT_CAP;
  if (!p->cfg.max_event_bytes) p->cfg.max_event_bytes = LIFELINE_PARSER_DEFAULT_CAP;
  return p;
}

void lifeline_parser_free(lifeline_parser *p) {
  if (!p) return;
  free(p->line.ptr);
  free(p->data.ptr);
  free(p->type.ptr);
  free(p->id_buf.ptr);
  free(p->last_id.ptr);
  free(p);
}

/* A callback's non-zero result stops the parser until reset. */
static int stop_if(lifeline_parser *p, int rc) {
  if (rc == 0) return LIFELINE_OK;
  p->stopped = 1;
  return LIFELINE_ERR_STOPPED;
}

/* Drops the current event and ignores lines up to the next blank one. */
static int enter_skip(lifeline_parser *p, int code, int at_line_start) {
  p->line.len = 0;
  p->data.len = 0;
  p->type.len = 0;
  p->skipping = 1;
  p->skip_at_start = (unsigned char)at_line_start;
  if (!p->cfg.on_error) return LIFELINE_OK;
  p->in_callback = 1;
  int rc = p->cfg.on_error(p->cfg.user, code);
  p->in_callback = 0;
  return stop_if(p, rc);
}

static int overflow_code(int rc, int too_big) { return rc == LIFELINE_ERR_NO_MEMORY ? rc : too_big; }

static int dispatch(lifeline_parser *p) {
  if (p->id_pending) {
    buffer t = p->last_id;
    p->last_id = p->id_buf;
    p->id_buf = t;
    p->id_pending = 0;
  }
  if (p->data.len == 0) {
    p->type.len = 0;
    return LIFELINE_OK;
  }
  int rc = 0;
  if (p->cfg.on_event) {
    lifeline_parser_event ev;
    ev.data.ptr = p->data.ptr;
    ev.data.len = p->data.len - 1;
    ev.type.ptr = p->type.len ? p->type.ptr : message_type;
    ev.type.len = p->type.len ? p->type.len : sizeof message_type;
    ev.id.ptr = p->last_id.len ? p->last_id.ptr : message_type;
    ev.id.len = p->last_id.len;
    p->in_callback = 1;
    rc = p->cfg.on_event(p->cfg.user, &ev);
    p->in_callback = 0;
  }
  p->data.len = 0;
  p->type.len = 0;
  return stop_if(p, rc);
}

static int on_data(lifeline_parser *p, const uint8_t *v, size_t n) {
  size_t need = p->data.len + n + 1; /* cannot overflow: n <= max_line_bytes, len <= cap */
  int rc = need > p->cfg.max_event_bytes ? LIFELINE_ERR_FULL
                                         : buf_reserve(&p->data, need, p->cfg.max_event_bytes);
  if (rc != LIFELINE_OK) return enter_skip(p, overflow_code(rc, LIFELINE_ERR_EVENT_TOO_LARGE), 1);
  if (n) memcpy(p->data.ptr + p->data.len, v, n);
  p->data.ptr[need - 1] = '\n';
  p->data.len = need;
  return LIFELINE_OK;
}

static int on_retry(lifeline_parser *p, const uint8_t *v, size_t n) {
  if (n == 0) return LIFELINE_OK;
  uint64_t ms = 0;
  for (size_t i = 0; i < n; i++) {
    if (v[i] < '0' || v[i] > '9') return LIFELINE_OK;
    if (ms <= LIFELINE_PARSER_RETRY_MAX) ms = ms * 10 + (uint64_t)(v[i] - '0');
  }
  if (ms > LIFELINE_PARSER_RETRY_MAX) ms = LIFELINE_PARSER_RETRY_MAX;
  if (!p->cfg.on_retry) return LIFELINE_OK;
  p->in_callback = 1;
  int rc = p->cfg.on_retry(p->cfg.user, ms);
  p->in_callback = 0;
  return stop_if(p, rc);
}

static int on_comment(lifeline_parser *p, const uint8_t *line, size_t n) {
  if (!p->cfg.on_comment) return LIFELINE_OK;
  lifeline_span text = {line + 1, n - 1};
  if (text.len && text.ptr[0] == ' ') {
    text.ptr++;
    text.len--;
  }
  p->in_callback = 1;
  int rc = p->cfg.on_comment(p->cfg.user, text);
  p->in_callback = 0;
  return stop_if(p, rc);
}

/* One complete line (without its line end), at most max_line_bytes long. */
static int process_line(lifeline_parser *p, const uint8_t *line, size_t n) {
  if (n == 0) return dispatch(p);
  if (line[0] == ':') return on_comment(p, line, n);
  const uint8_t *colon = memchr(line, ':', n);
  size_t name_len = colon ? (size_t)(colon - line) : n;
  const uint8_t *v = colon ? colon + 1 : line + n;
  size_t vlen = (size_t)(line + n - v);
  if (vlen && v[0] == ' ') {
    v++;
    vlen--;
  }
  int rc = LIFELINE_OK;
  if (name_len == 4 && memcmp(line, "data", 4) == 0) {
    rc = on_data(p, v, vlen);
  } else if (name_len == 5 && memcmp(line, "event", 5) == 0) {
    rc = buf_set(&p->type, v, vlen, p->cfg.max_line_bytes);
    if (rc != LIFELINE_OK) rc = enter_skip(p, LIFELINE_ERR_NO_MEMORY, 1);
  } else if (name_len == 2 && line[0] == 'i' && line[1] == 'd') {
    if (vlen && memchr(v, 0, vlen)) return LIFELINE_OK;
    rc = buf_set(&p->id_buf, v, vlen, p->cfg.max_line_bytes);
    if (rc != LIFELINE_OK) return enter_skip(p, LIFELINE_ERR_NO_MEMORY, 1);
    p->id_pending = 1;
  } else if (name_len == 5 && memcmp(line, "retry", 5) == 0) {
    rc = on_retry(p, v, vlen);
  }
  return rc;
}

/* A line end was found; seg is the part of the line inside the current chunk. */
static int complete_line(lifeline_parser *p, const uint8_t *seg, size_t n) {
  if (p->skipping) {
    if (n == 0 && p->skip_at_start) {
      p->skipping = 0;
      return dispatch(p);
    }
    p->skip_at_start = 1;
    return LIFELINE_OK;
  }
  size_t max = p->cfg.max_line_bytes;
  if (p->line.len == 0) {
    if (n > max) return enter_skip(p, LIFELINE_ERR_LINE_TOO_LONG, 1);
    return process_line(p, seg, n);
  }
  if (n > max - p->line.len) return enter_skip(p, LIFELINE_ERR_LINE_TOO_LONG, 1);
  int rc = buf_reserve(&p->line, p->line.len + n, max);
  if (rc != LIFELINE_OK) return enter_skip(p, LIFELINE_ERR_NO_MEMORY, 1);
  if (n) memcpy(p->line.ptr + p->line.len, seg, n);
  size_t len = p->line.len + n;
  p->line.len = 0;
  return process_line(p, p->line.ptr, len);
}

/* The chunk ended inside a line: keep its bytes (up to the cap). */
static int partial_line(lifeline_parser *p, const uint8_t *seg, size_t n) {
  if (p->skipping) {
    if (n) p->skip_at_start = 0;
    return LIFELINE_OK;
  }
  size_t max = p->cfg.max_line_bytes;
  if (n > max - p->line.len) return enter_skip(p, LIFELINE_ERR_LINE_TOO_LONG, 0);
  int rc = buf_reserve(&p->line, p->line.len + n, max);
  if (rc != LIFELINE_OK) return enter_skip(p, LIFELINE_ERR_NO_MEMORY, 0);
  memcpy(p->line.ptr + p->line.len, seg, n);
  p->line.len += n;
  return LIFELINE_OK;
}

/* Splits bytes into lines. The positions of the next CR and LF are remembered across lines so
 * that a chunk using only one kind of line end is still scanned once, not once per line. */
static int feed_lines(lifeline_parser *p, const uint8_t *s, size_t len) {
  size_t i = 0;
  size_t lf = 0, cr = 0; /* next LF / CR at or after `i` (len: none); valid when *_known */
  int lf_known = 0, cr_known = 0;
  while (i < len) {
    if (p->pending_cr) {
      p->pending_cr = 0;
      if (s[i] == '\n') {
        i++;
        continue;
      }
    }
    if (!lf_known || lf < i) {
      const uint8_t *f = memchr(s + i, '\n', len - i);
      lf = f ? (size_t)(f - s) : len;
      lf_known = 1;
    }
    if (!cr_known || cr < i) {
      const uint8_t *f = memchr(s + i, '\r', (lf < len ? lf : len) - i);
      cr = f ? (size_t)(f - s) : len;
      cr_known = f != NULL || lf == len;
    }
    size_t eol = cr < lf ? cr : lf;
    if (eol >= len) return partial_line(p, s + i, len - i);
    int rc = complete_line(p, s + i, eol - i);
    if (s[eol] == '\r') p->pending_cr = 1;
    i = eol + 1;
    if (rc != LIFELINE_OK) return rc;
  }
  return LIFELINE_OK;
}

/* Drops a BOM at the start of the stream, holding its first bytes until it is known. */
static int feed_bom(lifeline_parser *p, const uint8_t **s, size_t *len) {
  while (*len && !p->bom_done) {
    if (**s == bom[p->bom_pos]) {
      (*s)++;
      (*len)--;
      if (++p->bom_pos == 3) p->bom_done = 1;
      continue;
    }
    p->bom_done = 1;
    if (p->bom_pos) return feed_lines(p, bom, p->bom_pos);
  }
  return LIFELINE_OK;
}

int lifeline_parser_feed(lifeline_parser *p, const uint8_t *bytes, size_t len) {
  if (!p || (!bytes && len) || p->in_callback) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (p->stopped) return LIFELINE_ERR_STOPPED;
  if (len == 0) return LIFELINE_OK;
  if (!p->bom_done) {
    int rc = feed_bom(p, &bytes, &len);
    if (rc != LIFELINE_OK) return rc;
  }
  return feed_lines(p, bytes, len);
}

void lifeline_parser_reset(lifeline_parser *p) {
  if (!p || p->in_callback) return;
  p->line.len = 0;
  p->data.len = 0;
  p->type.len = 0;
  p->bom_pos = 0;
  p->bom_done = 0;
  p->pending_cr = 0;
  p->skipping = 0;
  p->skip_at_start = 0;
  p->id_pending = 0;
  p->stopped = 0;
}

const uint8_t *lifeline_parser_last_event_id(const lifeline_parser *p, size_t *len) {
  if (len) *len = p && p->last_id.len ? p->last_id.len : 0;
  return p && p->last_id.len ? p->last_id.ptr : message_type;
}

int lifeline_parser_set_last_event_id(lifeline_parser *p, const uint8_t *id, size_t len) {
  if (!p || (!id && len) || p->in_callback) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (len > p->cfg.max_line_bytes || (len && memchr(id, 0, len))) return LIFELINE_ERR_INVALID_ARGUMENT;
  int rc = buf_set(&p->last_id, id, len, p->cfg.max_line_bytes);
  if (rc != LIFELINE_OK) return LIFELINE_ERR_NO_MEMORY;
  p->id_pending = 0;
  return LIFELINE_OK;
}

size_t lifeline_parser_buffered_bytes(const lifeline_parser *p) {
  if (!p) return 0;
  return p->line.cap + p->data.cap + p->type.cap + p->id_buf.cap + p->last_id.cap;
}
