/* The router's action queue, ids, tasks and monotonic clock. */
#include "router_queue.h"

#include <string.h>

/* Time never goes back inside the router: hosts may read the clock in two places (JS timers and
 * the platform's fetch callbacks) and see slightly out-of-order values. */
uint64_t rt_now(lifeline_router *r, uint64_t now) {
  if (now < r->last_now) return r->last_now;
  r->last_now = now;
  return now;
}

void rt_push(lifeline_router *r, const lifeline_router_action *a) {
  if (r->qcount == RT_QUEUE) return; /* unreachable when drained per call (see RT_QUEUE) */
  r->queue[(r->qhead + r->qcount) % RT_QUEUE] = *a;
  r->qcount++;
}

void rt_action_clear(lifeline_router_action *a, lifeline_router_action_kind kind) {
  memset(a, 0, sizeof *a);
  a->kind = kind;
  a->service = -1;
  a->capability = -1;
  a->message = "";
}

void rt_push_simple(lifeline_router *r, lifeline_router_action_kind kind, uint32_t id, int32_t service) {
  lifeline_router_action a;
  rt_action_clear(&a, kind);
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

uint32_t rt_next_id(lifeline_router *r, uint32_t slot) {
  uint32_t id = (r->seq << 8) | slot;
  r->seq = r->seq >= 0xFFFFFFu ? 1 : r->seq + 1;
  return id;
}

rt_task *rt_task_new(lifeline_router *r, int kind, int service, uint64_t now) {
  for (uint32_t i = 0; i < RT_MAX_TASKS; i++) {
    rt_task *t = &r->task[i];
    if (t->id) continue;
    memset(t, 0, sizeof *t);
    t->id = rt_next_id(r, i);
    t->kind = (uint8_t)kind;
    t->service = (uint8_t)service;
    t->epoch = r->epoch;
    t->started = now;
    return t;
  }
  return NULL; /* cannot happen: RT_MAX_TASKS covers every request's attempts and every probe */
}

void rt_task_free(rt_task *t) { memset(t, 0, sizeof *t); }

rt_task *rt_task_find(lifeline_router *r, uint32_t id) {
  if (!id || (id & 0xFF) >= RT_MAX_TASKS) return NULL;
  rt_task *t = &r->task[id & 0xFF];
  return t->id == id ? t : NULL;
}
