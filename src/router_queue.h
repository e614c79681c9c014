/* The router's bottom layer: the queue of actions the host drains, ids that never match a reused
 * slot, the task table (attempts and probes in flight) and a clock that never goes back. */
#ifndef LIFELINE_ROUTER_QUEUE_H
#define LIFELINE_ROUTER_QUEUE_H

#include "router_state.h"

/* now, or the latest now seen if the host's clock stepped back. */
uint64_t rt_now(lifeline_router *r, uint64_t now);
/* Appends an action (dropped only if the queue is full, which draining per call prevents). */
void rt_push(lifeline_router *r, const lifeline_router_action *a);
/* Zeroes *a as an action of `kind` with no service, capability or message. */
void rt_action_clear(lifeline_router_action *a, lifeline_router_action_kind kind);
void rt_push_simple(lifeline_router *r, lifeline_router_action_kind kind, uint32_t id, int32_t service);
/* An id for table slot `slot`: (sequence << 8) | slot, so a stale id never matches a reused slot. */
uint32_t rt_next_id(lifeline_router *r, uint32_t slot);
/* A free task of kind RT_TASK_CALL or RT_TASK_PROBE, or NULL (cannot happen: RT_MAX_TASKS). */
rt_task *rt_task_new(lifeline_router *r, int kind, int service, uint64_t now);
void rt_task_free(rt_task *t);
/* The live task with this id, or NULL. */
rt_task *rt_task_find(lifeline_router *r, uint32_t id);

#endif
