/* Freshness: last byte and event times, the stale threshold learned from the server's rhythm. */
#include "manager_fresh.h"

#include <string.h>

#include "lifeline/manager.h" /* LIFELINE_MANAGER_CATCHUP_GAP_MS */
#include "lifeline/rng.h"     /* LIFELINE_NEVER */

void mgr_fresh_init(mgr_fresh *f, uint32_t stale_after_ms, uint32_t heartbeat_timeout_ms,
                    uint32_t grace_ms) {
  memset(f, 0, sizeof *f);
  f->stale_after_ms = stale_after_ms;
  f->grace_ms = grace_ms;
  f->outage_from = f->alert_at = LIFELINE_NEVER;
  uint64_t cap = (uint64_t)heartbeat_timeout_ms * 2 / 3;
  f->cap_ms = cap < MGR_STALE_MIN_MS ? MGR_STALE_MIN_MS : (uint32_t)cap;
  f->last_byte_at = f->last_event_at = f->open_since = LIFELINE_NEVER;
}

/* Moves the window to now's bucket, emptying the buckets it passes. */
static void advance(mgr_fresh *f, uint64_t now) {
  uint64_t b = now / MGR_FRESH_BUCKET_MS;
  if (b <= f->bucket) return;
  uint64_t steps = b - f->bucket;
  for (uint64_t i = 1; i <= steps && i <= MGR_FRESH_BUCKETS; i++)
    f->gap_max[(f->bucket + i) % MGR_FRESH_BUCKETS] = 0;
  f->bucket = b;
}

static uint32_t longest_gap(const mgr_fresh *f) {
  uint32_t g = 0;
  for (uint32_t i = 0; i < MGR_FRESH_BUCKETS; i++)
    if (f->gap_max[i] > g) g = f->gap_max[i];
  return g;
}

static uint32_t learned(const mgr_fresh *f) {
  uint64_t t = (uint64_t)longest_gap(f) * 2;
  if (t < MGR_STALE_MIN_MS) t = MGR_STALE_MIN_MS;
  return t > f->cap_ms ? f->cap_ms : (uint32_t)t;
}

/* When enough of the rhythm has been seen to trust it: LIFELINE_NEVER while too few gaps or no
 * stream is open to add the missing open time. */
static uint64_t learned_from(const mgr_fresh *f) {
  if (f->gaps < MGR_FRESH_LEARN_GAPS) return LIFELINE_NEVER;
  if (f->open_ms >= MGR_FRESH_LEARN_MS) return 0;
  if (f->open_since == LIFELINE_NEVER) return LIFELINE_NEVER;
  return f->open_since + (MGR_FRESH_LEARN_MS - f->open_ms);
}

void mgr_fresh_opened(mgr_fresh *f, uint64_t now) {
  advance(f, now);
  f->open_since = now;
  f->last_byte_at = now;
  f->stale = 0;
  f->resumed = f->burst = f->outage_from != LIFELINE_NEVER;
  f->last_arrival = now;
}

void mgr_fresh_closed(mgr_fresh *f, uint64_t now) {
  if (f->open_since == LIFELINE_NEVER) return;
  if (now > f->open_since) f->open_ms += now - f->open_since;
  f->open_since = LIFELINE_NEVER;
}

/* An outage begins at `from` (the last data), noticed at now. */
static void begin_outage(mgr_fresh *f, uint64_t from, uint64_t now) {
  if (f->outage_from != LIFELINE_NEVER) return;
  f->outage_from = from;
  f->alert = 0;
  f->alert_at = now + f->grace_ms;
}

void mgr_fresh_forget_outage(mgr_fresh *f) {
  f->outage_from = f->alert_at = LIFELINE_NEVER;
  f->alert = f->stale = f->resumed = f->burst = 0;
}

void mgr_fresh_lost(mgr_fresh *f, uint64_t now) {
  int was_open = f->open_since != LIFELINE_NEVER && f->last_byte_at != LIFELINE_NEVER;
  mgr_fresh_closed(f, now);
  f->stale = 0;
  begin_outage(f, was_open ? f->last_byte_at : now, now);
}

static int end_outage(mgr_fresh *f, uint64_t now, uint64_t *outage_ms) {
  if (f->outage_from == LIFELINE_NEVER) return 0;
  *outage_ms = now > f->outage_from ? now - f->outage_from : 0;
  f->outage_from = f->alert_at = LIFELINE_NEVER;
  f->alert = f->stale = 0;
  return 1;
}

int mgr_fresh_byte(mgr_fresh *f, uint64_t now, uint64_t *outage_ms) {
  if (f->open_since == LIFELINE_NEVER || f->last_byte_at == LIFELINE_NEVER) {
    f->last_byte_at = now; /* not a gap of an open stream (an input before acceptance) */
    return 0;
  }
  uint64_t gap = now > f->last_byte_at ? now - f->last_byte_at : 0;
  advance(f, now);
  uint32_t g = gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
  uint32_t *slot = &f->gap_max[f->bucket % MGR_FRESH_BUCKETS];
  if (g > *slot) *slot = g;
  if (f->gaps < UINT32_MAX) f->gaps++;
  f->last_byte_at = now;
  return end_outage(f, now, outage_ms);
}

int mgr_fresh_event(mgr_fresh *f, uint64_t now) {
  f->last_event_at = now;
  if (!f->burst) return 0;
  /* The server sends what was missed at once: a pause ends the burst for good. */
  if (now - f->last_arrival > LIFELINE_MANAGER_CATCHUP_GAP_MS) {
    f->burst = 0;
    return 0;
  }
  f->last_arrival = now;
  return 1;
}

int mgr_fresh_tick(mgr_fresh *f, uint64_t now, int watch) {
  int changed = 0;
  if (watch && !f->stale && now >= mgr_fresh_stale_at(f)) {
    f->stale = 1;
    begin_outage(f, f->last_byte_at, now);
    changed = 1;
  }
  if (f->alert_at <= now) {
    f->alert_at = LIFELINE_NEVER;
    f->alert = 1;
    changed = 1;
  }
  return changed;
}

uint64_t mgr_fresh_deadline(const mgr_fresh *f, int watch, int alerts) {
  uint64_t t = alerts ? f->alert_at : LIFELINE_NEVER;
  if (watch && !f->stale) {
    uint64_t s = mgr_fresh_stale_at(f);
    if (s < t) t = s;
  }
  return t;
}

uint32_t mgr_fresh_threshold(const mgr_fresh *f, uint64_t now) {
  if (f->stale_after_ms) return f->stale_after_ms;
  uint64_t from = learned_from(f);
  return from != LIFELINE_NEVER && now >= from ? learned(f) : f->cap_ms;
}

uint64_t mgr_fresh_stale_at(const mgr_fresh *f) {
  if (f->open_since == LIFELINE_NEVER || f->last_byte_at == LIFELINE_NEVER) return LIFELINE_NEVER;
  if (f->stale_after_ms) return f->last_byte_at + f->stale_after_ms;
  uint64_t at = f->last_byte_at + f->cap_ms;
  uint64_t from = learned_from(f);
  if (from != LIFELINE_NEVER) {
    /* Stale once the rhythm is trusted and the silence exceeds it, or at the cap before that. */
    uint64_t t = f->last_byte_at + learned(f);
    if (t < from) t = from;
    if (t < at) at = t;
  }
  return at;
}
