/* AI-service router: the request lifecycle (candidates, attempts, hedging, failover) and the
 * public calls (see router.h). The top layer (see router_state.h). */
#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"
#include "router_health.h"
#include "router_queue.h"
#include "router_registry.h"
#include "router_stats.h"
#include "router_text.h"

static rt_request *request_find(lifeline_router *r, uint32_t id) {
  if (!id || (id & 0xFF) >= LIFELINE_ROUTER_MAX_REQUESTS) return NULL;
  rt_request *q = &r->req[id & 0xFF];
  return q->id == id ? q : NULL;
}

/* ---- requests ------------------------------------------------------------------------- */

/* Candidates for a capability in preference order: priority, then median latency, then index.
 * A service never called yet sorts as fastest (it gets tried); one whose recent calls all failed
 * has no median and sorts last among its peers, or a service failing fast would always lead. */
static int candidates(const lifeline_router *r, int cap, uint64_t now, uint8_t *out) {
  int32_t key[LIFELINE_ROUTER_MAX_SERVICES];
  int n = 0;
  for (int i = 0; i < r->nsvc; i++) {
    if (cap < 0 || !(r->svc[i].caps & (1u << cap))) continue;
    rt_stats st;
    rt_stats_get(&r->svc[i], now, RT_LATENCY_WINDOW_MS, &st);
    key[i] = st.p50 >= 0 ? st.p50 : st.total ? INT32_MAX : 0;
    int j = n++;
    while (j > 0) { /* insertion sort, stable */
      const rt_service *a = &r->svc[out[j - 1]], *b = &r->svc[i];
      if (a->priority < b->priority || (a->priority == b->priority && key[out[j - 1]] <= key[i])) break;
      out[j] = out[j - 1];
      j--;
    }
    out[j] = (uint8_t)i;
  }
  return n;
}

static int best_priority(const lifeline_router *r, int cap, int32_t *best) {
  int found = 0;
  for (int i = 0; i < r->nsvc; i++) {
    if (cap < 0 || !(r->svc[i].caps & (1u << cap))) continue;
    if (!found || r->svc[i].priority < *best) *best = r->svc[i].priority;
    found = 1;
  }
  return found;
}

static int inflight_count(const rt_request *q) {
  int n = 0;
  for (int i = 0; i < RT_MAX_INFLIGHT; i++) n += q->inflight[i] != 0;
  return n;
}

/* Picks the next service for q and emits its CALL; returns 1, or 0 when none can take it. */
static int start_attempt(lifeline_router *r, rt_request *q, uint64_t now) {
  if (now >= q->deadline || inflight_count(q) >= RT_MAX_INFLIGHT) return 0;
  uint8_t order[LIFELINE_ROUTER_MAX_SERVICES];
  int n = candidates(r, q->cap, now, order);
  for (int k = 0; k < n; k++) {
    int si = order[k];
    rt_service *s = &r->svc[si];
    if (q->tried & (1u << si)) continue;
    if (rt_probe_down(r, s) || rt_hint_down(s, now)) continue;
    if (q->attempts > 0 && !rt_budget_allows(r, s, now)) continue;
    if (!lifeline_breaker_allow(&s->breaker, now)) continue;
    rt_task *t = rt_task_new(r, RT_TASK_CALL, si, now);
    if (!t) return 0;
    t->half_open = lifeline_breaker_get_state(&s->breaker) == LIFELINE_BREAKER_HALF_OPEN;
    t->request = (uint16_t)(q - r->req);
    t->attempt = ++q->attempts;
    uint32_t timeout = rt_attempt_timeout(r, s, now);
    if (now + timeout >= q->deadline) {
      timeout = (uint32_t)(q->deadline - now);
      t->clamped = 1;
    }
    t->expires = now + timeout;
    if (t->attempt > 1) lifeline_window_add(&s->budget, now, 0, 1);
    q->tried |= 1u << si;
    q->outcome[si] = RT_STATUS_PENDING;
    for (int i = 0; i < RT_MAX_INFLIGHT; i++)
      if (!q->inflight[i]) {
        q->inflight[i] = t->id;
        break;
      }
    q->hedge_at = r->cfg.hedge_ms ? now + r->cfg.hedge_ms : LIFELINE_NEVER;
    lifeline_router_action a;
    rt_action_clear(&a, LIFELINE_ROUTER_CALL);
    a.id = t->id;
    a.request = q->id;
    a.service = si;
    a.capability = q->cap;
    a.timeout_ms = timeout;
    a.attempt = t->attempt;
    rt_push(r, &a);
    return 1;
  }
  return 0;
}

/* Writes why q could not be served: every candidate's outcome in q, or its current state. */
static void explain_request(lifeline_router *r, rt_request *q, int code, uint64_t now) {
  if (q->cap < 0) return; /* the message was written by lifeline_router_request */
  lifeline_mbuf t;
  lifeline_mbuf_init(&t, q->message, sizeof q->message);
  const char *cap = r->cap_names[q->cap];
  if (code == LIFELINE_ERR_TIMEOUT) {
    lifeline_mbuf_str(&t, "deadline of ");
    lifeline_mbuf_u64(&t, q->deadline - q->started);
    lifeline_mbuf_str(&t, " ms exceeded for '");
  } else if (!r->online) {
    lifeline_mbuf_str(&t, "browser is offline; no answer for '");
  } else {
    lifeline_mbuf_str(&t, q->tried ? "every service for '" : "no service for '");
  }
  lifeline_mbuf_str(&t, cap);
  lifeline_mbuf_str(&t, code == LIFELINE_ERR_TIMEOUT || !r->online ? "': "
                  : q->tried ? "' failed: " : "' is available: ");
  uint8_t order[LIFELINE_ROUTER_MAX_SERVICES];
  int n = candidates(r, q->cap, now, order);
  for (int k = 0; k < n; k++) {
    int si = order[k];
    if (k) lifeline_mbuf_str(&t, ", ");
    lifeline_mbuf_str(&t, r->svc[si].name);
    lifeline_mbuf_str(&t, " ");
    if (q->tried & (1u << si))
      rt_text_outcome(&t, q->outcome[si], q->outcome_ms[si]);
    else
      rt_text_state(r, &t, si, now);
  }
  lifeline_mbuf_finish_ellipsis(&t);
}

/* lost: the request was answered by another attempt (a hedge) while this one was running. */
static void cancel_task(lifeline_router *r, rt_task *t, int lost, uint64_t now) {
  int si = t->service;
  rt_service *s = &r->svc[si];
  uint32_t elapsed = (uint32_t)(now - t->started);
  if (t->half_open && !lost) {
    /* The caller gave up (abort, unmount): nothing learnt about the service. The trial's slot is
     * given back, so neither a failure nor the half-open timeout reopens a recovering breaker. */
    lifeline_breaker_release(&s->breaker, now);
  } else if (t->half_open) {
    /* A half-open trial must end, or the breaker would wait for its half-open timeout. */
    lifeline_breaker_record(&s->breaker, 0, elapsed, now);
  } else if (lost && t->epoch == r->epoch && rt_is_anomalously_slow(s, elapsed, now)) {
    /* Losing a hedge is no failure, unless this service has gone quiet far beyond its usual
     * latency: without this a hanging service would never trip its breaker under hedging. */
    rt_record_outcome(r, si, RT_STATUS_SLOW, elapsed, now);
  }
  rt_push_simple(r, LIFELINE_ROUTER_CANCEL, t->id, t->service);
  rt_task_free(t);
  if (lost) rt_update_health(r, si, now);
}

static void notify_served(lifeline_router *r, int cap, int si, int degraded) {
  lifeline_router_action a;
  if (degraded && !r->cap_degraded[cap]) {
    rt_action_clear(&a, LIFELINE_ROUTER_DEGRADED);
  } else if (!degraded && r->cap_degraded[cap]) {
    rt_action_clear(&a, LIFELINE_ROUTER_RECOVERED);
  } else {
    r->cap_served[cap] = (int8_t)si;
    return;
  }
  r->cap_degraded[cap] = (uint8_t)degraded;
  r->cap_served[cap] = (int8_t)si;
  a.service = si;
  a.capability = cap;
  rt_push(r, &a);
}

/* Ends q: winner (a task id) answered with status, or code says why it failed. */
static void finish(lifeline_router *r, rt_request *q, uint32_t winner, int si, int status, int code,
                   uint32_t latency, uint64_t now) {
  for (int i = 0; i < RT_MAX_INFLIGHT; i++) {
    rt_task *t = q->inflight[i] ? rt_task_find(r, q->inflight[i]) : NULL;
    if (t && t->id != winner) cancel_task(r, t, winner != 0, now);
    q->inflight[i] = 0;
  }
  lifeline_router_action a;
  rt_action_clear(&a, LIFELINE_ROUTER_DONE);
  a.id = winner;
  a.request = q->id;
  a.service = si;
  a.capability = q->cap;
  a.attempt = q->attempts;
  a.status = status;
  a.code = code;
  a.latency_ms = latency;
  a.elapsed_ms = (uint32_t)(now - q->started);
  if (code) {
    explain_request(r, q, code, now);
    a.message = q->message;
  } else {
    int32_t best = 0;
    best_priority(r, q->cap, &best);
    a.degraded = r->svc[si].priority > best;
  }
  rt_push(r, &a);
  if (!code) notify_served(r, q->cap, si, a.degraded);
  q->id = 0; /* the message stays readable until the slot is reused by a later call */
}

int lifeline_router_add_service(lifeline_router *r, const lifeline_router_service_config *c,
                                uint64_t now_ms) {
  now_ms = rt_now(r, now_ms);
  int si = rt_registry_add(r, c, now_ms);
  if (si >= 0) rt_schedule_first_probe(r, &r->svc[si], now_ms);
  return si;
}

int64_t lifeline_router_request(lifeline_router *r, const char *capability, uint32_t deadline_ms,
                                uint64_t now_ms) {
  now_ms = rt_now(r, now_ms);
  if (!capability || !*capability) return LIFELINE_ERR_INVALID_ARGUMENT;
  uint32_t slot = 0;
  while (slot < LIFELINE_ROUTER_MAX_REQUESTS && r->req[slot].id) slot++;
  if (slot == LIFELINE_ROUTER_MAX_REQUESTS) return LIFELINE_ERR_FULL;
  rt_request *q = &r->req[slot];
  memset(q, 0, sizeof *q);
  q->id = rt_next_id(r, slot);
  q->cap = lifeline_router_capability_index(r, capability);
  if (q->cap < 0) q->cap = -1;
  q->started = now_ms;
  q->deadline = now_ms + (deadline_ms ? deadline_ms : r->cfg.default_deadline_ms);
  q->hedge_at = LIFELINE_NEVER;
  uint32_t id = q->id;
  for (int i = 0; q->cap >= 0 && i < r->nsvc; i++)
    if (r->svc[i].caps & (1u << q->cap)) lifeline_window_add(&r->svc[i].budget, now_ms, 1, 0);
  if (q->cap < 0) {
    lifeline_mbuf t;
    lifeline_mbuf_init(&t, q->message, sizeof q->message);
    lifeline_mbuf_str(&t, "no service offers '");
    lifeline_mbuf_str(&t, capability);
    lifeline_mbuf_str(&t, "'");
    lifeline_mbuf_finish_ellipsis(&t);
  }
  if (!start_attempt(r, q, now_ms)) finish(r, q, 0, -1, 0, LIFELINE_ERR_UNAVAILABLE, 0, now_ms);
  return id;
}

int lifeline_router_abort(lifeline_router *r, uint32_t request, uint64_t now_ms) {
  now_ms = rt_now(r, now_ms);
  rt_request *q = request_find(r, request);
  if (!q) return LIFELINE_ERR_NOT_FOUND;
  for (int i = 0; i < RT_MAX_INFLIGHT; i++) {
    rt_task *t = q->inflight[i] ? rt_task_find(r, q->inflight[i]) : NULL;
    if (t) cancel_task(r, t, 0, now_ms);
  }
  q->id = 0;
  return LIFELINE_OK;
}

/* ---- streamed calls: the service for each attempt (router_stream.h runs the attempt) ---- */

int lifeline_router_stream_pick(lifeline_router *r, const char *capability, uint32_t tried,
                                uint64_t now_ms, int32_t *flags) {
  now_ms = rt_now(r, now_ms);
  if (flags) *flags = 0;
  if (!capability || !*capability) return LIFELINE_ERR_INVALID_ARGUMENT;
  int cap = lifeline_router_capability_index(r, capability);
  if (cap < 0) return LIFELINE_ERR_NOT_FOUND;
  /* The first attempt is one request listing every capable service (the retry budget's base). */
  for (int i = 0; !tried && i < r->nsvc; i++)
    if (r->svc[i].caps & (1u << cap)) lifeline_window_add(&r->svc[i].budget, now_ms, 1, 0);
  uint8_t order[LIFELINE_ROUTER_MAX_SERVICES];
  int n = candidates(r, cap, now_ms, order);
  for (int k = 0; k < n; k++) {
    int si = order[k];
    rt_service *s = &r->svc[si];
    if (tried & (1u << si)) continue;
    if (rt_probe_down(r, s) || rt_hint_down(s, now_ms)) continue;
    if (tried && !rt_budget_allows(r, s, now_ms)) continue;
    if (!lifeline_breaker_allow(&s->breaker, now_ms)) continue;
    if (tried) lifeline_window_add(&s->budget, now_ms, 0, 1);
    int32_t best = 0;
    best_priority(r, cap, &best);
    if (flags)
      *flags = (s->priority > best ? LIFELINE_STREAM_PICK_DEGRADED : 0) |
               (lifeline_breaker_get_state(&s->breaker) == LIFELINE_BREAKER_HALF_OPEN ? LIFELINE_STREAM_PICK_TRIAL : 0);
    return si;
  }
  return LIFELINE_ERR_UNAVAILABLE;
}

int lifeline_router_stream_release(lifeline_router *r, int service, uint64_t now_ms) {
  now_ms = rt_now(r, now_ms);
  if (service < 0 || service >= r->nsvc) return LIFELINE_ERR_NOT_FOUND;
  lifeline_breaker_release(&r->svc[service].breaker, now_ms);
  return LIFELINE_OK;
}

/* After a failed attempt: the next candidate, or the end of q when nothing is left. */
static void fail_over(lifeline_router *r, rt_request *q, uint64_t now) {
  if (start_attempt(r, q, now) || inflight_count(q)) return;
  finish(r, q, 0, -1, 0, now >= q->deadline ? LIFELINE_ERR_TIMEOUT : LIFELINE_ERR_UNAVAILABLE, 0, now);
}

static void call_done(lifeline_router *r, rt_task *t, int status, uint64_t now) {
  rt_request *q = &r->req[t->request];
  int si = t->service, cls = rt_classify(status);
  uint32_t latency = (uint32_t)(now - t->started), id = t->id;
  /* Failures caused by the browser being offline, or by a deadline shorter than the attempt's
   * own timeout, say nothing about the service. */
  int excused = cls == RT_OUT_FAILURE &&
                (!r->online || t->epoch != r->epoch || (status == LIFELINE_ROUTER_TIMED_OUT && t->clamped));
  if (!excused) rt_record_outcome(r, si, status, latency, now);
  for (int i = 0; i < RT_MAX_INFLIGHT; i++)
    if (q->inflight[i] == id) q->inflight[i] = 0;
  q->outcome[si] = status;
  q->outcome_ms[si] = latency;
  rt_task_free(t);
  if (cls != RT_OUT_FAILURE)
    finish(r, q, id, si, status, 0, latency, now);
  else if (!r->online)
    finish(r, q, 0, -1, 0, LIFELINE_ERR_UNAVAILABLE, 0, now);
  else
    fail_over(r, q, now);
  rt_update_health(r, si, now);
}

int lifeline_router_complete(lifeline_router *r, uint32_t id, int status, uint64_t now_ms) {
  now_ms = rt_now(r, now_ms);
  if (status < LIFELINE_ROUTER_TIMED_OUT || (status > 0 && status < 100) || status > 599)
    return LIFELINE_ERR_INVALID_ARGUMENT;
  rt_task *t = rt_task_find(r, id);
  if (!t) return LIFELINE_ERR_NOT_FOUND;
  if (t->kind == RT_TASK_PROBE)
    rt_probe_done(r, t, status, now_ms);
  else
    call_done(r, t, status, now_ms);
  return LIFELINE_OK;
}

static void expire_tasks(lifeline_router *r, uint64_t now) {
  for (uint32_t i = 0; i < RT_MAX_TASKS; i++) {
    rt_task *t = &r->task[i];
    if (!t->id || t->expires > now) continue;
    rt_push_simple(r, LIFELINE_ROUTER_CANCEL, t->id, t->service);
    lifeline_router_complete(r, t->id, LIFELINE_ROUTER_TIMED_OUT, now);
  }
}

void lifeline_router_tick(lifeline_router *r, uint64_t now_ms) {
  now_ms = rt_now(r, now_ms);
  expire_tasks(r, now_ms);
  for (uint32_t i = 0; i < LIFELINE_ROUTER_MAX_REQUESTS; i++) {
    rt_request *q = &r->req[i];
    if (!q->id) continue;
    if (now_ms >= q->deadline) {
      finish(r, q, 0, -1, 0, LIFELINE_ERR_TIMEOUT, 0, now_ms);
    } else if (q->hedge_at <= now_ms) {
      q->hedge_at = LIFELINE_NEVER;
      if (inflight_count(q) == 1) start_attempt(r, q, now_ms);
    }
  }
  for (int i = 0; i < r->nsvc; i++) lifeline_breaker_tick(&r->svc[i].breaker, now_ms);
  rt_probes_due(r, now_ms);
  for (int i = 0; i < r->nsvc; i++) rt_update_health(r, i, now_ms);
}

uint64_t lifeline_router_deadline(const lifeline_router *r) {
  uint64_t d = rt_probes_deadline(r);
  for (uint32_t i = 0; i < RT_MAX_TASKS; i++)
    if (r->task[i].id && r->task[i].expires < d) d = r->task[i].expires;
  for (uint32_t i = 0; i < LIFELINE_ROUTER_MAX_REQUESTS; i++) {
    const rt_request *q = &r->req[i];
    if (!q->id) continue;
    if (q->deadline < d) d = q->deadline;
    if (q->hedge_at < d) d = q->hedge_at;
  }
  return d;
}

int lifeline_router_set_online(lifeline_router *r, int online, uint64_t now_ms) {
  now_ms = rt_now(r, now_ms);
  online = online != 0;
  if (online == r->online) return LIFELINE_OK;
  r->online = online;
  r->epoch++;
  for (int i = 0; online && i < r->nsvc; i++) /* look again soon, spread over half a second */
    if (r->svc[i].next_probe_at != LIFELINE_NEVER)
      r->svc[i].next_probe_at = now_ms + lifeline_rng_bounded(&r->rng, 500);
  return LIFELINE_OK;
}
