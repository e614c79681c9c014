/* The parser across the Wasm boundary. JS copies a chunk into the handle's input buffer, calls
 * feed once, and reads back a batch: a table of fixed-size records whose strings live in one
 * arena, so that JS can decode the whole arena with one TextDecoder call when it is ASCII.
 *
 * Record layout (8 x u32, offsets relative to the arena):
 *   EVENT   : kind, data_off, data_len, type_off, type_len, id_off, id_len, 0
 *             type_off == NONE: "message"; id_off == NONE: same id as the previous event record
 *             of this handle (across batches).
 *   COMMENT : kind, text_off, text_len, 0...
 *   RETRY   : kind, ms_low32, ms_high32, 0...
 *   ERROR   : kind, code (negative, as u32), 0...
 * Batch header (8 x u32): records ptr, record count, arena ptr, arena len, arena_is_ascii,
 * feed result, last event id ptr, last event id len. */
#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"
#include "lifeline/parser.h"
#include "platform/wasm_export.h"

enum { REC_EVENT = 1, REC_COMMENT = 2, REC_RETRY = 3, REC_ERROR = 4 };
#define REC_WORDS 8
#define NONE 0xFFFFFFFFu

typedef struct {
  lifeline_parser *parser;
  uint8_t *input;
  size_t input_cap;
  uint32_t *records;
  size_t rec_count, rec_cap;
  uint8_t *arena;
  size_t arena_len, arena_cap;
  uint8_t *prev_id;
  size_t prev_id_len, prev_id_cap;
  int nonascii;
  int no_memory;
  uint32_t header[8];
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

static int is_ascii(const uint8_t *s, size_t n) {
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    acc |= w;
  }
  for (; i < n; i++) acc |= s[i];
  return (acc & 0x8080808080808080ull) == 0;
}

/* Copies a span into the arena; returns its offset or NONE when out of memory. */
static uint32_t arena_put(wasm_parser *w, const uint8_t *s, size_t n) {
  if (!grow((void **)&w->arena, &w->arena_cap, w->arena_len + n, 1)) return NONE;
  uint32_t off = (uint32_t)w->arena_len;
  if (n) memcpy(w->arena + off, s, n);
  w->arena_len += n;
  if (!w->nonascii && !is_ascii(s, n)) w->nonascii = 1;
  return off;
}

static uint32_t *record(wasm_parser *w, uint32_t kind) {
  if (!grow((void **)&w->records, &w->rec_cap, (w->rec_count + 1) * REC_WORDS, sizeof(uint32_t))) {
    w->no_memory = 1;
    return NULL;
  }
  uint32_t *r = w->records + w->rec_count * REC_WORDS;
  memset(r, 0, REC_WORDS * sizeof *r);
  r[0] = kind;
  return r;
}

static int id_changed(wasm_parser *w, lifeline_span id) {
  if (id.len == w->prev_id_len && (id.len == 0 || memcmp(id.ptr, w->prev_id, id.len) == 0)) return 0;
  if (!grow((void **)&w->prev_id, &w->prev_id_cap, id.len, 1)) return -1;
  memcpy(w->prev_id, id.ptr, id.len);
  w->prev_id_len = id.len;
  return 1;
}

static int on_event(void *user, const lifeline_parser_event *ev) {
  wasm_parser *w = user;
  uint32_t *r = record(w, REC_EVENT);
  if (!r) return 0;
  uint32_t data = arena_put(w, ev->data.ptr, ev->data.len);
  int is_message = ev->type.len == 7 && memcmp(ev->type.ptr, "message", 7) == 0;
  uint32_t type = is_message ? NONE : arena_put(w, ev->type.ptr, ev->type.len);
  int changed = id_changed(w, ev->id);
  uint32_t id = changed == 1 ? arena_put(w, ev->id.ptr, ev->id.len) : NONE;
  if (data == NONE || (!is_message && type == NONE) || changed < 0 || (changed == 1 && id == NONE)) {
    w->prev_id_len = (size_t)-1; /* JS's cached id may be stale: force a copy next time */
    r[0] = REC_ERROR;
    r[1] = (uint32_t)LIFELINE_ERR_NO_MEMORY;
  } else {
    r[1] = data;
    r[2] = (uint32_t)ev->data.len;
    r[3] = type;
    r[4] = is_message ? 0 : (uint32_t)ev->type.len;
    r[5] = id;
    r[6] = (uint32_t)ev->id.len;
  }
  w->rec_count++;
  return 0;
}

static int on_comment(void *user, lifeline_span text) {
  wasm_parser *w = user;
  uint32_t *r = record(w, REC_COMMENT);
  if (!r) return 0;
  uint32_t off = arena_put(w, text.ptr, text.len);
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
  free(w->prev_id);
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
  w->header[4] = !w->nonascii;
  w->header[5] = (uint32_t)rc;
  w->header[6] = (uint32_t)(uintptr_t)id;
  w->header[7] = (uint32_t)id_len;
}

/* Parses len bytes from the input buffer; the batch is described by the header. Returns the
 * feed result: LIFELINE_OK, LIFELINE_ERR_STOPPED, LIFELINE_ERR_INVALID_ARGUMENT, or
 * LIFELINE_ERR_NO_MEMORY when records were lost because the table could not grow. */
LIFELINE_WASM_EXPORT int lifeline_wasm_parser_feed(wasm_parser *w, uint32_t len) {
  if (!w || len > w->input_cap) return LIFELINE_ERR_INVALID_ARGUMENT;
  w->rec_count = 0;
  w->arena_len = 0;
  w->nonascii = 0;
  w->no_memory = 0;
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
  fill_header(w, LIFELINE_OK);
}

/* Sets the last event id from the first len bytes of the input buffer. */
LIFELINE_WASM_EXPORT int lifeline_wasm_parser_set_last_event_id(wasm_parser *w, uint32_t len) {
  if (!w || len > w->input_cap) return LIFELINE_ERR_INVALID_ARGUMENT;
  return lifeline_parser_set_last_event_id(w->parser, w->input, len);
}

LIFELINE_WASM_EXPORT uint32_t lifeline_wasm_parser_buffered_bytes(wasm_parser *w) {
  return w ? (uint32_t)lifeline_parser_buffered_bytes(w->parser) : 0;
}
