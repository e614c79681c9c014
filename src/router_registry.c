/* AI-service router: configuration, creation and the service registry (see router.h). */
#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"
#include "router_registry.h"

void lifeline_router_config_default(lifeline_router_config *c) {
  memset(c, 0, sizeof *c);
  c->probe_interval_ms = 10000;
  c->probe_timeout_ms = 2000;
  c->probe_jitter_percent = 10;
  c->probe_down_after = 2;
  c->min_attempt_timeout_ms = 1500;
  c->cold_timeout_ms = 3000;
  c->default_deadline_ms = 30000;
  c->slow_ms = 5000;
  c->retry_budget_percent = 20;
  c->retry_budget_window_ms = 10000;
  c->retry_budget_reserve_per_s = 1;
  c->breaker_failure_percent = 50;
  c->breaker_min_calls = 10;
  c->breaker_window_ms = 60000;
  c->breaker_consecutive = 5;
  c->breaker_open_ms = 5000;
  c->breaker_max_open_ms = 20000;
}

static int config_valid(const lifeline_router_config *c) {
  return c->probe_timeout_ms > 0 && c->probe_jitter_percent <= 50 && c->probe_down_after >= 1 &&
         c->min_attempt_timeout_ms > 0 && c->cold_timeout_ms > 0 && c->default_deadline_ms > 0 &&
         c->breaker_failure_percent >= 1 && c->breaker_failure_percent <= 100 &&
         c->retry_budget_window_ms >= 1000 && c->retry_budget_window_ms % 1000 == 0 &&
         c->retry_budget_window_ms <= 1000u * LIFELINE_WINDOW_MAX_BUCKETS &&
         c->breaker_window_ms >= 1000 && c->breaker_window_ms % 1000 == 0 &&
         c->breaker_window_ms <= 1000u * LIFELINE_WINDOW_MAX_BUCKETS && c->breaker_open_ms > 0 &&
         c->breaker_max_open_ms >= c->breaker_open_ms;
}

lifeline_router *lifeline_router_new(const lifeline_router_config *c) {
  lifeline_router_config def;
  if (!c) {
    lifeline_router_config_default(&def);
    c = &def;
  }
  if (!config_valid(c)) return NULL;
  lifeline_router *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->cfg = *c;
  lifeline_rng_seed(&r->rng, c->seed, 0x726f75746572u); /* "router" */
  r->online = 1;
  r->seq = 1;
  for (int i = 0; i < LIFELINE_ROUTER_MAX_CAPABILITIES; i++) r->cap_served[i] = -1;
  return r;
}

void lifeline_router_free(lifeline_router *r) { free(r); }

/* ---- registry ------------------------------------------------------------------------- */

static int copy_str(char *dst, size_t cap, const char *src, int allow_empty) {
  if (!src) src = "";
  size_t n = strlen(src);
  if (n >= cap || (!n && !allow_empty)) return 0;
  memcpy(dst, src, n + 1);
  return 1;
}

static int cap_intern(lifeline_router *r, const char *name, size_t n) {
  for (int i = 0; i < r->ncaps; i++)
    if (strlen(r->cap_names[i]) == n && !memcmp(r->cap_names[i], name, n)) return i;
  if (r->ncaps == LIFELINE_ROUTER_MAX_CAPABILITIES) return LIFELINE_ERR_FULL;
  memcpy(r->cap_names[r->ncaps], name, n);
  r->cap_names[r->ncaps][n] = 0;
  return r->ncaps++;
}

/* Parses "a,b" into a bitmask; returns 0 (no capability) on malformed input or < 0 when full. */
static int64_t parse_caps(lifeline_router *r, const char *list) {
  int64_t mask = 0;
  const char *p = list;
  while (p && *p) {
    const char *e = strchr(p, ',');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    while (n && *p == ' ') p++, n--;
    while (n && p[n - 1] == ' ') n--;
    if (!n || n >= LIFELINE_ROUTER_NAME_MAX) return 0;
    int idx = cap_intern(r, p, n);
    if (idx < 0) return idx;
    mask |= (int64_t)1 << idx;
    p = e ? e + 1 : NULL;
  }
  return mask;
}

static void breaker_config(const lifeline_router *r, int index, lifeline_breaker_config *bc) {
  lifeline_breaker_config_default(bc);
  bc->failure_rate_threshold = r->cfg.breaker_failure_percent / 100.0;
  bc->window_ms = r->cfg.breaker_window_ms;
  bc->window_buckets = r->cfg.breaker_window_ms / 1000;
  bc->minimum_calls = r->cfg.breaker_min_calls;
  bc->consecutive_failures = r->cfg.breaker_consecutive;
  bc->open_ms = r->cfg.breaker_open_ms;
  bc->max_open_ms = r->cfg.breaker_max_open_ms;
  /* One trial decides: the router sends it itself as a health probe when the break ends. */
  bc->half_open_probes = 1;
  bc->half_open_successes = 1;
  bc->half_open_failures = 1;
  bc->seed = r->cfg.seed ^ (0x9E3779B97F4A7C15ull * (uint64_t)(index + 1));
}

int rt_registry_add(lifeline_router *r, const lifeline_router_service_config *c, uint64_t now_ms) {
  if (!c || !c->name) return LIFELINE_ERR_INVALID_ARGUMENT;
  if (r->nsvc == LIFELINE_ROUTER_MAX_SERVICES) return LIFELINE_ERR_FULL;
  for (int i = 0; i < r->nsvc; i++)
    if (!strcmp(r->svc[i].name, c->name)) return LIFELINE_ERR_INVALID_ARGUMENT;
  rt_service *s = &r->svc[r->nsvc];
  memset(s, 0, sizeof *s);
  if (!copy_str(s->name, sizeof s->name, c->name, 0) ||
      !copy_str(s->url, sizeof s->url, c->base_url, 0) ||
      !copy_str(s->health_path, sizeof s->health_path, c->health_path, 1))
    return LIFELINE_ERR_INVALID_ARGUMENT;
  int ncaps_before = r->ncaps;
  int64_t caps = parse_caps(r, c->capabilities);
  if (caps <= 0) {
    r->ncaps = ncaps_before; /* forget names interned for a rejected service */
    return caps < 0 ? (int)caps : LIFELINE_ERR_INVALID_ARGUMENT;
  }
  s->caps = (uint32_t)caps;
  s->priority = c->priority;
  s->max_attempt_timeout_ms = c->max_attempt_timeout_ms ? c->max_attempt_timeout_ms : 10000;
  lifeline_breaker_config bc;
  breaker_config(r, r->nsvc, &bc);
  if (lifeline_breaker_init(&s->breaker, &bc) != LIFELINE_OK) return LIFELINE_ERR_INVALID_ARGUMENT;
  lifeline_window_init(&s->budget, 1000, r->cfg.retry_budget_window_ms / 1000);
  s->health = LIFELINE_HEALTH_HEALTHY;
  s->since = now_ms;
  s->hint = -1;
  return r->nsvc++;
}

int lifeline_router_service_count(const lifeline_router *r) { return r->nsvc; }

const char *lifeline_router_service_name(const lifeline_router *r, int i) {
  return i >= 0 && i < r->nsvc ? r->svc[i].name : NULL;
}
const char *lifeline_router_service_url(const lifeline_router *r, int i) {
  return i >= 0 && i < r->nsvc ? r->svc[i].url : NULL;
}
const char *lifeline_router_service_health_path(const lifeline_router *r, int i) {
  return i >= 0 && i < r->nsvc ? r->svc[i].health_path : NULL;
}

int lifeline_router_capability_index(const lifeline_router *r, const char *name) {
  for (int i = 0; name && i < r->ncaps; i++)
    if (!strcmp(r->cap_names[i], name)) return i;
  return LIFELINE_ERR_NOT_FOUND;
}

const char *lifeline_router_capability_name(const lifeline_router *r, int i) {
  return i >= 0 && i < r->ncaps ? r->cap_names[i] : NULL;
}

