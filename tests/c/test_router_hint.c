/* Router health hints (issue 14): a fleet's word that a service is down reaches the health at
 * once and keeps requests off it; the router's own successes override it; a hint lapses. */
#include <string.h>

#include "check.h"
#include "lifeline/error.h"
#include "lifeline/router.h"

typedef struct {
  lifeline_router *r;
  uint64_t now;
  int health[4];
  int changes;
  uint32_t call_id, probe_id[4];
  int call_service, probes, probes_of[4];
} drv;

static void drain(drv *d) {
  lifeline_router_action a;
  while (lifeline_router_next_action(d->r, &a)) {
    if (a.kind == LIFELINE_ROUTER_HEALTH) {
      d->health[a.service] = a.health;
      d->changes++;
    } else if (a.kind == LIFELINE_ROUTER_CALL) {
      d->call_id = a.id;
      d->call_service = a.service;
    } else if (a.kind == LIFELINE_ROUTER_PROBE) {
      d->probe_id[a.service] = a.id;
      d->probes_of[a.service]++;
      d->probes++;
    }
  }
}

static void setup(drv *d, uint32_t probe_interval) {
  memset(d, 0, sizeof *d);
  lifeline_router_config c;
  lifeline_router_config_default(&c);
  c.probe_interval_ms = probe_interval;
  c.seed = 7;
  d->r = lifeline_router_new(&c);
  d->now = 1000;
  lifeline_router_service_config a = {"gemini", "http://127.0.0.1:1", "analysis", 1, 10000, "/health"};
  lifeline_router_service_config b = {"llama", "http://127.0.0.1:2", "analysis", 2, 10000, "/health"};
  CHECK_EQ_INT(0, lifeline_router_add_service(d->r, &a, d->now));
  CHECK_EQ_INT(1, lifeline_router_add_service(d->r, &b, d->now));
  drain(d);
}

static void advance(drv *d, uint64_t t) {
  while (lifeline_router_deadline(d->r) <= t) {
    uint64_t n = lifeline_router_deadline(d->r);
    if (n > d->now) d->now = n;
    lifeline_router_tick(d->r, d->now);
    drain(d);
  }
  d->now = t;
}

/* A DOWN hint: health down at once, requests go to the other service, and the fail-fast text
 * says where it came from; the hint's lapse gives the health back to the router's own view. */
static void test_down_hint_applies_and_lapses(void) {
  drv d;
  setup(&d, 0);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_router_hint(d.r, 0, LIFELINE_HEALTH_DOWN, 3000, d.now));
  drain(&d);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, d.health[0]);
  lifeline_router_service_info info;
  lifeline_router_service_info_get(d.r, 0, d.now, &info);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, info.hint);
  CHECK(info.hint_until_ms == d.now + 3000);
  CHECK(lifeline_router_request(d.r, "analysis", 0, d.now) > 0);
  drain(&d);
  CHECK_EQ_INT(1, d.call_service); /* the hinted service is skipped */
  lifeline_router_complete(d.r, d.call_id, 200, d.now + 20);
  drain(&d);
  CHECK(strstr(lifeline_router_explain(d.r, "analysis", d.now), "gemini down (server hint)") != NULL);
  advance(&d, d.now + 3000); /* lapses: tick re-judges at its end */
  CHECK_EQ_INT(LIFELINE_HEALTH_HEALTHY, d.health[0]);
  lifeline_router_service_info_get(d.r, 0, d.now, &info);
  CHECK_EQ_INT(-1, info.hint);
  lifeline_router_free(d.r);
}

/* The router's own evidence decides: a successful probe after the hint overrides it, a refresh
 * of the same hint does not bring it back, a hint of another state (or after a lapse) does. */
static void test_own_success_overrides(void) {
  drv d;
  setup(&d, 10000);
  advance(&d, d.now + 500); /* the first probes are sent soon after the services are added */
  lifeline_router_hint(d.r, 0, LIFELINE_HEALTH_DOWN, 30000, d.now);
  drain(&d);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, d.health[0]);
  /* our own next probe of gemini answers */
  int probes = d.probes_of[0];
  while (d.probes_of[0] == probes && d.now < 100000) {
    uint64_t n = lifeline_router_deadline(d.r);
    d.now = n > d.now ? n : d.now + 1;
    lifeline_router_tick(d.r, d.now);
    drain(&d);
  }
  CHECK(d.probes_of[0] > probes);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_router_complete(d.r, d.probe_id[0], 200, d.now + 5));
  drain(&d);
  lifeline_router_service_info info;
  lifeline_router_service_info_get(d.r, 0, d.now, &info);
  CHECK_EQ_INT(-1, info.hint);
  CHECK(info.health != LIFELINE_HEALTH_DOWN);
  lifeline_router_hint(d.r, 0, LIFELINE_HEALTH_DOWN, 30000, d.now); /* a refresh: still ours */
  drain(&d);
  lifeline_router_service_info_get(d.r, 0, d.now, &info);
  CHECK_EQ_INT(-1, info.hint);
  lifeline_router_hint(d.r, 0, LIFELINE_HEALTH_HEALTHY, 30000, d.now);
  lifeline_router_hint(d.r, 0, LIFELINE_HEALTH_DOWN, 30000, d.now); /* a new outage */
  drain(&d);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, d.health[0]);
  lifeline_router_free(d.r);
}

/* A HEALTHY hint never overrides the router's own view; a DEGRADED one degrades; bad input. */
static void test_healthy_and_degraded_hints(void) {
  drv d;
  setup(&d, 0);
  lifeline_router_hint(d.r, 1, LIFELINE_HEALTH_DEGRADED, 5000, d.now);
  drain(&d);
  CHECK_EQ_INT(LIFELINE_HEALTH_DEGRADED, d.health[1]);
  /* five failed calls open gemini's breaker: a HEALTHY hint leaves it down */
  for (int i = 0; i < 5; i++) {
    CHECK(lifeline_router_request(d.r, "analysis", 0, d.now) > 0);
    drain(&d);
    lifeline_router_complete(d.r, d.call_id, 503, d.now + 1);
    drain(&d);
    if (d.call_service == 1) lifeline_router_complete(d.r, d.call_id, 200, d.now + 2);
    drain(&d);
    d.now += 10;
  }
  lifeline_router_hint(d.r, 0, LIFELINE_HEALTH_HEALTHY, 5000, d.now);
  drain(&d);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, d.health[0]);
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_router_hint(d.r, 5, LIFELINE_HEALTH_DOWN, 1000, d.now));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_router_hint(d.r, 0, (lifeline_health)7, 1000, d.now));
  /* the validity is capped */
  lifeline_router_hint(d.r, 1, LIFELINE_HEALTH_DOWN, 0xffffffffu, d.now);
  lifeline_router_service_info info;
  lifeline_router_service_info_get(d.r, 1, d.now, &info);
  CHECK(info.hint_until_ms == d.now + LIFELINE_ROUTER_HINT_MAX_MS);
  lifeline_router_free(d.r);
}

int main(void) {
  test_down_hint_applies_and_lapses();
  test_own_success_overrides();
  test_healthy_and_degraded_hints();
  return check_report("router_hint");
}
