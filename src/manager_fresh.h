/* Freshness of one connection: when its last byte and last event came, and the stale threshold:
 * how long an open stream may be silent before the user is told "no data for N s", which comes
 * before the watchdog (heartbeat_timeout_ms) gives up on the stream.
 *
 * The threshold is either set (stale_after_ms > 0) or learned from the server's rhythm: twice
 * the longest silence between two bytes of an open stream over the last minute, at least
 * MGR_STALE_MIN_MS and at most the cap (two thirds of the watchdog's limit, so that "stale" is
 * always said before the watchdog acts). A heartbeat bounds that silence, so the longest gap is
 * the server's heartbeat interval, or its event interval when events come more often. Until the
 * rhythm is known (MGR_FRESH_LEARN_GAPS gaps over MGR_FRESH_LEARN_MS of open time) the cap is
 * used: a stream is never called stale on a guess.
 *
 * A plain state machine (no clock, no allocation): every call takes now_ms. Internal to the
 * manager; manager_conn.c owns one per connection. */
#ifndef LIFELINE_MANAGER_FRESH_H
#define LIFELINE_MANAGER_FRESH_H

#include <stdint.h>

#define MGR_STALE_MIN_MS 2000u       /* a learned threshold is never shorter */
#define MGR_FRESH_BUCKETS 4u         /* the learning window: 4 buckets ... */
#define MGR_FRESH_BUCKET_MS 15000u   /* ... of 15 s: the last minute */
#define MGR_FRESH_LEARN_GAPS 4u      /* gaps and ... */
#define MGR_FRESH_LEARN_MS 10000u    /* ... open time before a learned threshold is trusted */

typedef struct {
  uint32_t stale_after_ms; /* set by the app; 0: learned */
  uint32_t cap_ms;         /* a learned threshold is at most this (and is this until learned) */
  uint64_t last_byte_at;   /* LIFELINE_NEVER until the first stream is accepted */
  uint64_t last_event_at;  /* LIFELINE_NEVER until the first event */
  uint64_t open_since;     /* the current stream's acceptance, LIFELINE_NEVER when none is open */
  uint64_t open_ms;        /* open time of earlier streams (learning needs MGR_FRESH_LEARN_MS) */
  uint32_t gaps;           /* gaps measured (saturates) */
  uint32_t gap_max[MGR_FRESH_BUCKETS]; /* the longest gap that ended in each bucket */
  uint64_t bucket;         /* index (now / MGR_FRESH_BUCKET_MS) of the newest bucket */
} mgr_fresh;

/* stale_after_ms: the app's threshold (0: learned); heartbeat_timeout_ms: the watchdog's limit
 * (the cap is two thirds of it, at least MGR_STALE_MIN_MS). */
void mgr_fresh_init(mgr_fresh *f, uint32_t stale_after_ms, uint32_t heartbeat_timeout_ms);
/* A stream was accepted at now (its headers are the first sign of life). */
void mgr_fresh_opened(mgr_fresh *f, uint64_t now);
/* The open stream ended (dropped, failed, closed). */
void mgr_fresh_closed(mgr_fresh *f, uint64_t now);
/* Bytes (or an already parsed event) arrived on the open stream: the silence before them is a
 * sample of the server's rhythm. */
void mgr_fresh_byte(mgr_fresh *f, uint64_t now);
void mgr_fresh_event(mgr_fresh *f, uint64_t now);
/* The stale threshold in force at now, ms (>= 1). The learning window moves with the bytes (a
 * silent stream keeps the rhythm it had). */
uint32_t mgr_fresh_threshold(const mgr_fresh *f, uint64_t now);
/* When the open stream becomes stale if no byte comes first (LIFELINE_NEVER: no stream open). */
uint64_t mgr_fresh_stale_at(const mgr_fresh *f);

#endif
