/* Router tests with a fake clock: a small simulator plays the services (ok, refuse, hang, 500,
 * slow) and performs the router's actions, so every rule is checked in virtual time. */
#include <stdlib.h>

#include "check.h"
#include "lifeline/error.h"
#include "lifeline/router.h"

enum { OK = 0, REFUSE = 1, HANG = 2, E500 = 3, E400 = 4, E429 = 5 };

typedef struct {
  uint64_t at;
  uint32_t id;
  int status;
} pending;

typedef struct {
  lifeline_router *r;
  uint64_t now;
  int mode[8];
  uint32_t lat[8];
  pending p[512];
  int np;
  /* what came out */
  lifeline_router_action done[1024];
  char done_msg[1024][160];
  int ndone;
  uint64_t done_at; /* time of the last DONE */
  int calls[8], probes[8], cancels;
  int last_call_service, last_call_attempt;
  uint32_t last_call_timeout;
  uint64_t down_at[8], up_at[8]; /* first HEALTH -> down, and last HEALTH out of down */
  int health[8];
  int degraded_notices, recovered_notices, last_notice_service;
} sim;

static void sim_schedule(sim *s, uint32_t id, int service) {
  int m = s->mode[service];
  if (m == HANG) return;
  pending *p = &s->p[s->np++];
  p->id = id;
  p->at = s->now + (m == REFUSE ? 1 : s->lat[service]);
  p->status = m == OK ? 200 : m == REFUSE ? 0 : m == E500 ? 500 : m == E400 ? 400 : 429;
}

static void sim_drain(sim *s) {
  lifeline_router_action a;
  while (lifeline_router_next_action(s->r, &a)) {
    switch (a.kind) {
    case LIFELINE_ROUTER_CALL:
      s->calls[a.service]++;
      s->last_call_service = a.service;
      s->last_call_attempt = (int)a.attempt;
      s->last_call_timeout = a.timeout_ms;
      sim_schedule(s, a.id, a.service);
      break;
    case LIFELINE_ROUTER_PROBE:
      s->probes[a.service]++;
      sim_schedule(s, a.id, a.service);
      break;
    case LIFELINE_ROUTER_CANCEL:
      s->cancels++;
      for (int i = 0; i < s->np; i++)
        if (s->p[i].id == a.id) s->p[i--] = s->p[--s->np];
      break;
    case LIFELINE_ROUTER_DONE:
      if (s->ndone < 1024) {
        snprintf(s->done_msg[s->ndone], sizeof s->done_msg[0], "%s", a.message);
        s->done[s->ndone++] = a;
      }
      s->done_at = s->now;
      break;
    case LIFELINE_ROUTER_HEALTH:
      s->health[a.service] = a.health;
      if (a.health == LIFELINE_HEALTH_DOWN && !s->down_at[a.service]) s->down_at[a.service] = s->now;
      if (a.old_health == LIFELINE_HEALTH_DOWN) s->up_at[a.service] = s->now;
      break;
    case LIFELINE_ROUTER_DEGRADED:
      s->degraded_notices++;
      s->last_notice_service = a.service;
      break;
    case LIFELINE_ROUTER_RECOVERED:
      s->recovered_notices++;
      s->last_notice_service = a.service;
      break;
    }
  }
}

/* Advances virtual time to `until`, delivering completions and ticking at every deadline. */
static void sim_run(sim *s, uint64_t until) {
  for (;;) {
    uint64_t next = lifeline_router_deadline(s->r);
    for (int i = 0; i < s->np; i++)
      if (s->p[i].at < next) next = s->p[i].at;
    if (next > until) break;
    if (next > s->now) s->now = next;
    for (int i = 0; i < s->np; i++) {
      if (s->p[i].at > s->now) continue;
      pending p = s->p[i];
      s->p[i--] = s->p[--s->np];
      lifeline_router_complete(s->r, p.id, p.status, s->now);
      sim_drain(s);
    }
    lifeline_router_tick(s->r, s->now);
    sim_drain(s);
  }
  s->now = until;
}

static const char *names[] = {"gemini", "perplexity", "llama"};

static void sim_init(sim *s, const lifeline_router_config *cfg, int nsvc, const char *const *caps,
                     const char *health) {
  memset(s, 0, sizeof *s);
  s->now = 1000;
  s->r = lifeline_router_new(cfg);
  for (int i = 0; i < nsvc; i++) {
    lifeline_router_service_config sc = {names[i], "http://127.0.0.1:1", caps[i], i + 1, 10000, health};
    CHECK_EQ_INT(i, lifeline_router_add_service(s->r, &sc, s->now));
    s->lat[i] = 50;
  }
  sim_drain(s);
}

static const char *all3[] = {"analysis,summary", "analysis,search", "analysis"};

static lifeline_router_config quiet(void) { /* no probes: traffic rules only */
  lifeline_router_config c;
  lifeline_router_config_default(&c);
  c.probe_interval_ms = 0;
  c.seed = 42;
  return c;
}

/* Sends one request and runs until it is done (or `budget` ms pass); returns its DONE. */
static lifeline_router_action *sim_request(sim *s, const char *cap, uint32_t deadline, uint64_t budget) {
  int before = s->ndone;
  int64_t id = lifeline_router_request(s->r, cap, deadline, s->now);
  CHECK(id > 0);
  sim_drain(s);
  uint64_t end = s->now + budget;
  while (s->ndone == before && s->now < end) {
    uint64_t d = lifeline_router_deadline(s->r);
    uint64_t step = s->now + 10;
    sim_run(s, d < step && d > s->now ? d : step);
  }
  return s->ndone > before ? &s->done[s->ndone - 1] : NULL;
}

static void test_priority_and_capability(void) {
  sim s;
  lifeline_router_config c = quiet();
  sim_init(&s, &c, 3, all3, "");
  lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->code == 0 && d->service == 0 && d->attempt == 1 && !d->degraded && d->status == 200);
  d = sim_request(&s, "search", 0, 5000);
  CHECK(d && d->service == 1 && !d->degraded); /* the best service for 'search' is not degraded */
  d = sim_request(&s, "summary", 0, 5000);
  CHECK(d && d->service == 0);
  d = sim_request(&s, "translation", 0, 5000);
  CHECK(d && d->code == LIFELINE_ERR_UNAVAILABLE && d->attempt == 0);
  CHECK_EQ_STR("no service offers 'translation'", s.done_msg[s.ndone - 1]);
  CHECK_EQ_INT(0, s.degraded_notices);
  lifeline_router_free(s.r);
}

static void test_latency_order(void) {
  sim s;
  lifeline_router_config c = quiet();
  const char *caps[] = {"analysis", "analysis", "analysis"};
  sim_init(&s, &c, 3, caps, "");
  /* Make gemini and perplexity peers (same priority), gemini slow. */
  lifeline_router_free(s.r);
  s.r = lifeline_router_new(&c);
  for (int i = 0; i < 2; i++) {
    lifeline_router_service_config sc = {names[i], "http://x", "analysis", 1, 10000, ""};
    lifeline_router_add_service(s.r, &sc, s.now);
  }
  s.lat[0] = 400;
  s.lat[1] = 60;
  lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000); /* unknown: index order */
  CHECK(d && d->service == 0);
  d = sim_request(&s, "analysis", 0, 5000); /* gemini 400 vs perplexity unknown (0) */
  CHECK(d && d->service == 1);
  for (int i = 0; i < 5; i++) {
    d = sim_request(&s, "analysis", 0, 5000);
    CHECK(d && d->service == 1 && !d->degraded); /* peers: neither is a fallback */
  }
  lifeline_router_free(s.r);
}

static void test_failover_classes(void) {
  sim s;
  lifeline_router_config c = quiet();
  sim_init(&s, &c, 3, all3, "");
  s.mode[0] = REFUSE;
  lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->code == 0 && d->service == 1 && d->attempt == 2 && d->degraded);
  CHECK_EQ_INT(1, s.degraded_notices);
  CHECK_EQ_INT(1, s.last_notice_service);
  s.mode[0] = E500;
  d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->service == 1 && d->attempt == 2);
  CHECK_EQ_INT(1, s.degraded_notices); /* same fallback: no new notice */
  s.mode[0] = E429;
  d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->service == 1 && d->attempt == 2);
  s.mode[0] = OK;
  d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->service == 0 && !d->degraded);
  CHECK_EQ_INT(1, s.recovered_notices);
  /* A caller error is the answer: not retried, not a failure of the service. */
  s.mode[0] = E400;
  d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->code == 0 && d->service == 0 && d->status == 400 && d->attempt == 1);
  /* Timeout: cold services get 3000 ms, then the next one answers. */
  s.mode[0] = HANG;
  uint64_t t0 = s.now;
  d = sim_request(&s, "analysis", 0, 10000);
  CHECK(d && d->service == 1 && d->attempt == 2);
  CHECK_EQ_INT(3000 + 50, s.done_at - t0);
  CHECK_EQ_INT(50, d->latency_ms);   /* the answering attempt */
  CHECK_EQ_INT(3050, d->elapsed_ms); /* failover cost: elapsed - latency = 3000 */
  CHECK(s.cancels >= 1);
  /* Everything fails: UNAVAILABLE naming each service's outcome. */
  s.mode[0] = E500;
  s.mode[1] = REFUSE;
  s.mode[2] = E500;
  d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->code == LIFELINE_ERR_UNAVAILABLE && d->attempt == 3);
  CHECK_EQ_STR("every service for 'analysis' failed: gemini HTTP 500, perplexity network error, llama HTTP 500",
               s.done_msg[s.ndone - 1]);
  lifeline_router_free(s.r);
}

static void test_timeout_from_latency(void) {
  sim s;
  lifeline_router_config c = quiet();
  sim_init(&s, &c, 3, all3, "");
  lifeline_router_service_info info;
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_INT(3000, info.attempt_timeout_ms); /* cold */
  s.lat[0] = 100;
  for (int i = 0; i < 20; i++) sim_request(&s, "analysis", 0, 5000);
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_INT(1500, info.attempt_timeout_ms); /* 4 x 100 clamped up to 1500 */
  CHECK_EQ_INT(100, info.p50_ms);
  /* Two stalls among 64 calls do not stretch the timeout (they would with p99). */
  s.lat[0] = 1400;
  for (int i = 0; i < 2; i++) sim_request(&s, "analysis", 0, 5000);
  s.lat[0] = 100;
  for (int i = 0; i < 62; i++) sim_request(&s, "analysis", 0, 5000);
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_INT(1400, info.p99_ms); /* 3 x p99 would give 4.2 s */
  CHECK_EQ_INT(1500, info.attempt_timeout_ms);
  s.lat[0] = 1200;
  for (int i = 0; i < 64; i++) sim_request(&s, "analysis", 0, 5000);
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_INT(4800, info.attempt_timeout_ms);
  s.lat[0] = 2000; /* grows slowly: each step stays under the current timeout */
  for (int i = 0; i < 64; i++) sim_request(&s, "analysis", 0, 60000);
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_INT(8000, info.attempt_timeout_ms);
  s.lat[0] = 5000;
  for (int i = 0; i < 64; i++) sim_request(&s, "analysis", 0, 60000);
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_INT(10000, info.attempt_timeout_ms); /* capped by the service's timeout */
  /* Calls a minute apart keep the latency figures (10 min window): not cold again. */
  s.lat[0] = 100;
  for (int i = 0; i < 10; i++) {
    sim_request(&s, "analysis", 0, 5000);
    s.now += 60000;
  }
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_INT(1500, info.attempt_timeout_ms);
  CHECK_EQ_INT(0, info.samples); /* health figures: nothing in the last 60 s */
  /* With observed latency 100 ms, a hanging primary costs 1.5 s, not the cold 3 s. */
  s.lat[0] = 100;
  for (int i = 0; i < 64; i++) sim_request(&s, "analysis", 0, 5000);
  s.mode[0] = HANG;
  uint64_t t0 = s.now;
  lifeline_router_action *d = sim_request(&s, "analysis", 0, 10000);
  CHECK(d && d->service == 1);
  CHECK_EQ_INT(1500 + 50, s.done_at - t0);
  lifeline_router_free(s.r);
}

static void test_deadline(void) {
  sim s;
  lifeline_router_config c = quiet();
  sim_init(&s, &c, 3, all3, "");
  s.mode[0] = HANG;
  uint64_t t0 = s.now;
  lifeline_router_action *d = sim_request(&s, "analysis", 2000, 10000);
  CHECK(d && d->code == LIFELINE_ERR_TIMEOUT && d->attempt == 1);
  CHECK_EQ_INT(2000, s.done_at - t0);
  CHECK_EQ_INT(2000, s.last_call_timeout);
  CHECK_EQ_STR("deadline of 2000 ms exceeded for 'analysis': gemini timeout after 2000 ms, perplexity not tried, llama not tried",
               s.done_msg[s.ndone - 1]);
  lifeline_router_service_info info;
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_INT(0, info.failures); /* cut by the caller's deadline: not the service's fault */
  /* A 5xx with time left fails over; the second attempt's timeout is what is left. */
  s.mode[0] = E500;
  s.lat[0] = 1500;
  s.mode[1] = HANG;
  d = sim_request(&s, "analysis", 2500, 10000);
  CHECK(d && d->code == LIFELINE_ERR_TIMEOUT && d->attempt == 2);
  CHECK_EQ_INT(1000, s.last_call_timeout);
  lifeline_router_free(s.r);
}

static void test_hedging(void) {
  sim s;
  lifeline_router_config c = quiet();
  c.hedge_ms = 400;
  sim_init(&s, &c, 3, all3, "");
  s.lat[0] = 1000;
  uint64_t t0 = s.now;
  int cancels = s.cancels;
  lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->service == 1 && d->attempt == 2 && d->degraded);
  CHECK_EQ_INT(400 + 50, s.done_at - t0);
  CHECK_EQ_INT(cancels + 1, s.cancels); /* the slow first attempt is cancelled */
  CHECK_EQ_INT(0, s.np);
  /* A fast primary is never hedged. */
  s.lat[0] = 100;
  int calls1 = s.calls[1];
  d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->service == 0 && d->attempt == 1);
  CHECK_EQ_INT(calls1, s.calls[1]);
  /* Both slow: the first answer wins whichever it is. */
  s.lat[0] = 600;
  s.lat[1] = 600;
  d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->service == 0);
  /* A late completion of a cancelled attempt is ignored. */
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_router_complete(s.r, 0x12345, 200, s.now));
  lifeline_router_free(s.r);
}

/* Under hedging the primary's attempts are cancelled, never timed out: losing a hedge far
 * beyond the service's usual latency must still count, or a hanging primary never trips. */
static void test_hedging_hanging_primary(void) {
  sim s;
  lifeline_router_config c = quiet();
  c.hedge_ms = 200;
  sim_init(&s, &c, 3, all3, "");
  for (int i = 0; i < 10; i++) sim_request(&s, "analysis", 0, 5000); /* gemini p99 = 50 */
  s.mode[0] = HANG;
  for (int i = 0; i < 5; i++) {
    lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000);
    CHECK(d && d->service == 1 && d->attempt == 2 && d->elapsed_ms == 250);
  }
  lifeline_router_service_info info;
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_STR("open", info.breaker);
  CHECK_EQ_STR("no answer in 250 ms (lost a hedge)", info.last_error);
  CHECK_EQ_INT(5, info.failures);
  lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->service == 1 && d->attempt == 1); /* straight to the fallback, no hedge wait */
  lifeline_router_free(s.r);
  /* A primary that is merely slower than the hedge this once is not blamed. */
  c.hedge_ms = 350;
  sim_init(&s, &c, 3, all3, "");
  s.lat[0] = 300;
  for (int i = 0; i < 10; i++) sim_request(&s, "analysis", 0, 5000);
  s.lat[0] = 600;
  for (int i = 0; i < 5; i++) {
    d = sim_request(&s, "analysis", 0, 5000);
    CHECK(d && d->service == 1 && d->elapsed_ms == 400);
  }
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_STR("closed", info.breaker);
  CHECK_EQ_INT(0, info.failures);
  CHECK_EQ_INT(10, info.calls);
  lifeline_router_free(s.r);
}

static void test_retry_budget(void) {
  sim s;
  lifeline_router_config c = quiet();
  c.breaker_consecutive = 0; /* keep the primary's breaker closed: only the budget limits retries */
  c.breaker_min_calls = 1000;
  sim_init(&s, &c, 2, all3, "");
  s.mode[0] = E500;
  int retries = 0, refused = 0, ok = 0;
  char refused_msg[160] = "";
  for (int i = 1; i <= 60; i++) {
    int allowed = i * 20 / 100 + 10; /* requests listing perplexity (incl. this one), + reserve */
    lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000);
    if (retries < allowed) {
      CHECK(d && d->code == 0 && d->service == 1);
      retries++;
      ok++;
    } else {
      CHECK(d && d->code == LIFELINE_ERR_UNAVAILABLE);
      snprintf(refused_msg, sizeof refused_msg, "%s", s.done_msg[s.ndone - 1]);
      refused++;
    }
    s.now += 10; /* all within one 10 s window */
  }
  CHECK_EQ_INT(22, ok);
  CHECK_EQ_INT(38, refused);
  CHECK_EQ_STR("every service for 'analysis' failed: gemini HTTP 500, perplexity retry budget spent",
               refused_msg);
  /* The window slides: 10 s later the reserve is back. */
  s.now += 10000;
  lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->code == 0 && d->service == 1);
  lifeline_router_free(s.r);
}

static void test_offline(void) {
  sim s;
  lifeline_router_config c = quiet();
  sim_init(&s, &c, 3, all3, "");
  lifeline_router_set_online(s.r, 0, s.now);
  s.mode[0] = s.mode[1] = s.mode[2] = REFUSE;
  for (int i = 0; i < 10; i++) {
    lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000);
    CHECK(d && d->code == LIFELINE_ERR_UNAVAILABLE && d->attempt == 1);
  }
  CHECK_EQ_STR("browser is offline; no answer for 'analysis': gemini network error, perplexity not tried, llama not tried",
               s.done_msg[s.ndone - 1]);
  lifeline_router_service_info info;
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_INT(0, info.failures);
  CHECK_EQ_STR("closed", info.breaker);
  CHECK_EQ_INT(LIFELINE_HEALTH_HEALTHY, info.health);
  /* A hedge still running when the request ends offline is named as such. */
  lifeline_router_free(s.r);
  c.hedge_ms = 100;
  sim_init(&s, &c, 3, all3, "");
  lifeline_router_set_online(s.r, 0, s.now);
  s.mode[0] = HANG;
  s.mode[1] = REFUSE;
  s.lat[1] = 50;
  lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->code == LIFELINE_ERR_UNAVAILABLE && d->attempt == 2);
  CHECK_EQ_STR("browser is offline; no answer for 'analysis': gemini no answer yet (cancelled), perplexity network error, llama not tried",
               s.done_msg[s.ndone - 1]);
  c.hedge_ms = 0;
  lifeline_router_free(s.r);
  sim_init(&s, &c, 3, all3, "");
  lifeline_router_set_online(s.r, 0, s.now);
  /* An attempt that started offline and fails after coming back is not counted either. */
  s.mode[0] = HANG;
  int64_t id = lifeline_router_request(s.r, "analysis", 0, s.now);
  sim_drain(&s);
  lifeline_router_set_online(s.r, 1, s.now);
  s.mode[0] = OK;
  s.mode[1] = OK;
  sim_run(&s, s.now + 5000);
  CHECK(id > 0 && s.done[s.ndone - 1].request == (uint32_t)id && s.done[s.ndone - 1].service == 1);
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_INT(0, info.failures);
  lifeline_router_free(s.r);
}

static void test_breaker_consecutive_and_fail_fast(void) {
  sim s;
  lifeline_router_config c = quiet();
  sim_init(&s, &c, 3, all3, "");
  s.mode[0] = REFUSE;
  for (int i = 0; i < 5; i++) {
    lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000);
    CHECK(d && d->service == 1 && d->attempt == 2);
  }
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, s.health[0]);
  int calls0 = s.calls[0];
  lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->service == 1 && d->attempt == 1 && d->degraded); /* straight to the fallback */
  CHECK_EQ_INT(calls0, s.calls[0]);
  /* Open perplexity too, then llama: every request fails fast, naming the states. */
  s.mode[1] = E500;
  s.mode[2] = HANG;
  for (int i = 0; i < 5; i++) sim_request(&s, "analysis", 0, 20000);
  for (int i = 0; i < 5; i++) sim_request(&s, "analysis", 0, 20000);
  int64_t id = lifeline_router_request(s.r, "analysis", 0, s.now);
  CHECK(id > 0);
  sim_drain(&s);
  d = &s.done[s.ndone - 1];
  CHECK(d->request == (uint32_t)id && d->code == LIFELINE_ERR_UNAVAILABLE && d->attempt == 0);
  const char *m = s.done_msg[s.ndone - 1];
  CHECK(!strncmp(m, "no service for 'analysis' is available: gemini open (retry in ", 62));
  CHECK(strstr(m, "perplexity open (retry in ") && strstr(m, "llama open (retry in "));
  printf("fail-fast message: %s\n", m);
  lifeline_router_free(s.r);
}

static void test_breaker_rate(void) {
  sim s;
  lifeline_router_config c = quiet();
  c.breaker_consecutive = 0;
  sim_init(&s, &c, 2, all3, "");
  /* Exactly 50 % of 10 calls failing does not trip (the rule is "more than 50 %"). */
  for (int i = 0; i < 10; i++) {
    s.mode[0] = i % 2 ? E500 : OK;
    sim_request(&s, "analysis", 0, 5000);
  }
  lifeline_router_service_info info;
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_STR("closed", info.breaker);
  CHECK_EQ_INT(LIFELINE_HEALTH_DEGRADED, info.health);
  s.mode[0] = E500;
  sim_request(&s, "analysis", 0, 5000); /* 6 of 11 */
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_STR("open", info.breaker);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, info.health);
  /* Fewer than the minimum number of calls never trips on rate. */
  sim s2;
  sim_init(&s2, &c, 2, all3, "");
  s2.mode[0] = E500;
  for (int i = 0; i < 9; i++) sim_request(&s2, "analysis", 0, 5000);
  lifeline_router_service_info_get(s2.r, 0, s2.now, &info);
  CHECK_EQ_STR("closed", info.breaker);
  /* ... and failures older than the 60 s window are forgotten. */
  s2.now += 61000;
  s2.mode[0] = OK;
  sim_request(&s2, "analysis", 0, 5000);
  s2.mode[0] = E500;
  sim_request(&s2, "analysis", 0, 5000);
  lifeline_router_service_info_get(s2.r, 0, s2.now, &info);
  CHECK_EQ_STR("closed", info.breaker);
  lifeline_router_free(s.r);
  lifeline_router_free(s2.r);
}

/* Default config (probes every 10 s): a service that dies without any traffic is reported
 * down within 30 s, whatever the phase of its probe schedule and however it dies. */
static void test_dead_detection_default_config(void) {
  uint64_t worst = 0;
  for (int mode = REFUSE; mode <= E500; mode++) {
    for (uint64_t seed = 1; seed <= 20; seed++) {
      sim s;
      lifeline_router_config c;
      lifeline_router_config_default(&c);
      c.seed = seed;
      sim_init(&s, &c, 3, all3, "/health");
      sim_run(&s, s.now + 30000 + seed * 537); /* healthy for a while, any phase */
      CHECK_EQ_INT(0, s.down_at[1]);
      CHECK(s.probes[1] >= 3);
      uint64_t died = s.now;
      s.mode[1] = mode;
      sim_run(&s, died + 40000);
      CHECK(s.down_at[1] > died);
      uint64_t took = s.down_at[1] - died;
      CHECK(took < 30000);
      if (took > worst) worst = took;
      CHECK_EQ_INT(0, s.down_at[0]);
      /* It comes back: taken back by the next probe (interval / 2 while down, +/- 10 %), which
       * may wait for a probe that was hanging when it came back (2 s timeout). */
      s.mode[1] = OK;
      uint64_t back = s.now;
      sim_run(&s, back + 10000);
      CHECK(s.up_at[1] > back && s.up_at[1] - back <= 2000 + 5500 + 50);
      lifeline_router_action *d = sim_request(&s, "search", 0, 5000);
      CHECK(d && d->service == 1 && d->code == 0);
      lifeline_router_free(s.r);
    }
  }
  printf("dead-service detection, default config, no traffic: worst %.1f s (bound 20.5 s)\n",
         (double)worst / 1000);
  CHECK(worst <= 20500);
}

/* A breaker opened by traffic is closed again by a health probe at the end of the break. */
static void test_recovery_half_open_probe(void) {
  sim s;
  lifeline_router_config c;
  lifeline_router_config_default(&c);
  c.seed = 7;
  sim_init(&s, &c, 3, all3, "/health");
  s.mode[0] = E500; /* /health and /v1/analyze both fail */
  for (int i = 0; i < 5; i++) sim_request(&s, "analysis", 0, 5000);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, s.health[0]);
  uint64_t opened = s.now;
  int probes = s.probes[0];
  /* During the break: no probe to gemini; still failing at the first trial -> longer break. */
  sim_run(&s, opened + 3900);
  CHECK_EQ_INT(probes, s.probes[0]);
  sim_run(&s, opened + 6100);
  CHECK_EQ_INT(probes + 1, s.probes[0]); /* the half-open trial probe after 5 s +/- 20 % */
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, s.health[0]);
  s.mode[0] = OK;
  uint64_t fixed = s.now;
  sim_run(&s, fixed + 13000); /* second break: 10 s +/- 20 % */
  CHECK(s.up_at[0] > fixed && s.up_at[0] - fixed <= 12100);
  lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000);
  CHECK(d && d->service == 0 && d->attempt == 1 && !d->degraded);
  CHECK(s.recovered_notices >= 1);
  lifeline_router_free(s.r);
}

/* Health follows real traffic: a service whose calls succeed again is DEGRADED "recovering k of
 * 3" from its first success and HEALTHY at the third, although its failures are still in the
 * 60 s window (it used to stay degraded until the window forgot them, up to a minute). */
static void test_recovery_from_real_calls(void) {
  sim s;
  lifeline_router_config c = quiet();
  c.breaker_consecutive = 0; /* keep the breaker closed: the error-rate rule alone */
  c.breaker_failure_percent = 100;
  sim_init(&s, &c, 2, all3, "");
  s.mode[0] = E500;
  for (int i = 0; i < 4; i++) sim_request(&s, "analysis", 0, 5000);
  lifeline_router_service_info info;
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_INT(LIFELINE_HEALTH_DEGRADED, info.health);
  CHECK_EQ_INT(0, info.recovering_ok);
  s.mode[0] = OK;
  for (uint32_t k = 1; k < LIFELINE_ROUTER_RECOVER_CHECKS; k++) {
    lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000);
    CHECK(d && d->service == 0 && d->code == 0);
    lifeline_router_service_info_get(s.r, 0, s.now, &info);
    CHECK_EQ_INT(LIFELINE_HEALTH_DEGRADED, info.health);
    CHECK_EQ_INT(k, info.recovering_ok);
  }
  uint64_t third = s.now;
  sim_request(&s, "analysis", 0, 5000);
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_INT(LIFELINE_HEALTH_HEALTHY, info.health);
  CHECK_EQ_INT(LIFELINE_HEALTH_HEALTHY, s.health[0]);
  CHECK_EQ_INT(0, info.recovering_ok);
  CHECK(s.now - third < 1000);
  CHECK(info.error_rate > 0.5); /* the figures still show the last minute as it was */
  /* A failure ends a streak: the next successes start from 1 again. */
  s.mode[0] = E500;
  for (int i = 0; i < 4; i++) sim_request(&s, "analysis", 0, 5000);
  s.mode[0] = OK;
  sim_request(&s, "analysis", 0, 5000);
  s.mode[0] = E500;
  sim_request(&s, "analysis", 0, 5000);
  s.mode[0] = OK;
  sim_request(&s, "analysis", 0, 5000);
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_INT(LIFELINE_HEALTH_DEGRADED, info.health);
  CHECK_EQ_INT(1, info.recovering_ok);
  lifeline_router_free(s.r);
}

/* Without traffic: a service down by probes that comes back is recovering at its first good
 * probe and then checked every second, so it is HEALTHY about 2 s after its first success. */
static void test_recovery_by_probes(void) {
  sim s;
  lifeline_router_config c;
  lifeline_router_config_default(&c);
  c.seed = 11;
  sim_init(&s, &c, 3, all3, "/health");
  s.mode[1] = REFUSE;
  sim_run(&s, s.now + 30000);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, s.health[1]);
  s.mode[1] = OK;
  uint64_t back = s.now;
  uint64_t first_ok = 0, healthy_at = 0;
  lifeline_router_service_info info;
  for (uint64_t t = back; t < back + 12000 && !healthy_at; t += 10) {
    sim_run(&s, t);
    lifeline_router_service_info_get(s.r, 1, s.now, &info);
    if (!first_ok && info.health != LIFELINE_HEALTH_DOWN) {
      first_ok = s.now;
      CHECK_EQ_INT(LIFELINE_HEALTH_DEGRADED, info.health);
      CHECK_EQ_INT(1, info.recovering_ok);
    }
    if (info.health == LIFELINE_HEALTH_HEALTHY) healthy_at = s.now;
  }
  CHECK(first_ok && first_ok - back <= 5500 + 50);
  CHECK(healthy_at && healthy_at - first_ok <= 2 * (LIFELINE_ROUTER_RECOVER_PROBE_MS + 100));
  printf("probe recovery: first success %llu ms after the return, healthy %llu ms later\n",
         (unsigned long long)(first_ok - back), (unsigned long long)(healthy_at - first_ok));
  lifeline_router_free(s.r);
}

/* Half-open state in the fail-fast message; probe-down in the message. */
static void test_fail_fast_states(void) {
  sim s;
  lifeline_router_config c;
  lifeline_router_config_default(&c);
  c.seed = 3;
  sim_init(&s, &c, 3, all3, "/health");
  s.mode[1] = REFUSE; /* perplexity down by probes */
  sim_run(&s, s.now + 25000);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, s.health[1]);
  s.mode[0] = E500;
  s.mode[2] = E500;
  s.lat[2] = 10;
  for (int i = 0; i < 5; i++) sim_request(&s, "analysis", 0, 5000);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, s.health[0]);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, s.health[2]);
  s.mode[2] = HANG; /* llama's trial probe will hang */
  /* Run until llama's break ends and its trial probe is in flight (gemini's may differ). */
  uint64_t t = s.now;
  const char *m = "";
  for (; t < s.now + 8000; t += 50) {
    sim_run(&s, t);
    m = lifeline_router_explain(s.r, "analysis", s.now);
    if (strstr(m, "llama half-open (probe in flight)")) break;
  }
  printf("explain: %s\n", m);
  CHECK(strstr(m, "llama half-open (probe in flight)") != NULL);
  CHECK(strstr(m, "perplexity down (network error)") != NULL);
  CHECK(!strncmp(m, "no service for 'analysis' is available: gemini ", 47));
  CHECK_EQ_STR("no service for 'x' is registered", lifeline_router_explain(s.r, "x", s.now));
  lifeline_router_free(s.r);
}

static void test_bad_input(void) {
  lifeline_router_config c;
  lifeline_router_config_default(&c);
  c.breaker_failure_percent = 101;
  CHECK(lifeline_router_new(&c) == NULL);
  lifeline_router_config_default(&c);
  c.retry_budget_window_ms = 1500;
  CHECK(lifeline_router_new(&c) == NULL);
  lifeline_router *r = lifeline_router_new(NULL);
  CHECK(r != NULL);
  lifeline_router_service_config sc = {"a", "http://a", "analysis", 1, 0, NULL};
  CHECK_EQ_INT(0, lifeline_router_add_service(r, &sc, 0));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_router_add_service(r, &sc, 0)); /* dup */
  sc.name = "b";
  sc.capabilities = "";
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_router_add_service(r, &sc, 0));
  sc.capabilities = "x,,y";
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_router_add_service(r, &sc, 0));
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_router_capability_index(r, "x"));
  sc.capabilities = " summary , search ";
  sc.base_url = NULL;
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_router_add_service(r, &sc, 0));
  sc.base_url = "http://b";
  CHECK_EQ_INT(1, lifeline_router_add_service(r, &sc, 0));
  CHECK_EQ_INT(2, lifeline_router_capability_index(r, "search"));
  CHECK_EQ_STR("summary", lifeline_router_capability_name(r, 1));
  char longname[64];
  memset(longname, 'n', sizeof longname - 1);
  longname[63] = 0;
  sc.name = longname;
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_router_add_service(r, &sc, 0));
  char nm[8][4] = {"c", "d", "e", "f", "g", "h", "i", "j"};
  for (int i = 0; i < 6; i++) {
    sc.name = nm[i];
    CHECK_EQ_INT(2 + i, lifeline_router_add_service(r, &sc, 0));
  }
  sc.name = nm[6];
  CHECK_EQ_INT(LIFELINE_ERR_FULL, lifeline_router_add_service(r, &sc, 0));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, (int)lifeline_router_request(r, "", 0, 0));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_router_complete(r, 1, 42, 0));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_router_complete(r, 1, 600, 0));
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_router_complete(r, 0, 200, 0));
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_router_complete(r, 0x1FF, 200, 0)); /* slot 255 */
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_router_abort(r, 0x1FF, 0));
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_router_abort(r, 77, 0));
  /* Requests are bounded: the 65th in flight is refused. */
  lifeline_router_action a;
  for (int i = 0; i < LIFELINE_ROUTER_MAX_REQUESTS; i++) {
    CHECK(lifeline_router_request(r, "analysis", 0, 0) > 0);
    while (lifeline_router_next_action(r, &a)) {}
  }
  CHECK_EQ_INT(LIFELINE_ERR_FULL, (int)lifeline_router_request(r, "analysis", 0, 0));
  lifeline_router_service_info info;
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_router_service_info_get(r, 9, 0, &info));
  CHECK(lifeline_router_service_name(r, 8) == NULL);
  lifeline_router_free(r);
  lifeline_router_free(NULL);
}

static void test_abort_and_deadline_value(void) {
  sim s;
  lifeline_router_config c = quiet();
  c.hedge_ms = 300;
  sim_init(&s, &c, 3, all3, "");
  CHECK(lifeline_router_deadline(s.r) == UINT64_MAX);
  s.mode[0] = HANG;
  int64_t id = lifeline_router_request(s.r, "analysis", 0, s.now);
  sim_drain(&s);
  CHECK_EQ_INT(s.now + 300, lifeline_router_deadline(s.r)); /* the hedge */
  int cancels = s.cancels;
  CHECK_EQ_INT(0, lifeline_router_abort(s.r, (uint32_t)id, s.now));
  sim_drain(&s);
  CHECK_EQ_INT(cancels + 1, s.cancels);
  CHECK(lifeline_router_deadline(s.r) == UINT64_MAX);
  lifeline_router_free(s.r);
}

/* Peers of one priority: a service whose calls all fail fast has no median latency; it used to
 * sort as 0 ms and lead every request, costing each one a failed attempt first. */
static void test_failing_peer_ranks_last(void) {
  sim s;
  lifeline_router_config c = quiet();
  c.breaker_consecutive = 0; /* keep the breaker out of it: ranking alone */
  c.breaker_failure_percent = 100;
  sim_init(&s, &c, 0, all3, "");
  for (int i = 0; i < 2; i++) {
    lifeline_router_service_config sc = {names[i], "http://x", "analysis", 1, 10000, ""};
    lifeline_router_add_service(s.r, &sc, s.now);
  }
  s.mode[0] = REFUSE;
  s.lat[1] = 60;
  lifeline_router_action *d = sim_request(&s, "analysis", 0, 5000); /* both unknown: index order */
  CHECK(d && d->service == 1 && d->attempt == 2);
  for (int i = 0; i < 3; i++) {
    d = sim_request(&s, "analysis", 0, 5000);
    CHECK(d && d->service == 1 && d->attempt == 1);
  }
  CHECK_EQ_INT(1, s.calls[0]);
  lifeline_router_free(s.r);
}

/* A caller aborting a half-open trial (a component unmounting) says nothing about the service:
 * it used to count as a trial failure, and two such aborts reopened a recovering breaker. */
static void test_abort_of_half_open_trial(void) {
  sim s;
  lifeline_router_config c = quiet();
  sim_init(&s, &c, 3, all3, "");
  s.mode[0] = E500;
  for (int i = 0; i < 5; i++) sim_request(&s, "analysis", 0, 5000);
  lifeline_router_service_info info;
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_STR("open", info.breaker);
  sim_run(&s, s.now + 6100); /* the break (5 s +/- 20 %) is over */
  s.mode[0] = HANG;
  for (int i = 0; i < 3; i++) {
    int calls = s.calls[0];
    int64_t id = lifeline_router_request(s.r, "analysis", 0, s.now);
    sim_drain(&s);
    CHECK_EQ_INT(calls + 1, s.calls[0]); /* a trial on gemini */
    CHECK_EQ_INT(0, lifeline_router_abort(s.r, (uint32_t)id, s.now));
    sim_drain(&s);
    lifeline_router_service_info_get(s.r, 0, s.now, &info);
    CHECK_EQ_STR("half-open", info.breaker);
  }
  s.mode[0] = OK;
  sim_request(&s, "analysis", 0, 5000);
  sim_request(&s, "analysis", 0, 5000);
  lifeline_router_service_info_get(s.r, 0, s.now, &info);
  CHECK_EQ_STR("closed", info.breaker);
  lifeline_router_free(s.r);
}

/* Reading a service's figures is pure (it runs during a UI render): no action, no state change.
 * It used to tick the breaker and push HEALTH actions. The figures are still as of now_ms. */
static void test_info_is_a_pure_read(void) {
  sim s;
  lifeline_router_config c = quiet();
  sim_init(&s, &c, 3, all3, "");
  s.mode[0] = E500;
  for (int i = 0; i < 5; i++) sim_request(&s, "analysis", 0, 5000);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, s.health[0]);
  CHECK_EQ_INT(0, lifeline_router_hint(s.r, 1, LIFELINE_HEALTH_DOWN, 1000, s.now));
  sim_drain(&s);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, s.health[1]);
  uint64_t later = s.now + 6100; /* break over, hint lapsed; no tick yet */
  lifeline_router_service_info info;
  lifeline_router_action a;
  for (int k = 0; k < 2; k++) {
    lifeline_router_service_info_get(s.r, 0, later, &info);
    CHECK_EQ_STR("half-open", info.breaker);
    lifeline_router_service_info_get(s.r, 1, later, &info);
    CHECK_EQ_INT(LIFELINE_HEALTH_HEALTHY, info.health);
    CHECK(info.since_ms == later);
    CHECK_EQ_INT(0, lifeline_router_next_action(s.r, &a));
  }
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, s.health[1]);
  s.now = later;
  lifeline_router_tick(s.r, s.now); /* tick applies and announces */
  sim_drain(&s);
  CHECK_EQ_INT(LIFELINE_HEALTH_HEALTHY, s.health[1]);
  lifeline_router_service_info_get(s.r, 1, s.now, &info);
  CHECK(info.since_ms == later);
  lifeline_router_free(s.r);
}

int main(void) {
  test_priority_and_capability();
  test_latency_order();
  test_failover_classes();
  test_timeout_from_latency();
  test_deadline();
  test_hedging();
  test_hedging_hanging_primary();
  test_retry_budget();
  test_offline();
  test_breaker_consecutive_and_fail_fast();
  test_breaker_rate();
  test_dead_detection_default_config();
  test_recovery_half_open_probe();
  test_recovery_from_real_calls();
  test_recovery_by_probes();
  test_fail_fast_states();
  test_bad_input();
  test_abort_and_deadline_value();
  test_failing_peer_ranks_last();
  test_abort_of_half_open_trial();
  test_info_is_a_pure_read();
  return check_report("router");
}
