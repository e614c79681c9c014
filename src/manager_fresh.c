/* Freshness: last byte and event times, the stale threshold learned from the server's rhythm. */
#include "manager_fresh.h"

#include <string.h>

#include "lifeline/rng.h" /* LIFELINE_NEVER */

void mgr_fresh_init(mgr_fresh *f, uint32_t stale_after_ms, uint32_t heartbeat_timeout_ms) {
  memset(f, 0, sizeof *f);
  f->stale_after_ms = stale_after_ms;
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
}

void mgr_fresh_closed(mgr_fresh *f, uint64_t now) {
  if (f->open_since == LIFELINE_NEVER) return;
  if (now > f->open_since) f->open_ms += now - f->open_since;
  f->open_since = LIFELINE_NEVER;
}

void mgr_fresh_byte(mgr_fresh *f, uint64_t now) {
  if (f->open_since == LIFELINE_NEVER || f->last_byte_at == LIFELINE_NEVER) {
    f->last_byte_at = now; /* not a gap of an open stream (an input before acceptance) */
    return;
  }
  uint64_t gap = now > f->last_byte_at ? now - f->last_byte_at : 0;
  advance(f, now);
  uint32_t g = gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
  uint32_t *slot = &f->gap_max[f->bucket % MGR_FRESH_BUCKETS];
  if (g > *slot) *slot = g;
  if (f->gaps < UINT32_MAX) f->gaps++;
  f->last_byte_at = now;
}

void mgr_fresh_event(mgr_fresh *f, uint64_t now) { f->last_event_at = now; }

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
