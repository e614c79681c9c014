/* Metrics registry: counters with 1-minute and 5-minute rates, gauges, latency histograms
 * (cumulative + rolling last minute) and SLOs, exposed as JSON or Prometheus text.
 *
 * The registry owns its memory (opaque, _new/_free): each metric is allocated once when it is
 * registered (a histogram about 47 KB: one cumulative + a ring of six 10-second histograms, see
 * histogram.h; an SLO about 1 KB); recording never allocates. At most LIFELINE_METRICS_MAX
 * metrics. Time comes in as `now_ms`, as everywhere in the core.
 *
 * Names follow Prometheus: [a-zA-Z_:][a-zA-Z0-9_:]*, at most 63 bytes, unique in a registry.
 * Help texts are copied (at most 127 bytes, longer ones are cut).
 *
 * Functions returning int return 0 (or an id >= 0) or a negative code:
 *   LIFELINE_ERR_INVALID_ARGUMENT  bad name, duplicate name, bad value, or an id of another type
 *   LIFELINE_ERR_NOT_FOUND         no metric with that id
 *   LIFELINE_ERR_FULL              LIFELINE_METRICS_MAX metrics already registered
 *   LIFELINE_ERR_NO_MEMORY         allocation failed
 *
 * Exposition (write_json / write_prometheus) writes into buf (capacity cap bytes, NUL-terminated
 * when cap > 0) and returns the length the whole text needs without its NUL: when the return
 * value is >= cap the text was cut; call again with a buffer of return + 1 bytes.
 *
 * Prometheus text format 0.0.4, for a metric registered as `x`:
 *   counter    x (counter), x_rate_1m, x_rate_5m (gauges, events per second)
 *   gauge      x
 *   histogram  x (summary: quantile 0.5/0.9/0.95/0.99 over the last minute, x_sum and x_count
 *              cumulative), x_min, x_max (gauges, cumulative)
 *   slo        x_good_total, x_events_total (counters), x_error_budget_remaining,
 *              x_burn_rate{window="300s"|"3600s"}, x_alerting, x_target (gauges)
 * JSON: {"counters":{x:{"value","rate1m","rate5m"}},"gauges":{x:v},
 *        "histograms":{x:{"count","sum","min","max","mean","p50","p90","p95","p99",
 *                         "lastMinute":{"count","min","max","mean","p50","p90","p95","p99"}}},
 *        "slos":{x:{"target","good","total","availability","errorBudgetRemaining",
 *                   "burnRateShort","burnRateLong","shortWindowMs","longWindowMs","alerting"}}}
 * Non-finite numbers are written as null in JSON and NaN/+Inf in Prometheus.
 */
#ifndef LIFELINE_METRICS_H
#define LIFELINE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "lifeline/histogram.h"
#include "lifeline/slo.h"
#include "lifeline/window.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LIFELINE_METRICS_MAX 64

typedef enum {
  LIFELINE_METRIC_COUNTER = 0,
  LIFELINE_METRIC_GAUGE = 1,
  LIFELINE_METRIC_HISTOGRAM = 2,
  LIFELINE_METRIC_SLO = 3
} lifeline_metric_type;

/* A counter with its rates; usable on its own (public struct + _init). */
typedef struct {
  uint64_t value;
  lifeline_window last_1m; /* 60 x 1 s */
  lifeline_window last_5m; /* 60 x 5 s */
} lifeline_counter;

void lifeline_counter_init(lifeline_counter *c);
void lifeline_counter_add(lifeline_counter *c, uint32_t n, uint64_t now_ms);
/* Events per second over the last 1 or 5 minutes (window total / window length). */
double lifeline_counter_rate_1m(lifeline_counter *c, uint64_t now_ms);
double lifeline_counter_rate_5m(lifeline_counter *c, uint64_t now_ms);

typedef struct lifeline_metrics lifeline_metrics;

/* A new, empty registry, or NULL when out of memory. */
lifeline_metrics *lifeline_metrics_new(void);
/* Frees the registry and every metric in it; NULL is ignored. */
void lifeline_metrics_free(lifeline_metrics *m);

/* Register a metric; return its id (>= 0) or a negative code. help may be NULL. */
int lifeline_metrics_counter(lifeline_metrics *m, const char *name, const char *help);
int lifeline_metrics_gauge(lifeline_metrics *m, const char *name, const char *help);
int lifeline_metrics_histogram(lifeline_metrics *m, const char *name, const char *help);
/* target in (0, 1); windows as in lifeline_slo_init (0 = 5 min / 1 h). */
int lifeline_metrics_slo(lifeline_metrics *m, const char *name, const char *help, double target,
                         uint32_t short_ms, uint32_t long_ms);

/* The id of a registered name, or LIFELINE_ERR_NOT_FOUND. */
int lifeline_metrics_find(const lifeline_metrics *m, const char *name);

int lifeline_metrics_add(lifeline_metrics *m, int id, uint32_t n, uint64_t now_ms);      /* counter */
int lifeline_metrics_set(lifeline_metrics *m, int id, double value);                    /* gauge */
int lifeline_metrics_observe(lifeline_metrics *m, int id, double value, uint64_t now_ms); /* histogram, value >= 0 */
int lifeline_metrics_slo_record(lifeline_metrics *m, int id, uint32_t good, uint32_t total, uint64_t now_ms);

/* Direct access for reading (NULL for a wrong id or type); owned by the registry. */
lifeline_counter *lifeline_metrics_get_counter(lifeline_metrics *m, int id);
const lifeline_histogram *lifeline_metrics_get_histogram(lifeline_metrics *m, int id);
lifeline_slo *lifeline_metrics_get_slo(lifeline_metrics *m, int id);

size_t lifeline_metrics_write_json(lifeline_metrics *m, uint64_t now_ms, char *buf, size_t cap);
size_t lifeline_metrics_write_prometheus(lifeline_metrics *m, uint64_t now_ms, char *buf, size_t cap);

/* One histogram (its summary figures) as a JSON object, same keys as above minus lastMinute. */
size_t lifeline_histogram_write_json(const lifeline_histogram *h, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
