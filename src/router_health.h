/* Router health: outcomes of real calls and of probes go into each service's breaker, samples
 * and last error; probes are scheduled (regular, faster after a failure, a trial when a break
 * ends); health is judged (healthy, degraded, down) and every change is a HEALTH action; and
 * a service's state is put in words for fail-fast messages. Calls the queue, stats, text and
 * registry layers. */
#ifndef LIFELINE_ROUTER_HEALTH_H
#define LIFELINE_ROUTER_HEALTH_H

#include "mbuf.h"
#include "router_state.h"

/* A finished call (status as for lifeline_router_complete, or RT_STATUS_SLOW). */
void rt_record_outcome(lifeline_router *r, int si, int status, uint32_t latency_ms, uint64_t now);
void rt_set_last_error(rt_service *s, int status, uint32_t latency_ms, uint64_t now);
/* 1 when the service failed probe_down_after probes in a row. */
int rt_probe_down(const lifeline_router *r, const rt_service *s);
/* 1 when a DOWN hint is in force at now (not lapsed, not overridden by our own success). */
int rt_hint_down(const rt_service *s, uint64_t now);
/* The next regular probe interval ms (jittered) from now; none without a health path. */
void rt_schedule_probe(lifeline_router *r, rt_service *s, uint64_t now, uint32_t interval);
/* A new service's first probe. */
void rt_schedule_first_probe(lifeline_router *r, rt_service *s, uint64_t now);
/* Starts every probe due at now (PROBE actions). */
void rt_probes_due(lifeline_router *r, uint64_t now);
void rt_probe_done(lifeline_router *r, rt_task *t, int status, uint64_t now);
/* The earliest probe or breaker deadline, or LIFELINE_NEVER. */
uint64_t rt_probes_deadline(const lifeline_router *r);
/* Judges service si again; a change is pushed as a HEALTH action. */
void rt_update_health(lifeline_router *r, int service, uint64_t now);
/* "open (retry in 4.2 s)", "down (HTTP 503)", "not tried", ... */
void rt_text_state(lifeline_router *r, lifeline_mbuf *t, int service, uint64_t now);

#endif
