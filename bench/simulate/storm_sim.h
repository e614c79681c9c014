/* The reconnection-storm simulation: N clients, each one lifeline_manager (the real core, one
 * connection, one channel, one subscriber, the shipped defaults), driven by a virtual clock.
 *
 * Timeline (virtual ms): clients subscribe over [0, 5000) and connect; the server sends each one
 * an event with an id and a heartbeat comment every 15 s. At drop_at (30000) the outage starts:
 * every open stream is cut (lifeline_manager_closed, END_NETWORK) and every attempt until the
 * server returns (drop_at + outage_ms) fails, as the outage kind says:
 *   OUTAGE_REFUSED  the attempt ends at once with a network error (nothing listens on the port);
 *   OUTAGE_503      the server answers 503 without Retry-After (a proxy in front of it).
 * An attempt answered after the return gets 200 text/event-stream and one event with an id:
 * the client is BACK when that event is delivered. Each answer comes rtt_ms after its OPEN.
 *
 * Triggers (what else happens to every client, all at the same moment trigger_at_ms after the
 * server returns, 0 = the very moment it is back):
 *   TRIGGER_NONE    only the backoff timers (and the breaker) bring clients back;
 *   TRIGGER_RESUME  lifeline_manager_resume() (page shown again / resumed);
 *   TRIGGER_ONLINE  the outage is the clients' network: lifeline_manager_set_online(m, 0) at the
 *                   drop, so no attempt is made while offline, and set_online(m, 1) at the trigger.
 *
 * Measured: every OPEN action from the drop on, in slots of slot_ms; when each client is back.
 * Everything is a function of the scenario (seed included): two runs give identical results.
 */
#ifndef STORM_SIM_H
#define STORM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "lifeline/backoff.h"

typedef enum { OUTAGE_REFUSED = 0, OUTAGE_503 = 1 } storm_outage;
typedef enum { TRIGGER_NONE = 0, TRIGGER_RESUME = 1, TRIGGER_ONLINE = 2 } storm_trigger;

typedef struct {
  uint32_t clients;       /* >= 1 */
  uint64_t seed;          /* every client's manager seed is derived from it */
  uint32_t outage_ms;     /* >= slot_ms */
  storm_outage outage;
  uint32_t rtt_ms;        /* OPEN -> the server's answer */
  lifeline_jitter jitter; /* the only change to the shipped connection defaults */
  storm_trigger trigger;
  int32_t trigger_at_ms;  /* relative to the return; >= -outage_ms */
  uint32_t horizon_ms;    /* how long after the return the run goes on */
  uint32_t slot_ms;       /* >= 1 */
  /* What-if changes to the shipped defaults (for exploring which default would meet a goal;
   * the committed runs use neither). */
  int64_t online_spread_ms; /* < 0: the shipped lifeline_manager_config value */
  int no_breaker;           /* 1: features without LIFELINE_MANAGER_BREAKER */
} storm_scenario;

typedef struct {
  uint32_t *slots;           /* OPEN actions per slot; slot k starts at drop + k * slot_ms */
  size_t nslots;
  size_t return_slot;        /* the first slot at or after the return */
  uint64_t attempts_outage;  /* OPENs from the drop until the return */
  uint64_t attempts_after;   /* OPENs from the return to the end of the run */
  uint32_t max_slot_after;   /* the largest slot from the return on, and where it starts */
  int64_t max_slot_after_at_ms; /* relative to the return */
  uint32_t max_slot_all;     /* the largest slot from the drop on */
  int64_t max_slot_all_at_ms;
  uint32_t back;             /* clients back within the horizon */
  uint32_t back_early;       /* clients back before the return: the server model broke (0) */
  uint64_t back_p50_ms, back_p99_ms, back_max_ms; /* after the return, over clients back */
  uint32_t breaker_opened;   /* clients whose connection went circuit-open after the drop */
  uint32_t back_by_probe;    /* clients whose successful attempt was a half-open probe */
  uint64_t back_max_probe_ms, back_max_backoff_ms; /* the last of those, and of the others */
  uint32_t max_client_attempts; /* the most attempts one client made after the drop */
  uint64_t manager_calls;    /* entry points called (a measure of the simulation's work) */
} storm_result;

/* Fills *s with the defaults: 10000 clients, seed 1, 10 s refused outage, rtt 0, full jitter,
 * no trigger, horizon 180 s, 100 ms slots, the shipped core defaults. */
void storm_scenario_default(storm_scenario *s);

/* Runs one scenario. 0, or -1 with a message on stderr (bad scenario, out of memory, a manager
 * call failed, or the event count passed its bound: a loop). Free with storm_result_free. */
int storm_run(const storm_scenario *s, storm_result *r);
void storm_result_free(storm_result *r);

const char *storm_outage_name(storm_outage o);
const char *storm_trigger_name(storm_trigger t);

#endif
