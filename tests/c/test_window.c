#include "check.h"
#include "lifeline/error.h"
#include "lifeline/window.h"

static void test_boundaries(void) {
  lifeline_window w;
  CHECK_EQ_INT(0, lifeline_window_init(&w, 1000, 60));
  CHECK_EQ_INT(60000, lifeline_window_span_ms(&w));
  lifeline_window_add(&w, 10500, 1, 1);
  lifeline_window_advance(&w, 69999); /* bucket 10 is still among the last 60 (10..69) */
  CHECK_EQ_INT(1, w.sum_a);
  lifeline_window_advance(&w, 70000);
  CHECK_EQ_INT(0, w.sum_a);
  /* Every bucket filled, then each advance of one bucket drops exactly the oldest. */
  for (uint64_t s = 100; s < 160; s++) lifeline_window_add(&w, s * 1000, (uint32_t)s, 1);
  CHECK_EQ_INT(60, w.sum_b);
  for (uint64_t s = 160; s < 220; s++) {
    uint64_t before = w.sum_a;
    lifeline_window_advance(&w, s * 1000 + 999);
    CHECK_EQ_INT(before - (s - 60), w.sum_a);
  }
  CHECK_EQ_INT(0, w.sum_a);
}

static void test_backwards_and_saturation(void) {
  lifeline_window w;
  lifeline_window_init(&w, 10, 4);
  lifeline_window_add(&w, 100, 1, 0);
  lifeline_window_add(&w, 50, 1, 0); /* earlier time: counted in the newest bucket */
  CHECK_EQ_INT(2, w.sum_a);
  CHECK_EQ_INT(2, w.buckets[(100 / 10) % 4].a);
  lifeline_window_add(&w, 100, UINT32_MAX, 0);
  CHECK_EQ_INT(UINT32_MAX, w.buckets[(100 / 10) % 4].a);
  CHECK_EQ_INT(UINT32_MAX, w.sum_a);
  lifeline_window_add(&w, 110, 5, 0);
  CHECK_EQ_INT((uint64_t)UINT32_MAX + 5, w.sum_a); /* the sum is 64-bit */
  lifeline_window_clear(&w);
  CHECK_EQ_INT(0, w.sum_a);
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_window_init(&w, 0, 4));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_window_init(&w, 10, LIFELINE_WINDOW_MAX_BUCKETS + 1));
  CHECK_EQ_INT(1000, w.bucket_ms);
}

int main(void) {
  test_boundaries();
  test_backwards_and_saturation();
  return check_report("test_window");
}
