/* Router internals shared by router.c (registry, requests, actions) and router_health.c
 * (latency statistics, timeouts, retry budget, probes, health, messages). Not a public API. */
#ifndef LIFELINE_ROUTER_INTERNAL_H
#define LIFELINE_ROUTER_INTERNAL_H

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
  uint32_t timeout_ms;
  lifeline_breaker breaker;
  rt_sample samples[RT_SAMPLES];
  uint32_t sample_head, sample_count;
  lifeline_window budget; /* a: requests listing this service, b: retries and hedges sent */
  uint64_t next_probe_at; /* LIFELINE_NEVER: no regular probe scheduled */
  uint32_t probe_task;    /* id of the probe in flight, 0 = none */
  uint32_t probe_fail_streak;
  lifeline_health health;
  uint64_t since;
  char last_error[RT_ERROR_MAX];
  uint64_t last_error_at;
  uint32_t calls, failures;
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

/* A bounded string builder: output is truncated with "..." and always NUL-terminated. */
typedef struct {
  char *buf;
  size_t cap, len;
} rt_text;

/* router.c */
uint64_t rt_now(lifeline_router *r, uint64_t now);
void rt_push(lifeline_router *r, const lifeline_router_action *a);
void rt_push_simple(lifeline_router *r, lifeline_router_action_kind kind, uint32_t id, int32_t service);
rt_task *rt_task_new(lifeline_router *r, int kind, int service, uint64_t now);
void rt_task_free(rt_task *t);

/* router_health.c */
void rt_stats_get(const rt_service *s, uint64_t now, uint32_t window_ms, rt_stats *st);
uint32_t rt_attempt_timeout(const lifeline_router *r, const rt_service *s, uint64_t now);
int rt_budget_allows(lifeline_router *r, rt_service *s, uint64_t now);
int rt_is_anomalously_slow(const rt_service *s, uint32_t elapsed_ms, uint64_t now);
/* Records a finished call (status as for lifeline_router_complete, or RT_STATUS_SLOW) in the
 * service's breaker, samples, counters and last error. */
void rt_record_outcome(lifeline_router *r, int si, int status, uint32_t latency_ms, uint64_t now);
void rt_record_sample(rt_service *s, int ok, uint32_t latency_ms, uint64_t now);
void rt_set_last_error(rt_service *s, int status, uint32_t latency_ms, uint64_t now);
int rt_probe_down(const lifeline_router *r, const rt_service *s);
void rt_update_health(lifeline_router *r, int service, uint64_t now);
void rt_schedule_probe(lifeline_router *r, rt_service *s, uint64_t now, uint32_t interval);
void rt_probes_due(lifeline_router *r, uint64_t now);
void rt_probe_done(lifeline_router *r, rt_task *t, int status, uint64_t now);
uint64_t rt_probes_deadline(const lifeline_router *r);
int rt_classify(int status);

void rt_text_init(rt_text *t, char *buf, size_t cap);
void rt_text_put(rt_text *t, const char *s);
void rt_text_u64(rt_text *t, uint64_t v);
void rt_text_tenths(rt_text *t, uint64_t ms); /* "4.2" for 4200 ms (rounded up) */
void rt_text_outcome(rt_text *t, int status, uint32_t ms);
void rt_text_state(lifeline_router *r, rt_text *t, int service, uint64_t now);

#endif
