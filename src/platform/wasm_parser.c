/* The parser across the Wasm boundary. JS copies a chunk into the handle's input buffer, calls
 * feed once, and reads back a batch: a table of fixed-size records whose strings live in one
 * arena, so that JS can decode the whole arena with one TextDecoder call when it is ASCII.
 *
 * Record layout (8 x u32, offsets relative to the arena unless flagged):
 *   EVENT   : kind, data_off, data_len, type_off, type_len, id_off, id_len, flags
 *             type_off == NONE: "message", SAME: the type of the previous event record whose
 *             type was not "message"; id_off == SAME: the id of the previous event record (both
 *             across batches: JS keeps the strings); flags & 1: data_off, flags & 2: id_off is
 *             relative to the input buffer (the parser dispatched it straight from the chunk,
 *             so no copy was made).
 *   COMMENT : kind, text_off, text_len, 0, 0, 0, 0, flags (flags & 1: text_off in the input)
 *   RETRY   : kind, ms_low32, ms_high32, 0...
 *   ERROR   : kind, code (negative, as u32), 0...
 * Batch header (12 x u32): records ptr, record count, arena ptr, arena len, arena_is_ascii,
 * feed result, last event id ptr, last event id len, input ptr, input len, input_is_ascii
 * (only computed when a record refers to the input), 0. */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "lifeline/error.h"
#include "lifeline/parser.h"
#include "platform/wasm_export.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

enum { REC_EVENT = 1, REC_COMMENT = 2, REC_RETRY = 3, REC_ERROR = 4 };
#define REC_WORDS 8
#define NONE 0xFFFFFFFFu
#define SAME 0xFFFFFFFEu

/* The last id / type sent to JS, so that repeats cross as SAME instead of as text. */
typedef struct {
  uint8_t *ptr;
  size_t len, cap;
} seen;

typedef struct {
  lifeline_parser *parser;
  uint8_t *input;
  size_t input_cap;
  uint32_t *records;
  size_t rec_count, rec_cap;
  uint8_t *arena;
  size_t arena_len, arena_cap;
  seen id, type;
  size_t fed;      /* bytes of input in the current feed */
  int input_refs;  /* a record of this batch refers to the input */
  int no_memory;
  uint32_t header[12];
} wasm_parser;

static int grow(void **ptr, size_t *cap, size_t need, size_t unit) {
  if (need <= *cap) return 1;
  size_t n = *cap ? *cap : 256;
  while (n < need) {
    if (n > SIZE_MAX / 2 / unit) return 0;
    n *= 2;
  }
  void *q = realloc(*ptr, n * unit);
  if (!q) return 0;
  *ptr = q;
  *cap = n;
  return 1;
}


static int same_bytes(const uint8_t *a, const uint8_t *b, size_t n) {
  if (n > 32) return memcmp(a, b, n) == 0;
  for (size_t i = 0; i < n; i++) {
    if (a[i] != b[i]) return 0;
  }
  return 1;
}


/* Copies a span into the arena; returns its offset or NONE when out of memory. */
static uint32_t arena_put(wasm_parser *w, const uint8_t *s, size_t n) {
  if (!grow((void **)&w->arena, &w->arena_cap, w->arena_len + n, 1)) return NONE;
  uint32_t off = (uint32_t)w->arena_len;
  lifeline_copy_bytes(w->arena + off, s, n);
  w->arena_len += n;
  return off;
}

static uint32_t *record(wasm_parser *w, uint32_t kind) {
  if (!grow((void **)&w->records, &w->rec_cap, (w->rec_count + 1) * REC_WORDS, sizeof(uint32_t))) {
    w->no_memory = 1;
    return NULL;
  }
  uint32_t *r = w->records + w->rec_count * REC_WORDS;
  r[0] = kind;
  r[1] = r[2] = r[3] = r[4] = r[5] = r[6] = r[7] = 0;
  return r;
}

/* 0: same as last time; 1: changed (remembered); -1: out of memory. */
static int seen_update(seen *c, lifeline_span v) {
  if (v.len == c->len && same_bytes(v.ptr, c->ptr, v.len)) return 0;
  if (!grow((void **)&c->ptr, &c->cap, v.len, 1)) return -1;
  lifeline_copy_bytes(c->ptr, v.ptr, v.len);
  c->len = v.len;
  return 1;
}

/* Offset of a span in the input chunk (*in_input set), or NONE. */
static uint32_t place_in_input(wasm_parser *w, lifeline_span v, int *in_input) {
  uintptr_t d = (uintptr_t)v.ptr, in = (uintptr_t)w->input;
  *in_input = v.len > 0 && d >= in && d + v.len <= in + w->fed;
  if (!*in_input) return NONE;
  w->input_refs = 1;
  return (uint32_t)(d - in);
}

/* Offset of a span the parser dispatched: in the input chunk (*in_input set) or copied. */
static uint32_t place(wasm_parser *w, lifeline_span v, int *in_input) {
  uint32_t off = place_in_input(w, v, in_input);
  return *in_input ? off : arena_put(w, v.ptr, v.len);
}

/* A type or id: NONE-free offset in the arena, SAME, or NONE when out of memory. */
static uint32_t put_seen(wasm_parser *w, seen *c, lifeline_span v) {
  int changed = seen_update(c, v);
  if (changed == 0) return SAME;
  uint32_t off = changed == 1 ? arena_put(w, v.ptr, v.len) : NONE;
  if (off == NONE) c->len = (size_t)-1; /* JS's copy may be stale: send it next time */
  return off;
}

/* 1 when the 7 bytes at s are "message": two overlapping word compares, not a byte loop (Wasm
 * is little-endian). */
static int is_message_type(const uint8_t *s) {
  uint32_t a, b;
  memcpy(&a, s, 4);
  memcpy(&b, s + 3, 4);
  return a == 0x7373656du && b == 0x65676173u; /* "mess", "sage" little-endian */
}

static int on_event(void *user, const lifeline_parser_event *ev) {
  wasm_parser *w = user;
  uint32_t *r = record(w, REC_EVENT);
  if (!r) return 0;
  int in_input;
  uint32_t data = place(w, ev->data, &in_input);
  int is_message = ev->type.len == 7 && is_message_type(ev->type.ptr);
  uint32_t type = is_message ? SAME : put_seen(w, &w->type, ev->type);
  /* An id still in the chunk is referenced like the data; JS's remembered id then no longer
   * matches the cache, so the cache is cleared and the next id out of the chunk is sent. */
  int id_in_input;
  uint32_t id = place_in_input(w, ev->id, &id_in_input);
  if (id_in_input) w->id.len = (size_t)-1;
  else id = put_seen(w, &w->id, ev->id);
  if (data == NONE || type == NONE || id == NONE) {
    w->type.len = w->id.len = (size_t)-1;
    r[0] = REC_ERROR;
    r[1] = (uint32_t)LIFELINE_ERR_NO_MEMORY;
  } else {
    r[1] = data;
    r[2] = (uint32_t)ev->data.len;
    r[3] = is_message ? NONE : type;
    r[4] = (uint32_t)ev->type.len;
    r[5] = id;
    r[6] = (uint32_t)ev->id.len;
    r[7] = (uint32_t)in_input | (uint32_t)id_in_input << 1;
  }
  w->rec_count++;
  return 0;
}

static int on_comment(void *user, lifeline_span text) {
  wasm_parser *w = user;
  uint32_t *r = record(w, REC_COMMENT);
  if (!r) return 0;
  int in_input;
  uint32_t off = place(w, text, &in_input);
  r[7] = (uint32_t)in_input;
  if (off == NONE) {
    r[0] = REC_ERROR;
    r[1] = (uint32_t)LIFELINE_ERR_NO_MEMORY;
  } else {
    r[1] = off;
    r[2] = (uint32_t)text.len;
  }
  w->rec_count++;
  return 0;
}

static int on_retry(void *user, uint64_t ms) {
  wasm_parser *w = user;
  uint32_t *r = record(w, REC_RETRY);
  if (!r) return 0;
  r[1] = (uint32_t)ms;
  r[2] = (uint32_t)(ms >> 32);
  w->rec_count++;
  return 0;
}

static int on_error(void *user, int code) {
  wasm_parser *w = user;
  uint32_t *r = record(w, REC_ERROR);
  if (!r) return 0;
  r[1] = (uint32_t)code;
  w->rec_count++;
  return 0;
}

/* max_line/max_event in bytes, 0 for the default (1 MiB). Returns a handle or 0 (no memory). */
LIFELINE_WASM_EXPORT wasm_parser *lifeline_wasm_parser_new(uint32_t max_line, uint32_t max_event) {
  wasm_parser *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  lifeline_parser_config cfg = {max_line, max_event, on_event, on_comment, on_retry, on_error, w};
  w->parser = lifeline_parser_new(&cfg);
  if (!w->parser) {
    free(w);
    return NULL;
  }
  return w;
}

LIFELINE_WASM_EXPORT void lifeline_wasm_parser_free(wasm_parser *w) {
  if (!w) return;
  lifeline_parser_free(w->parser);
  free(w->input);
  free(w->records);
  free(w->arena);
  free(w->id.ptr);
  free(w->type.ptr);
  free(w);
}

/* The buffer JS writes the next chunk (or id) into, at least len bytes; 0 when out of memory. */
LIFELINE_WASM_EXPORT uint8_t *lifeline_wasm_parser_input(wasm_parser *w, uint32_t len) {
  if (!w || !grow((void **)&w->input, &w->input_cap, len ? len : 1, 1)) return NULL;
  return w->input;
}

LIFELINE_WASM_EXPORT uint32_t *lifeline_wasm_parser_header(wasm_parser *w) { return w ? w->header : NULL; }

static void fill_header(wasm_parser *w, int rc) {
  size_t id_len;
  const uint8_t *id = lifeline_parser_last_event_id(w->parser, &id_len);
  w->header[0] = (uint32_t)(uintptr_t)w->records;
  w->header[1] = (uint32_t)w->rec_count;
  w->header[2] = (uint32_t)(uintptr_t)w->arena;
  w->header[3] = (uint32_t)w->arena_len;
  w->header[4] = (uint32_t)lifeline_is_ascii(w->arena, w->arena_len); /* one SIMD pass, not per field */
  w->header[5] = (uint32_t)rc;
  w->header[6] = (uint32_t)(uintptr_t)id;
  w->header[7] = (uint32_t)id_len;
  w->header[8] = (uint32_t)(uintptr_t)w->input;
  w->header[9] = (uint32_t)w->fed;
  w->header[10] = w->input_refs ? (uint32_t)lifeline_is_ascii(w->input, w->fed) : 0;
  w->header[11] = 0;
}

/* Parses len bytes from the input buffer; the batch is described by the header. Returns the
 * feed result: LIFELINE_OK, LIFELINE_ERR_STOPPED, LIFELINE_ERR_INVALID_ARGUMENT, or
 * LIFELINE_ERR_NO_MEMORY when records were lost because the table could not grow. */
LIFELINE_WASM_EXPORT int lifeline_wasm_parser_feed(wasm_parser *w, uint32_t len) {
  if (!w || len > w->input_cap) return LIFELINE_ERR_INVALID_ARGUMENT;
  w->rec_count = 0;
  w->arena_len = 0;
  w->no_memory = 0;
  w->input_refs = 0;
  w->fed = len;
  int rc = lifeline_parser_feed(w->parser, w->input, len);
  if (rc == LIFELINE_OK && w->no_memory) rc = LIFELINE_ERR_NO_MEMORY;
  fill_header(w, rc);
  return rc;
}

LIFELINE_WASM_EXPORT void lifeline_wasm_parser_reset(wasm_parser *w) {
  if (w) lifeline_parser_reset(w->parser);
}

/* Fills the header's last-event-id fields (6, 7); other fields describe no batch. */
LIFELINE_WASM_EXPORT void lifeline_wasm_parser_query(wasm_parser *w) {
  if (!w) return;
  w->rec_count = 0;
  w->arena_len = 0;
  w->input_refs = 0;
  fill_header(w, LIFELINE_OK);
}

/* Sets the last event id from len bytes at id (a buffer JS malloc'd: the input buffer may hold
 * bytes that records of the batch being delivered still refer to). */
LIFELINE_WASM_EXPORT int lifeline_wasm_parser_set_last_event_id(wasm_parser *w, const uint8_t *id, uint32_t len) {
  if (!w) return LIFELINE_ERR_INVALID_ARGUMENT;
  return lifeline_parser_set_last_event_id(w->parser, id, len);
}

LIFELINE_WASM_EXPORT uint32_t lifeline_wasm_parser_buffered_bytes(wasm_parser *w) {
  return w ? (uint32_t)lifeline_parser_buffered_bytes(w->parser) : 0;
}
