/* Internal: a bounded text writer for the metrics exposition (no printf in the core).
 * Writes what fits into the caller's buffer and keeps counting, so the final length is the size
 * the caller needs; mbuf_finish NUL-terminates within the capacity. */
#ifndef LIFELINE_MBUF_H
#define LIFELINE_MBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  char *buf;
  size_t cap, len;
} lifeline_mbuf;

void lifeline_mbuf_init(lifeline_mbuf *w, char *buf, size_t cap);
void lifeline_mbuf_char(lifeline_mbuf *w, char c);
void lifeline_mbuf_str(lifeline_mbuf *w, const char *s);
void lifeline_mbuf_u64(lifeline_mbuf *w, uint64_t v);
/* Shortest-ish decimal: integers exactly, others with up to 6 decimals (trailing zeros cut), tiny
 * or huge values in exponent form. NaN/infinities as `nan_text`/`inf_text` ("-" prefixed). */
void lifeline_mbuf_double(lifeline_mbuf *w, double v, const char *nan_text, const char *inf_text);
/* Escapes for a Prometheus HELP line (backslash, newline) or a JSON string (quote, controls). */
void lifeline_mbuf_escaped(lifeline_mbuf *w, const char *s, int json);
/* Terminates and returns the length needed, without the NUL. */
size_t lifeline_mbuf_finish(lifeline_mbuf *w);
/* Terminates a message that must fit its buffer: when it did not, its end becomes "..." so the
 * reader sees it was cut. Returns the length kept, without the NUL. */
size_t lifeline_mbuf_finish_ellipsis(lifeline_mbuf *w);

#endif
