#include <math.h>

#include "check.h"
#include "lifeline/rng.h"

static void test_reference_vector(void) {
  /* pcg32-demo's first outputs for seed 42, stream 54 (pcg-random.org, pcg32-demo.c). */
  static const uint32_t want[6] = {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u,
                                   0x83d2f293u, 0xbfa4784bu, 0xcbed606eu};
  lifeline_rng r;
  lifeline_rng_seed(&r, 42u, 54u);
  for (int i = 0; i < 6; i++) CHECK_EQ_INT(want[i], lifeline_rng_u32(&r));
}

static void test_same_seed_same_sequence(void) {
  lifeline_rng a, b, c;
  lifeline_rng_seed(&a, 7, 1);
  lifeline_rng_seed(&b, 7, 1);
  lifeline_rng_seed(&c, 7, 2);
  int differ = 0;
  for (int i = 0; i < 100; i++) {
    uint32_t x = lifeline_rng_u32(&a);
    CHECK_EQ_INT(x, lifeline_rng_u32(&b));
    differ += x != lifeline_rng_u32(&c);
  }
  CHECK(differ > 90);
}

static void test_double_and_bounded(void) {
  lifeline_rng r;
  lifeline_rng_seed(&r, 1234, 0);
  double sum = 0, lo = 1, hi = 0;
  int bins[10] = {0};
  const int n = 100000;
  for (int i = 0; i < n; i++) {
    double d = lifeline_rng_double(&r);
    sum += d;
    lo = d < lo ? d : lo;
    hi = d > hi ? d : hi;
    uint32_t k = lifeline_rng_bounded(&r, 10);
    CHECK(k < 10);
    bins[k < 10 ? k : 0]++;
  }
  CHECK(lo >= 0.0 && hi < 1.0);
  CHECK(fabs(sum / n - 0.5) < 0.005);
  for (int i = 0; i < 10; i++) CHECK(bins[i] > 9500 && bins[i] < 10500);
  CHECK_EQ_INT(0, lifeline_rng_bounded(&r, 0));
  CHECK_EQ_INT(0, lifeline_rng_bounded(&r, 1));
}

int main(void) {
  test_reference_vector();
  test_same_seed_same_sequence();
  test_double_and_bounded();
  return check_report("test_rng");
}
