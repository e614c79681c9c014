/* Wasm exports for backoff, breaker, histogram and metrics (js/backoff.js, js/breaker.js,
 * js/metrics.js). Time crosses the boundary as a double of milliseconds (no BigInt), converted
 * to uint64 here; LIFELINE_NEVER goes back as +Infinity. Objects are malloc'd here and freed by
 * the matching _free export. Structured results go through one static scratch array of doubles
 * that JS reads at once (the module is single-threaded). */
#include <math.h>
#include <stdlib.h>

#include "lifeline/backoff.h"
#include "lifeline/breaker.h"
#include "lifeline/error.h"
#include "lifeline/histogram.h"
#include "lifeline/metrics.h"
#include "platform/wasm_export.h"

static double scratch[16];

static uint64_t to_ms(double t) {
  if (!(t > 0)) return 0; /* negative and NaN */
  if (t >= 18446744073709549568.0) return LIFELINE_NEVER;
  return (uint64_t)t;
}

static uint32_t to_u32(double v) {
  if (!(v > 0)) return 0;
  return v >= 4294967295.0 ? UINT32_MAX : (uint32_t)v;
}

/* A whole number in 0..UINT32_MAX; anything else is an invalid u32 field. */
static int u32_of(double v, uint32_t *out) {
  if (!(v >= 0 && v <= 4294967295.0) || v != floor(v)) return 0;
  *out = (uint32_t)v;
  return 1;
}

static double from_deadline(uint64_t t) { return t == LIFELINE_NEVER ? INFINITY : (double)t; }

LIFELINE_WASM_EXPORT double *lifeline_wasm_scratch(void) { return scratch; }

/* ---- backoff ---- */

/* A backoff config crosses as 8 doubles: initial_ms, max_ms, multiplier, jitter, max_attempts,
 * healthy_after_ms, adaptive, seed. JS fills them from lifeline_wasm_backoff_defaults, overrides
 * the options it was given, and leaves every judgement to lifeline_backoff_init. */
#define BACKOFF_FIELDS 8

LIFELINE_WASM_EXPORT void lifeline_wasm_backoff_defaults(double *cfg) {
  lifeline_backoff_config c;
  lifeline_backoff_config_default(&c);
  double v[BACKOFF_FIELDS] = {c.initial_ms, c.max_ms, c.multiplier, c.jitter,
                              c.max_attempts, c.healthy_after_ms, c.adaptive, 0};
  for (int i = 0; i < BACKOFF_FIELDS; i++) cfg[i] = v[i];
}

static int backoff_config(const double *cfg, lifeline_backoff_config *c) {
  uint32_t jitter;
  lifeline_backoff_config_default(c);
  if (!u32_of(cfg[0], &c->initial_ms) || !u32_of(cfg[1], &c->max_ms) || !u32_of(cfg[3], &jitter) ||
      !u32_of(cfg[4], &c->max_attempts) || !u32_of(cfg[5], &c->healthy_after_ms))
    return LIFELINE_ERR_INVALID_ARGUMENT;
  if (!(cfg[2] >= 0) || jitter > LIFELINE_JITTER_DECORRELATED) return LIFELINE_ERR_INVALID_ARGUMENT;
  c->multiplier = cfg[2];
  c->jitter = (lifeline_jitter)jitter;
  c->adaptive = cfg[6] != 0;
  c->seed = to_ms(cfg[7]);
  return LIFELINE_OK;
}

/* NULL when lifeline_backoff_init refuses the config or memory is out (JS tells them apart by
 * trying the defaults). */
LIFELINE_WASM_EXPORT lifeline_backoff *lifeline_wasm_backoff_new(const double *cfg) {
  lifeline_backoff_config c;
  if (backoff_config(cfg, &c) != LIFELINE_OK) return NULL;
  lifeline_backoff *b = malloc(sizeof *b);
  if (!b) return NULL;
  if (lifeline_backoff_init(b, &c) != LIFELINE_OK) {
    free(b);
    return NULL;
  }
  return b;
}

LIFELINE_WASM_EXPORT void lifeline_wasm_backoff_free(lifeline_backoff *b) { free(b); }

/* The delay in ms, or a negative error code (LIFELINE_ERR_EXHAUSTED). */
LIFELINE_WASM_EXPORT double lifeline_wasm_backoff_next(lifeline_backoff *b, double now) {
  uint32_t d;
  int rc = lifeline_backoff_next(b, to_ms(now), &d);
  return rc < 0 ? rc : (double)d;
}

LIFELINE_WASM_EXPORT void lifeline_wasm_backoff_reset(lifeline_backoff *b) { lifeline_backoff_reset(b); }
LIFELINE_WASM_EXPORT void lifeline_wasm_backoff_connected(lifeline_backoff *b, double now) {
  lifeline_backoff_connected(b, to_ms(now));
}
LIFELINE_WASM_EXPORT int lifeline_wasm_backoff_healthy_check(lifeline_backoff *b, double now) {
  return lifeline_backoff_healthy_check(b, to_ms(now));
}
LIFELINE_WASM_EXPORT double lifeline_wasm_backoff_deadline(lifeline_backoff *b) {
  return from_deadline(lifeline_backoff_deadline(b));
}
LIFELINE_WASM_EXPORT void lifeline_wasm_backoff_progress(lifeline_backoff *b) {
  lifeline_backoff_progress(b);
}

LIFELINE_WASM_EXPORT void lifeline_wasm_backoff_set_server_retry(lifeline_backoff *b, double ms) {
  lifeline_backoff_set_server_retry(b, to_u32(ms));
}
LIFELINE_WASM_EXPORT void lifeline_wasm_backoff_set_retry_after(lifeline_backoff *b, double ms) {
  lifeline_backoff_set_retry_after(b, to_u32(ms));
}
LIFELINE_WASM_EXPORT void lifeline_wasm_backoff_record_connect(lifeline_backoff *b, double ms) {
  lifeline_backoff_record_connect(b, to_u32(ms));
}
LIFELINE_WASM_EXPORT void lifeline_wasm_backoff_record_outcome(lifeline_backoff *b, int ok) {
  lifeline_backoff_record_outcome(b, ok);
}
LIFELINE_WASM_EXPORT int lifeline_wasm_backoff_quality(lifeline_backoff *b) { return (int)lifeline_backoff_quality(b); }
LIFELINE_WASM_EXPORT double lifeline_wasm_backoff_attempt(lifeline_backoff *b) { return b->attempt; }

/* ---- breaker ---- */

/* A breaker config crosses as 14 doubles in the order of lifeline_breaker_config's fields (seed
 * last), filled like the backoff's. */
#define BREAKER_FIELDS 14

LIFELINE_WASM_EXPORT void lifeline_wasm_breaker_defaults(double *cfg) {
  lifeline_breaker_config c;
  lifeline_breaker_config_default(&c);
  double v[BREAKER_FIELDS] = {c.failure_rate_threshold, c.window_ms, c.window_buckets, c.minimum_calls,
                              c.consecutive_failures, c.open_ms, c.max_open_ms, c.open_jitter,
                              c.half_open_probes, c.half_open_successes, c.half_open_failures,
                              c.half_open_timeout_ms, c.slow_call_ms, 0};
  for (int i = 0; i < BREAKER_FIELDS; i++) cfg[i] = v[i];
}

static int breaker_config(const double *cfg, lifeline_breaker_config *c) {
  uint32_t *u32[] = {NULL, &c->window_ms, &c->window_buckets, &c->minimum_calls,
                     &c->consecutive_failures, &c->open_ms, &c->max_open_ms, NULL,
                     &c->half_open_probes, &c->half_open_successes, &c->half_open_failures,
                     &c->half_open_timeout_ms, &c->slow_call_ms};
  lifeline_breaker_config_default(c);
  for (int i = 0; i < BREAKER_FIELDS - 1; i++)
    if (u32[i] && !u32_of(cfg[i], u32[i])) return LIFELINE_ERR_INVALID_ARGUMENT;
  c->failure_rate_threshold = cfg[0];
  c->open_jitter = cfg[7];
  c->seed = to_ms(cfg[13]);
  return LIFELINE_OK;
}

/* NULL when lifeline_breaker_init refuses the config or memory is out (JS tells them apart by
 * trying the defaults). */
LIFELINE_WASM_EXPORT lifeline_breaker *lifeline_wasm_breaker_new(const double *cfg) {
  lifeline_breaker_config c;
  if (breaker_config(cfg, &c) != LIFELINE_OK) return NULL;
  lifeline_breaker *b = malloc(sizeof *b);
  if (!b) return NULL;
  if (lifeline_breaker_init(b, &c) != LIFELINE_OK) {
    free(b);
    return NULL;
  }
  return b;
}

LIFELINE_WASM_EXPORT void lifeline_wasm_breaker_free(lifeline_breaker *b) { free(b); }

/* The reported state in bits 0-1 and the number of pending change records above: JS learns
 * both from the call it made anyway (and skips allow() while the state is CLOSED, where allow
 * has no effect and no time-driven transition exists). */
static int status(const lifeline_breaker *b) {
  return (int)(lifeline_breaker_pending_changes(b) << 2) | (int)lifeline_breaker_get_state(b);
}

/* bit 0: allowed; bit 1: change records are pending; bits 2-3: the reported state. */
LIFELINE_WASM_EXPORT int lifeline_wasm_breaker_allow(lifeline_breaker *b, double now) {
  int ok = lifeline_breaker_allow(b, to_ms(now));
  return ok | (b->change_head != b->change_tail ? 2 : 0) | (int)lifeline_breaker_get_state(b) << 2;
}

LIFELINE_WASM_EXPORT int lifeline_wasm_breaker_record(lifeline_breaker *b, int ok, double latency, double now) {
  lifeline_breaker_record(b, ok, to_u32(latency), to_ms(now));
  return status(b);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_breaker_tick(lifeline_breaker *b, double now) {
  lifeline_breaker_tick(b, to_ms(now));
  return status(b);
}

LIFELINE_WASM_EXPORT double lifeline_wasm_breaker_deadline(lifeline_breaker *b) {
  return from_deadline(lifeline_breaker_deadline(b));
}

LIFELINE_WASM_EXPORT int lifeline_wasm_breaker_set_mode(lifeline_breaker *b, int mode, double now) {
  int rc = lifeline_breaker_set_mode(b, (lifeline_breaker_mode)mode, to_ms(now));
  return rc < 0 ? rc : status(b);
}

/* Fills scratch: state, mode, failure rate, calls, failures, consecutive, ms until half-open,
 * break ms, probes admitted, probe successes, probe failures, trips, rejected. */
LIFELINE_WASM_EXPORT double *lifeline_wasm_breaker_snapshot(lifeline_breaker *b, double now) {
  lifeline_breaker_snapshot s;
  lifeline_breaker_snapshot_at(b, to_ms(now), &s);
  double v[13] = {s.state, s.mode, s.failure_rate, s.calls, s.failures, s.consecutive_failures,
                  (double)s.ms_until_half_open, s.break_ms, s.probes_admitted, s.probe_successes,
                  s.probe_failures, (double)s.trips, (double)s.rejected};
  for (int i = 0; i < 13; i++) scratch[i] = v[i];
  return scratch;
}

/* Pops one change into scratch (from, to, reason, at, rate, calls, failures, consecutive, break
 * ms) and returns 1, or returns 0 when none is pending. */
LIFELINE_WASM_EXPORT int lifeline_wasm_breaker_poll_change(lifeline_breaker *b) {
  lifeline_breaker_change c;
  if (!lifeline_breaker_poll_change(b, &c)) return 0;
  double v[9] = {c.from, c.to, c.reason, (double)c.at_ms, c.failure_rate, c.calls, c.failures,
                 c.consecutive_failures, c.break_ms};
  for (int i = 0; i < 9; i++) scratch[i] = v[i];
  return 1;
}

/* ---- histogram ---- */

LIFELINE_WASM_EXPORT lifeline_histogram *lifeline_wasm_histogram_new(void) {
  lifeline_histogram *h = malloc(sizeof *h);
  if (h) lifeline_histogram_init(h);
  return h;
}
LIFELINE_WASM_EXPORT void lifeline_wasm_histogram_free(lifeline_histogram *h) { free(h); }
LIFELINE_WASM_EXPORT int lifeline_wasm_histogram_record(lifeline_histogram *h, double v) {
  return lifeline_histogram_record(h, v);
}
LIFELINE_WASM_EXPORT double lifeline_wasm_histogram_quantile(lifeline_histogram *h, double q) {
  return lifeline_histogram_quantile(h, q);
}
/* Fills scratch: count, sum, min, max, mean. */
LIFELINE_WASM_EXPORT double *lifeline_wasm_histogram_stats(lifeline_histogram *h) {
  scratch[0] = (double)h->count;
  scratch[1] = h->sum;
  scratch[2] = h->min;
  scratch[3] = h->max;
  scratch[4] = lifeline_histogram_mean(h);
  return scratch;
}
LIFELINE_WASM_EXPORT void lifeline_wasm_histogram_reset(lifeline_histogram *h) { lifeline_histogram_init(h); }
LIFELINE_WASM_EXPORT void lifeline_wasm_histogram_merge(lifeline_histogram *dst, lifeline_histogram *src) {
  lifeline_histogram_merge(dst, src);
}

/* ---- metrics registry ---- */

LIFELINE_WASM_EXPORT lifeline_metrics *lifeline_wasm_metrics_new(void) { return lifeline_metrics_new(); }
LIFELINE_WASM_EXPORT void lifeline_wasm_metrics_free(lifeline_metrics *m) { lifeline_metrics_free(m); }

/* type: lifeline_metric_type. Returns the id or a negative code. */
LIFELINE_WASM_EXPORT int lifeline_wasm_metrics_register(lifeline_metrics *m, int type, const char *name,
                                                        const char *help, double target,
                                                        double short_ms, double long_ms) {
  switch (type) {
  case LIFELINE_METRIC_COUNTER: return lifeline_metrics_counter(m, name, help);
  case LIFELINE_METRIC_GAUGE: return lifeline_metrics_gauge(m, name, help);
  case LIFELINE_METRIC_HISTOGRAM: return lifeline_metrics_histogram(m, name, help);
  case LIFELINE_METRIC_SLO:
    return lifeline_metrics_slo(m, name, help, target, to_u32(short_ms), to_u32(long_ms));
  default: return LIFELINE_ERR_INVALID_ARGUMENT;
  }
}

LIFELINE_WASM_EXPORT int lifeline_wasm_metrics_add(lifeline_metrics *m, int id, double n, double now) {
  return lifeline_metrics_add(m, id, to_u32(n), to_ms(now));
}
LIFELINE_WASM_EXPORT int lifeline_wasm_metrics_set(lifeline_metrics *m, int id, double v) {
  return lifeline_metrics_set(m, id, v);
}
LIFELINE_WASM_EXPORT int lifeline_wasm_metrics_observe(lifeline_metrics *m, int id, double v, double now) {
  return lifeline_metrics_observe(m, id, v, to_ms(now));
}
LIFELINE_WASM_EXPORT int lifeline_wasm_metrics_slo_record(lifeline_metrics *m, int id, double good,
                                                          double total, double now) {
  return lifeline_metrics_slo_record(m, id, to_u32(good), to_u32(total), to_ms(now));
}

/* Fills scratch: target, good, total, availability, budget remaining, burn short, burn long,
 * short window ms, long window ms, alerting. Returns NULL for a wrong id. */
LIFELINE_WASM_EXPORT double *lifeline_wasm_metrics_slo_report(lifeline_metrics *m, int id, double now) {
  lifeline_slo *s = lifeline_metrics_get_slo(m, id);
  lifeline_slo_report r;
  if (!s) return NULL;
  lifeline_slo_report_at(s, to_ms(now), &r);
  double v[10] = {r.target, (double)r.good, (double)r.total, r.availability, r.error_budget_remaining,
                  r.burn_rate_short, r.burn_rate_long, (double)r.short_window_ms,
                  (double)r.long_window_ms, r.alerting};
  for (int i = 0; i < 10; i++) scratch[i] = v[i];
  return scratch;
}

/* format 0: JSON, 1: Prometheus. Returns the needed length (see metrics.h). */
LIFELINE_WASM_EXPORT double lifeline_wasm_metrics_write(lifeline_metrics *m, int format, double now,
                                                        char *buf, double cap) {
  size_t c = (size_t)to_u32(cap);
  size_t n = format ? lifeline_metrics_write_prometheus(m, to_ms(now), buf, c)
                    : lifeline_metrics_write_json(m, to_ms(now), buf, c);
  return (double)n;
}
