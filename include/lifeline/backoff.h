/* Reconnection backoff: exponential delays with jitter, server hints and network adaptation.
 *
 * A plain state machine (public struct + _init, no allocation, no clock, no random source of
 * its own): time comes in as `now_ms` (any monotonic millisecond clock chosen by the host) and
 * randomness from the generator seeded in the config. All delays are milliseconds.
 *
 * Use:
 *   lifeline_backoff b; lifeline_backoff_config c; lifeline_backoff_config_default(&c);
 *   c.seed = host_random_64_bits; lifeline_backoff_init(&b, &c);
 *   on a drop / failed attempt: rc = lifeline_backoff_next(&b, now, &delay); wait delay, retry.
 *   on a successful connect:    lifeline_backoff_connected(&b, now);
 *   (optionally) at lifeline_backoff_deadline(&b): lifeline_backoff_healthy_check(&b, now);
 *
 * Delay of attempt n (n = 0 for the first retry after a drop), with v the "ceiling":
 *   v0 = initial_ms, v(n+1) = min(cap, v(n) * multiplier).
 *   none:         delay = v(n)
 *   full:         delay = uniform(0, v(n))                       (AWS "Full Jitter")
 *   equal:        delay = v(n)/2 + uniform(0, v(n)/2)            (AWS "Equal Jitter")
 *   decorrelated: delay = min(cap, uniform(base, prev * 3)), prev starting at base
 *                 (AWS "Decorrelated Jitter"; the multiplier is not used)
 * The server's `retry:` value R (set_server_retry) is a floor, not a base: the server knows
 * when it will be back, so no client returns before R. Attempt 0 waits R + uniform(0, R/5)
 * (R = 0: at once, as the spec says), later attempts max(that, the delay above), so a server
 * that keeps failing is still backed off from. R is honoured up to
 * LIFELINE_BACKOFF_SERVER_RETRY_MAX_MS, above max_ms too. A pending Retry-After F > 0 then
 * replaces the delay with F + uniform(0, F/5): the server said when to come back, and a delay
 * grown by earlier failures must not outlast it; it is used once (the attempt count still
 * grows, so a failure without one afterwards backs off as before).
 *
 * Defaults (lifeline_backoff_config_default): initial 1000 ms, multiplier 1.6, cap 30000 ms
 * (gRPC connection backoff), full jitter: the first retry is uniform over 0..1 s, so ten thousand
 * clients dropped together come back spread over a second and every client retries within 1 s
 * of the drop; healthy_after 5000 ms; unlimited attempts; adaptation on.
 *
 * Network quality (adaptive = 1). The caller feeds measured connect times (record_connect) and
 * attempt outcomes (record_outcome). Kept: an exponentially weighted mean of connect times
 * (alpha 1/4) and the last 16 outcomes. Judged after each input:
 *   POOR      mean connect >= 1500 ms, or >= 4 outcomes known and failure ratio >= 0.5
 *   GOOD      mean connect <  300 ms (or none measured) and failure ratio < 0.1, >= 4 outcomes
 *   MODERATE  otherwise (also the initial state: nothing known yet)
 * Effect on the ceiling's growth (base unchanged):
 *   GOOD      multiplier 1 + (m-1)/2 (1.3), cap / 2 (15 s), never below base: recovers faster
 *   MODERATE  the configured multiplier and cap
 *   POOR      multiplier 1 + (m-1)*3/4 (1.45), cap * 2 (60 s): grows more slowly, toward a
 *             higher cap, so a bad link is not hammered but is still retried early on.
 *
 * Reset: the attempt count and ceiling return to the start when the connection made progress
 * (the host calls progress() when a stream delivers an event past its last event id: a
 * fault after progress is a new fault, not the same one again), or once a connection has
 * stayed up for healthy_after_ms — either when the host calls healthy_check at the deadline or
 * lazily in the next call to next(). A server that accepts and drops at once, or that replays
 * only events already seen, or keeps answering 5xx, therefore keeps growing the delay instead
 * of causing a tight reconnect loop. reset() forces it.
 */
#ifndef LIFELINE_BACKOFF_H
#define LIFELINE_BACKOFF_H

#include <stdint.h>

#include "lifeline/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest server retry: value honoured (1 hour); larger values are clamped to it. */
#define LIFELINE_BACKOFF_SERVER_RETRY_MAX_MS 3600000u

typedef enum {
  LIFELINE_JITTER_NONE = 0,
  LIFELINE_JITTER_FULL = 1,
  LIFELINE_JITTER_EQUAL = 2,
  LIFELINE_JITTER_DECORRELATED = 3
} lifeline_jitter;

typedef enum {
  LIFELINE_NET_GOOD = 0,
  LIFELINE_NET_MODERATE = 1,
  LIFELINE_NET_POOR = 2
} lifeline_net_quality;

typedef struct {
  uint32_t initial_ms;       /* base delay, >= 1 (default 1000) */
  uint32_t max_ms;           /* cap, >= initial_ms (default 30000) */
  double multiplier;         /* growth per attempt, 1.0..10.0 (default 1.6) */
  lifeline_jitter jitter;    /* default LIFELINE_JITTER_FULL */
  uint32_t max_attempts;     /* 0 = unlimited; otherwise next() fails after this many delays */
  uint32_t healthy_after_ms; /* connection lifetime that counts as recovery (default 5000) */
  int adaptive;              /* 1: adapt multiplier and cap to network quality (default 1) */
  uint64_t seed;             /* seeds the jitter generator */
} lifeline_backoff_config;

typedef struct {
  lifeline_backoff_config cfg;
  lifeline_rng rng;
  uint32_t attempt;        /* delays handed out since the last reset */
  double ceiling;          /* v(n) for the next attempt */
  double prev;             /* previous delay (decorrelated jitter) */
  uint32_t server_retry_ms; /* `retry:` from the server, when has_server_retry */
  int has_server_retry;
  int progressed;          /* progress() since the last next() */
  uint32_t floor_ms;       /* pending Retry-After floor, 0 = none */
  int connected;
  uint64_t connected_at;
  double connect_mean_ms;  /* < 0: none measured */
  uint16_t outcomes;       /* bit i = 1: failure, newest in bit 0 */
  uint8_t outcome_count;   /* up to 16 */
  lifeline_net_quality quality;
} lifeline_backoff;

/* Fills *c with the defaults described above (seed 0). */
void lifeline_backoff_config_default(lifeline_backoff_config *c);

/* Validates and copies *c (NULL = defaults). Returns 0 or LIFELINE_ERR_INVALID_ARGUMENT (then
 * *b is left initialised with the defaults, so it is still safe to use). */
int lifeline_backoff_init(lifeline_backoff *b, const lifeline_backoff_config *c);

/* The delay before the next attempt, in *delay_ms (the attempt count then increases).
 * Returns 0, or LIFELINE_ERR_EXHAUSTED when max_attempts delays were already handed out (then
 * *delay_ms is untouched). Marks the connection as down; applies a due reset first. */
int lifeline_backoff_next(lifeline_backoff *b, uint64_t now_ms, uint32_t *delay_ms);

/* Starts over: attempt 0, ceiling back to the base. Keeps the server base and quality data. */
void lifeline_backoff_reset(lifeline_backoff *b);

/* A connection was established at now_ms. The reset happens once it lasts healthy_after_ms. */
void lifeline_backoff_connected(lifeline_backoff *b, uint64_t now_ms);

/* Applies the reset when the connection has been up long enough; returns 1 if it reset. */
int lifeline_backoff_healthy_check(lifeline_backoff *b, uint64_t now_ms);

/* When healthy_check will reset (connected and attempts pending), else LIFELINE_NEVER. */
uint64_t lifeline_backoff_deadline(const lifeline_backoff *b);

/* The server's `retry:` field (ms): the floor of every delay from now on (see above). */
void lifeline_backoff_set_server_retry(lifeline_backoff *b, uint32_t retry_ms);

/* The connection made progress (delivered an event past its last event id): the next delay
 * starts over from attempt 0. */
void lifeline_backoff_progress(lifeline_backoff *b);
/* An HTTP 429/503 Retry-After (converted by the host to ms): the next delay is this plus up to
 * a fifth (see above). Used once; a second call before next() keeps the larger value. */
void lifeline_backoff_set_retry_after(lifeline_backoff *b, uint32_t floor_ms);

/* Network quality inputs: a measured connect time, and whether an attempt succeeded. */
void lifeline_backoff_record_connect(lifeline_backoff *b, uint32_t connect_ms);
void lifeline_backoff_record_outcome(lifeline_backoff *b, int ok);

/* The current judgement (LIFELINE_NET_MODERATE until data arrives) and its name. */
lifeline_net_quality lifeline_backoff_quality(const lifeline_backoff *b);
const char *lifeline_net_quality_name(lifeline_net_quality q);

/* The multiplier and cap in effect for the current quality. */
double lifeline_backoff_effective_multiplier(const lifeline_backoff *b);
uint32_t lifeline_backoff_effective_cap(const lifeline_backoff *b);

/* Parses "none", "full", "equal", "decorrelated"; returns -1 for anything else. */
int lifeline_jitter_parse(const char *name);

#ifdef __cplusplus
}
#endif
#endif
