#include "lifeline/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"
#include "mbuf.h"

typedef struct {
  lifeline_histogram total;
  lifeline_rolling_histogram recent;
} metric_histogram;

typedef struct {
  lifeline_metric_type type;
  char name[64];
  char help[128];
  union {
    lifeline_counter *counter;
    double *gauge;
    metric_histogram *histogram;
    lifeline_slo *slo;
    void *any;
  } u;
} metric;

struct lifeline_metrics {
  int count;
  metric items[LIFELINE_METRICS_MAX];
  lifeline_histogram scratch; /* merge target for the rolling windows while writing */
};

static const double quantiles[4] = {0.5, 0.9, 0.95, 0.99};
static const char *const quantile_keys[4] = {"p50", "p90", "p95", "p99"};
static const char *const quantile_labels[4] = {"0.5", "0.9", "0.95", "0.99"};

void lifeline_counter_init(lifeline_counter *c) {
  c->value = 0;
  lifeline_window_init(&c->last_1m, 1000, 60);
  lifeline_window_init(&c->last_5m, 5000, 60);
}

void lifeline_counter_add(lifeline_counter *c, uint32_t n, uint64_t now_ms) {
  c->value += n;
  lifeline_window_add(&c->last_1m, now_ms, n, 0);
  lifeline_window_add(&c->last_5m, now_ms, n, 0);
}

double lifeline_counter_rate_1m(lifeline_counter *c, uint64_t now_ms) {
  lifeline_window_advance(&c->last_1m, now_ms);
  return (double)c->last_1m.sum_a / 60.0;
}

double lifeline_counter_rate_5m(lifeline_counter *c, uint64_t now_ms) {
  lifeline_window_advance(&c->last_5m, now_ms);
  return (double)c->last_5m.sum_a / 300.0;
}

lifeline_metrics *lifeline_metrics_new(void) {
  lifeline_metrics *m = calloc(1, sizeof *m);
  return m;
}

void lifeline_metrics_free(lifeline_metrics *m) {
  if (!m) return;
  for (int i = 0; i < m->count; i++) free(m->items[i].u.any);
  free(m);
}

static int valid_name(const char *s) {
  size_t n = 0;
  if (!s || !*s) return 0;
  for (; s[n]; n++) {
    char c = s[n];
    int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(n > 0 && c >= '0' && c <= '9')) return 0;
    if (n >= 63) return 0;
  }
  return 1;
}

int lifeline_metrics_find(const lifeline_metrics *m, const char *name) {
  for (int i = 0; name && i < m->count; i++)
    if (strcmp(m->items[i].name, name) == 0) return i;
  return LIFELINE_ERR_NOT_FOUND;
}

static int add_metric(lifeline_metrics *m, lifeline_metric_type t, const char *name,
                      const char *help, size_t size) {
  if (!m || !valid_name(name) || lifeline_metrics_find(m, name) >= 0) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (m->count == LIFELINE_METRICS_MAX) return LIFELINE_ERR_FULL;
  void *p = calloc(1, size);
  if (!p) return LIFELINE_ERR_NO_MEMORY;
  metric *x = &m->items[m->count];
  x->type = t;
  strcpy(x->name, name); /* length checked by valid_name */
  x->help[0] = '\0';
  if (help) strncat(x->help, help, sizeof x->help - 1);
  x->u.any = p;
  return m->count++;
}

int lifeline_metrics_counter(lifeline_metrics *m, const char *name, const char *help) {
  int id = add_metric(m, LIFELINE_METRIC_COUNTER, name, help, sizeof(lifeline_counter));
  if (id >= 0) lifeline_counter_init(m->items[id].u.counter);
  return id;
}

int lifeline_metrics_gauge(lifeline_metrics *m, const char *name, const char *help) {
  return add_metric(m, LIFELINE_METRIC_GAUGE, name, help, sizeof(double));
}

int lifeline_metrics_histogram(lifeline_metrics *m, const char *name, const char *help) {
  int id = add_metric(m, LIFELINE_METRIC_HISTOGRAM, name, help, sizeof(metric_histogram));
  if (id >= 0) {
    lifeline_histogram_init(&m->items[id].u.histogram->total);
    lifeline_rolling_init(&m->items[id].u.histogram->recent, 60000);
  }
  return id;
}

int lifeline_metrics_slo(lifeline_metrics *m, const char *name, const char *help, double target,
                         uint32_t short_ms, uint32_t long_ms) {
  lifeline_slo probe;
  if (lifeline_slo_init(&probe, target, short_ms, long_ms) != 0) return LIFELINE_ERR_INVALID_ARGUMENT;
  int id = add_metric(m, LIFELINE_METRIC_SLO, name, help, sizeof(lifeline_slo));
  if (id >= 0) *m->items[id].u.slo = probe;
  return id;
}

static metric *get(lifeline_metrics *m, int id, lifeline_metric_type t, int *rc) {
  if (!m || id < 0 || id >= m->count) {
    *rc = LIFELINE_ERR_NOT_FOUND;
    return NULL;
  }
  if (m->items[id].type != t) {
    *rc = LIFELINE_ERR_INVALID_ARGUMENT;
    return NULL;
  }
  *rc = LIFELINE_OK;
  return &m->items[id];
}

int lifeline_metrics_add(lifeline_metrics *m, int id, uint32_t n, uint64_t now_ms) {
  int rc;
  metric *x = get(m, id, LIFELINE_METRIC_COUNTER, &rc);
  if (x) lifeline_counter_add(x->u.counter, n, now_ms);
  return rc;
}

int lifeline_metrics_set(lifeline_metrics *m, int id, double value) {
  int rc;
  metric *x = get(m, id, LIFELINE_METRIC_GAUGE, &rc);
  if (x) *x->u.gauge = value;
  return rc;
}

int lifeline_metrics_observe(lifeline_metrics *m, int id, double value, uint64_t now_ms) {
  int rc;
  metric *x = get(m, id, LIFELINE_METRIC_HISTOGRAM, &rc);
  if (!x) return rc;
  rc = lifeline_histogram_record(&x->u.histogram->total, value);
  if (rc == LIFELINE_OK) lifeline_rolling_record(&x->u.histogram->recent, value, now_ms);
  return rc;
}

int lifeline_metrics_slo_record(lifeline_metrics *m, int id, uint32_t good, uint32_t total, uint64_t now_ms) {
  int rc;
  metric *x = get(m, id, LIFELINE_METRIC_SLO, &rc);
  if (x) lifeline_slo_record(x->u.slo, good, total, now_ms);
  return rc;
}

lifeline_counter *lifeline_metrics_get_counter(lifeline_metrics *m, int id) {
  int rc;
  metric *x = get(m, id, LIFELINE_METRIC_COUNTER, &rc);
  return x ? x->u.counter : NULL;
}

const lifeline_histogram *lifeline_metrics_get_histogram(lifeline_metrics *m, int id) {
  int rc;
  metric *x = get(m, id, LIFELINE_METRIC_HISTOGRAM, &rc);
  return x ? &x->u.histogram->total : NULL;
}

lifeline_slo *lifeline_metrics_get_slo(lifeline_metrics *m, int id) {
  int rc;
  metric *x = get(m, id, LIFELINE_METRIC_SLO, &rc);
  return x ? x->u.slo : NULL;
}

/* ---- JSON ---- */

static void json_num(lifeline_mbuf *w, const char *key, double v, int comma) {
  if (comma) lifeline_mbuf_char(w, ',');
  lifeline_mbuf_char(w, '"');
  lifeline_mbuf_str(w, key);
  lifeline_mbuf_str(w, "\":");
  lifeline_mbuf_double(w, v, "null", "null");
}

static void json_histogram(lifeline_mbuf *w, const lifeline_histogram *h) {
  json_num(w, "count", (double)h->count, 0);
  json_num(w, "sum", h->sum, 1);
  json_num(w, "min", h->min, 1);
  json_num(w, "max", h->max, 1);
  json_num(w, "mean", lifeline_histogram_mean(h), 1);
  for (int q = 0; q < 4; q++) json_num(w, quantile_keys[q], lifeline_histogram_quantile(h, quantiles[q]), 1);
}

static void json_slo(lifeline_mbuf *w, lifeline_slo *s, uint64_t now) {
  lifeline_slo_report r;
  lifeline_slo_report_at(s, now, &r);
  json_num(w, "target", r.target, 0);
  json_num(w, "good", (double)r.good, 1);
  json_num(w, "total", (double)r.total, 1);
  json_num(w, "availability", r.availability, 1);
  json_num(w, "errorBudgetRemaining", r.error_budget_remaining, 1);
  json_num(w, "burnRateShort", r.burn_rate_short, 1);
  json_num(w, "burnRateLong", r.burn_rate_long, 1);
  json_num(w, "shortWindowMs", (double)r.short_window_ms, 1);
  json_num(w, "longWindowMs", (double)r.long_window_ms, 1);
  lifeline_mbuf_str(w, r.alerting ? ",\"alerting\":true" : ",\"alerting\":false");
}

static void json_metric(lifeline_metrics *m, lifeline_mbuf *w, metric *x, uint64_t now) {
  switch (x->type) {
  case LIFELINE_METRIC_COUNTER:
    lifeline_mbuf_char(w, '{');
    json_num(w, "value", (double)x->u.counter->value, 0);
    json_num(w, "rate1m", lifeline_counter_rate_1m(x->u.counter, now), 1);
    json_num(w, "rate5m", lifeline_counter_rate_5m(x->u.counter, now), 1);
    lifeline_mbuf_char(w, '}');
    break;
  case LIFELINE_METRIC_GAUGE: lifeline_mbuf_double(w, *x->u.gauge, "null", "null"); break;
  case LIFELINE_METRIC_HISTOGRAM:
    lifeline_mbuf_char(w, '{');
    json_histogram(w, &x->u.histogram->total);
    lifeline_rolling_merge(&x->u.histogram->recent, now, &m->scratch);
    lifeline_mbuf_str(w, ",\"lastMinute\":{");
    json_histogram(w, &m->scratch);
    lifeline_mbuf_str(w, "}}");
    break;
  case LIFELINE_METRIC_SLO:
    lifeline_mbuf_char(w, '{');
    json_slo(w, x->u.slo, now);
    lifeline_mbuf_char(w, '}');
    break;
  }
}

size_t lifeline_metrics_write_json(lifeline_metrics *m, uint64_t now_ms, char *buf, size_t cap) {
  static const char *const sections[4] = {"counters", "gauges", "histograms", "slos"};
  lifeline_mbuf w;
  lifeline_mbuf_init(&w, buf, cap);
  lifeline_mbuf_char(&w, '{');
  for (int t = 0; t < 4; t++) {
    if (t) lifeline_mbuf_char(&w, ',');
    lifeline_mbuf_char(&w, '"');
    lifeline_mbuf_str(&w, sections[t]);
    lifeline_mbuf_str(&w, "\":{");
    int first = 1;
    for (int i = 0; i < m->count; i++) {
      if ((int)m->items[i].type != t) continue;
      if (!first) lifeline_mbuf_char(&w, ',');
      first = 0;
      lifeline_mbuf_char(&w, '"');
      lifeline_mbuf_str(&w, m->items[i].name); /* names never need escaping */
      lifeline_mbuf_str(&w, "\":");
      json_metric(m, &w, &m->items[i], now_ms);
    }
    lifeline_mbuf_char(&w, '}');
  }
  lifeline_mbuf_char(&w, '}');
  return lifeline_mbuf_finish(&w);
}

size_t lifeline_histogram_write_json(const lifeline_histogram *h, char *buf, size_t cap) {
  lifeline_mbuf w;
  lifeline_mbuf_init(&w, buf, cap);
  lifeline_mbuf_char(&w, '{');
  json_histogram(&w, h);
  lifeline_mbuf_char(&w, '}');
  return lifeline_mbuf_finish(&w);
}

/* ---- Prometheus text format 0.0.4 ---- */

/* Derived families (x_rate_1m, x_min...) repeat the metric's help with what they measure. */
static const char *help_note(const char *suffix) {
  static const char *const notes[][2] = {
      {"_rate_1m", " (per second, last minute)"}, {"_rate_5m", " (per second, last 5 minutes)"},
      {"_min", " (minimum)"}, {"_max", " (maximum)"}};
  for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
    if (strcmp(suffix, notes[i][0]) == 0) return notes[i][1];
  return "";
}

static void prom_header(lifeline_mbuf *w, const metric *x, const char *suffix, const char *type) {
  if (x->help[0]) {
    lifeline_mbuf_str(w, "# HELP ");
    lifeline_mbuf_str(w, x->name);
    lifeline_mbuf_str(w, suffix);
    lifeline_mbuf_char(w, ' ');
    lifeline_mbuf_escaped(w, x->help, 0);
    lifeline_mbuf_str(w, help_note(suffix));
    lifeline_mbuf_char(w, '\n');
  }
  lifeline_mbuf_str(w, "# TYPE ");
  lifeline_mbuf_str(w, x->name);
  lifeline_mbuf_str(w, suffix);
  lifeline_mbuf_char(w, ' ');
  lifeline_mbuf_str(w, type);
  lifeline_mbuf_char(w, '\n');
}

static void prom_sample(lifeline_mbuf *w, const metric *x, const char *suffix, const char *labels, double v) {
  lifeline_mbuf_str(w, x->name);
  lifeline_mbuf_str(w, suffix);
  lifeline_mbuf_str(w, labels);
  lifeline_mbuf_char(w, ' ');
  lifeline_mbuf_double(w, v, "NaN", "+Inf");
  lifeline_mbuf_char(w, '\n');
}

static void prom_family(lifeline_mbuf *w, const metric *x, const char *suffix, const char *type, double v) {
  prom_header(w, x, suffix, type);
  prom_sample(w, x, suffix, "", v);
}

static void prom_histogram(lifeline_metrics *m, lifeline_mbuf *w, const metric *x, uint64_t now) {
  const lifeline_histogram *h = &x->u.histogram->total;
  char label[32];
  lifeline_rolling_merge(&x->u.histogram->recent, now, &m->scratch);
  prom_header(w, x, "", "summary");
  for (int q = 0; q < 4; q++) {
    strcpy(label, "{quantile=\"");
    strcat(label, quantile_labels[q]);
    strcat(label, "\"}");
    /* An empty last minute has no quantiles: NaN, as client_golang's summaries report. */
    double v = m->scratch.count ? lifeline_histogram_quantile(&m->scratch, quantiles[q]) : NAN;
    prom_sample(w, x, "", label, v);
  }
  prom_sample(w, x, "_sum", "", h->sum);
  prom_sample(w, x, "_count", "", (double)h->count);
  prom_family(w, x, "_min", "gauge", h->min);
  prom_family(w, x, "_max", "gauge", h->max);
}

static void prom_slo(lifeline_mbuf *w, const metric *x, uint64_t now) {
  lifeline_slo_report r;
  lifeline_mbuf tmp;
  char lab[2][48];
  lifeline_slo_report_at(x->u.slo, now, &r);
  uint64_t spans[2] = {r.short_window_ms, r.long_window_ms};
  for (int i = 0; i < 2; i++) {
    lifeline_mbuf_init(&tmp, lab[i], sizeof lab[i]);
    lifeline_mbuf_str(&tmp, "{window=\"");
    lifeline_mbuf_u64(&tmp, spans[i] / 1000);
    lifeline_mbuf_str(&tmp, "s\"}");
    lifeline_mbuf_finish(&tmp);
  }
  prom_family(w, x, "_good_total", "counter", (double)r.good);
  prom_family(w, x, "_events_total", "counter", (double)r.total);
  prom_family(w, x, "_target", "gauge", r.target);
  prom_family(w, x, "_error_budget_remaining", "gauge", r.error_budget_remaining);
  prom_header(w, x, "_burn_rate", "gauge");
  prom_sample(w, x, "_burn_rate", lab[0], r.burn_rate_short);
  prom_sample(w, x, "_burn_rate", lab[1], r.burn_rate_long);
  prom_family(w, x, "_alerting", "gauge", r.alerting);
}

size_t lifeline_metrics_write_prometheus(lifeline_metrics *m, uint64_t now_ms, char *buf, size_t cap) {
  lifeline_mbuf w;
  lifeline_mbuf_init(&w, buf, cap);
  for (int i = 0; i < m->count; i++) {
    metric *x = &m->items[i];
    switch (x->type) {
    case LIFELINE_METRIC_COUNTER:
      prom_family(&w, x, "", "counter", (double)x->u.counter->value);
      prom_family(&w, x, "_rate_1m", "gauge", lifeline_counter_rate_1m(x->u.counter, now_ms));
      prom_family(&w, x, "_rate_5m", "gauge", lifeline_counter_rate_5m(x->u.counter, now_ms));
      break;
    case LIFELINE_METRIC_GAUGE: prom_family(&w, x, "", "gauge", *x->u.gauge); break;
    case LIFELINE_METRIC_HISTOGRAM: prom_histogram(m, &w, x, now_ms); break;
    case LIFELINE_METRIC_SLO: prom_slo(&w, x, now_ms); break;
    }
  }
  return lifeline_mbuf_finish(&w);
}
