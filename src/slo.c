#include "lifeline/slo.h"

#include <string.h>

#include "lifeline/error.h"

static int window_ok(uint32_t ms) { return ms >= 60 && ms % 60 == 0; }

int lifeline_slo_init(lifeline_slo *s, double target, uint32_t short_ms, uint32_t long_ms) {
  int rc = LIFELINE_OK;
  if (!short_ms) short_ms = 300000;
  if (!long_ms) long_ms = 3600000;
  if (!(target > 0.0 && target < 1.0) || !window_ok(short_ms) || !window_ok(long_ms)) {
    rc = LIFELINE_ERR_INVALID_ARGUMENT;
    target = 0.999;
    short_ms = 300000;
    long_ms = 3600000;
  }
  memset(s, 0, sizeof *s);
  s->target = target;
  s->burn_threshold = 14.4;
  lifeline_window_init(&s->short_w, short_ms / 60, 60);
  lifeline_window_init(&s->long_w, long_ms / 60, 60);
  return rc;
}

void lifeline_slo_record(lifeline_slo *s, uint32_t good, uint32_t total, uint64_t now_ms) {
  if (good > total) good = total;
  lifeline_window_add(&s->short_w, now_ms, good, total);
  lifeline_window_add(&s->long_w, now_ms, good, total);
  s->good += good;
  s->total += total;
}

static double burn(const lifeline_window *w, double budget) {
  if (w->sum_b == 0) return 0.0;
  return ((double)(w->sum_b - w->sum_a) / (double)w->sum_b) / budget;
}

void lifeline_slo_report_at(lifeline_slo *s, uint64_t now_ms, lifeline_slo_report *r) {
  double budget = 1.0 - s->target;
  lifeline_window_advance(&s->short_w, now_ms);
  lifeline_window_advance(&s->long_w, now_ms);
  memset(r, 0, sizeof *r);
  r->target = s->target;
  r->good = s->good;
  r->total = s->total;
  r->availability = s->total ? (double)s->good / (double)s->total : 1.0;
  r->error_budget_remaining = 1.0 - (1.0 - r->availability) / budget;
  r->burn_rate_short = burn(&s->short_w, budget);
  r->burn_rate_long = burn(&s->long_w, budget);
  r->short_window_ms = lifeline_window_span_ms(&s->short_w);
  r->long_window_ms = lifeline_window_span_ms(&s->long_w);
  r->alerting = r->burn_rate_short > s->burn_threshold && r->burn_rate_long > s->burn_threshold;
}
