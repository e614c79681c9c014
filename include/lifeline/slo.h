/* Service level objective tracking: availability target, error budget and burn rates.
 *
 * After the Google SRE workbook ("Alerting on SLOs", multiwindow multi-burn-rate alerts):
 *   error rate(window)  = bad / total events in the window
 *   burn rate(window)   = error rate / (1 - target)   (1.0 spends the budget exactly over the period)
 *   budget remaining    = 1 - (bad / total since init) / (1 - target)  (1 = untouched, <= 0 = spent;
 *                         the period is the object's lifetime: reset it at each SLO period)
 *   alerting            = burn(short) > burn_threshold AND burn(long) > burn_threshold
 * Defaults: short window 5 min (60 x 5 s buckets), long window 1 h (60 x 60 s), threshold 14.4
 * (the workbook's page-level alert: 2% of a 30-day budget spent in one hour).
 *
 * A plain struct (_init, no allocation, no clock): events and queries carry `now_ms`; windows
 * rotate lazily as in window.h.
 */
#ifndef LIFELINE_SLO_H
#define LIFELINE_SLO_H

#include <stdint.h>

#include "lifeline/window.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  double target;         /* 0 < target < 1, e.g. 0.999 */
  double burn_threshold; /* default 14.4 */
  lifeline_window short_w, long_w; /* a = good, b = total */
  uint64_t good, total;
} lifeline_slo;

typedef struct {
  double target;
  uint64_t good, total;           /* since init */
  double availability;            /* good / total since init; 1 when no events */
  double error_budget_remaining;  /* may go below 0 */
  double burn_rate_short, burn_rate_long;
  uint64_t short_window_ms, long_window_ms;
  int alerting;
} lifeline_slo_report;

/* target in (0, 1); short_ms and long_ms >= 60 and divisible by 60 (0 = 300000 / 3600000).
 * Returns 0 or LIFELINE_ERR_INVALID_ARGUMENT (then 0.999 and the default windows are used). */
int lifeline_slo_init(lifeline_slo *s, double target, uint32_t short_ms, uint32_t long_ms);

/* Records good and total events (good <= total; good is clamped to total) at now_ms. */
void lifeline_slo_record(lifeline_slo *s, uint32_t good, uint32_t total, uint64_t now_ms);

/* Fills *r as of now_ms. */
void lifeline_slo_report_at(lifeline_slo *s, uint64_t now_ms, lifeline_slo_report *r);

#ifdef __cplusplus
}
#endif
#endif
