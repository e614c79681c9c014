/* Circuit breaker: CLOSED -> OPEN -> HALF_OPEN -> CLOSED (or back to OPEN).
 *
 * A plain state machine (public struct + _init, never allocates, no clock): every entry point
 * takes `now_ms` from one monotonic millisecond clock chosen by the host. The breaker never sets
 * a timer; lifeline_breaker_deadline() says when it would change state by itself, and the host
 * calls lifeline_breaker_tick() then (or simply calls allow()/record() later: all time-driven
 * transitions are also applied lazily on entry).
 *
 * CLOSED: every call is allowed. Each recorded outcome goes into a sliding window (ring of
 * window_buckets time buckets covering window_ms, see window.h for the exact boundary). A call is
 * a failure when ok == 0, or when slow_call_ms > 0 and latency_ms > slow_call_ms. The breaker
 * trips (-> OPEN) after a record when
 *   - consecutive_failures > 0 and that many failures in a row were recorded, or
 *   - the window holds >= minimum_calls calls and failures / calls > failure_rate_threshold.
 * OPEN: allow() returns 0 for break_ms (starts at open_ms, doubles on every re-open without an
 * intervening close, up to max_open_ms), each break scaled by a uniform factor in
 * [1 - open_jitter, 1 + open_jitter] from the breaker's own generator, so that clients that
 * tripped together do not probe together. Outcomes recorded while OPEN (calls admitted before the
 * trip) are ignored.
 * HALF_OPEN (entered at the first allow()/tick() after the break): up to half_open_probes calls
 * are admitted in total, the rest are rejected at once (never queued); outcomes beyond the number
 * of probes admitted are ignored. half_open_successes
 * successes close the breaker (window emptied, break_ms back to open_ms); half_open_failures
 * failures reopen it. If no decision is reached within half_open_timeout_ms (probes lost), it
 * reopens too.
 *
 * Modes (lifeline_breaker_set_mode): NORMAL; FORCED_OPEN (every call rejected); FORCED_CLOSED
 * (every call allowed, outcomes still counted in the window, never trips); DISABLED (every call
 * allowed, nothing recorded). Returning to NORMAL starts CLOSED with an empty window.
 *
 * Changes: every state change is appended to a ring of the last LIFELINE_BREAKER_CHANGES records
 * (read with lifeline_breaker_poll_change) and, when set, passed to the `on_change` callback
 * before the call that caused it returns. The callback must not call back into this breaker.
 *
 * Defaults (lifeline_breaker_config_default), after resilience4j: threshold 0.5, window
 * 60000 ms in 60 buckets, minimum 10 calls, 5 consecutive failures, open 5000 ms doubling to
 * 60000 ms, jitter 0.2, 3 probes of which 2 successes close and 2 failures reopen, half-open
 * timeout 10000 ms, slow calls not counted (slow_call_ms 0).
 */
#ifndef LIFELINE_BREAKER_H
#define LIFELINE_BREAKER_H

#include <stdint.h>

#include "lifeline/rng.h"
#include "lifeline/window.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  LIFELINE_BREAKER_CLOSED = 0,
  LIFELINE_BREAKER_OPEN = 1,
  LIFELINE_BREAKER_HALF_OPEN = 2
} lifeline_breaker_state;

typedef enum {
  LIFELINE_BREAKER_NORMAL = 0,
  LIFELINE_BREAKER_FORCED_OPEN = 1,
  LIFELINE_BREAKER_FORCED_CLOSED = 2,
  LIFELINE_BREAKER_DISABLED = 3
} lifeline_breaker_mode;

typedef enum {
  LIFELINE_BREAKER_REASON_CONSECUTIVE_FAILURES = 0, /* closed -> open */
  LIFELINE_BREAKER_REASON_FAILURE_RATE = 1,         /* closed -> open */
  LIFELINE_BREAKER_REASON_BREAK_ELAPSED = 2,        /* open -> half-open */
  LIFELINE_BREAKER_REASON_PROBES_SUCCEEDED = 3,     /* half-open -> closed */
  LIFELINE_BREAKER_REASON_PROBES_FAILED = 4,        /* half-open -> open */
  LIFELINE_BREAKER_REASON_HALF_OPEN_TIMEOUT = 5,    /* half-open -> open */
  LIFELINE_BREAKER_REASON_FORCED = 6                /* any change made by set_mode */
} lifeline_breaker_reason;

typedef struct {
  double failure_rate_threshold; /* 0 < t <= 1; trips when the rate is strictly above it */
  uint32_t window_ms;            /* sliding window length, >= 1 */
  uint32_t window_buckets;       /* 1..LIFELINE_WINDOW_MAX_BUCKETS, dividing window_ms; 0 = the
                                    largest divisor of window_ms up to 60 */
  uint32_t minimum_calls;        /* calls in the window before the rate is judged */
  uint32_t consecutive_failures; /* 0 = rule off */
  uint32_t open_ms;              /* first break, >= 1 */
  uint32_t max_open_ms;          /* cap of the doubling, >= open_ms */
  double open_jitter;            /* 0..0.9, fraction of the break (0.2 = +-20%) */
  uint32_t half_open_probes;     /* calls admitted in half-open, >= 1 */
  uint32_t half_open_successes;  /* 1..probes; successes that close */
  uint32_t half_open_failures;   /* 1..probes; failures that reopen; successes+failures-1 <= probes */
  uint32_t half_open_timeout_ms; /* >= 1 */
  uint32_t slow_call_ms;         /* 0 = off; latency above it counts as a failure */
  uint64_t seed;                 /* seeds the break jitter */
} lifeline_breaker_config;

/* One state change, with the window's figures at that moment. */
typedef struct {
  lifeline_breaker_state from, to;
  lifeline_breaker_reason reason;
  uint64_t at_ms;
  double failure_rate;       /* failures / calls in the window (0 when empty) */
  uint32_t calls;            /* calls in the window */
  uint32_t failures;         /* failures in the window */
  uint32_t consecutive_failures;
  uint32_t break_ms;         /* when to == OPEN: the (jittered) break just started; else 0 */
} lifeline_breaker_change;

typedef struct {
  lifeline_breaker_state state;
  lifeline_breaker_mode mode;
  double failure_rate;
  uint32_t calls, failures;
  uint32_t consecutive_failures;
  uint64_t ms_until_half_open; /* when OPEN in NORMAL mode, else 0 */
  uint32_t break_ms;           /* un-jittered break the next trip would use */
  uint32_t probes_admitted, probe_successes, probe_failures;
  uint64_t trips;              /* transitions to OPEN since init */
  uint64_t rejected;           /* calls refused by allow() since init */
} lifeline_breaker_snapshot;

#define LIFELINE_BREAKER_CHANGES 8

typedef struct lifeline_breaker lifeline_breaker;
typedef void (*lifeline_breaker_listener)(void *user, const lifeline_breaker_change *change);

struct lifeline_breaker {
  lifeline_breaker_config cfg;
  lifeline_breaker_state state;
  lifeline_breaker_mode mode;
  lifeline_rng rng;
  lifeline_window window; /* a = calls, b = failures */
  uint64_t last_now;
  uint32_t consecutive;
  uint32_t break_ms;
  uint64_t open_until;
  uint64_t half_open_since;
  uint32_t probes, probe_ok, probe_fail;
  uint64_t trips, rejected;
  lifeline_breaker_change changes[LIFELINE_BREAKER_CHANGES];
  uint64_t change_head, change_tail; /* records written / read; tail lags by <= the ring size */
  uint64_t changes_dropped;
  lifeline_breaker_listener on_change;
  void *on_change_user;
};

void lifeline_breaker_config_default(lifeline_breaker_config *c);

/* Validates and copies *c (NULL = defaults); starts CLOSED, NORMAL, window empty. Returns 0 or
 * LIFELINE_ERR_INVALID_ARGUMENT (then the breaker is initialised with the defaults). */
int lifeline_breaker_init(lifeline_breaker *b, const lifeline_breaker_config *c);

/* Sets (or clears, fn = NULL) the change callback. */
void lifeline_breaker_set_listener(lifeline_breaker *b, lifeline_breaker_listener fn, void *user);

/* 1 when a call may start at now_ms, 0 when it must be rejected at once. In HALF_OPEN an
 * allowed call is a probe: the host must record its outcome. */
int lifeline_breaker_allow(lifeline_breaker *b, uint64_t now_ms);

/* Records the outcome of an allowed call that finished at now_ms after latency_ms. */
void lifeline_breaker_record(lifeline_breaker *b, int ok, uint32_t latency_ms, uint64_t now_ms);

/* Gives back an allowed call that ended with no outcome that says anything about the service
 * (cancelled, refused for a reason of the caller's own): in HALF_OPEN its probe slot is free
 * again, so the half-open timeout does not reopen the breaker for a probe that never ran. No
 * effect in other states. */
void lifeline_breaker_release(lifeline_breaker *b, uint64_t now_ms);

/* Applies time-driven transitions (break over, half-open timeout) due at now_ms. */
void lifeline_breaker_tick(lifeline_breaker *b, uint64_t now_ms);

/* The earliest time at which the breaker changes state by itself, or LIFELINE_NEVER. */
uint64_t lifeline_breaker_deadline(const lifeline_breaker *b);

/* The state as of the last call (call tick first for "now"). Forced modes report OPEN for
 * FORCED_OPEN and CLOSED for FORCED_CLOSED and DISABLED. */
lifeline_breaker_state lifeline_breaker_get_state(const lifeline_breaker *b);

/* Ticks to now_ms and fills *s. */
void lifeline_breaker_snapshot_at(lifeline_breaker *b, uint64_t now_ms, lifeline_breaker_snapshot *s);

/* Changes the mode and restarts the machine: CLOSED, empty window, break back to open_ms (so
 * set_mode(NORMAL) also serves as a reset). Records a FORCED change when the reported state
 * changes. Returns 0 or
 * LIFELINE_ERR_INVALID_ARGUMENT for an unknown mode. */
int lifeline_breaker_set_mode(lifeline_breaker *b, lifeline_breaker_mode mode, uint64_t now_ms);

/* Copies the oldest unread change into *out and returns 1, or returns 0 when none is pending.
 * When more than LIFELINE_BREAKER_CHANGES accumulate unread, the oldest are dropped (counted in
 * changes_dropped). */
int lifeline_breaker_poll_change(lifeline_breaker *b, lifeline_breaker_change *out);

/* Number of unread change records. */
uint32_t lifeline_breaker_pending_changes(const lifeline_breaker *b);

/* "closed", "open", "half-open"; reason names like "consecutive-failures"; "normal",
 * "forced-open", "forced-closed", "disabled". Never NULL. */
const char *lifeline_breaker_mode_name(lifeline_breaker_mode m);
const char *lifeline_breaker_state_name(lifeline_breaker_state s);
const char *lifeline_breaker_reason_name(lifeline_breaker_reason r);

#ifdef __cplusplus
}
#endif
#endif
