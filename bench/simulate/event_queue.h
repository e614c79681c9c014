/* A binary min-heap of simulation events, ordered by (time, insertion sequence) so that events
 * due at the same virtual millisecond run in the order they were scheduled: the run is then a
 * pure function of its seed. The heap grows geometrically; every push can fail (out of memory).
 */
#ifndef STORM_EVENT_QUEUE_H
#define STORM_EVENT_QUEUE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  EV_WAKE = 1,      /* the client's manager asked to be ticked at `t` (WAKE_AT) */
  EV_ANSWER = 2,    /* the server answers the attempt `stream` */
  EV_HEARTBEAT = 3, /* the server writes a comment on the open stream `stream` */
  EV_DROP = 4,      /* global: the outage starts, every open stream is cut */
  EV_TRIGGER = 5,   /* global: every client gets the resume / online event */
  EV_ARRIVE = 6     /* the client subscribes (its first connect) */
} sim_event_kind;

typedef struct {
  uint64_t t;      /* virtual ms */
  uint64_t seq;    /* tie-break: scheduling order */
  uint32_t client; /* index; unused by global events */
  uint32_t stream; /* EV_ANSWER, EV_HEARTBEAT: the stream it belongs to */
  sim_event_kind kind;
} sim_event;

typedef struct {
  sim_event *v;
  size_t len, cap;
  uint64_t next_seq;
} event_queue;

void eq_init(event_queue *q);
void eq_free(event_queue *q);
/* 0, or -1 when out of memory. */
int eq_push(event_queue *q, uint64_t t, sim_event_kind kind, uint32_t client, uint32_t stream);
/* Removes the earliest event into *out; 0 when the queue is empty. */
int eq_pop(event_queue *q, sim_event *out);

#endif
