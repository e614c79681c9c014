/* Router: outcomes of calls and probes, the health judgement, explanations in words. */
#include "router_health.h"

#include <string.h>

#include "lifeline/error.h"
#include "router_queue.h"
#include "router_stats.h"
#include "router_text.h"







/* A success of a call or a probe: the service answers, whatever its probes said before. The
 * streak that reaches LIFELINE_ROUTER_RECOVER_CHECKS forgives the failures before it. */
static void note_success(rt_service *s, uint64_t now) {
  if (s->hint >= 0 && now >= s->hint_at) s->hint_overridden = 1; /* our own evidence decides */
  s->probe_fail_streak = 0;
  if (s->ok_streak < UINT32_MAX) s->ok_streak++;
  if (s->ok_streak == LIFELINE_ROUTER_RECOVER_CHECKS) s->forgiven_at = now;
}

/* Answering again after failures, not yet LIFELINE_ROUTER_RECOVER_CHECKS times in a row. */
static int recovering(const rt_service *s) {
  return s->health != LIFELINE_HEALTH_HEALTHY && s->ok_streak > 0 &&
         s->ok_streak < LIFELINE_ROUTER_RECOVER_CHECKS;
}

/* While recovering, the next check comes soon, so the state follows the service within seconds. */
static void probe_soon(rt_service *s, uint64_t now) {
  if (s->health_path[0] && recovering(s) && s->next_probe_at > now + LIFELINE_ROUTER_RECOVER_PROBE_MS)
    s->next_probe_at = now + LIFELINE_ROUTER_RECOVER_PROBE_MS;
}

void rt_record_outcome(lifeline_router *r, int si, int status, uint32_t latency_ms, uint64_t now) {
  rt_service *s = &r->svc[si];
  int ok = status != RT_STATUS_SLOW && rt_classify(status) != RT_OUT_FAILURE;
  lifeline_breaker_record(&s->breaker, ok, latency_ms, now);
  rt_record_sample(s, ok, latency_ms, now);
  s->calls++;
  if (ok) {
    note_success(s, now);
    return;
  }
  s->ok_streak = 0;
  s->failures++;
  rt_set_last_error(s, status, latency_ms, now);
}









/* A streamed attempt weighs on its service as a request attempt does: its failures (before or
 * after commit) count, an abort or a refusal of the request (4xx, content filter) does not
 * blame it. The sample's latency is the whole attempt, never less than a request would take,
 * so streamed successes cannot shorten the attempt timeouts of plain requests. */
int lifeline_router_stream_record(lifeline_router *r, int si, const lifeline_stream_attempt *a,
                                  uint64_t now_ms) {
  now_ms = rt_now(r, now_ms);
  if (si < 0 || si >= r->nsvc) return LIFELINE_ERR_NOT_FOUND;
  if (!a || a->state != LIFELINE_STREAM_ENDED) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (a->why == LIFELINE_STREAM_WHY_ABORTED) return LIFELINE_OK;
  uint32_t latency = (uint32_t)(a->ended_ms - a->started_ms);
  int status = a->status && a->why == LIFELINE_STREAM_WHY_STATUS ? a->status
             : a->why == LIFELINE_STREAM_WHY_FIRST_TOKEN || a->why == LIFELINE_STREAM_WHY_IDLE ? LIFELINE_ROUTER_TIMED_OUT
             : LIFELINE_ROUTER_NETWORK_ERROR;
  if (!lifeline_stream_blames(a)) status = a->status ? a->status : 200;
  rt_record_outcome(r, si, status, latency, now_ms);
  rt_update_health(r, si, now_ms);
  /* Retry-After: the service said when to come back; until then it is kept off like a down hint
   * (its own later success still overrides it). */
  if (a->retry_after_ms) lifeline_router_hint(r, si, LIFELINE_HEALTH_DOWN, a->retry_after_ms, now_ms);
  return LIFELINE_OK;
}

void rt_set_last_error(rt_service *s, int status, uint32_t latency_ms, uint64_t now) {
  lifeline_mbuf t;
  lifeline_mbuf_init(&t, s->last_error, sizeof s->last_error);
  rt_text_outcome(&t, status, latency_ms);
  lifeline_mbuf_finish_ellipsis(&t);
  s->last_error_at = now;
}

/* The service's state in words, as a fail-fast message shows it. */
void rt_text_state(lifeline_router *r, lifeline_mbuf *t, int si, uint64_t now) {
  rt_service *s = &r->svc[si];
  lifeline_breaker_tick(&s->breaker, now);
  lifeline_breaker_state st = lifeline_breaker_get_state(&s->breaker);
  if (st == LIFELINE_BREAKER_OPEN) {
    uint64_t until = lifeline_breaker_deadline(&s->breaker);
    lifeline_mbuf_str(t, "open (retry in ");
    rt_text_tenths(t, until > now && until != LIFELINE_NEVER ? until - now : 0);
    lifeline_mbuf_str(t, " s)");
  } else if (st == LIFELINE_BREAKER_HALF_OPEN) {
    lifeline_mbuf_str(t, s->breaker.probes >= s->breaker.cfg.half_open_probes ? "half-open (probe in flight)"
                                                                          : "half-open");
  } else if (rt_hint_down(s, now)) {
    lifeline_mbuf_str(t, "down (server hint)");
  } else if (rt_probe_down(r, s)) {
    lifeline_mbuf_str(t, "down");
    if (s->last_error[0]) {
      lifeline_mbuf_str(t, " (");
      lifeline_mbuf_str(t, s->last_error);
      lifeline_mbuf_str(t, ")");
    }
  } else if (!rt_budget_allows(r, s, now)) {
    lifeline_mbuf_str(t, "retry budget spent");
  } else {
    lifeline_mbuf_str(t, "not tried");
  }
}

const char *lifeline_router_explain(lifeline_router *r, const char *capability, uint64_t now_ms) {
  now_ms = rt_now(r, now_ms);
  lifeline_mbuf t;
  lifeline_mbuf_init(&t, r->explain, sizeof r->explain);
  int cap = lifeline_router_capability_index(r, capability);
  lifeline_mbuf_str(&t, "no service for '");
  lifeline_mbuf_str(&t, capability ? capability : "");
  lifeline_mbuf_str(&t, cap < 0 ? "' is registered" : "' is available:");
  for (int i = 0, first = 1; cap >= 0 && i < r->nsvc; i++) {
    if (!(r->svc[i].caps & (1u << cap))) continue;
    lifeline_mbuf_str(&t, first ? " " : ", ");
    first = 0;
    lifeline_mbuf_str(&t, r->svc[i].name);
    lifeline_mbuf_str(&t, " ");
    rt_text_state(r, &t, i, now_ms);
  }
  lifeline_mbuf_finish_ellipsis(&t);
  return r->explain;
}

/* ---- probes and health ---------------------------------------------------------------- */

/* The hint in force at now (DEGRADED or DOWN), or -1. */
static int hint_in_force(const rt_service *s, uint64_t now) {
  if (s->hint <= LIFELINE_HEALTH_HEALTHY || s->hint_overridden || now >= s->hint_until) return -1;
  return s->hint;
}

int rt_hint_down(const rt_service *s, uint64_t now) {
  return hint_in_force(s, now) == LIFELINE_HEALTH_DOWN;
}

int lifeline_router_hint(lifeline_router *r, int si, lifeline_health health, uint32_t ttl_ms,
                         uint64_t now_ms) {
  now_ms = rt_now(r, now_ms);
  if (si < 0 || si >= r->nsvc) return LIFELINE_ERR_NOT_FOUND;
  if ((int)health < LIFELINE_HEALTH_HEALTHY || health > LIFELINE_HEALTH_DOWN) return LIFELINE_ERR_INVALID_ARGUMENT;
  rt_service *s = &r->svc[si];
  if ((int32_t)health != s->hint || now_ms >= s->hint_until) { /* a new hint, not a refresh */
    s->hint_overridden = 0;
    s->hint_at = now_ms;
  }
  s->hint = health;
  s->hint_until = now_ms + (ttl_ms > LIFELINE_ROUTER_HINT_MAX_MS ? LIFELINE_ROUTER_HINT_MAX_MS : ttl_ms);
  rt_update_health(r, si, now_ms);
  return LIFELINE_OK;
}

int rt_probe_down(const lifeline_router *r, const rt_service *s) {
  return s->probe_fail_streak >= r->cfg.probe_down_after;
}

void rt_schedule_probe(lifeline_router *r, rt_service *s, uint64_t now, uint32_t interval) {
  if (!s->health_path[0] || !r->cfg.probe_interval_ms) {
    s->next_probe_at = LIFELINE_NEVER;
    return;
  }
  uint32_t j = (uint32_t)((uint64_t)interval * r->cfg.probe_jitter_percent / 100);
  s->next_probe_at = now + interval - j + lifeline_rng_bounded(&r->rng, 2 * j + 1);
}

void rt_schedule_first_probe(lifeline_router *r, rt_service *s, uint64_t now) {
  /* Soon, spread over the jitter span so that services are not probed at once. */
  rt_schedule_probe(r, s, now, 0);
  if (s->next_probe_at != LIFELINE_NEVER)
    s->next_probe_at += lifeline_rng_bounded(
        &r->rng, (uint32_t)((uint64_t)r->cfg.probe_interval_ms * r->cfg.probe_jitter_percent / 100) + 1);
}

void rt_probes_due(lifeline_router *r, uint64_t now) {
  for (int i = 0; r->online && i < r->nsvc; i++) {
    rt_service *s = &r->svc[i];
    if (s->probe_task || !s->health_path[0]) continue;
    int trial = lifeline_breaker_get_state(&s->breaker) != LIFELINE_BREAKER_CLOSED;
    /* After a good trial, the next one waits for the recovery pace. */
    if (trial && s->ok_streak && s->next_probe_at > now) continue;
    if (trial ? !lifeline_breaker_allow(&s->breaker, now) : s->next_probe_at > now) continue;
    rt_task *t = rt_task_new(r, RT_TASK_PROBE, i, now);
    if (!t) return;
    t->half_open = (uint8_t)trial;
    t->expires = now + r->cfg.probe_timeout_ms;
    s->probe_task = t->id;
    lifeline_router_action a;
    memset(&a, 0, sizeof a);
    a.kind = LIFELINE_ROUTER_PROBE;
    a.id = t->id;
    a.service = i;
    a.capability = -1;
    a.timeout_ms = r->cfg.probe_timeout_ms;
    a.message = "";
    rt_push(r, &a);
  }
}

void rt_probe_done(lifeline_router *r, rt_task *t, int status, uint64_t now) {
  int si = t->service;
  rt_service *s = &r->svc[si];
  int ok = status >= 200 && status < 300;
  uint32_t latency = (uint32_t)(now - t->started);
  s->probe_task = 0;
  if (!ok && (!r->online || t->epoch != r->epoch)) { /* offline: says nothing about the service */
    rt_task_free(t);
    rt_schedule_probe(r, s, now, r->cfg.probe_interval_ms);
    return;
  }
  /* Only a trial probe goes into the breaker: regular probes have their own rule (probe-down),
   * so a dead idle service is not kept out for a doubling break once it is back. */
  if (t->half_open) lifeline_breaker_record(&s->breaker, ok, latency, now);
  rt_task_free(t);
  if (ok) {
    note_success(s, now);
  } else {
    s->ok_streak = 0;
    s->probe_fail_streak++;
    rt_set_last_error(s, status, latency, now);
  }
  /* A failed probe is checked again sooner: that keeps dead-service detection under 30 s. */
  rt_schedule_probe(r, s, now, ok ? r->cfg.probe_interval_ms : r->cfg.probe_interval_ms / 2);
  rt_update_health(r, si, now);
}

uint64_t rt_probes_deadline(const lifeline_router *r) {
  uint64_t d = LIFELINE_NEVER;
  for (int i = 0; r->online && i < r->nsvc; i++) {
    const rt_service *s = &r->svc[i];
    uint64_t b = lifeline_breaker_deadline(&s->breaker);
    if (b < d) d = b; /* break over: a trial probe, and health changes */
    if (hint_in_force(s, r->last_now) >= 0 && s->hint_until < d) d = s->hint_until; /* it lapses */
    if (s->probe_task || !s->health_path[0]) continue;
    lifeline_breaker_state bs = lifeline_breaker_get_state(&s->breaker);
    /* Half-open after a good trial: the next trial at the recovery pace, if a slot is free (calls
     * may have taken them; then the breaker's own deadline comes next). */
    int paced = bs == LIFELINE_BREAKER_HALF_OPEN && s->ok_streak &&
                s->breaker.probes < s->breaker.cfg.half_open_probes;
    if ((bs == LIFELINE_BREAKER_CLOSED || paced) && s->next_probe_at < d) d = s->next_probe_at;
  }
  return d;
}

/* The window the judgement reads: the recent calls, none from before a recovery's forgiveness. */
static uint32_t judged_window(const rt_service *s, uint64_t now) {
  if (!s->forgiven_at || s->forgiven_at + RT_STATS_WINDOW_MS <= now) return RT_STATS_WINDOW_MS;
  return (uint32_t)(now - s->forgiven_at) + 1;
}

/* bs: the breaker's state at now (a read passes that of a ticked copy). */
static lifeline_health judge_own(const lifeline_router *r, const rt_service *s,
                                 lifeline_breaker_state bs, uint64_t now) {
  if (bs == LIFELINE_BREAKER_OPEN || rt_probe_down(r, s)) return LIFELINE_HEALTH_DOWN;
  if (bs == LIFELINE_BREAKER_HALF_OPEN) return s->ok_streak ? LIFELINE_HEALTH_DEGRADED : LIFELINE_HEALTH_DOWN;
  if (s->probe_fail_streak) return LIFELINE_HEALTH_DEGRADED;
  rt_stats st;
  rt_stats_get(s, now, judged_window(s, now), &st);
  uint32_t failed = st.total - st.ok;
  if (st.total >= 4 && failed * 10 >= st.total) return LIFELINE_HEALTH_DEGRADED;
  if (st.p95 >= 0 && (uint32_t)st.p95 > r->cfg.slow_ms) return LIFELINE_HEALTH_DEGRADED;
  /* Hysteresis: an unwell service answering again is recovering until its streak is long
   * enough; one good probe after an outage does not make it healthy. */
  if (recovering(s)) return LIFELINE_HEALTH_DEGRADED;
  return LIFELINE_HEALTH_HEALTHY;
}

/* Our own judgement, made at least as bad as a hint in force. */
static lifeline_health judge(const lifeline_router *r, const rt_service *s,
                             lifeline_breaker_state bs, uint64_t now) {
  lifeline_health h = judge_own(r, s, bs, now);
  int hint = hint_in_force(s, now);
  return hint > (int)h ? (lifeline_health)hint : h;
}

void rt_update_health(lifeline_router *r, int si, uint64_t now) {
  rt_service *s = &r->svc[si];
  lifeline_health h = judge(r, s, lifeline_breaker_get_state(&s->breaker), now);
  if (h == s->health) {
    probe_soon(s, now);
    return;
  }
  lifeline_router_action a;
  memset(&a, 0, sizeof a);
  a.kind = LIFELINE_ROUTER_HEALTH;
  a.service = si;
  a.capability = -1;
  a.health = h;
  a.old_health = s->health;
  a.message = "";
  rt_push(r, &a);
  s->health = h;
  s->since = now;
  probe_soon(s, now);
}

const char *lifeline_health_name(lifeline_health h) {
  switch (h) {
  case LIFELINE_HEALTH_HEALTHY: return "healthy";
  case LIFELINE_HEALTH_DEGRADED: return "degraded";
  case LIFELINE_HEALTH_DOWN: return "down";
  }
  return "unknown";
}

int lifeline_router_service_info_get(const lifeline_router *r, int si, uint64_t now_ms,
                                     lifeline_router_service_info *info) {
  if (now_ms < r->last_now) now_ms = r->last_now;
  if (si < 0 || si >= r->nsvc) return LIFELINE_ERR_NOT_FOUND;
  /* A read changes nothing (it runs during a UI render): time-driven breaker transitions are
   * applied to a copy, and the health is judged as of now_ms without being stored or announced;
   * tick stores it and emits the HEALTH action. */
  const rt_service *s = &r->svc[si];
  lifeline_breaker b = s->breaker; /* no listener is set on router breakers */
  lifeline_breaker_tick(&b, now_ms);
  lifeline_breaker_state bs = lifeline_breaker_get_state(&b);
  lifeline_health h = judge(r, s, bs, now_ms);
  rt_stats st;
  rt_stats_get(s, now_ms, RT_STATS_WINDOW_MS, &st);
  memset(info, 0, sizeof *info);
  info->name = s->name;
  info->health = h;
  info->since_ms = h == s->health ? s->since : now_ms;
  info->p50_ms = st.p50;
  info->p95_ms = st.p95;
  info->p99_ms = st.p99;
  info->error_rate = st.total ? (double)(st.total - st.ok) / st.total : 0.0;
  info->samples = st.total;
  info->last_error = s->last_error;
  info->last_error_ms = s->last_error_at;
  info->breaker = lifeline_breaker_state_name(bs);
  info->breaker_retry_ms = bs == LIFELINE_BREAKER_OPEN ? lifeline_breaker_deadline(&b) : 0;
  info->attempt_timeout_ms = rt_attempt_timeout(r, s, now_ms);
  info->calls = s->calls;
  info->failures = s->failures;
  info->recovering_ok = recovering(s) ? s->ok_streak : 0;
  info->hint = hint_in_force(s, now_ms);
  info->hint_until_ms = info->hint >= 0 ? s->hint_until : 0;
  return LIFELINE_OK;
}
