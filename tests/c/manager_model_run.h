/* The run of a simulated host (manager_model_sim.h) against the manager: configuration per mode,
 * fault schedules, and the clock; shared by test_manager_model.c (the property) and
 * test_manager_heal.c (healing after a burst, no tight loop). */
#ifndef LIFELINE_TEST_MANAGER_MODEL_RUN_H
#define LIFELINE_TEST_MANAGER_MODEL_RUN_H

#include "check.h"
#include "manager_model_sim.h"

/* ---- the run: configuration, faults, the clock ---- */

static lifeline_manager_conn_config conn_cfg(sim *s, int u) {
  lifeline_manager_conn_config c;
  lifeline_manager_conn_config_default(&c);
  if (s->mode == 1 || s->mode == 2) c.heartbeat_timeout_ms = SIM_HEAL_HEARTBEAT_MS;
  if (s->mode != 0) return c;
  uint32_t k = mm_below(&s->r, 8);
  /* k == 3: the drop-in EventSource's configuration (every answer but 200 fails). */
  c.features = k == 0   ? 0
               : k < 3  ? LIFELINE_MANAGER_ALL | LIFELINE_MANAGER_AUTH_HOOK
               : k == 3 ? LIFELINE_MANAGER_ALL | LIFELINE_MANAGER_STRICT_STATUS
                        : LIFELINE_MANAGER_ALL;
  c.heartbeat_timeout_ms = 2000 + mm_below(&s->r, 3000);
  c.connect_timeout_ms = 3000;
  c.endpoint_count = 1 + mm_below(&s->r, 2);
  s->h[u].es = mm_below(&s->r, 4) == 0;
  s->h[u].plain = !(c.features & LIFELINE_MANAGER_RECONNECT);
  return c;
}

static sim *sim_new(uint64_t seed, int mode) {
  sim *s = calloc(1, sizeof *s);
  s->md = calloc(1, sizeof *s->md);
  mm_init(s->md);
  s->seed = seed;
  s->mode = mode;
  s->r.s = seed * 2 + 1;
  s->net.s = ~seed;
  s->online = 1;
  s->wake = LIFELINE_NEVER;
  s->nurls = mode == 0 ? MM_URLS : mode <= 2 ? 2 : 1;
  s->nchan = mode == 0 ? MM_CHANNELS : s->nurls;
  lifeline_manager_config mc;
  lifeline_manager_config_default(&mc);
  mc.seed = seed;
  if (mode == 0) mc.linger_ms = mm_below(&s->r, 3) * 500;
  s->m = lifeline_manager_new(&mc);
  for (int u = 0; u < s->nurls; u++) {
    char key[16];
    snprintf(key, sizeof key, "u%d", u);
    lifeline_manager_conn_config c = conn_cfg(s, u);
    s->h[u].hb = (c.features & LIFELINE_MANAGER_WATCHDOG) ? c.heartbeat_timeout_ms : 0;
    CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_connection(s->m, key, strlen(key), &c, &s->conn[u]));
  }
  for (int c = 0; c < s->nchan; c++) {
    lifeline_manager_channel_config cc;
    lifeline_manager_channel_config_default(&cc);
    cc.replay_events = mode == 0 && mm_below(&s->r, 2) ? 8 : 0;
    s->md->ch[c].replay_cap = cc.replay_events;
    CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_channel(s->m, s->conn[c], &cc, &s->chan[c]));
  }
  return s;
}

static void sim_free(sim *s) {
  lifeline_manager_free(s->m);
  free(s->md);
  free(s);
}

static void after(sim *s, const char *what) {
  drain(s);
  mm_compare(s->md, what);
}

static void fault_at(sim *s, uint64_t t) {
  if (t > s->fault_end) s->fault_end = t;
}

static void drop(sim *s, int u) {
  if (s->h[u].phase != H_NONE) host_closed(s, u, LIFELINE_MANAGER_END_NETWORK);
}

static void apply_stream_fault(sim *s, const act *a) {
  host *h = &s->h[a->u];
  int reading = h->phase == H_READ;
  switch (a->kind) {
  case A_DROP: fault_at(s, s->now); drop(s, a->u); break;
  case A_TRUNC:
    fault_at(s, s->now);
    if (reading && !h->es) host_chunk(s, a->u, a->v, 1);
    drop(s, a->u);
    break;
  case A_END: if (reading) host_closed(s, a->u, LIFELINE_MANAGER_END_CLEAN); break;
  case A_STALL:
    fault_at(s, s->now + (h->hb ? h->hb : 0));
    h->stalled = reading;
    h->stall_end = s->now + (h->hb ? 3 * h->hb : 5000);
    break;
  case A_DRIP: fault_at(s, s->now + a->v); h->drip_end = s->now + a->v; break;
  case A_HTTP:
    h->arm_status = 1 + a->x;
    h->arm_ra = a->v;
    h->arm_until = a->w ? s->now + a->w : 0;
    if (a->w) fault_at(s, s->now + a->w);
    break;
  case A_HANG: h->arm_hang = 1; break;
  case A_OVERLAP: h->arm_overlap = a->v; break;
  case A_DRAIN:
    if (reading && !h->plain) {
      fault_at(s, s->now + a->v);
      h->arm_drain = 1 + (int)a->v;
    }
    break;
  default: h->arm_reset = 1;
  }
}

static void subscribe(sim *s, const act *a) {
  int k = 0;
  while (k < MM_SUBS && s->md->sub[k].live) k++;
  if (k == MM_SUBS || a->x >= s->nchan) return;
  mm_sub *sb = &s->md->sub[k];
  const char *f = mm_filters[a->u % 4];
  uint32_t replay = a->v & 255, id = 0;
  int rc = lifeline_manager_subscribe(s->m, s->chan[a->x], (int32_t)(a->v >> 8) - 2, f, f ? strlen(f) : 0,
                                      replay, s->now, &id);
  CHECK_EQ_INT(LIFELINE_OK, rc);
  sb->live = 1;
  sb->id = id;
  sb->ch = a->x;
  sb->filter = a->u % 4;
  trace(s, "app: subscriber %u joins channel %u (on u%d), replay %u", id, a->x, s->md->ch[a->x].url, replay);
  drain(s);
  if (replay) mm_replay(s->md, k, replay);
  mm_compare(s->md, "a subscribe");
}

static void unsubscribe(sim *s, uint32_t nth) {
  int live[MM_SUBS], n = 0;
  for (int k = 0; k < MM_SUBS; k++)
    if (s->md->sub[k].live) live[n++] = k;
  if (!n) return;
  mm_sub *sb = &s->md->sub[live[nth % (uint32_t)n]];
  trace(s, "app: subscriber %u leaves", sb->id);
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_unsubscribe(s->m, sb->id, s->now));
  sb->live = 0;
  after(s, "an unsubscribe");
}

static void apply(sim *s, const act *a) {
  char line[160];
  act_text(a, line, sizeof line);
  trace(s, "fault/app: %s", line);
  if (a->kind <= A_RESET) {
    if (a->u < s->nurls) apply_stream_fault(s, a);
    return;
  }
  switch (a->kind) {
  case A_OFFLINE:
    s->online = 0;
    lifeline_manager_set_online(s->m, 0, s->now);
    after(s, "offline");
    for (int u = 0; u < s->nurls; u++)
      if (s->h[u].phase == H_READ && mm_below(&s->net, 2)) drop(s, u);
    break;
  case A_ONLINE:
    s->online = 1;
    lifeline_manager_set_online(s->m, 1, s->now);
    after(s, "online");
    break;
  case A_RESUME: lifeline_manager_resume(s->m, s->now); after(s, "resume"); break;
  case A_REBIND:
    if (a->u >= s->nurls || a->x >= s->nchan || s->md->ch[a->x].url == a->u) break;
    CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_channel_bind(s->m, s->chan[a->x], s->conn[a->u], s->now));
    mm_rebind(s->md, a->x, a->u);
    after(s, "a channel rebind");
    break;
  case A_SUB: subscribe(s, a); break;
  default: unsubscribe(s, a->v);
  }
}

static void step_hosts(sim *s) {
  for (int u = 0; u < s->nurls && !s->md->failed; u++) {
    host *h = &s->h[u];
    while (s->mode < 3 && h->next_pub <= s->now) {
      mm_publish(&s->md->url[u], &s->net, s->now, s->mode == 0, !h->es);
      h->next_pub += s->mode == 0 ? 80 + mm_below(&s->net, 220) : 60 + mm_below(&s->net, 80);
    }
    if (h->phase == H_WAIT && h->due <= s->now) host_respond(s, u);
    else if (h->phase == H_READ && h->due <= s->now) host_feed(s, u);
    if (h->state == LIFELINE_MANAGER_FAILED && h->retry_at <= s->now) { /* the user's "Retry now" */
      h->retry_at = LIFELINE_NEVER;
      trace(s, "app: retry now on u%d", u);
      lifeline_manager_retry_now(s->m, s->conn[u], s->now);
      after(s, "retry now");
    }
  }
}

/* Runs the clock to `until` (or until stop() says so): every 10 ms the hosts act, and the
 * manager is ticked at each deadline it reported. */
static void sim_run(sim *s, uint64_t until, int (*stop)(sim *)) {
  int same = 0;
  while (s->now < until && !s->md->failed) {
    uint64_t t = s->now + SIM_STEP - s->now % SIM_STEP;
    if (s->wake < t) t = s->wake > s->now ? s->wake : s->now;
    if (s->next < s->nsched && s->sched[s->next].t < t) t = s->sched[s->next].t > s->now ? s->sched[s->next].t : s->now;
    if (t == s->now && ++same > 1000) {
      mm_fail(s->md, "the manager asks to be woken at t=%llu again and again", (unsigned long long)t);
      break;
    }
    if (t != s->now) same = 0;
    s->now = s->md->now = t;
    if (s->wake <= t) {
      lifeline_manager_tick(s->m, t);
      after(s, "a tick");
    }
    while (s->next < s->nsched && s->sched[s->next].t <= t && !s->md->failed) apply(s, &s->sched[s->next++]);
    if (t % SIM_STEP == 0) step_hosts(s);
    if (stop && stop(s)) break;
  }
}

/* ---- schedules ---- */

static void sched_fault(sim *s, uint64_t t, int heal, int with_5xx) {
  int u = (int)mm_below(&s->r, (uint32_t)s->nurls);
  uint32_t k = mm_below(&s->r, heal ? (with_5xx ? 7u : 5u) : 17u);
  switch (k) {
  case 0: sched_add(s, t, A_DROP, u, 0, 0); break;
  case 1: sched_add(s, t, A_TRUNC, u, 0, 1 + mm_below(&s->r, 40)); break;
  case 2: sched_add(s, t, A_STALL, u, 0, 0); break;
  case 3: /* an overlap replay: the next stream repeats a few events */
    sched_add(s, t, A_OVERLAP, u, 0, 1 + mm_below(&s->r, 5));
    sched_add(s, t, A_DROP, u, 0, 0);
    break;
  case 4: sched_add(s, t, A_DRIP, u, 0, 300 + mm_below(&s->r, 900)); break;
  case 5: /* the stream is cut and the server answers 500 (or 503) for a while */
  case 6:
    sched_add(s, t, A_HTTP, u, (uint8_t)(k - 5), k == 6 ? 1000 + mm_below(&s->r, 3000) : 0);
    s->sched[s->nsched - 1].w = 200 + mm_below(&s->r, 800);
    sched_add(s, t, A_DROP, u, 0, 0);
    break;
  case 7: sched_add(s, t, A_END, u, 0, 0); break;
  case 8: sched_add(s, t, A_HTTP, u, (uint8_t)mm_below(&s->r, 4), 200 + mm_below(&s->r, 2000)); break;
  case 9: sched_add(s, t, A_RESET, u, 0, 0); sched_add(s, t, A_DROP, u, 0, 0); break;
  case 10: sched_add(s, t, A_HANG, u, 0, 0); sched_add(s, t, A_DROP, u, 0, 0); break;
  case 11: {
    uint32_t d = 100 + mm_below(&s->r, 2500);
    sched_add(s, t, A_OFFLINE, 0, 0, d);
    sched_add(s, t + d, A_ONLINE, 0, 0, 0);
    break;
  }
  case 12: sched_add(s, t, A_RESUME, 0, 0, 0); break;
  case 13: sched_add(s, t, A_REBIND, (int)mm_below(&s->r, MM_URLS), (uint8_t)mm_below(&s->r, MM_CHANNELS), 0); break;
  case 14: sched_add(s, t, A_UNSUB, 0, 0, mm_below(&s->r, MM_SUBS)); break;
  case 15: sched_add(s, t, A_DRAIN, u, 0, mm_below(&s->r, 500)); break; /* lifeline-sse/server drains */
  default:
    sched_add(s, t, A_SUB, (int)mm_below(&s->r, 4), (uint8_t)mm_below(&s->r, MM_CHANNELS),
              (mm_below(&s->r, 3) ? 0 : 1 + mm_below(&s->r, 6)) | mm_below(&s->r, 5) << 8);
  }
}

/* The failure, a one-line replay command, the schedule and the last exchanges. */
static void sim_report_failure(sim *s, const char *argv0) {
  unsigned long long seed = (unsigned long long)s->seed;
  fprintf(stderr, "\nFAIL seed %llu: %s\n  replay: ", seed, s->md->failure);
  if (s->mode == 0) fprintf(stderr, "LIFELINE_MODEL_SEED=%llu %s\n", seed, argv0);
  else if (s->mode <= 2) fprintf(stderr, "LIFELINE_MODEL_HEAL_SEED=%llu LIFELINE_MODEL_5XX=%d %s\n", seed, s->mode == 2, argv0);
  else fprintf(stderr, "%s (the %s loop, seed %llu)\n", argv0, s->mode == 3 ? "accept-and-drop" : "one-event-and-drop", seed);
  fprintf(stderr, "  schedule:\n");
  sched_print(s, stderr);
  trace_print(s, stderr);
}

#endif
