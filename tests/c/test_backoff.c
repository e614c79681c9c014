#include <math.h>

#include "check.h"
#include "lifeline/backoff.h"
#include "lifeline/error.h"

static lifeline_backoff make(lifeline_jitter j, uint32_t init, uint32_t cap, double mult) {
  lifeline_backoff_config c;
  lifeline_backoff_config_default(&c);
  c.jitter = j;
  c.initial_ms = init;
  c.max_ms = cap;
  c.multiplier = mult;
  c.adaptive = 0;
  c.seed = 99;
  lifeline_backoff b;
  CHECK_EQ_INT(0, lifeline_backoff_init(&b, &c));
  return b;
}

static uint32_t next(lifeline_backoff *b, uint64_t now) {
  uint32_t d = 0xdeadbeef;
  CHECK_EQ_INT(0, lifeline_backoff_next(b, now, &d));
  return d;
}

static void test_no_jitter_sequence(void) {
  lifeline_backoff b = make(LIFELINE_JITTER_NONE, 1000, 30000, 1.6);
  static const uint32_t want[] = {1000, 1600, 2560, 4096, 6554, 10486, 16777, 26844, 30000, 30000};
  for (int i = 0; i < 10; i++) CHECK_EQ_INT(want[i], next(&b, 0));
  CHECK_EQ_INT(10, b.attempt);
  lifeline_backoff_reset(&b);
  CHECK_EQ_INT(1000, next(&b, 0));
}

static void test_defaults(void) {
  lifeline_backoff b;
  CHECK_EQ_INT(0, lifeline_backoff_init(&b, NULL));
  CHECK_EQ_INT(1000, b.cfg.initial_ms);
  CHECK_EQ_INT(30000, b.cfg.max_ms);
  CHECK(b.cfg.multiplier == 1.6);
  CHECK_EQ_INT(LIFELINE_JITTER_FULL, b.cfg.jitter);
  /* The first retry of many clients spreads over 0..1 s: check min, max and mean over seeds. */
  double sum = 0;
  uint32_t lo = UINT32_MAX, hi = 0;
  for (uint64_t s = 0; s < 10000; s++) {
    lifeline_backoff_config c;
    lifeline_backoff_config_default(&c);
    c.seed = s;
    lifeline_backoff_init(&b, &c);
    uint32_t d = next(&b, 0);
    sum += d;
    lo = d < lo ? d : lo;
    hi = d > hi ? d : hi;
  }
  CHECK(hi <= 1000 && lo < 20 && hi > 980);
  CHECK(fabs(sum / 10000 - 500) < 15);
}

static void test_invalid_config(void) {
  lifeline_backoff_config c;
  lifeline_backoff b;
  lifeline_backoff_config_default(&c);
  c.multiplier = 0.5;
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_backoff_init(&b, &c));
  CHECK(b.cfg.multiplier == 1.6); /* fell back to the defaults, still usable */
  lifeline_backoff_config_default(&c);
  c.multiplier = NAN;
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_backoff_init(&b, &c));
  lifeline_backoff_config_default(&c);
  c.initial_ms = 5000;
  c.max_ms = 100;
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_backoff_init(&b, &c));
  lifeline_backoff_config_default(&c);
  c.initial_ms = 0;
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_backoff_init(&b, &c));
  lifeline_backoff_config_default(&c);
  c.jitter = (lifeline_jitter)7;
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_backoff_init(&b, &c));
  CHECK_EQ_INT(LIFELINE_JITTER_DECORRELATED, lifeline_jitter_parse("decorrelated"));
  CHECK_EQ_INT(-1, lifeline_jitter_parse("fulll"));
  CHECK_EQ_INT(-1, lifeline_jitter_parse(NULL));
}

/* 100k draws per strategy with a fixed seed: bounds at every step and, for full and equal
 * jitter, the mean per step against the ceiling of that step. */
static void test_jitter_statistics(void) {
  enum { STEPS = 10, RUNS = 10000 };
  double ceil_[STEPS];
  lifeline_backoff ref = make(LIFELINE_JITTER_NONE, 1000, 30000, 1.6);
  for (int i = 0; i < STEPS; i++) ceil_[i] = next(&ref, 0);
  for (int j = LIFELINE_JITTER_FULL; j <= LIFELINE_JITTER_DECORRELATED; j++) {
    double sum[STEPS] = {0};
    int out_of_bounds = 0;
    lifeline_backoff b = make((lifeline_jitter)j, 1000, 30000, 1.6);
    for (int r = 0; r < RUNS; r++) {
      lifeline_backoff_reset(&b);
      uint32_t prev = 1000;
      for (int i = 0; i < STEPS; i++) {
        uint32_t d = next(&b, 0);
        sum[i] += d;
        if (j == LIFELINE_JITTER_FULL) out_of_bounds += d > ceil_[i];
        if (j == LIFELINE_JITTER_EQUAL) out_of_bounds += d > ceil_[i] || d < floor(ceil_[i] / 2);
        if (j == LIFELINE_JITTER_DECORRELATED)
          out_of_bounds += d < 1000 || d > 30000 || d > prev * 3 + 1;
        prev = d;
      }
    }
    CHECK_EQ_INT(0, out_of_bounds);
    for (int i = 0; i < STEPS; i++) {
      double mean = sum[i] / RUNS;
      if (j == LIFELINE_JITTER_FULL) CHECK(fabs(mean - ceil_[i] / 2) < ceil_[i] * 0.02);
      if (j == LIFELINE_JITTER_EQUAL) CHECK(fabs(mean - ceil_[i] * 0.75) < ceil_[i] * 0.02);
    }
    /* Decorrelated: the first draw is uniform over [base, 3*base]. */
    if (j == LIFELINE_JITTER_DECORRELATED) CHECK(fabs(sum[0] / RUNS - 2000) < 40);
  }
}

static int within(uint32_t v, uint32_t lo, uint32_t hi) { return v >= lo && v <= hi; }

/* retry: is a floor with up to a fifth added, not the base of the jitter (a server asking for
 * 10 s got half of its clients back within 5 s). */
static void test_server_retry_and_retry_after(void) {
  lifeline_backoff b = make(LIFELINE_JITTER_NONE, 1000, 30000, 2.0);
  lifeline_backoff_set_server_retry(&b, 3000);
  CHECK(within(next(&b, 0), 3000, 3600)); /* attempt 0: the server's time, not ours */
  CHECK(within(next(&b, 0), 3000, 3600)); /* 2000 is below the floor */
  CHECK_EQ_INT(4000, next(&b, 0));        /* growth goes on above it */
  lifeline_backoff_set_retry_after(&b, 20000);
  lifeline_backoff_set_retry_after(&b, 10000); /* the larger floor stays */
  CHECK(within(next(&b, 0), 20000, 24000));    /* the server's time, up to a fifth added */
  CHECK_EQ_INT(16000, next(&b, 0));            /* used once; growth went on meanwhile */
  lifeline_backoff_set_retry_after(&b, 45000); /* it may exceed the cap */
  CHECK(within(next(&b, 0), 45000, 54000));
  lifeline_backoff_set_retry_after(&b, 2000);  /* and it replaces a longer grown delay (30 s) */
  CHECK(within(next(&b, 0), 2000, 2400));
  lifeline_backoff_reset(&b);
  CHECK(within(next(&b, 0), 3000, 3600)); /* the server's floor survives a reset */
  lifeline_backoff_set_server_retry(&b, 120000);
  lifeline_backoff_reset(&b);
  CHECK(within(next(&b, 0), 120000, 144000)); /* honoured above max_ms */
  lifeline_backoff_set_server_retry(&b, UINT32_MAX);
  lifeline_backoff_reset(&b);
  CHECK(within(next(&b, 0), LIFELINE_BACKOFF_SERVER_RETRY_MAX_MS,
               LIFELINE_BACKOFF_SERVER_RETRY_MAX_MS / 5 * 6)); /* up to the documented ceiling */
  lifeline_backoff_set_server_retry(&b, 0);
  lifeline_backoff_reset(&b);
  CHECK_EQ_INT(0, next(&b, 0));    /* retry: 0 is "at once" */
  CHECK_EQ_INT(2000, next(&b, 0)); /* but failing again backs off */
}

/* Progress resets the attempt count at once; without it the delay keeps growing. */
static void test_progress_resets(void) {
  lifeline_backoff b = make(LIFELINE_JITTER_NONE, 1000, 30000, 2.0);
  CHECK_EQ_INT(1000, next(&b, 0));
  CHECK_EQ_INT(2000, next(&b, 0));
  lifeline_backoff_connected(&b, 10);
  lifeline_backoff_progress(&b);
  CHECK_EQ_INT(1000, next(&b, 20)); /* well before healthy_after */
  lifeline_backoff_connected(&b, 30);
  CHECK_EQ_INT(2000, next(&b, 40)); /* connected but no progress: growth goes on */
}

static void test_max_attempts(void) {
  lifeline_backoff_config c;
  lifeline_backoff_config_default(&c);
  c.max_attempts = 3;
  lifeline_backoff b;
  lifeline_backoff_init(&b, &c);
  uint32_t d = 7;
  for (int i = 0; i < 3; i++) CHECK_EQ_INT(0, lifeline_backoff_next(&b, 0, &d));
  d = 7;
  CHECK_EQ_INT(LIFELINE_ERR_EXHAUSTED, lifeline_backoff_next(&b, 0, &d));
  CHECK_EQ_INT(7, d);
  lifeline_backoff_reset(&b);
  CHECK_EQ_INT(0, lifeline_backoff_next(&b, 0, &d));
}

static void test_reset_only_after_healthy(void) {
  lifeline_backoff b = make(LIFELINE_JITTER_NONE, 1000, 30000, 2.0);
  CHECK_EQ_INT(LIFELINE_NEVER, lifeline_backoff_deadline(&b));
  CHECK_EQ_INT(1000, next(&b, 0));
  lifeline_backoff_connected(&b, 1000);
  CHECK_EQ_INT(6000, lifeline_backoff_deadline(&b));
  /* Accept-and-drop: the connection dies after 100 ms, the delay keeps growing. */
  CHECK_EQ_INT(2000, next(&b, 1100));
  CHECK_EQ_INT(LIFELINE_NEVER, lifeline_backoff_deadline(&b));
  lifeline_backoff_connected(&b, 3100);
  CHECK_EQ_INT(0, lifeline_backoff_healthy_check(&b, 8099));
  CHECK_EQ_INT(1, lifeline_backoff_healthy_check(&b, 8100));
  CHECK_EQ_INT(0, b.attempt);
  CHECK_EQ_INT(LIFELINE_NEVER, lifeline_backoff_deadline(&b));
  CHECK_EQ_INT(1000, next(&b, 9000));
  /* Lazy: no healthy_check call, but the next failure comes after a long enough connection. */
  CHECK_EQ_INT(2000, next(&b, 9000));
  lifeline_backoff_connected(&b, 20000);
  CHECK_EQ_INT(1000, next(&b, 25000));
}

static void test_quality_adaptation(void) {
  lifeline_backoff_config c;
  lifeline_backoff_config_default(&c);
  c.jitter = LIFELINE_JITTER_NONE;
  lifeline_backoff b;
  lifeline_backoff_init(&b, &c);
  CHECK_EQ_INT(LIFELINE_NET_MODERATE, lifeline_backoff_quality(&b));
  for (int i = 0; i < 3; i++) lifeline_backoff_record_outcome(&b, 1);
  CHECK_EQ_INT(LIFELINE_NET_MODERATE, lifeline_backoff_quality(&b)); /* too few outcomes */
  lifeline_backoff_record_outcome(&b, 1);
  lifeline_backoff_record_connect(&b, 120);
  CHECK_EQ_INT(LIFELINE_NET_GOOD, lifeline_backoff_quality(&b));
  CHECK(fabs(lifeline_backoff_effective_multiplier(&b) - 1.3) < 1e-9);
  CHECK_EQ_INT(15000, lifeline_backoff_effective_cap(&b));
  CHECK_EQ_STR("good", lifeline_net_quality_name(lifeline_backoff_quality(&b)));
  /* Slow connects make it poor even with successes. */
  for (int i = 0; i < 20; i++) lifeline_backoff_record_connect(&b, 3000);
  CHECK_EQ_INT(LIFELINE_NET_POOR, lifeline_backoff_quality(&b));
  CHECK_EQ_INT(60000, lifeline_backoff_effective_cap(&b));
  CHECK(fabs(lifeline_backoff_effective_multiplier(&b) - 1.45) < 1e-9);
  /* Poor: slower growth toward a higher cap. */
  uint32_t d = 0, last = 0;
  for (int i = 0; i < 40; i++) last = next(&b, 0), d = i == 1 ? last : d;
  CHECK_EQ_INT(1450, d);
  CHECK_EQ_INT(60000, last);
  /* Fast connects but half the attempts fail: poor. */
  lifeline_backoff_init(&b, &c);
  lifeline_backoff_record_connect(&b, 50);
  for (int i = 0; i < 8; i++) lifeline_backoff_record_outcome(&b, i % 2);
  CHECK_EQ_INT(LIFELINE_NET_POOR, lifeline_backoff_quality(&b));
  /* One failure in sixteen with fast connects: good; two in ten: moderate. */
  for (int i = 0; i < 16; i++) lifeline_backoff_record_outcome(&b, i != 3);
  CHECK_EQ_INT(LIFELINE_NET_GOOD, lifeline_backoff_quality(&b));
  for (int i = 0; i < 16; i++) lifeline_backoff_record_outcome(&b, i % 5 != 0);
  CHECK_EQ_INT(LIFELINE_NET_MODERATE, lifeline_backoff_quality(&b));
  /* Adaptation off: always the configured figures. */
  c.adaptive = 0;
  lifeline_backoff_init(&b, &c);
  for (int i = 0; i < 8; i++) lifeline_backoff_record_outcome(&b, 0);
  CHECK_EQ_INT(30000, lifeline_backoff_effective_cap(&b));
}

static void test_deterministic(void) {
  lifeline_backoff a = make(LIFELINE_JITTER_DECORRELATED, 500, 20000, 2.0);
  lifeline_backoff b = make(LIFELINE_JITTER_DECORRELATED, 500, 20000, 2.0);
  for (int i = 0; i < 50; i++) CHECK_EQ_INT(next(&a, 0), next(&b, 0));
}

int main(void) {
  test_no_jitter_sequence();
  test_defaults();
  test_invalid_config();
  test_jitter_statistics();
  test_server_retry_and_retry_after();
  test_progress_resets();
  test_max_attempts();
  test_reset_only_after_healthy();
  test_quality_adaptation();
  test_deterministic();
  return check_report("test_backoff");
}
