/* Drives a router with random requests, completions (any status, late and stale ids), ticks,
 * time steps, aborts and online flips decoded from the input, checking invariants after every
 * step; then lets time run out and checks that every request ended exactly once. Any violation
 * aborts (a crash). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"
#include "lifeline/router.h"
#include "router_state.h"
#include "fuzz_input.h"

#define MAX_OPEN 512
#define MAX_REQ 4096

typedef struct {
  lifeline_router *r;
  uint64_t now;
  uint32_t open[MAX_OPEN]; /* attempt and probe ids the host is carrying */
  int nopen;
  uint32_t req[MAX_REQ]; /* request ids; 0 once done or aborted */
  int nreq;
} driver;

static void forget(driver *d, uint32_t id) {
  for (int i = 0; i < d->nopen; i++)
    if (d->open[i] == id) d->open[i--] = d->open[--d->nopen];
}

static void drain(driver *d) {
  lifeline_router_action a;
  REQUIRE(d->r->qcount < RT_QUEUE); /* the queue never fills up: nothing was dropped */
  while (lifeline_router_next_action(d->r, &a)) {
    switch (a.kind) {
    case LIFELINE_ROUTER_CALL:
    case LIFELINE_ROUTER_PROBE:
      REQUIRE(a.service >= 0 && a.service < lifeline_router_service_count(d->r));
      REQUIRE(a.timeout_ms > 0);
      if (d->nopen < MAX_OPEN) d->open[d->nopen++] = a.id;
      break;
    case LIFELINE_ROUTER_CANCEL:
      forget(d, a.id);
      break;
    case LIFELINE_ROUTER_DONE: {
      int found = 0;
      for (int i = 0; i < d->nreq; i++)
        if (d->req[i] == a.request) d->req[i] = 0, found = 1;
      REQUIRE(found); /* exactly one DONE per request, never for an aborted one */
      REQUIRE(a.code == 0 || a.code == LIFELINE_ERR_UNAVAILABLE || a.code == LIFELINE_ERR_TIMEOUT);
      REQUIRE(a.code != 0 || (a.service >= 0 && a.status >= 100));
      REQUIRE(a.code == 0 || (a.message && a.message[0]));
      break;
    }
    case LIFELINE_ROUTER_HEALTH:
      REQUIRE(a.health != a.old_health && a.health >= 0 && a.health <= 2);
      break;
    default:
      REQUIRE(a.kind == LIFELINE_ROUTER_DEGRADED || a.kind == LIFELINE_ROUTER_RECOVERED);
    }
  }
}

static const int statuses[] = {200, 204, 302, 400, 404, 408, 429, 500, 503, 0, -1, 100};
static const char *caps[] = {"analysis", "search", "summary", "nothing"};

/* A streamed attempt from the input: headers, chunks, deadlines and a close in any order; an
 * ended one is fed to the router. COMPLETE only ever follows content and the end marker. */
static void stream_attempt(driver *d, input *in, int si) {
  lifeline_stream_attempt a;
  lifeline_stream_start(&a, take(in, 1) * 20, take(in, 1) * 10, d->now);
  uint64_t t = d->now;
  int content = 0;
  for (uint32_t n = take(in, 1) % 8; n--;) {
    uint32_t e = take(in, 1);
    t += take(in, 1) * 5;
    if (e % 4 == 0)
      lifeline_stream_headers(&a, statuses[(e >> 2) % 12] < 0 ? 0 : statuses[(e >> 2) % 12], e, t);
    else if (e % 4 == 3)
      lifeline_stream_closed(&a, (int)(e & 4), t);
    else {
      lifeline_chunk_kind k = (lifeline_chunk_kind)((e >> 2) % 6);
      int before = a.state;
      lifeline_stream_chunk(&a, k, t);
      content |= k == LIFELINE_CHUNK_CONTENT && before != LIFELINE_STREAM_ENDED && a.state == LIFELINE_STREAM_COMMITTED;
    }
    lifeline_stream_tick(&a, t);
    REQUIRE(a.state == LIFELINE_STREAM_ENDED || lifeline_stream_deadline(&a) > t);
  }
  REQUIRE(a.outcome != LIFELINE_STREAM_COMPLETE || (content && a.chunks > 0));
  if (t > d->now) d->now = t;
  REQUIRE(lifeline_router_stream_record(d->r, si, &a, d->now) ==
          (a.state == LIFELINE_STREAM_ENDED ? 0 : LIFELINE_ERR_INVALID_ARGUMENT));
}

static void step(driver *d, input *in) {
  uint32_t op = take(in, 1);
  switch (op % 8) {
  case 0: {
    int64_t id = lifeline_router_request(d->r, caps[take(in, 1) % 4], take(in, 1) * 40, d->now);
    REQUIRE(id > 0 || id == LIFELINE_ERR_FULL);
    if (id > 0 && d->nreq < MAX_REQ) d->req[d->nreq++] = (uint32_t)id;
    break;
  }
  case 1:
  case 2:
    if (d->nopen) {
      int i = (int)(take(in, 1) % (uint32_t)d->nopen);
      uint32_t id = d->open[i];
      forget(d, id);
      REQUIRE(lifeline_router_complete(d->r, id, statuses[take(in, 1) % 12], d->now) == 0);
    }
    break;
  case 3: {
    uint64_t dl = lifeline_router_deadline(d->r);
    if (dl != LIFELINE_NEVER && dl > d->now && dl - d->now < 120000) d->now = dl;
    lifeline_router_tick(d->r, d->now);
    REQUIRE(lifeline_router_deadline(d->r) > d->now); /* nothing due is left behind */
    break;
  }
  case 4:
    d->now += take(in, 2);
    break;
  case 5: {
    uint32_t b = take(in, 1);
    if (b & 0x80)
      stream_attempt(d, in, (int)((b >> 2) % 3));
    else if (b & 2) /* a fleet's health hint: lapses, overrides and deadlines under any order */
      REQUIRE(lifeline_router_hint(d->r, (int)((b >> 2) % 3), (lifeline_health)((b >> 4) % 3), take(in, 2) * 10, d->now) == 0);
    else
      lifeline_router_set_online(d->r, (int)(b & 1), d->now);
    break;
  }
  case 6:
    if (d->nreq) {
      uint32_t *q = &d->req[take(in, 1) % (uint32_t)d->nreq];
      if (*q) {
        REQUIRE(lifeline_router_abort(d->r, *q, d->now) == 0);
        *q = 0;
      }
    }
    break;
  default: {
    lifeline_router_service_info info;
    REQUIRE(lifeline_router_service_info_get(d->r, (int)(take(in, 1) % 3), d->now, &info) == 0);
    REQUIRE(info.error_rate >= 0 && info.error_rate <= 1 && info.attempt_timeout_ms > 0);
    REQUIRE(strlen(lifeline_router_explain(d->r, caps[op % 4], d->now)) < LIFELINE_ROUTER_MESSAGE_MAX);
    uint32_t id = take(in, 4); /* a random id: harmless, unless it happens to be a live one */
    int live = 0;
    for (int i = 0; i < d->nopen; i++) live |= d->open[i] == id;
    forget(d, id);
    REQUIRE((lifeline_router_complete(d->r, id, 200, d->now) == 0) == live);
  }
  }
  drain(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  input in = {data, size};
  static driver d;
  memset(&d, 0, sizeof d);
  lifeline_router_config c;
  lifeline_router_config_default(&c);
  c.seed = take(&in, 2);
  c.hedge_ms = take(&in, 1) * 8;
  c.probe_interval_ms = take(&in, 1) * 200;
  d.r = lifeline_router_new(&c);
  REQUIRE(d.r);
  d.now = 1000;
  const char *names[] = {"gemini", "perplexity", "llama"};
  const char *svc_caps[] = {"analysis,summary", "analysis,search", "analysis,summary"};
  for (int i = 0; i < 3; i++) {
    lifeline_router_service_config s = {names[i], "http://x", svc_caps[i], (int)(take(&in, 1) % 3),
                                        take(&in, 1) * 50, (take(&in, 1) & 1) ? "/health" : ""};
    REQUIRE(lifeline_router_add_service(d.r, &s, d.now) == i);
  }
  drain(&d);
  while (in.n) step(&d, &in);
  /* Let time run out, answering nothing: every request must end by its deadline. */
  for (int i = 0; i < 100000; i++) {
    uint64_t dl = lifeline_router_deadline(d.r);
    if (dl == LIFELINE_NEVER || dl > d.now + 600000) break;
    d.now = dl > d.now ? dl : d.now;
    lifeline_router_tick(d.r, d.now);
    drain(&d);
    int pending = 0;
    for (int k = 0; k < d.nreq; k++) pending += d.req[k] != 0;
    if (!pending) break;
  }
  for (int k = 0; k < d.nreq; k++) REQUIRE(d.req[k] == 0);
  lifeline_router_free(d.r);
  return 0;
}
