#include "mbuf.h"

#include <math.h>
#include <string.h>

void lifeline_mbuf_init(lifeline_mbuf *w, char *buf, size_t cap) {
  w->buf = buf;
  w->cap = buf ? cap : 0;
  w->len = 0;
}

void lifeline_mbuf_char(lifeline_mbuf *w, char c) {
  if (w->len < w->cap) w->buf[w->len] = c;
  w->len++;
}

void lifeline_mbuf_str(lifeline_mbuf *w, const char *s) {
  while (*s) lifeline_mbuf_char(w, *s++);
}

void lifeline_mbuf_u64(lifeline_mbuf *w, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) lifeline_mbuf_char(w, tmp[--n]);
}

static void fixed6(lifeline_mbuf *w, double v) {
  /* v in [1e-6, 1e12): scale to micro-units, round once, then split. */
  uint64_t micro = (uint64_t)(v * 1e6 + 0.5);
  lifeline_mbuf_u64(w, micro / 1000000u);
  uint64_t frac = micro % 1000000u;
  if (!frac) return;
  char digits[6];
  for (int i = 5; i >= 0; i--) {
    digits[i] = (char)('0' + frac % 10);
    frac /= 10;
  }
  int last = 5;
  while (digits[last] == '0') last--;
  lifeline_mbuf_char(w, '.');
  for (int i = 0; i <= last; i++) lifeline_mbuf_char(w, digits[i]);
}

/* v finite, > 0, outside [1e-6, 1e12): scaled into [1, 10) by exact powers of ten (1e16 and 10)
 * rather than with log10() and pow(), whose code and tables are several KB of Wasm (issue 12).
 * At most about 40 roundings of 2^-53 each: far below the 7 digits printed. Subnormals scale up
 * like any small value. */
static void exponent_form(lifeline_mbuf *w, double v) {
  int e = 0;
  while (v >= 1e16) {
    v /= 1e16;
    e += 16;
  }
  while (v >= 10.0) {
    v /= 10.0;
    e++;
  }
  while (v < 1e-15) {
    v *= 1e16;
    e -= 16;
  }
  while (v < 1.0) {
    v *= 10.0;
    e--;
  }
  if (v >= 9.9999995) { /* rounding carries into the next power of ten */
    v /= 10.0;
    e++;
  }
  fixed6(w, v);
  lifeline_mbuf_char(w, 'e');
  if (e < 0) lifeline_mbuf_char(w, '-');
  lifeline_mbuf_u64(w, (uint64_t)(e < 0 ? -e : e));
}

void lifeline_mbuf_double(lifeline_mbuf *w, double v, const char *nan_text, const char *inf_text) {
  if (isnan(v)) {
    lifeline_mbuf_str(w, nan_text);
    return;
  }
  if (v < 0) {
    lifeline_mbuf_char(w, '-');
    v = -v;
  }
  if (isinf(v)) lifeline_mbuf_str(w, inf_text);
  else if (v == 0) lifeline_mbuf_char(w, '0');
  else if (v < 9007199254740992.0 && v == floor(v)) lifeline_mbuf_u64(w, (uint64_t)v);
  else if (v >= 1e-6 && v < 1e12) fixed6(w, v);
  else exponent_form(w, v);
}

void lifeline_mbuf_escaped(lifeline_mbuf *w, const char *s, int json) {
  static const char hex[] = "0123456789abcdef";
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '\\') lifeline_mbuf_str(w, "\\\\");
    else if (c == '\n') lifeline_mbuf_str(w, "\\n");
    else if (json && c == '"') lifeline_mbuf_str(w, "\\\"");
    else if (json && c < 0x20) {
      lifeline_mbuf_str(w, "\\u00");
      lifeline_mbuf_char(w, hex[c >> 4]);
      lifeline_mbuf_char(w, hex[c & 15]);
    } else {
      lifeline_mbuf_char(w, (char)c);
    }
  }
}

size_t lifeline_mbuf_finish(lifeline_mbuf *w) {
  if (w->cap) w->buf[w->len < w->cap ? w->len : w->cap - 1] = '\0';
  return w->len;
}

size_t lifeline_mbuf_finish_ellipsis(lifeline_mbuf *w) {
  if (!w->cap) return 0;
  if (w->len < w->cap) {
    w->buf[w->len] = '\0';
    return w->len;
  }
  w->buf[w->cap - 1] = '\0';
  if (w->cap >= 4) memcpy(w->buf + w->cap - 4, "...", 3);
  return w->cap - 1;
}
