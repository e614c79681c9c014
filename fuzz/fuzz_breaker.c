/* Drives a breaker, a backoff and a histogram with random operations and time steps decoded
 * from the input, checking invariants after every step; any violation aborts (a crash). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lifeline/backoff.h"
#include "lifeline/breaker.h"
#include "lifeline/histogram.h"
#include "mbuf.h"
#include "fuzz_input.h"

static void check_breaker(const lifeline_breaker *b) {
  const lifeline_window *w = &b->window;
  uint64_t a = 0, f = 0;
  for (uint32_t i = 0; i < w->bucket_count; i++) {
    a += w->buckets[i].a;
    f += w->buckets[i].b;
    REQUIRE(w->buckets[i].b <= w->buckets[i].a);
  }
  REQUIRE(a == w->sum_a && f == w->sum_b);
  REQUIRE(b->break_ms >= b->cfg.open_ms && b->break_ms <= b->cfg.max_open_ms);
  REQUIRE(b->change_head - b->change_tail <= LIFELINE_BREAKER_CHANGES);
  if (b->state == LIFELINE_BREAKER_HALF_OPEN) {
    REQUIRE(b->probes <= b->cfg.half_open_probes);
    REQUIRE(b->probe_ok + b->probe_fail <= b->probes);
    REQUIRE(b->probe_ok < b->cfg.half_open_successes && b->probe_fail < b->cfg.half_open_failures);
  }
  if (b->state == LIFELINE_BREAKER_OPEN && b->mode == LIFELINE_BREAKER_NORMAL) {
    double longest = b->cfg.max_open_ms * (1.0 + b->cfg.open_jitter) + 1.0;
    REQUIRE(b->open_until <= b->last_now + (uint64_t)longest);
  }
}

static void run_breaker(input *in) {
  lifeline_breaker_config c;
  lifeline_breaker_config_default(&c);
  c.window_ms = 1 + take(in, 2) * 10;
  c.window_buckets = 0;
  c.minimum_calls = take(in, 1) % 20;
  c.consecutive_failures = take(in, 1) % 8;
  c.open_ms = 1 + take(in, 2);
  c.max_open_ms = c.open_ms + take(in, 2) * 4;
  c.half_open_probes = 1 + take(in, 1) % 5;
  c.half_open_successes = 1 + take(in, 1) % c.half_open_probes;
  c.half_open_failures = 1 + take(in, 1) % c.half_open_probes;
  c.half_open_timeout_ms = 1 + take(in, 2);
  c.slow_call_ms = take(in, 1) * 10;
  c.seed = take(in, 4);
  lifeline_breaker b;
  lifeline_breaker_init(&b, &c); /* an invalid mix falls back to the defaults */
  uint64_t now = take(in, 3);
  while (in->n) {
    uint32_t op = take(in, 1);
    switch (op % 8) {
    case 0:
    case 1: {
      lifeline_breaker_state before = lifeline_breaker_get_state(&b);
      int ok = lifeline_breaker_allow(&b, now);
      if (b.mode == LIFELINE_BREAKER_FORCED_OPEN) REQUIRE(!ok);
      if (b.mode == LIFELINE_BREAKER_NORMAL && b.state == LIFELINE_BREAKER_OPEN) REQUIRE(!ok);
      if (before == LIFELINE_BREAKER_CLOSED && b.mode == LIFELINE_BREAKER_NORMAL) REQUIRE(ok);
      break;
    }
    case 2:
    case 3: lifeline_breaker_record(&b, op & 16, take(in, 2), now); break;
    case 4: now += take(in, 1); break;
    case 5: now += (uint64_t)take(in, 2) * 16; break;
    case 6: {
      uint64_t d = lifeline_breaker_deadline(&b);
      if (d != LIFELINE_NEVER && (op & 32)) {
        now = d > now ? d : now;
        lifeline_breaker_tick(&b, now);
        uint64_t next = lifeline_breaker_deadline(&b);
        REQUIRE(next == LIFELINE_NEVER || next > now); /* handled: the next deadline is later */
      }
      break;
    }
    default: {
      lifeline_breaker_change ch;
      if (op & 64) lifeline_breaker_set_mode(&b, (lifeline_breaker_mode)(op >> 3 & 3), now);
      while (lifeline_breaker_poll_change(&b, &ch)) REQUIRE(ch.from != ch.to);
      break;
    }
    }
    check_breaker(&b);
  }
}

static void run_backoff_histogram(const uint8_t *data, size_t size) {
  input in = {data, size};
  lifeline_backoff_config c;
  lifeline_backoff_config_default(&c);
  c.initial_ms = 1 + take(&in, 2);
  c.max_ms = c.initial_ms + take(&in, 3);
  c.multiplier = 1.0 + take(&in, 1) / 32.0;
  c.jitter = (lifeline_jitter)(take(&in, 1) % 4);
  c.seed = take(&in, 4);
  lifeline_backoff b;
  lifeline_backoff_init(&b, &c);
  static lifeline_histogram h;
  lifeline_histogram_init(&h);
  uint64_t now = 0;
  while (in.n) {
    uint32_t op = take(&in, 1), arg = take(&in, 2);
    uint32_t d, floor = 0;
    if (op % 5 == 0) lifeline_backoff_set_server_retry(&b, arg);
    if (op % 5 == 1) lifeline_backoff_set_retry_after(&b, floor = arg);
    if (op % 5 == 2) lifeline_backoff_record_connect(&b, arg);
    if (op % 5 == 3) lifeline_backoff_record_outcome(&b, arg & 1);
    if (op % 7 == 4) lifeline_backoff_connected(&b, now);
    now += arg;
    if (lifeline_backoff_next(&b, now, &d) == 0) {
      /* Over the cap only for the server's own times: Retry-After or retry:, plus a fifth. */
      uint64_t ra = floor + floor / 5 + 1, sr = (uint64_t)b.server_retry_ms * 6 / 5 + 1;
      REQUIRE(d <= lifeline_backoff_effective_cap(&b) || (floor && d <= ra) || (b.has_server_retry && d <= sr));
      lifeline_histogram_record(&h, (double)d / (1.0 + (op & 7)));
    }
  }
  double prev = 0;
  for (int q = 0; q <= 20; q++) {
    double v = lifeline_histogram_quantile(&h, q / 20.0);
    REQUIRE(v >= prev && (h.count == 0 || (v >= h.min && v <= h.max)));
    prev = v;
  }
}

/* The number formatter on arbitrary doubles (UBSan catches an out-of-range conversion). */
static void run_format(const uint8_t *data, size_t size) {
  char out[40];
  for (size_t off = 0; off + 8 <= size; off += 8) {
    double v;
    memcpy(&v, data + off, sizeof v);
    lifeline_mbuf w;
    lifeline_mbuf_init(&w, out, (size_t)(data[off] % sizeof out));
    lifeline_mbuf_double(&w, v, "null", "Inf");
    size_t n = lifeline_mbuf_finish(&w);
    REQUIRE(n > 0 && n < 32);
    if (w.cap) REQUIRE(strlen(out) == (n < w.cap ? n : w.cap - 1));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  input in = {data, size};
  run_breaker(&in);
  run_backoff_histogram(data, size);
  run_format(data, size);
  return 0;
}
