/* Incremental Server-Sent Events parser ("Interpreting an event stream", WHATWG HTML 9.2.6).
 *
 * Bytes in (UTF-8, chunks of any size), events / comments / retry values / errors out through
 * callbacks. Any split of the same stream into chunks gives the same callbacks in the same order.
 * The parser never reads a clock, never does I/O and has no global state: several parsers may run
 * side by side. It does not decode UTF-8: spans are raw bytes as they came off the wire (the
 * caller decodes them, replacing invalid sequences with U+FFFD as the spec's UTF-8 decode does).
 *
 * Behaviour (spec references in docs/parser.md):
 *  - One UTF-8 BOM (EF BB BF) at the very start of the stream is dropped, also when it is split
 *    across chunks; a later BOM, or a second one, is ordinary data.
 *  - Lines end at CRLF, LF or CR. A CR that ends one chunk followed by an LF starting the next is
 *    one line end.
 *  - A line starting with ':' is a comment: reported through on_comment without the ':' and
 *    without one following space (if any).
 *  - "name:value" sets a field, one space after the first ':' is stripped; a line without ':'
 *    is a field with that whole name and an empty value. Field names are case-sensitive;
 *    unknown fields are ignored.
 *  - data: appended to the data buffer plus LF. event: sets the event type. id: sets the last
 *    event ID buffer unless the value contains NUL. retry: reported through on_retry when the
 *    value is one or more ASCII digits (values above 2^53 - 1 are clamped to 2^53 - 1, so that JS
 *    receives them exactly); otherwise ignored.
 *  - A blank line dispatches: the last event ID becomes the ID buffer; if the data buffer is
 *    empty nothing is dispatched (no event), else the event is delivered with its final LF
 *    removed and type "message" when no event field was seen. Data and type then reset.
 *  - Bytes after the last blank line (an unterminated event) are never dispatched.
 *
 * Bounded memory. A line longer than max_line_bytes (not counting its line end) is reported as
 * LIFELINE_ERR_LINE_TOO_LONG as soon as the excess byte arrives; a data line that would make the
 * data buffer (values plus one LF per data line) exceed max_event_bytes is reported as
 * LIFELINE_ERR_EVENT_TOO_LARGE when that line ends. In both cases the current event's data and
 * type are discarded and every following line is ignored up to the next blank line, which then
 * acts as usual (it commits an id seen earlier in the block, and dispatches nothing because the
 * data buffer is empty). Parsing goes on normally after it. A failed allocation below the caps is
 * handled the same way with LIFELINE_ERR_NO_MEMORY. The parser's buffers never exceed the caps
 * (see lifeline_parser_buffered_bytes), however long the stream without a line end.
 *
 * Errors. Recoverable stream errors (the three above) go to on_error only; feed() still returns
 * LIFELINE_OK for them because the parser has recovered by skipping. feed() returns a negative
 * code only for bad arguments and for LIFELINE_ERR_STOPPED.
 *
 * Stopping. Any callback returning non-zero stops parsing at once: the rest of that chunk is
 * discarded, feed() returns LIFELINE_ERR_STOPPED, and the parser stays stopped (every later
 * feed() returns LIFELINE_ERR_STOPPED without looking at its bytes) until lifeline_parser_reset().
 */
#ifndef LIFELINE_PARSER_H
#define LIFELINE_PARSER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Default cap for both a line and an event: 1 MiB. */
#define LIFELINE_PARSER_DEFAULT_CAP ((size_t)1 << 20)
/* Largest retry value reported (2^53 - 1, exact in a JS number); larger values are clamped. */
#define LIFELINE_PARSER_RETRY_MAX ((uint64_t)9007199254740991ULL)

/* A span of bytes owned by the parser (or by the chunk being fed). Valid only until the callback
 * that received it returns. Not NUL-terminated. */
typedef struct {
  const uint8_t *ptr;
  size_t len;
} lifeline_span;

typedef struct {
  lifeline_span type;  /* "message" when the block had no event field */
  lifeline_span data;  /* data lines joined with LF, without the final LF; may be empty */
  lifeline_span id;    /* the last event ID after this dispatch (may be empty) */
  int has_id;          /* 1: this event's block had its own id field; 0: id is the one carried
                        * over from an earlier block (the spec stamps it on every event), so it
                        * says nothing about whether this event was seen before */
} lifeline_parser_event;

/* Every callback receives the config's user pointer; returning non-zero stops parsing. */
typedef int (*lifeline_parser_event_cb)(void *user, const lifeline_parser_event *event);
/* text: the comment without ':' and one following space. */
typedef int (*lifeline_parser_comment_cb)(void *user, lifeline_span text);
/* retry_ms: the reconnection time the server asked for, in milliseconds. */
typedef int (*lifeline_parser_retry_cb)(void *user, uint64_t retry_ms);
/* code: LIFELINE_ERR_LINE_TOO_LONG, LIFELINE_ERR_EVENT_TOO_LARGE or LIFELINE_ERR_NO_MEMORY. The
 * parser has already dropped the offending event and is skipping to the next blank line. */
typedef int (*lifeline_parser_error_cb)(void *user, int code);

typedef struct {
  size_t max_line_bytes;   /* 0: LIFELINE_PARSER_DEFAULT_CAP */
  size_t max_event_bytes;  /* 0: LIFELINE_PARSER_DEFAULT_CAP */
  lifeline_parser_event_cb on_event;      /* each callback may be NULL (ignored) */
  lifeline_parser_comment_cb on_comment;
  lifeline_parser_retry_cb on_retry;
  lifeline_parser_error_cb on_error;
  void *user;
} lifeline_parser_config;

typedef struct lifeline_parser lifeline_parser;

/* Creates a parser; config is copied (NULL: defaults, no callbacks). Returns NULL when out of
 * memory. Buffers are allocated lazily and grow geometrically up to the caps. */
lifeline_parser *lifeline_parser_new(const lifeline_parser_config *config);

/* Frees the parser and its buffers. NULL is allowed. Must not be called from a callback. */
void lifeline_parser_free(lifeline_parser *p);

/* Feeds len bytes (len 0 is allowed; bytes may be NULL only when len is 0). Callbacks run before
 * this returns. Returns LIFELINE_OK, LIFELINE_ERR_STOPPED (see above) or
 * LIFELINE_ERR_INVALID_ARGUMENT (p NULL, or bytes NULL with len > 0, or called from a callback).
 * The parser does not keep the bytes pointer. */
int lifeline_parser_feed(lifeline_parser *p, const uint8_t *bytes, size_t len);

/* Starts a new connection: drops a partial line, the pending event (data, type), a pending CR,
 * skip mode and the stopped state, and expects a BOM again. Keeps the last event ID (and the ID
 * buffer is set back to it). Keeps allocated buffers for reuse. Ignored when called from a
 * callback (return non-zero from the callback to stop instead). */
void lifeline_parser_reset(lifeline_parser *p);

/* The last event ID (what a reconnection sends as Last-Event-ID): a span valid until the next
 * feed/reset/set call. *len receives its length in bytes (may be 0). Never NULL. */
const uint8_t *lifeline_parser_last_event_id(const lifeline_parser *p, size_t *len);

/* Sets the last event ID (and the ID buffer), e.g. restored from storage. Returns LIFELINE_OK,
 * LIFELINE_ERR_INVALID_ARGUMENT (NUL byte in id, longer than max_line_bytes, id NULL with
 * len > 0, called from a callback) or LIFELINE_ERR_NO_MEMORY. An id seen in the current,
 * not yet dispatched block is forgotten. */
int lifeline_parser_set_last_event_id(lifeline_parser *p, const uint8_t *id, size_t len);

/* Bytes of heap the parser holds for its buffers (capacities, not lengths). Stays within
 * max_line_bytes * 4 + max_event_bytes + a small constant whatever is fed. */
size_t lifeline_parser_buffered_bytes(const lifeline_parser *p);

#ifdef __cplusplus
}
#endif
#endif
