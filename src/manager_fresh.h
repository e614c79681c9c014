/* Freshness of one connection: when its last byte and last event came, and the stale threshold:
 * how long an open stream may be silent before the user is told "no data for N s", which comes
 * before the watchdog (heartbeat_timeout_ms) gives up on the stream. And the outage clock: an
 * outage runs from the last data received (the last byte of the stream that went stale or was
 * lost) to the first data resumed; once it has lasted grace_ms since it was noticed, it is
 * alert-worthy (a blip that heals sooner changes the indicator only). The first burst of a
 * stream opened during an outage is the server catching up.
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
  /* the outage */
  uint32_t grace_ms;
  int stale;               /* open, silent past the threshold (an outage noticed by silence) */
  int alert;               /* the outage has lasted grace_ms since it was noticed */
  uint64_t outage_from;    /* the last data before it; LIFELINE_NEVER: no outage */
  uint64_t alert_at;       /* when it becomes alert-worthy; LIFELINE_NEVER: not pending */
  /* catch-up */
  int resumed;             /* the open stream was accepted during an outage */
  int burst;               /* ... and its first burst has not paused yet */
  uint64_t last_arrival;   /* the burst's last event (or the acceptance) */
} mgr_fresh;

/* stale_after_ms: the app's threshold (0: learned); heartbeat_timeout_ms: the watchdog's limit
 * (the cap is two thirds of it, at least MGR_STALE_MIN_MS); grace_ms: outage before an alert. */
void mgr_fresh_init(mgr_fresh *f, uint32_t stale_after_ms, uint32_t heartbeat_timeout_ms,
                    uint32_t grace_ms);
/* A stream was accepted at now (its headers are the first sign of life, not yet data). */
void mgr_fresh_opened(mgr_fresh *f, uint64_t now);
/* The open stream ended (dropped, failed, closed). */
void mgr_fresh_closed(mgr_fresh *f, uint64_t now);
/* Bytes (or an already parsed event) arrived on the open stream: the silence before them is a
 * sample of the server's rhythm, and they end an outage: returns 1 and *outage_ms (its length)
 * when they did, else 0. */
int mgr_fresh_byte(mgr_fresh *f, uint64_t now, uint64_t *outage_ms);
/* An event arrived; returns 1 when it belongs to a resumed stream's catch-up burst. */
int mgr_fresh_event(mgr_fresh *f, uint64_t now);
/* The stream was lost (failure, drop, drain) at now: an outage begins unless one is running. */
void mgr_fresh_lost(mgr_fresh *f, uint64_t now);
/* The app closed the connection: no outage any more (nothing is being waited for). */
void mgr_fresh_forget_outage(mgr_fresh *f);
/* Applies what is due at now: the open stream turns stale (watch: stale detection is on) and an
 * outage becomes alert-worthy. Returns 1 when stale or alert changed. */
int mgr_fresh_tick(mgr_fresh *f, uint64_t now, int watch);
/* The next time mgr_fresh_tick has work that matters, or LIFELINE_NEVER: watch, the stale
 * moment (an open stream); alerts, the outage's alert moment (a host waiting for the stream; an
 * open or failed one applies it lazily, at its next change). */
uint64_t mgr_fresh_deadline(const mgr_fresh *f, int watch, int alerts);
/* The stale threshold in force at now, ms (>= 1). The learning window moves with the bytes (a
 * silent stream keeps the rhythm it had). */
uint32_t mgr_fresh_threshold(const mgr_fresh *f, uint64_t now);
/* When the open stream becomes stale if no byte comes first (LIFELINE_NEVER: no stream open). */
uint64_t mgr_fresh_stale_at(const mgr_fresh *f);

#endif
