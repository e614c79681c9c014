#include "lifeline/parser.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "lifeline/error.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct {
  uint8_t *ptr;
  size_t len;
  size_t cap;
} buffer;

struct lifeline_parser {
  lifeline_parser_config cfg;
  buffer line;    /* a line split across chunks */
  buffer data;    /* data values joined with LF (the spec's final LF is implied) */
  const uint8_t *data_ref; /* when data_lazy: the only data value, still in the caller's chunk */
  size_t data_ref_len;
  buffer type;    /* the event type buffer */
  buffer id_buf;  /* storage for id_pend once its chunk is gone */
  buffer last_id; /* storage for last once its chunk is gone */
  lifeline_span id_pend; /* the last event ID buffer, when id_pending */
  lifeline_span last;    /* the last event ID string (committed at dispatch) */
  unsigned bom_pos;
  unsigned char bom_done;
  unsigned char pending_cr;     /* the previous chunk ended with CR */
  unsigned char skipping;       /* dropping lines up to the next blank line */
  unsigned char skip_at_start;  /* while skipping: no byte of the current line seen yet */
  unsigned char id_pending;     /* id_pend is newer than last */
  unsigned char id_pend_lazy;   /* id_pend points into the caller's chunk (or the line buffer) */
  unsigned char last_lazy;      /* last points into the caller's chunk (or the line buffer) */
  unsigned char has_data;       /* at least one data line in this block */
  unsigned char data_lazy;      /* the data is data_ref, not yet copied into data */
  unsigned char stopped;
  unsigned char in_callback;
};

static const uint8_t bom[3] = {0xEF, 0xBB, 0xBF};
static const uint8_t message_type[7] = {'m', 'e', 's', 's', 'a', 'g', 'e'};


/* Non-zero when a byte of w is zero (exact for a yes/no answer). */
static uint32_t zero_byte32(uint32_t w) {
  return (w - 0x01010101u) & ~w & 0x80808080u;
}

/* Ids are checked on every event: 4 bytes a step (the last step overlapping), not byte by byte. */
static int has_nul(const uint8_t *s, size_t n) {
  if (n < 4) {
    for (size_t i = 0; i < n; i++) {
      if (s[i] == 0) return 1;
    }
    return 0;
  }
  uint32_t w;
  for (size_t i = 0; i + 4 < n; i += 4) {
    memcpy(&w, s + i, 4);
    if (zero_byte32(w)) return 1;
  }
  memcpy(&w, s + n - 4, 4);
  return zero_byte32(w) != 0;
}

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
  lifeline_copy_bytes(b->ptr, src, n);
  b->len = n;
  return LIFELINE_OK;
}

lifeline_parser *lifeline_parser_new(const lifeline_parser_config *config) {
  lifeline_parser *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  if (config) p->cfg = *config;
  if (!p->cfg.max_line_bytes) p->cfg.max_line_bytes = LIFELINE_PARSER_DEFAULT_CAP;
  if (!p->cfg.max_event_bytes) p->cfg.max_event_bytes = LIFELINE_PARSER_DEFAULT_CAP;
  /* Keeps every length sum below SIZE_MAX without further checks. */
  if (p->cfg.max_line_bytes > SIZE_MAX / 4) p->cfg.max_line_bytes = SIZE_MAX / 4;
  if (p->cfg.max_event_bytes > SIZE_MAX / 4) p->cfg.max_event_bytes = SIZE_MAX / 4;
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

/* Forgets the event being built: its data (copied or still referenced in the chunk) and type. */
static void clear_event(lifeline_parser *p) {
  p->data.len = 0;
  p->has_data = 0;
  p->data_lazy = 0;
  p->type.len = 0;
}

/* Drops the current event and ignores lines up to the next blank one. */
static int enter_skip(lifeline_parser *p, int code, int at_line_start) {
  p->line.len = 0;
  clear_event(p);
  p->skipping = 1;
  p->skip_at_start = (unsigned char)at_line_start;
  if (!p->cfg.on_error) return LIFELINE_OK;
  p->in_callback = 1;
  int rc = p->cfg.on_error(p->cfg.user, code);
  p->in_callback = 0;
  return stop_if(p, rc);
}

static int dispatch(lifeline_parser *p) {
  int has_id = p->id_pending;
  if (p->id_pending) {
    if (p->id_pend_lazy) {
      p->last = p->id_pend;
    } else {
      buffer t = p->last_id;
      p->last_id = p->id_buf;
      p->id_buf = t;
      p->last.ptr = p->last_id.ptr;
      p->last.len = p->last_id.len;
    }
    p->last_lazy = p->id_pend_lazy;
    p->id_pending = 0;
    p->id_pend_lazy = 0;
  }
  if (!p->has_data) {
    p->type.len = 0;
    return LIFELINE_OK;
  }
  int rc = 0;
  if (p->cfg.on_event) {
    lifeline_parser_event ev;
    ev.data.ptr = p->data_lazy ? p->data_ref : p->data.len ? p->data.ptr : message_type;
    ev.data.len = p->data_lazy ? p->data_ref_len : p->data.len;
    ev.type.ptr = p->type.len ? p->type.ptr : message_type;
    ev.type.len = p->type.len ? p->type.len : sizeof message_type;
    ev.id.ptr = p->last.len ? p->last.ptr : message_type;
    ev.id.len = p->last.len;
    ev.has_id = has_id;
    p->in_callback = 1;
    rc = p->cfg.on_event(p->cfg.user, &ev);
    p->in_callback = 0;
  }
  clear_event(p);
  return stop_if(p, rc);
}

/* Copies a data value still referenced in the chunk into the data buffer. */
static int materialize(lifeline_parser *p) {
  p->data_lazy = 0;
  int rc = buf_set(&p->data, p->data_ref, p->data_ref_len, p->cfg.max_event_bytes);
  return rc == LIFELINE_OK ? rc : enter_skip(p, LIFELINE_ERR_NO_MEMORY, 1);
}

/* v stays valid until the current feed() returns, so the first value of a block is only
 * referenced; most events have one data line and are then dispatched without a copy. */
static int on_data(lifeline_parser *p, const uint8_t *v, size_t n) {
  size_t len = p->data_lazy ? p->data_ref_len : p->data.len;
  size_t need = len + p->has_data + n;
  if (need >= p->cfg.max_event_bytes) /* counting the spec's final LF */
    return enter_skip(p, LIFELINE_ERR_EVENT_TOO_LARGE, 1);
  if (!p->has_data) {
    p->has_data = 1;
    p->data_lazy = 1;
    p->data_ref = v;
    p->data_ref_len = n;
    return LIFELINE_OK;
  }
  if (p->data_lazy) {
    int rc = materialize(p);
    if (rc != LIFELINE_OK || p->skipping) return rc;
  }
  int rc = buf_reserve(&p->data, need, p->cfg.max_event_bytes);
  if (rc != LIFELINE_OK) return enter_skip(p, LIFELINE_ERR_NO_MEMORY, 1);
  p->data.ptr[len] = '\n';
  lifeline_copy_bytes(p->data.ptr + len + 1, v, n);
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

static int on_id(lifeline_parser *p, const uint8_t *v, size_t vlen) {
  if (has_nul(v, vlen)) return LIFELINE_OK;
  p->id_pend.ptr = v; /* stays valid until feed() returns, like a data value */
  p->id_pend.len = vlen;
  p->id_pending = 1;
  p->id_pend_lazy = 1;
  return LIFELINE_OK;
}

/* Sets the field name[0, name_len) to the value v[0, vlen) (one leading space already removed). */
static int set_field(lifeline_parser *p, const uint8_t *name, size_t name_len, const uint8_t *v, size_t vlen) {
  /* Byte compares: in Wasm, memcmp is a call even for constant sizes. */
  if (name_len == 4 && name[0] == 'd' && name[1] == 'a' && name[2] == 't' && name[3] == 'a') return on_data(p, v, vlen);
  if (name_len == 2 && name[0] == 'i' && name[1] == 'd') return on_id(p, v, vlen);
  if (name_len == 5 && name[0] == 'e' && memcmp(name, "event", 5) == 0) {
    int rc = buf_set(&p->type, v, vlen, p->cfg.max_line_bytes);
    return rc == LIFELINE_OK ? rc : enter_skip(p, LIFELINE_ERR_NO_MEMORY, 1);
  }
  if (name_len == 5 && name[0] == 'r' && memcmp(name, "retry", 5) == 0) return on_retry(p, v, vlen);
  return LIFELINE_OK;
}

/* One complete line (without its line end), at most max_line_bytes long. */
static int process_line(lifeline_parser *p, const uint8_t *line, size_t n) {
  if (n == 0) return dispatch(p);
  if (line[0] == ':') return on_comment(p, line, n);
  /* "data:" and "id:" are most lines: recognised from their first bytes and handled at once,
   * without a search for the ':' nor a second look at the name. */
  if (n >= 5 && line[4] == ':' && line[0] == 'd' && line[1] == 'a' && line[2] == 't' && line[3] == 'a') {
    size_t sp = n > 5 && line[5] == ' ';
    return on_data(p, line + 5 + sp, n - 5 - sp);
  }
  if (n >= 3 && line[2] == ':' && line[0] == 'i' && line[1] == 'd') {
    size_t sp = n > 3 && line[3] == ' ';
    return on_id(p, line + 3 + sp, n - 3 - sp);
  }
  size_t name_len = 0;
  while (name_len < n && line[name_len] != ':') name_len++; /* short: a loop beats memchr */
  const uint8_t *v = name_len < n ? line + name_len + 1 : line + n;
  size_t vlen = (size_t)(line + n - v);
  if (vlen && v[0] == ' ') {
    v++;
    vlen--;
  }
  return set_field(p, line, name_len, v, vlen);
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
  lifeline_copy_bytes(p->line.ptr + p->line.len, seg, n);
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
  lifeline_copy_bytes(p->line.ptr + p->line.len, seg, n);
  p->line.len += n;
  return LIFELINE_OK;
}

/* Bit i set where s[i] is CR or LF, for the first min(n, 64) bytes of s. The scan works a block
 * of 64 bytes at a time and then walks the line ends of the block by their bits, so a line costs
 * a count of trailing zeros instead of a search of its own; this is where the parser spends most
 * of its time. 16 bytes per compare with Wasm SIMD128 or SSE2, 8 (SWAR) elsewhere. */
#if defined(__wasm_simd128__) && !defined(LIFELINE_PARSER_SCALAR)
static v128_t eol_hits16(const uint8_t *s) {
  v128_t v = wasm_v128_load(s);
  return wasm_v128_or(wasm_i8x16_eq(v, wasm_i8x16_splat('\n')), wasm_i8x16_eq(v, wasm_i8x16_splat('\r')));
}
/* A block without a line end (most blocks of a long line) costs one test, not four bitmasks. */
static uint64_t eol_block(const uint8_t *s) {
  v128_t a = eol_hits16(s), b = eol_hits16(s + 16), c = eol_hits16(s + 32), d = eol_hits16(s + 48);
  if (!wasm_v128_any_true(wasm_v128_or(wasm_v128_or(a, b), wasm_v128_or(c, d)))) return 0;
  return (uint64_t)(uint32_t)wasm_i8x16_bitmask(a) | (uint64_t)(uint32_t)wasm_i8x16_bitmask(b) << 16 |
         (uint64_t)(uint32_t)wasm_i8x16_bitmask(c) << 32 | (uint64_t)(uint32_t)wasm_i8x16_bitmask(d) << 48;
}
#elif defined(__SSE2__) && !defined(LIFELINE_PARSER_SCALAR)
static __m128i eol_hits16(const uint8_t *s) {
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
  return _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
}
static uint64_t eol_block(const uint8_t *s) {
  __m128i a = eol_hits16(s), b = eol_hits16(s + 16), c = eol_hits16(s + 32), d = eol_hits16(s + 48);
  if (!_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)))) return 0;
  return (uint64_t)(uint32_t)_mm_movemask_epi8(a) | (uint64_t)(uint32_t)_mm_movemask_epi8(b) << 16 |
         (uint64_t)(uint32_t)_mm_movemask_epi8(c) << 32 | (uint64_t)(uint32_t)_mm_movemask_epi8(d) << 48;
}
#else
/* High bit of each byte of w that is zero, exactly (no borrow across bytes). */
static uint64_t zero_bytes(uint64_t w) {
  const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
  return ~(((w & low7) + low7) | w | low7);
}
static uint64_t eol_bits8(const uint8_t *s) {
  const uint64_t ones = 0x0101010101010101ull;
  uint64_t w;
  memcpy(&w, s, 8);
  uint64_t hit = zero_bytes(w ^ (ones * '\n')) | zero_bytes(w ^ (ones * '\r'));
  return ((hit >> 7) * 0x0102040810204080ull) >> 56; /* one bit per byte, little-endian order */
}
static uint64_t eol_block(const uint8_t *s) {
  uint64_t m = 0;
  for (unsigned k = 0; k < 64; k += 8) m |= eol_bits8(s + k) << k;
  return m;
}
#endif

static uint64_t eol_mask(const uint8_t *s, size_t n) {
  if (n >= 64) return eol_block(s);
  uint8_t tail[64] = {0}; /* never read past the chunk */
  memcpy(tail, s, n);
  return eol_block(tail) & (((uint64_t)1 << n) - 1);
}

static unsigned ctz64(uint64_t m) {
  return (unsigned)__builtin_ctzll(m);
}

/* Parses the complete lines of a chunk in place; returns where its unterminated tail starts. */
static size_t scan_lines(lifeline_parser *p, const uint8_t *s, size_t len, int *rc) {
  size_t i = 0; /* start of the current line */
  *rc = LIFELINE_OK;
  if (p->pending_cr && len) { /* the previous chunk ended with CR: an LF here belongs to it */
    p->pending_cr = 0;
    if (s[0] == '\n') i = 1;
  }
  size_t base = 0; /* the block the mask describes; its bits before i are cleared or skipped */
  uint64_t mask = eol_mask(s, len);
  for (;;) {
    while (mask == 0) {
      base += 64;
      if (base >= len) return i;
      mask = eol_mask(s + base, len - base);
    }
    size_t eol = base + ctz64(mask);
    mask &= mask - 1;
    if (eol < i) continue; /* the LF of a CRLF, consumed with its CR */
    *rc = complete_line(p, s + i, eol - i);
    i = eol + 1;
    if (s[eol] == '\r') {
      if (i == len) p->pending_cr = 1;
      else if (s[i] == '\n') i++;
    }
    if (*rc != LIFELINE_OK) return len;
  }
}

/* Copies ids still referenced in the chunk into the parser's own buffers. */
static int settle_ids(lifeline_parser *p) {
  int rc = LIFELINE_OK;
  if (p->id_pending && p->id_pend_lazy) {
    rc = buf_set(&p->id_buf, p->id_pend.ptr, p->id_pend.len, p->cfg.max_line_bytes);
    p->id_pend.ptr = p->id_buf.ptr;
    p->id_pend_lazy = 0;
    if (rc != LIFELINE_OK) p->id_pending = 0;
  }
  if (p->last_lazy) {
    int rc2 = buf_set(&p->last_id, p->last.ptr, p->last.len, p->cfg.max_line_bytes);
    p->last.ptr = p->last_id.ptr;
    p->last_lazy = 0;
    if (rc2 != LIFELINE_OK) p->last.len = p->last_id.len = 0;
    if (rc == LIFELINE_OK) rc = rc2;
  }
  return rc == LIFELINE_OK ? rc : enter_skip(p, LIFELINE_ERR_NO_MEMORY, 1);
}

static int feed_lines(lifeline_parser *p, const uint8_t *s, size_t len) {
  int rc;
  size_t tail = scan_lines(p, s, len, &rc);
  /* The chunk (and the line buffer, which the tail overwrites) are about to go away. */
  if (p->data_lazy) {
    int mrc = materialize(p);
    if (rc == LIFELINE_OK) rc = mrc;
  }
  if (p->id_pend_lazy || p->last_lazy) {
    int mrc = settle_ids(p);
    if (rc == LIFELINE_OK) rc = mrc;
  }
  if (rc == LIFELINE_OK && tail < len) rc = partial_line(p, s + tail, len - tail);
  return rc;
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
  clear_event(p);
  p->bom_pos = 0;
  p->bom_done = 0;
  p->pending_cr = 0;
  p->skipping = 0;
  p->skip_at_start = 0;
  p->id_pending = 0;
  p->id_pend_lazy = 0;
  p->stopped = 0;
}

const uint8_t *lifeline_parser_last_event_id(const lifeline_parser *p, size_t *len) {
  if (len) *len = p && p->last.len ? p->last.len : 0;
  return p && p->last.len ? p->last.ptr : message_type;
}

int lifeline_parser_set_last_event_id(lifeline_parser *p, const uint8_t *id, size_t len) {
  if (!p || (!id && len) || p->in_callback) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (len > p->cfg.max_line_bytes || (len && memchr(id, 0, len))) return LIFELINE_ERR_INVALID_ARGUMENT;
  int rc = buf_set(&p->last_id, id, len, p->cfg.max_line_bytes);
  if (rc != LIFELINE_OK) return LIFELINE_ERR_NO_MEMORY;
  p->last.ptr = p->last_id.ptr;
  p->last.len = p->last_id.len;
  p->last_lazy = 0;
  p->id_pending = 0;
  p->id_pend_lazy = 0;
  return LIFELINE_OK;
}

size_t lifeline_parser_buffered_bytes(const lifeline_parser *p) {
  if (!p) return 0;
  return p->line.cap + p->data.cap + p->type.cap + p->id_buf.cap + p->last_id.cap;
}
