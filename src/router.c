/* AI-service router: request lifecycle, ids and the action queue (see router.h). */
#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"
#include "router_internal.h"

/* Time never goes back inside the router: hosts may read the clock in two places (JS timers and
 * the platform's fetch callbacks) and see slightly out-of-order values. */
uint64_t rt_now(lifeline_router *r, uint64_t now) {
  if (now < r->last_now) return r->last_now;
  r->last_now = now;
  return now;
}

/* ---- actions -------------------------------------------------------------------------- */

void rt_push(lifeline_router *r, const lifeline_router_action *a) {
  if (r->qcount == RT_QUEUE) return; /* unreachable when drained per call (see RT_QUEUE) */
  r->queue[(r->qhead + r->qcount) % RT_QUEUE] = *a;
  r->qcount++;
}

static void action_clear(lifeline_router_action *a, lifeline_router_action_kind kind) {
  memset(a, 0, sizeof *a);
  a->kind = kind;
  a->service = -1;
  a->capability = -1;
  a->message = "";
}

void rt_push_simple(lifeline_router *r, lifeline_router_action_kind kind, uint32_t id, int32_t service) {
  lifeline_router_action a;
  action_clear(&a, kind);
  a.id = id;
  a.service = service;
  rt_push(r, &a);
}

int lifeline_router_next_action(lifeline_router *r, lifeline_router_action *a) {
  if (!r->qcount) return 0;
  *a = r->queue[r->qhead];
  r->qhead = (r->qhead + 1) % RT_QUEUE;
  r->qcount--;
  return 1;
}

/* ---- ids: (sequence << 8) | slot, so a stale id never matches a reused slot ----------- */

static uint32_t next_id(lifeline_router *r, uint32_t slot) {
  uint32_t id = (r->seq << 8) | slot;
  r->seq = r->seq >= 0xFFFFFFu ? 1 : r->seq + 1;
  return id;
}

rt_task *rt_task_new(lifeline_router *r, int kind, int service, uint64_t now) {
  for (uint32_t i = 0; i < RT_MAX_TASKS; i++) {
    rt_task *t = &r->task[i];
    if (t->id) continue;
    memset(t, 0, sizeof *t);
    t->id = next_id(r, i);
    t->kind = (uint8_t)kind;
    t->service = (uint8_t)service;
    t->epoch = r->epoch;
    t->started = now;
    return t;
  }
  return NULL; /* cannot happen: RT_MAX_TASKS covers every request's attempts and every probe */
}

void rt_task_free(rt_task *t) { memset(t, 0, sizeof *t); }

static rt_task *task_find(lifeline_router *r, uint32_t id) {
  if (!id || (id & 0xFF) >= RT_MAX_TASKS) return NULL;
  rt_task *t = &r->task[id & 0xFF];
  return t->id == id ? t : NULL;
}

static rt_request *request_find(lifeline_router *r, uint32_t id) {
  if (!id || (id & 0xFF) >= LIFELINE_ROUTER_MAX_REQUESTS) return NULL;
  rt_request *q = &r->req[id & 0xFF];
  return q->id == id ? q : NULL;
}

/* ---- requests ------------------------------------------------------------------------- */

/* Candidates for a capability in preference order: priority, then median latency, then index. */
static int candidates(const lifeline_router *r, int cap, uint64_t now, uint8_t *out) {
  int32_t key[LIFELINE_ROUTER_MAX_SERVICES];
  int n = 0;
  for (int i = 0; i < r->nsvc; i++) {
    if (cap < 0 || !(r->svc[i].caps & (1u << cap))) continue;
    rt_stats st;
    rt_stats_get(&r->svc[i], now, RT_LATENCY_WINDOW_MS, &st);
    key[i] = st.p50 < 0 ? 0 : st.p50;
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
    if (rt_probe_down(r, s)) continue;
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
    action_clear(&a, LIFELINE_ROUTER_CALL);
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
  rt_text t;
  rt_text_init(&t, q->message, sizeof q->message);
  const char *cap = r->cap_names[q->cap];
  if (code == LIFELINE_ERR_TIMEOUT) {
    rt_text_put(&t, "deadline of ");
    rt_text_u64(&t, q->deadline - q->started);
    rt_text_put(&t, " ms exceeded for '");
  } else if (!r->online) {
    rt_text_put(&t, "browser is offline; no answer for '");
  } else {
    rt_text_put(&t, q->tried ? "every service for '" : "no service for '");
  }
  rt_text_put(&t, cap);
  rt_text_put(&t, code == LIFELINE_ERR_TIMEOUT || !r->online ? "': "
                  : q->tried ? "' failed: " : "' is available: ");
  uint8_t order[LIFELINE_ROUTER_MAX_SERVICES];
  int n = candidates(r, q->cap, now, order);
  for (int k = 0; k < n; k++) {
    int si = order[k];
    if (k) rt_text_put(&t, ", ");
    rt_text_put(&t, r->svc[si].name);
    rt_text_put(&t, " ");
    if (q->tried & (1u << si))
      rt_text_outcome(&t, q->outcome[si], q->outcome_ms[si]);
    else
      rt_text_state(r, &t, si, now);
  }
}

/* lost: the request was answered by another attempt (a hedge) while this one was running. */
static void cancel_task(lifeline_router *r, rt_task *t, int lost, uint64_t now) {
  int si = t->service;
  rt_service *s = &r->svc[si];
  uint32_t elapsed = (uint32_t)(now - t->started);
  if (t->half_open) {
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
    action_clear(&a, LIFELINE_ROUTER_DEGRADED);
  } else if (!degraded && r->cap_degraded[cap]) {
    action_clear(&a, LIFELINE_ROUTER_RECOVERED);
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
    rt_task *t = q->inflight[i] ? task_find(r, q->inflight[i]) : NULL;
    if (t && t->id != winner) cancel_task(r, t, winner != 0, now);
    q->inflight[i] = 0;
  }
  lifeline_router_action a;
  action_clear(&a, LIFELINE_ROUTER_DONE);
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

int64_t lifeline_router_request(lifeline_router *r, const char *capability, uint32_t deadline_ms,
                                uint64_t now_ms) {
  now_ms = rt_now(r, now_ms);
  if (!capability || !*capability) return LIFELINE_ERR_INVALID_ARGUMENT;
  uint32_t slot = 0;
  while (slot < LIFELINE_ROUTER_MAX_REQUESTS && r->req[slot].id) slot++;
  if (slot == LIFELINE_ROUTER_MAX_REQUESTS) return LIFELINE_ERR_FULL;
  rt_request *q = &r->req[slot];
  memset(q, 0, sizeof *q);
  q->id = next_id(r, slot);
  q->cap = lifeline_router_capability_index(r, capability);
  if (q->cap < 0) q->cap = -1;
  q->started = now_ms;
  q->deadline = now_ms + (deadline_ms ? deadline_ms : r->cfg.default_deadline_ms);
  q->hedge_at = LIFELINE_NEVER;
  uint32_t id = q->id;
  for (int i = 0; q->cap >= 0 && i < r->nsvc; i++)
    if (r->svc[i].caps & (1u << q->cap)) lifeline_window_add(&r->svc[i].budget, now_ms, 1, 0);
  if (q->cap < 0) {
    rt_text t;
    rt_text_init(&t, q->message, sizeof q->message);
    rt_text_put(&t, "no service offers '");
    rt_text_put(&t, capability);
    rt_text_put(&t, "'");
  }
  if (!start_attempt(r, q, now_ms)) finish(r, q, 0, -1, 0, LIFELINE_ERR_UNAVAILABLE, 0, now_ms);
  return id;
}

int lifeline_router_abort(lifeline_router *r, uint32_t request, uint64_t now_ms) {
  now_ms = rt_now(r, now_ms);
  rt_request *q = request_find(r, request);
  if (!q) return LIFELINE_ERR_NOT_FOUND;
  for (int i = 0; i < RT_MAX_INFLIGHT; i++) {
    rt_task *t = q->inflight[i] ? task_find(r, q->inflight[i]) : NULL;
    if (t) cancel_task(r, t, 0, now_ms);
  }
  q->id = 0;
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
  rt_task *t = task_find(r, id);
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
