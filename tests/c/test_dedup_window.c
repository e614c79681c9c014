/* The duplicate window against a plain model (a FIFO of the last cap distinct hashes), with
 * colliding table slots forced by small windows and many random operations. */
#include <stdlib.h>

#include "check.h"
#include "dedup_window.h"
#include "lifeline/error.h"
#include "lifeline/rng.h"

static int model_has(const uint64_t *fifo, uint32_t len, uint64_t h) {
  for (uint32_t i = 0; i < len; i++)
    if (fifo[i] == h) return 1;
  return 0;
}

static void run(uint32_t cap, uint32_t universe, uint64_t seed) {
  dedup_window w;
  CHECK_EQ_INT(LIFELINE_OK, dedup_window_init(&w, cap));
  uint64_t *fifo = calloc(cap, sizeof *fifo);
  uint32_t len = 0;
  lifeline_rng r;
  lifeline_rng_seed(&r, seed, 1);
  for (int step = 0; step < 20000; step++) {
    uint64_t h = 1 + lifeline_rng_bounded(&r, universe); /* 0 is stored as 1: tested apart */
    int want = model_has(fifo, len, h);
    if (dedup_window_has(&w, h) != want) {
      CHECK(!"window and model disagree");
      break;
    }
    if (want) continue;
    dedup_window_add(&w, h);
    if (len == cap) {
      memmove(fifo, fifo + 1, (cap - 1) * sizeof *fifo);
      len--;
    }
    fifo[len++] = h;
  }
  /* Widening keeps every id and their order: the oldest is still evicted first. */
  CHECK_EQ_INT(LIFELINE_OK, dedup_window_grow(&w, cap + 1));
  for (uint32_t i = 0; i < len; i++) CHECK(dedup_window_has(&w, fifo[i]));
  dedup_window_add(&w, universe + 10);
  if (len == cap) {
    dedup_window_add(&w, universe + 11);
    CHECK(!dedup_window_has(&w, fifo[0]));
    if (len > 1) CHECK(dedup_window_has(&w, fifo[1]));
  }
  free(fifo);
  dedup_window_free(&w);
}

static void test_zero_hash(void) {
  dedup_window w;
  dedup_window_init(&w, 2);
  CHECK(!dedup_window_has(&w, 0));
  dedup_window_add(&w, 0);
  CHECK(dedup_window_has(&w, 0));
  dedup_window_free(&w);
}

/* A cleared window holds nothing and fills and evicts as a new one. */
static void test_clear(void) {
  dedup_window w;
  dedup_window_init(&w, 3);
  for (uint64_t h = 1; h <= 5; h++) dedup_window_add(&w, h);
  dedup_window_clear(&w);
  for (uint64_t h = 1; h <= 5; h++) CHECK(!dedup_window_has(&w, h));
  for (uint64_t h = 10; h <= 13; h++) dedup_window_add(&w, h);
  CHECK(!dedup_window_has(&w, 10)); /* evicted: capacity 3 kept */
  for (uint64_t h = 11; h <= 13; h++) CHECK(dedup_window_has(&w, h));
  dedup_window_free(&w);
}

int main(void) {
  test_zero_hash();
  test_clear();
  for (uint64_t seed = 1; seed <= 20; seed++) {
    run(1, 4, seed);
    run(4, 16, seed);
    run(64, 200, seed);
    run(256, 100000, seed);
  }
  return check_report("dedup_window");
}
