/* AI-service router: a registry of services with capabilities, capability-matched failover,
 * per-attempt timeouts from observed latency, optional hedging, a retry budget per service,
 * one circuit breaker per service, active and passive health, degraded/recovered notices.
 *
 * Sans-I/O (see docs/ARCHITECTURE.md): the router never reads a clock, never sets a timer and never does
 * I/O. Every entry point takes `now_ms` (one monotonic millisecond clock; a value earlier than
 * one seen before is taken as that latest one).
 * Effects come out as actions (lifeline_router_next_action): "call service S for request R with
 * timeout T", "cancel attempt A", "probe service S", "request R is done", "service S is now
 * down", "capability C is degraded". The host performs them and reports each call or probe back
 * with lifeline_router_complete(). The host wakes the router at lifeline_router_deadline() with
 * lifeline_router_tick(). Randomness (probe jitter) comes from a PCG32 seeded in the config.
 *
 * Ownership: lifeline_router_new() allocates one fixed block (no allocation afterwards, so memory
 * is bounded by the LIFELINE_ROUTER_MAX_* limits below); lifeline_router_free() releases it.
 * Strings passed in are copied. Strings in actions and from the getters point into the router and
 * stay valid until the next call that changes the router (drain actions right after each call).
 *
 * Rules (all durations in ms; the defaults are those of lifeline_router_config_default):
 * - Selection: candidates are the services that have the capability; ordered by priority (lower
 *   value first), then by observed median latency (services without samples count as 0 so that
 *   they get measured), then by registration order. A candidate is skipped when its health is
 *   down by probes, its breaker does not allow a call, or (for a retry or hedge) its retry budget
 *   is spent. A request whose candidates are all skipped ends at once with
 *   LIFELINE_ERR_UNAVAILABLE and a message naming each service's state.
 * - Attempt timeout (time to the whole response; the browser's XHR gives no first byte):
 *   T = clamp(4 * p95, min_attempt_timeout_ms 1500, the service's max_attempt_timeout_ms 10000)
 *   once the service has >= 8 successful calls among its last 64 younger than 10 min, else
 *   min(cold_timeout_ms 3000, max_attempt_timeout_ms); never beyond the request's overall
 *   deadline. Latency ordering uses the same 10 min window; health figures use the last 60 s.
 * - Outcome classes: 2xx/3xx success; 4xx other than 408/429 is the caller's error: the request
 *   ends with that response, is not retried, and counts as a success for the service (it
 *   answered). 408, 429, 5xx, network errors (status 0) and timeouts are failures: recorded and
 *   the request fails over to the next candidate while its deadline allows.
 * - Hedging (hedge_ms > 0): when an attempt has not answered after hedge_ms, the next candidate
 *   starts too (at most 2 attempts in flight per request); the first answer wins and the other
 *   is cancelled (a CANCEL action). A cancelled loser is recorded as neither success nor
 *   failure, unless it had run >= 3 x its service's median latency (then it is a failure: a
 *   hanging service would otherwise never trip under hedging) or it was a half-open trial.
 * - Retry budget, per target service: retries and hedges sent to S in the last
 *   retry_budget_window_ms (10 s) may not exceed retry_budget_percent (20) % of the requests that
 *   listed S as a candidate in that window, plus retry_budget_reserve_per_s (1) per second of
 *   the window (10). First attempts never need budget.
 * - Offline (lifeline_router_set_online(r, 0, now)): failures that end while offline, or of
 *   attempts started before the last online/offline change, are not held against a service;
 *   a request that sees a network error while offline ends with LIFELINE_ERR_UNAVAILABLE
 *   ("browser is offline"); probes pause and resume at once when back online.
 * - Breaker per service (resilience core): opens after 5 consecutive failures, or when more
 *   than 50 % of at least 10 calls in the last 60 s failed; stays open 5 s (+/- 20 %, doubling on
 *   each failed trial up to 20 s), then half-open lets one trial through, whose outcome closes or
 *   reopens it. The router sends a health probe as the trial when the break is over, so a
 *   recovered service is taken back without user traffic (a real request may be the trial too).
 *   A trial lost offline is ended by the breaker's half-open timeout (10 s).
 * - Health per service: DOWN when the breaker is open, or half-open with no success since the
 *   last failure, or the last 2 probes failed; DEGRADED when the last probe failed, or >= 10 % of
 *   the recent calls failed (>= 4 calls), or the recent p95 latency exceeds slow_ms (5000), or
 *   the breaker is half-open after a success; HEALTHY otherwise. A success of a real call counts
 *   as a good probe too (the service answers). Recovery (LIFELINE_ROUTER_RECOVER_CHECKS below):
 *   after LIFELINE_ROUTER_RECOVER_CHECKS successes in a row the failures before them stop
 *   counting, so a service answering again is HEALTHY within three checks, not after the 60 s
 *   window has forgotten its outage; in between it is DEGRADED with recovering_ok = k.
 *   Probes: every probe_interval_ms (10000) +/- 10 % jitter, probe timeout probe_timeout_ms
 *   (2000); after a failed probe the next one comes after probe_interval_ms / 2.
 *   Dead-service detection without traffic, worst case: the service dies just after a good probe:
 *   next probe <= 11 s later, fails by <= 2 s, re-probe 5 s (+/- 10 %) later fails by <= 2 s:
 *   11 + 2 + 5.5 + 2 = 20.5 s < 30 s. With traffic: 5 consecutive failures open the breaker.
 * - Notices: DEGRADED(capability, service) when a request is answered by a service of worse
 *   priority than the capability's best while the capability was not degraded already (each
 *   DONE still says which service answered); RECOVERED(capability, service) when a
 *   best-priority service answers again. HEALTH(service, old, new) on every change.
 * - Regular probes feed health only (the probe-down rule), not the breaker, so a dead idle service
 *   is taken back by its next good probe instead of waiting out a doubling break.
 */
#ifndef LIFELINE_ROUTER_H
#define LIFELINE_ROUTER_H

#include <stddef.h>
#include <stdint.h>
#include "lifeline/router_stream.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LIFELINE_ROUTER_MAX_SERVICES 8
#define LIFELINE_ROUTER_MAX_CAPABILITIES 16
#define LIFELINE_ROUTER_MAX_REQUESTS 64 /* requests in flight */
#define LIFELINE_ROUTER_NAME_MAX 32     /* service and capability names, incl. NUL */
#define LIFELINE_ROUTER_URL_MAX 256     /* base URL and health path, incl. NUL */
#define LIFELINE_ROUTER_MESSAGE_MAX 512 /* error messages; longer ones end with "..." */

/* Status values for lifeline_router_complete() besides HTTP statuses 100..599. */
#define LIFELINE_ROUTER_NETWORK_ERROR 0 /* connection refused/reset, DNS, CORS, abort */
#define LIFELINE_ROUTER_TIMED_OUT (-1)  /* the platform's own timeout fired */

typedef enum {
  LIFELINE_HEALTH_HEALTHY = 0,
  LIFELINE_HEALTH_DEGRADED = 1,
  LIFELINE_HEALTH_DOWN = 2
} lifeline_health;

/* Recovery: a service that failed is HEALTHY again after this many successes in a row (real
 * calls and probes alike: "checks"); the failures before them then stop counting against it. On
 * its first success it leaves DOWN (unless its breaker is open) for DEGRADED, "recovering", and
 * while recovering it is probed every LIFELINE_ROUTER_RECOVER_PROBE_MS, so that a service that is
 * back shows so within seconds with or without traffic. A failure ends the streak. */
#define LIFELINE_ROUTER_RECOVER_CHECKS 3
#define LIFELINE_ROUTER_RECOVER_PROBE_MS 1000

typedef struct {
  uint32_t probe_interval_ms;     /* default 10000; 0 = no active probes */
  uint32_t probe_timeout_ms;      /* default 2000 */
  uint32_t probe_jitter_percent;  /* default 10 */
  uint32_t probe_down_after;      /* consecutive failed probes that mean DOWN; default 2 */
  uint32_t hedge_ms;              /* default 0 = no hedging */
  uint32_t min_attempt_timeout_ms;/* default 1500 */
  uint32_t cold_timeout_ms;       /* default 3000, used until 8 latency samples exist */
  uint32_t default_deadline_ms;   /* overall deadline when a request gives 0; default 30000 */
  uint32_t slow_ms;               /* p95 above this is DEGRADED; default 5000 */
  uint32_t retry_budget_percent;  /* default 20 */
  uint32_t retry_budget_window_ms;/* default 10000 (10 buckets) */
  uint32_t retry_budget_reserve_per_s; /* default 1 */
  uint32_t breaker_failure_percent;    /* open above this rate; default 50 */
  uint32_t breaker_min_calls;          /* default 10 */
  uint32_t breaker_window_ms;          /* default 60000 */
  uint32_t breaker_consecutive;        /* default 5 */
  uint32_t breaker_open_ms;            /* first break; default 5000 */
  uint32_t breaker_max_open_ms;        /* breaks double up to this; default 20000 */
  uint64_t seed;                  /* seeds the probe jitter */
} lifeline_router_config;

typedef struct {
  const char *name;         /* unique, 1..31 bytes */
  const char *base_url;     /* copied; the host joins it with request paths */
  const char *capabilities; /* comma-separated names, e.g. "analysis,summary" */
  int32_t priority;         /* lower is preferred */
  uint32_t max_attempt_timeout_ms; /* per-attempt ceiling, ms; 0 = 10000 */
  const char *health_path;  /* e.g. "/health"; NULL or "" = no active probes for it */
} lifeline_router_service_config;

typedef enum {
  LIFELINE_ROUTER_CALL = 1,     /* start attempt `id` of request `request` on `service` */
  LIFELINE_ROUTER_CANCEL = 2,   /* abort attempt or probe `id`; its completion is ignored */
  LIFELINE_ROUTER_PROBE = 3,    /* GET the service's health path; id = probe id */
  LIFELINE_ROUTER_DONE = 4,     /* request finished: code 0 and winning attempt `id`, or an error */
  LIFELINE_ROUTER_HEALTH = 5,   /* service's health changed from `old_health` to `health` */
  LIFELINE_ROUTER_DEGRADED = 6, /* capability served by fallback `service` */
  LIFELINE_ROUTER_RECOVERED = 7 /* capability served by a best-priority `service` again */
} lifeline_router_action_kind;

typedef struct {
  lifeline_router_action_kind kind;
  uint32_t id;          /* CALL/CANCEL/PROBE: attempt or probe id; DONE: winning attempt or 0 */
  uint32_t request;     /* CALL/CANCEL/DONE: request id; 0 for probes and notices */
  int32_t service;      /* service index, -1 when none */
  int32_t capability;   /* capability index (DONE, DEGRADED, RECOVERED), else -1 */
  uint32_t timeout_ms;  /* CALL/PROBE: give up after this long */
  uint32_t attempt;     /* CALL: 1-based attempt number within the request; DONE: attempts made */
  int32_t status;       /* DONE: HTTP status of the answer (0 on error) */
  int32_t code;         /* DONE: 0 or LIFELINE_ERR_UNAVAILABLE / _TIMEOUT */
  int32_t degraded;     /* DONE: 1 when not answered by a best-priority service */
  uint32_t latency_ms;  /* DONE: how long the winning attempt took (0 on error) */
  uint32_t elapsed_ms;  /* DONE: since the request started; minus latency_ms = failover cost */
  int32_t health;       /* HEALTH: new lifeline_health */
  int32_t old_health;   /* HEALTH: previous lifeline_health */
  const char *message;  /* DONE with an error: why (names every service's state); else "" */
} lifeline_router_action;

/* Per-service view for health displays. Figures over the recent window (the last 64 real calls
 * younger than 60 s; probes are not mixed in); latencies of successful calls, -1 when unknown. */
typedef struct {
  const char *name;
  lifeline_health health;
  uint64_t since_ms;        /* when the health last changed */
  int32_t p50_ms, p95_ms, p99_ms;
  double error_rate;        /* 0..1 over the recent calls, 0 when none */
  uint32_t samples;         /* recent calls behind these figures */
  const char *last_error;   /* e.g. "HTTP 503", "timeout after 1500 ms", "" when none */
  uint64_t last_error_ms;
  const char *breaker;      /* "closed", "open", "half-open" */
  uint64_t breaker_retry_ms;/* open: when the break ends; else 0 */
  uint32_t attempt_timeout_ms; /* the timeout the next attempt would get */
  uint32_t calls, failures; /* totals since creation */
  uint32_t recovering_ok;   /* while recovering (DEGRADED or DOWN after failures, answering
                             * again): checks ok in a row, 1..LIFELINE_ROUTER_RECOVER_CHECKS-1;
                             * 0 otherwise */
  int32_t hint;             /* the hint in force (lifeline_health, DOWN or DEGRADED), -1 none */
  uint64_t hint_until_ms;   /* when it lapses (0 when none) */
} lifeline_router_service_info;

typedef struct lifeline_router lifeline_router;

/* Fills *c with the defaults listed above (seed 0). */
void lifeline_router_config_default(lifeline_router_config *c);

/* A router with the given config (NULL = defaults). Returns NULL when out of memory or when
 * the config is invalid (zero probe timeout, breaker percent > 100, window not a multiple of
 * 1000 ms up to 64 s, ...). Free with lifeline_router_free (NULL is fine). */
lifeline_router *lifeline_router_new(const lifeline_router_config *c);
void lifeline_router_free(lifeline_router *r);

/* Registers a service; returns its index (>= 0), or LIFELINE_ERR_INVALID_ARGUMENT (bad name,
 * URL, capability list, duplicate name), LIFELINE_ERR_FULL (too many services or capabilities).
 * Its first probe comes soon: within probe_jitter_percent of one interval after now_ms. */
int lifeline_router_add_service(lifeline_router *r, const lifeline_router_service_config *s,
                                uint64_t now_ms);

/* Number of registered services; a service's name, base URL and health path (NULL if no such). */
int lifeline_router_service_count(const lifeline_router *r);
const char *lifeline_router_service_name(const lifeline_router *r, int service);
const char *lifeline_router_service_url(const lifeline_router *r, int service);
const char *lifeline_router_service_health_path(const lifeline_router *r, int service);

/* The index of a capability name, or LIFELINE_ERR_NOT_FOUND; its name, or NULL. */
int lifeline_router_capability_index(const lifeline_router *r, const char *name);
const char *lifeline_router_capability_name(const lifeline_router *r, int capability);

/* Starts a request for `capability` that must end within deadline_ms (0 = the default).
 * Returns its id (> 0); actions follow: a CALL, or a DONE with LIFELINE_ERR_UNAVAILABLE when
 * nothing can serve it now. Returns LIFELINE_ERR_FULL when LIFELINE_ROUTER_MAX_REQUESTS are in
 * flight, LIFELINE_ERR_INVALID_ARGUMENT for a NULL/empty capability. */
int64_t lifeline_router_request(lifeline_router *r, const char *capability, uint32_t deadline_ms,
                                uint64_t now_ms);

/* Abandons a request: its attempts are cancelled (CANCEL actions), no DONE follows.
 * Returns 0 or LIFELINE_ERR_NOT_FOUND. */
int lifeline_router_abort(lifeline_router *r, uint32_t request, uint64_t now_ms);

/* Reports how attempt or probe `id` ended: an HTTP status (100..599), LIFELINE_ROUTER_NETWORK_ERROR
 * or LIFELINE_ROUTER_TIMED_OUT. Latency is measured from the CALL/PROBE action. Returns 0, or
 * LIFELINE_ERR_NOT_FOUND for an unknown, finished or cancelled id (harmless: late completions
 * of cancelled attempts land here), LIFELINE_ERR_INVALID_ARGUMENT for a bad status. */
int lifeline_router_complete(lifeline_router *r, uint32_t id, int status, uint64_t now_ms);

/* Handles everything due at now_ms: attempt timeouts, hedges, request deadlines, probes,
 * breaker break ends. Call it at (or after) lifeline_router_deadline(). */
void lifeline_router_tick(lifeline_router *r, uint64_t now_ms);

/* The earliest time at which tick() has work, or LIFELINE_NEVER (UINT64_MAX). */
uint64_t lifeline_router_deadline(const lifeline_router *r);

/* Pops the next action into *a; returns 1, or 0 when the queue is empty. The queue holds every
 * action produced since the last drain (bounded: it cannot overflow when drained after each call). */
int lifeline_router_next_action(lifeline_router *r, lifeline_router_action *a);

/* Browser connectivity. Returns 0. */
int lifeline_router_set_online(lifeline_router *r, int online, uint64_t now_ms);

#define LIFELINE_ROUTER_HINT_MAX_MS 300000u /* a longer hint validity is cut to this */

/* A health hint from elsewhere (a server fleet probing the services for every client, so a
 * client learns of an outage without finding it out itself): `health` for `service`, valid for
 * ttl_ms. While it is in force, a DOWN or DEGRADED hint makes the service's health at least that
 * bad, and a DOWN hint keeps requests off the service as probe-down does. The router's own
 * evidence still decides: a call or probe of its own that succeeds after the hint arrived
 * overrides it until a hint of another state (or one after the last lapsed) arrives; a repeat
 * of the same state only extends the validity. A HEALTHY hint ends a previous hint and changes
 * nothing of the router's own judgement (its breakers and probes). A hint that lapses stops
 * counting (tick re-judges at its end: a HEALTH action when the health changes), so a stale one
 * cannot keep a service down. Returns 0, LIFELINE_ERR_NOT_FOUND (no such service) or
 * LIFELINE_ERR_INVALID_ARGUMENT (health out of range). */
int lifeline_router_hint(lifeline_router *r, int service, lifeline_health health, uint32_t ttl_ms,
                         uint64_t now_ms);

/* Feeds an ended streamed attempt (router_stream.h) on `service` to its breaker, figures and
 * health, as lifeline_router_complete does for a request attempt: FAILOVER and BROKEN outcomes
 * are failures (a first-token or stall deadline as a timeout, a cut or reset as a network
 * error, an HTTP status as itself); COMPLETE and a refusal (4xx, content filter) are not; an
 * abort records nothing. A Retry-After the attempt carried keeps the service off for that long
 * (as a DOWN hint, see lifeline_router_hint). Returns 0, LIFELINE_ERR_NOT_FOUND or
 * LIFELINE_ERR_INVALID_ARGUMENT (attempt not ended). */
int lifeline_router_stream_record(lifeline_router *r, int service, const lifeline_stream_attempt *a,
                                  uint64_t now_ms);

/* Flags lifeline_router_stream_pick writes. */
#define LIFELINE_STREAM_PICK_DEGRADED 1 /* not a best-priority service of the capability */
#define LIFELINE_STREAM_PICK_TRIAL 2    /* the breaker's half-open trial: end it with
                                         * stream_record, or stream_release on an abort */

/* The service for the next attempt of a streamed call for `capability`: the same order and
 * skips as a request's attempts (priority, median latency; probe-down, down hints, Retry-After,
 * breakers, the retry budget for every attempt after the first). `tried` is the bit mask
 * (1 << index) of services already tried by this call, 0 for its first attempt (which counts
 * the call once in every capable service's retry budget). Returns the service index (its
 * breaker has allowed the call: end the attempt with lifeline_router_stream_record) and sets
 * *flags (NULL allowed) to LIFELINE_STREAM_PICK_*; LIFELINE_ERR_UNAVAILABLE when no service
 * may take it now (lifeline_router_explain says why), LIFELINE_ERR_NOT_FOUND for an unknown
 * capability, LIFELINE_ERR_INVALID_ARGUMENT for a NULL/empty one. */
int lifeline_router_stream_pick(lifeline_router *r, const char *capability, uint32_t tried,
                                uint64_t now_ms, int32_t *flags);

/* An attempt that took the breaker's half-open trial (LIFELINE_STREAM_PICK_TRIAL) was aborted by
 * the caller: the trial slot is given back (an abort says nothing about the service). Returns 0
 * or LIFELINE_ERR_NOT_FOUND. */
int lifeline_router_stream_release(lifeline_router *r, int service, uint64_t now_ms);

/* Fills *info for a service at now_ms; returns 0 or LIFELINE_ERR_NOT_FOUND. A pure read: no
 * action is queued and no state changes (health and breaker are reported as tick would find
 * them at now_ms; tick applies and announces them). info->name points into the router. */
int lifeline_router_service_info_get(const lifeline_router *r, int service, uint64_t now_ms,
                                     lifeline_router_service_info *info);

/* Writes "no service for 'c' is available: a open (retry in 4.2 s), b down, ..." for the
 * capability at now_ms (what a request would fail with now) into an internal buffer; returns it. */
const char *lifeline_router_explain(lifeline_router *r, const char *capability, uint64_t now_ms);

/* "healthy", "degraded", "down". */
const char *lifeline_health_name(lifeline_health h);

#ifdef __cplusplus
}
#endif
#endif
