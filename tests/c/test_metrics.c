#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "lifeline/error.h"
#include "lifeline/metrics.h"
#include "lifeline/rng.h"
#include "mbuf.h"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void test_index_formula(void) {
  lifeline_rng r;
  lifeline_rng_seed(&r, 5, 5);
  int bad = 0;
  for (int i = 0; i < 200000; i++) {
    double v = exp2(lifeline_rng_double(&r) * 40.0 - 10.0);
    int32_t want = (int32_t)ceil(log2(v) * 64.0) - 1;
    bad += lifeline_histogram_index(v) != want;
  }
  CHECK_EQ_INT(0, bad);
  CHECK_EQ_INT(-1, lifeline_histogram_index(1.0));
  CHECK_EQ_INT(63, lifeline_histogram_index(2.0));
  CHECK_EQ_INT(64, lifeline_histogram_index(2.0000001));
  CHECK_EQ_INT(0, lifeline_histogram_index(1.000001));
}

static double exact_q(const double *sorted, size_t n, double q) {
  size_t rank = (size_t)ceil(q * (double)n);
  if (rank < 1) rank = 1;
  return sorted[rank - 1];
}

static void check_quantiles(const double *data, size_t n) {
  static lifeline_histogram h;
  lifeline_histogram_init(&h);
  double *sorted = malloc(n * sizeof *sorted);
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    CHECK_EQ_INT(0, lifeline_histogram_record(&h, data[i]));
    sorted[i] = data[i];
    sum += data[i];
  }
  qsort(sorted, n, sizeof *sorted, cmp_double);
  static const double qs[] = {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999};
  for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
    double want = exact_q(sorted, n, qs[i]), got = lifeline_histogram_quantile(&h, qs[i]);
    double err = fabs(got - want) / want;
    CHECK(err <= 0.0055);
    if (err > 0.0055) fprintf(stderr, "q%.3f want %f got %f\n", qs[i], want, got);
  }
  CHECK(lifeline_histogram_quantile(&h, 0) == sorted[0]);
  CHECK(lifeline_histogram_quantile(&h, 1) == sorted[n - 1]);
  CHECK(h.min == sorted[0] && h.max == sorted[n - 1]);
  CHECK_EQ_INT(n, h.count);
  CHECK(fabs(lifeline_histogram_mean(&h) - sum / (double)n) < 1e-9 * sum);
  free(sorted);
}

static void test_quantiles_random(void) {
  enum { N = 100000 };
  static double data[N];
  lifeline_rng r;
  lifeline_rng_seed(&r, 77, 1);
  /* Uniform 1..1000 ms. */
  for (int i = 0; i < N; i++) data[i] = 1.0 + 999.0 * lifeline_rng_double(&r);
  check_quantiles(data, N);
  /* Log-normal-ish latencies with a heavy tail: 0.2 ms .. 60 s. */
  for (int i = 0; i < N; i++) data[i] = exp2(lifeline_rng_double(&r) * lifeline_rng_double(&r) * 18.0 - 2.3);
  check_quantiles(data, N);
  /* Integers (many ties), as millisecond timers produce. */
  for (int i = 0; i < N; i++) data[i] = (double)(1 + lifeline_rng_bounded(&r, 300));
  check_quantiles(data, N);
  /* A few values. */
  double few[3] = {5, 7, 100};
  check_quantiles(few, 3);
}

static void test_histogram_edges(void) {
  lifeline_histogram h, g;
  lifeline_histogram_init(&h);
  CHECK(lifeline_histogram_quantile(&h, 0.5) == 0.0);
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_histogram_record(&h, -1));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_histogram_record(&h, NAN));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_histogram_record(&h, INFINITY));
  CHECK_EQ_INT(0, h.count);
  CHECK_EQ_INT(0, lifeline_histogram_record(&h, 0));
  CHECK_EQ_INT(0, lifeline_histogram_record(&h, 0.01));
  CHECK_EQ_INT(0, lifeline_histogram_record(&h, 1e9)); /* above the range: top bucket */
  CHECK(lifeline_histogram_quantile(&h, 0.3) == 0.0);  /* underflow reports the minimum */
  CHECK(lifeline_histogram_quantile(&h, 0.99) == 1e9);
  CHECK(lifeline_histogram_quantile(&h, 0.9) <= 1e9);
  /* Merge equals recording everything into one. */
  lifeline_histogram_init(&h);
  lifeline_histogram_init(&g);
  static lifeline_histogram all;
  lifeline_histogram_init(&all);
  for (int i = 1; i <= 1000; i++) {
    lifeline_histogram_record(i % 2 ? &h : &g, i * 1.5);
    lifeline_histogram_record(&all, i * 1.5);
  }
  lifeline_histogram_merge(&h, &g);
  CHECK(memcmp(&h, &all, sizeof h) == 0);
  CHECK(sizeof(lifeline_histogram) < 7 * 1024);
}

static void test_rolling(void) {
  static lifeline_rolling_histogram r;
  static lifeline_histogram out;
  CHECK_EQ_INT(0, lifeline_rolling_init(&r, 60000));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_rolling_init(&r, 3));
  lifeline_rolling_init(&r, 60000);
  lifeline_rolling_record(&r, 100, 0);
  lifeline_rolling_record(&r, 200, 15000);
  lifeline_rolling_record(&r, 300, 59999);
  lifeline_rolling_merge(&r, 59999, &out);
  CHECK_EQ_INT(3, out.count);
  lifeline_rolling_merge(&r, 60000, &out); /* slot 0..10 s has left */
  CHECK_EQ_INT(2, out.count);
  CHECK(out.min == 200);
  lifeline_rolling_merge(&r, 80000, &out);
  CHECK_EQ_INT(1, out.count);
  lifeline_rolling_merge(&r, 600000, &out); /* ten idle minutes */
  CHECK_EQ_INT(0, out.count);
  lifeline_rolling_record(&r, 5, 600000); /* reuses a slot: the old content is gone */
  lifeline_rolling_merge(&r, 600000, &out);
  CHECK_EQ_INT(1, out.count);
  CHECK(out.max == 5);
}

static void test_counter_and_slo(void) {
  lifeline_counter c;
  lifeline_counter_init(&c);
  for (int s = 0; s < 300; s++) lifeline_counter_add(&c, 6, (uint64_t)s * 1000); /* 6/s for 5 min */
  CHECK(fabs(lifeline_counter_rate_1m(&c, 299000) - 6.0) < 1e-9);
  CHECK(fabs(lifeline_counter_rate_5m(&c, 299000) - 6.0) < 1e-9);
  CHECK_EQ_INT(1800, c.value);
  CHECK(fabs(lifeline_counter_rate_1m(&c, 600000)) < 1e-9);

  lifeline_slo s;
  lifeline_slo_report r;
  CHECK_EQ_INT(0, lifeline_slo_init(&s, 0.999, 0, 0));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_slo_init(&s, 1.0, 0, 0));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_slo_init(&s, 0.99, 1000, 61));
  lifeline_slo_init(&s, 0.999, 0, 0);
  lifeline_slo_report_at(&s, 0, &r);
  CHECK(r.availability == 1.0 && r.error_budget_remaining == 1.0 && r.burn_rate_short == 0.0);
  /* One clean hour, then five minutes at 2% errors (burn 20). */
  uint64_t t = 0;
  for (; t < 3600000; t += 1000) lifeline_slo_record(&s, 1000, 1000, t);
  lifeline_slo_report_at(&s, t, &r);
  CHECK(r.burn_rate_short == 0.0 && !r.alerting);
  for (uint64_t end = t + 300000; t < end; t += 1000) lifeline_slo_record(&s, 980, 1000, t);
  lifeline_slo_report_at(&s, t - 1000, &r);
  CHECK(fabs(r.burn_rate_short - 20.0) < 1e-6);
  /* The long window holds 55 min of clean traffic and 5 min at 2%: burn 20 * 5/60. */
  CHECK(fabs(r.burn_rate_long - 20.0 * 300.0 / 3600.0) < 0.05);
  CHECK(!r.alerting);
  CHECK_EQ_INT(3900000, r.total);
  CHECK(fabs(r.error_budget_remaining - (1.0 - (6000.0 / 3900000.0) / 0.001)) < 1e-9);
  /* A full hour at 2%: both windows burn at 20 > 14.4. */
  for (uint64_t end = t + 3600000; t < end; t += 1000) lifeline_slo_record(&s, 980, 1000, t);
  lifeline_slo_report_at(&s, t - 1000, &r);
  CHECK(r.alerting);
  CHECK(r.error_budget_remaining < 0);
}

static const char *fmt(double v) {
  static char buf[64];
  lifeline_mbuf w;
  lifeline_mbuf_init(&w, buf, sizeof buf);
  lifeline_mbuf_double(&w, v, "null", "Inf");
  lifeline_mbuf_finish(&w);
  return buf;
}

static void test_formatting(void) {
  CHECK_EQ_STR("0", fmt(0));
  CHECK_EQ_STR("42", fmt(42));
  CHECK_EQ_STR("-3", fmt(-3));
  CHECK_EQ_STR("0.5", fmt(0.5));
  CHECK_EQ_STR("0.999", fmt(0.999));
  CHECK_EQ_STR("1.333333", fmt(4.0 / 3.0));
  CHECK_EQ_STR("0.000002", fmt(0.0000015));
  CHECK_EQ_STR("1.5e-7", fmt(1.5e-7));
  CHECK_EQ_STR("1.234568e20", fmt(1.2345678e20));
  CHECK_EQ_STR("1.844674e19", fmt(18446744073709551616.0));
  CHECK_EQ_STR("1e-7", fmt(1e-7));
  CHECK_EQ_STR("4.940656e-324", fmt(4.9406564584124654e-324)); /* the smallest subnormal */
  CHECK_EQ_STR("1.797693e308", fmt(1.7976931348623157e308));
  CHECK_EQ_STR("123456.5", fmt(123456.5));
  CHECK_EQ_STR("null", fmt(NAN));
  CHECK_EQ_STR("-Inf", fmt(-INFINITY));
  CHECK_EQ_STR("9007199254740991", fmt(9007199254740991.0));
}

static void test_registry_and_exposition(void) {
  lifeline_metrics *m = lifeline_metrics_new();
  CHECK(m != NULL);
  int c = lifeline_metrics_counter(m, "sse_reconnects_total", "Reconnections\nby \\ reason");
  int g = lifeline_metrics_gauge(m, "sse_open", NULL);
  int h = lifeline_metrics_histogram(m, "call_ms", "Call latency");
  int s = lifeline_metrics_slo(m, "api", "API availability", 0.99, 0, 0);
  CHECK_EQ_INT(0, c);
  CHECK_EQ_INT(3, s);
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_metrics_counter(m, "sse_open", NULL));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_metrics_counter(m, "9lives", NULL));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_metrics_counter(m, "a-b", NULL));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_metrics_counter(m, "", NULL));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_metrics_slo(m, "x", NULL, 2.0, 0, 0));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_metrics_set(m, c, 1));
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_metrics_set(m, 99, 1));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_metrics_observe(m, h, -5, 0));
  CHECK_EQ_INT(2, lifeline_metrics_find(m, "call_ms"));
  CHECK_EQ_INT(0, lifeline_metrics_add(m, c, 120, 1000));
  CHECK_EQ_INT(0, lifeline_metrics_set(m, g, 3));
  CHECK_EQ_INT(0, lifeline_metrics_observe(m, h, 10, 1000));
  CHECK_EQ_INT(0, lifeline_metrics_observe(m, h, 20, 1000));
  CHECK_EQ_INT(0, lifeline_metrics_slo_record(m, s, 99, 100, 1000));
  char buf[4096];
  size_t n = lifeline_metrics_write_json(m, 1000, buf, sizeof buf);
  CHECK_EQ_INT(strlen(buf), n);
  CHECK_EQ_STR("{\"counters\":{\"sse_reconnects_total\":{\"value\":120,\"rate1m\":2,\"rate5m\":0.4}},"
               "\"gauges\":{\"sse_open\":3},"
               "\"histograms\":{\"call_ms\":{\"count\":2,\"sum\":30,\"min\":10,\"max\":20,\"mean\":15,"
               "\"p50\":10,\"p90\":20,\"p95\":20,\"p99\":20,\"lastMinute\":{\"count\":2,\"sum\":30,"
               "\"min\":10,\"max\":20,\"mean\":15,\"p50\":10,\"p90\":20,\"p95\":20,\"p99\":20}}},"
               "\"slos\":{\"api\":{\"target\":0.99,\"good\":99,\"total\":100,\"availability\":0.99,"
               "\"errorBudgetRemaining\":0,\"burnRateShort\":1,\"burnRateLong\":1,"
               "\"shortWindowMs\":300000,\"longWindowMs\":3600000,\"alerting\":false}}}",
               buf);
  /* Truncation: the return value is the needed length, the buffer stays terminated. */
  char small[16];
  CHECK_EQ_INT(n, lifeline_metrics_write_json(m, 1000, small, sizeof small));
  CHECK_EQ_INT(15, strlen(small));
  CHECK_EQ_INT(n, lifeline_metrics_write_json(m, 1000, NULL, 0));
  n = lifeline_metrics_write_prometheus(m, 1000, buf, sizeof buf);
  CHECK_EQ_INT(strlen(buf), n);
  CHECK(strstr(buf, "# HELP sse_reconnects_total Reconnections\\nby \\\\ reason\n"
                    "# TYPE sse_reconnects_total counter\nsse_reconnects_total 120\n") != NULL);
  CHECK(strstr(buf, "# HELP sse_reconnects_total_rate_1m Reconnections\\nby \\\\ reason (per second, last minute)\n"
                    "# TYPE sse_reconnects_total_rate_1m gauge\nsse_reconnects_total_rate_1m 2\n") != NULL);
  CHECK(strstr(buf, "# TYPE sse_open gauge\nsse_open 3\n") != NULL);
  CHECK(strstr(buf, "# TYPE call_ms summary\ncall_ms{quantile=\"0.5\"} 10\n") != NULL);
  CHECK(strstr(buf, "call_ms{quantile=\"0.99\"} 20\ncall_ms_sum 30\ncall_ms_count 2\n") != NULL);
  CHECK(strstr(buf, "api_burn_rate{window=\"300s\"} 1\napi_burn_rate{window=\"3600s\"} 1\n") != NULL);
  CHECK(strstr(buf, "api_alerting 0\n") != NULL);
  /* Two minutes later the rolling quantiles are empty: NaN. */
  lifeline_metrics_write_prometheus(m, 121000, buf, sizeof buf);
  CHECK(strstr(buf, "call_ms{quantile=\"0.5\"} NaN\n") != NULL);
  CHECK(strstr(buf, "sse_reconnects_total_rate_1m 0\n") != NULL);
  /* Capacity. */
  char name[16] = "m_";
  int last = 0;
  for (int i = 4; i < LIFELINE_METRICS_MAX + 1; i++) {
    name[2] = (char)('a' + i / 26);
    name[3] = (char)('a' + i % 26);
    name[4] = 0;
    last = lifeline_metrics_gauge(m, name, NULL);
  }
  CHECK_EQ_INT(LIFELINE_ERR_FULL, last);
  lifeline_metrics_free(m);
  lifeline_metrics_free(NULL);
}

/* A message cut to its buffer ends in "..." (the router's fail-fast texts use it). */
static void test_mbuf_ellipsis(void) {
  char buf[8];
  lifeline_mbuf w;
  lifeline_mbuf_init(&w, buf, sizeof buf);
  lifeline_mbuf_str(&w, "fits");
  CHECK_EQ_INT(4, lifeline_mbuf_finish_ellipsis(&w));
  CHECK_EQ_STR("fits", buf);
  lifeline_mbuf_init(&w, buf, sizeof buf);
  lifeline_mbuf_str(&w, "much too long");
  CHECK_EQ_INT(7, lifeline_mbuf_finish_ellipsis(&w));
  CHECK_EQ_STR("much...", buf);
  lifeline_mbuf_init(&w, buf, sizeof buf);
  lifeline_mbuf_str(&w, "exactly");
  CHECK_EQ_INT(7, lifeline_mbuf_finish_ellipsis(&w));
  CHECK_EQ_STR("exactly", buf);
}

int main(void) {
  test_mbuf_ellipsis();
  test_index_formula();
  test_quantiles_random();
  test_histogram_edges();
  test_rolling();
  test_counter_and_slo();
  test_formatting();
  test_registry_and_exposition();
  return check_report("test_metrics");
}
