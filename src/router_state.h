/* The router's state: services, tasks, requests and the router object itself. Types and
 * constants only, no functions; each layer's functions are declared in its own header:
 *   router.c           requests: candidates, attempts, hedging, failover, the public calls
 *   router_health.c    outcomes, probes, the health judgement, explanations
 *   router_registry.c  configuration, creation, services and capabilities
 *   router_stats.c     per-service latency samples, timeouts, retry budget, classification
 *   router_queue.c     the action queue, ids, tasks, the monotonic clock
 *   router_text.c      how outcomes are said in words (over mbuf)
 * Each calls only those listed below it. Not a public API. */
#ifndef LIFELINE_ROUTER_STATE_H
#define LIFELINE_ROUTER_STATE_H

#include <stdint.h>

#include "lifeline/breaker.h"
#include "lifeline/rng.h"
#include "lifeline/router.h"
#include "lifeline/window.h"

#define RT_SAMPLES 64           /* recent real calls kept per service */
#define RT_STATS_WINDOW_MS 60000 /* ... younger than this for health (error rate, p95) */
/* ... and younger than this for timeouts and ordering: latency does not go stale as fast as
 * error rates do, and a dashboard making a call a minute should not stay "cold". */
#define RT_LATENCY_WINDOW_MS 600000
#define RT_MIN_TIMEOUT_SAMPLES 8
#define RT_MAX_INFLIGHT 2       /* attempts in flight per request (first + hedge) */
#define RT_MAX_TASKS (LIFELINE_ROUTER_MAX_REQUESTS * RT_MAX_INFLIGHT + LIFELINE_ROUTER_MAX_SERVICES)
/* Per call, at most: per request 2 CANCEL (expired) + 2 CALL + 2 CANCEL (finished) + DONE +
 * a notice + a HEALTH per completion; per service PROBE, CANCEL and a few HEALTH. Drained after
 * every call, the queue cannot overflow (fuzz_router checks it). */
#define RT_QUEUE (LIFELINE_ROUTER_MAX_REQUESTS * 12 + LIFELINE_ROUTER_MAX_SERVICES * 8)
#define RT_ERROR_MAX 48

enum { RT_TASK_FREE = 0, RT_TASK_CALL = 1, RT_TASK_PROBE = 2 };
enum { RT_OUT_SUCCESS = 0, RT_OUT_CALLER = 1, RT_OUT_FAILURE = 2 };
#define RT_STATUS_SLOW (-2)    /* internal: a hedge loser far slower than usual */
#define RT_STATUS_PENDING (-3) /* internal: an attempt still running when its request ended */

typedef struct {
  uint64_t at;
  uint32_t latency_ms;
  uint8_t ok;
} rt_sample;

typedef struct {
  char name[LIFELINE_ROUTER_NAME_MAX];
  char url[LIFELINE_ROUTER_URL_MAX];
  char health_path[LIFELINE_ROUTER_URL_MAX];
  uint32_t caps; /* bit i: capability i */
  int32_t priority;
  uint32_t max_attempt_timeout_ms;
  lifeline_breaker breaker;
  rt_sample samples[RT_SAMPLES];
  uint32_t sample_head, sample_count;
  lifeline_window budget; /* a: requests listing this service, b: retries and hedges sent */
  uint64_t next_probe_at; /* LIFELINE_NEVER: no regular probe scheduled */
  uint32_t probe_task;    /* id of the probe in flight, 0 = none */
  uint32_t probe_fail_streak;
  uint32_t ok_streak;     /* successes (calls and probes) in a row since the last failure */
  uint64_t forgiven_at;   /* failed samples before this no longer weigh on the judgement */
  lifeline_health health;
  uint64_t since;
  char last_error[RT_ERROR_MAX];
  uint64_t last_error_at;
  uint32_t calls, failures;
  int32_t hint;             /* lifeline_health of the last hint, -1 none */
  uint8_t hint_overridden;  /* a success of our own came after it */
  uint64_t hint_at, hint_until;
} rt_service;

typedef struct {
  uint32_t id; /* 0 = free slot */
  uint8_t kind;
  uint8_t service;
  uint8_t half_open; /* admitted by a half-open breaker: a trial that must be recorded */
  uint8_t clamped;   /* timeout cut short by the request's deadline */
  uint16_t request;  /* request slot (calls) */
  uint32_t attempt;
  uint32_t epoch;    /* online epoch at start */
  uint64_t started, expires;
} rt_task;

typedef struct {
  uint32_t id; /* 0 = free slot */
  int32_t cap; /* -1: unknown capability */
  uint64_t started, deadline, hedge_at;
  uint32_t tried; /* services already attempted */
  uint32_t attempts;
  uint32_t inflight[RT_MAX_INFLIGHT]; /* task ids, 0 = none */
  int32_t outcome[LIFELINE_ROUTER_MAX_SERVICES]; /* status per tried service (0 net, -1 timeout) */
  uint32_t outcome_ms[LIFELINE_ROUTER_MAX_SERVICES];
  char message[LIFELINE_ROUTER_MESSAGE_MAX];
} rt_request;

struct lifeline_router {
  lifeline_router_config cfg;
  lifeline_rng rng;
  rt_service svc[LIFELINE_ROUTER_MAX_SERVICES];
  int nsvc;
  char cap_names[LIFELINE_ROUTER_MAX_CAPABILITIES][LIFELINE_ROUTER_NAME_MAX];
  int ncaps;
  uint8_t cap_degraded[LIFELINE_ROUTER_MAX_CAPABILITIES];
  int8_t cap_served[LIFELINE_ROUTER_MAX_CAPABILITIES];
  rt_request req[LIFELINE_ROUTER_MAX_REQUESTS];
  rt_task task[RT_MAX_TASKS];
  uint32_t seq;
  lifeline_router_action queue[RT_QUEUE];
  uint32_t qhead, qcount;
  int online;
  uint32_t epoch;
  uint64_t last_now;
  char explain[LIFELINE_ROUTER_MESSAGE_MAX];
};

typedef struct {
  int32_t p50, p95, p99; /* -1 when no successful call is in the window */
  uint32_t ok, total;    /* successful and all calls in the window */
} rt_stats;

#endif
