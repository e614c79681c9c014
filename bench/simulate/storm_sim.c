#include "storm_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_queue.h"
#include "lifeline/error.h"
#include "lifeline/manager.h"

#define ARRIVAL_SPREAD_MS 5000u
#define DROP_AT_MS 30000u
#define HEARTBEAT_MS 15000u
/* A client handles a few dozen events per minute; far more means a reconnect loop. */
#define EVENTS_PER_CLIENT_LIMIT 100000u

typedef struct {
  lifeline_manager *m;
  uint32_t conn, channel, sub;
  uint32_t stream;     /* the current attempt or open stream, 0: none */
  int open;            /* the server accepted `stream` */
  uint64_t wake;       /* the pending WAKE_AT, LIFELINE_NEVER: none */
  uint32_t next_id;    /* the server's next event id for this client */
  uint32_t attempts;   /* OPENs after the drop */
  int back, breaker_opened;
  uint64_t back_at;
  uint32_t waiting;    /* the last waiting state reported (reconnecting, circuit-open, offline) */
  uint32_t back_from;  /* `waiting` when the client came back: what held it until then */
} sim_client;

typedef struct {
  const storm_scenario *s;
  storm_result *r;
  sim_client *clients;
  event_queue q;
  uint64_t now, drop_at, return_at, end_at;
  int failed;
} sim;

static uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

static int server_up(const sim *z, uint64_t t) { return t < z->drop_at || t >= z->return_at; }

static void fail(sim *z, const char *what, int rc) {
  if (!z->failed) fprintf(stderr, "storm: %s failed (%d) at t=%llu\n", what, rc, (unsigned long long)z->now);
  z->failed = 1;
}

static void schedule(sim *z, uint64_t t, sim_event_kind k, uint32_t client, uint32_t stream) {
  if (eq_push(&z->q, t, k, client, stream) != 0) fail(z, "event queue (out of memory)", 0);
}

static void count_open(sim *z, sim_client *c) {
  if (z->now < z->drop_at) return;
  c->attempts++;
  size_t slot = (size_t)((z->now - z->drop_at) / z->s->slot_ms);
  if (slot < z->r->nslots) z->r->slots[slot]++;
  if (z->now < z->return_at) z->r->attempts_outage++;
  else z->r->attempts_after++;
}

/* What a host does after every call: carry out the batch. */
static void drain(sim *z, uint32_t i) {
  sim_client *c = &z->clients[i];
  size_t n = lifeline_manager_action_count(c->m);
  const lifeline_manager_action *a = lifeline_manager_actions(c->m);
  for (size_t k = 0; k < n; k++) {
    switch (a[k].kind) {
    case LIFELINE_MANAGER_ACT_OPEN:
      c->stream = a[k].stream;
      c->open = 0;
      count_open(z, c);
      schedule(z, z->now + z->s->rtt_ms, EV_ANSWER, i, c->stream);
      break;
    case LIFELINE_MANAGER_ACT_CLOSE:
      if (a[k].stream == c->stream) {
        c->stream = 0;
        c->open = 0;
      }
      break;
    case LIFELINE_MANAGER_ACT_DELIVER:
      if (z->now >= z->drop_at && !c->back) {
        c->back = 1;
        c->back_at = z->now;
        c->back_from = c->waiting;
      }
      break;
    case LIFELINE_MANAGER_ACT_STATUS:
      if (a[k].state == LIFELINE_MANAGER_CIRCUIT_OPEN && z->now >= z->drop_at) c->breaker_opened = 1;
      if (a[k].state == LIFELINE_MANAGER_CIRCUIT_OPEN || a[k].state == LIFELINE_MANAGER_RECONNECTING ||
          a[k].state == LIFELINE_MANAGER_OFFLINE)
        c->waiting = a[k].state;
      break;
    case LIFELINE_MANAGER_ACT_WAKE_AT: {
      uint64_t t = ((uint64_t)a[k].time_hi << 32) | a[k].time_lo;
      if (t != LIFELINE_NEVER && t < z->now) t = z->now;
      if (t != c->wake && t != LIFELINE_NEVER) schedule(z, t, EV_WAKE, i, 0);
      c->wake = t;
      break;
    }
    default:
      break;
    }
  }
}

static int client_init(sim *z, uint32_t i) {
  sim_client *c = &z->clients[i];
  lifeline_manager_config mc;
  lifeline_manager_config_default(&mc);
  mc.max_connections = 1;
  mc.max_channels = 1;
  mc.max_subscribers = 1;
  mc.metrics = 0; /* ten thousand registries would cost 2.5 GB */
  mc.seed = splitmix64(z->s->seed * 0x100000001B3ULL + i);
  if (z->s->online_spread_ms >= 0) mc.online_spread_ms = (uint32_t)z->s->online_spread_ms;
  c->m = lifeline_manager_new(&mc);
  if (!c->m) return LIFELINE_ERR_NO_MEMORY;
  lifeline_manager_conn_config cc;
  lifeline_manager_conn_config_default(&cc);
  cc.backoff.jitter = z->s->jitter;
  if (z->s->no_breaker) cc.features &= ~LIFELINE_MANAGER_BREAKER;
  static const char key[] = "https://example.test/events";
  int rc = lifeline_manager_connection(c->m, key, sizeof key - 1, &cc, &c->conn);
  if (rc == LIFELINE_OK) rc = lifeline_manager_channel(c->m, c->conn, NULL, &c->channel);
  c->wake = LIFELINE_NEVER;
  c->next_id = 1;
  return rc;
}

static void accept_stream(sim *z, uint32_t i) {
  sim_client *c = &z->clients[i];
  static const char ct[] = "text/event-stream";
  uint32_t stream = c->stream;
  int rc = lifeline_manager_opened(c->m, stream, 200, ct, sizeof ct - 1, -1, z->now);
  drain(z, i);
  if (rc != LIFELINE_OK) fail(z, "lifeline_manager_opened", rc);
  if (c->stream != stream) return;
  c->open = 1;
  char ev[64];
  int len = snprintf(ev, sizeof ev, "id: %u\ndata: back\n\n", c->next_id++);
  rc = lifeline_manager_feed(c->m, stream, (const uint8_t *)ev, (size_t)len, z->now);
  drain(z, i);
  if (rc != LIFELINE_OK) fail(z, "lifeline_manager_feed", rc);
  schedule(z, z->now + HEARTBEAT_MS, EV_HEARTBEAT, i, stream);
}

static void refuse_stream(sim *z, uint32_t i) {
  sim_client *c = &z->clients[i];
  int rc;
  if (z->s->outage == OUTAGE_503) {
    static const char ct[] = "text/plain";
    rc = lifeline_manager_opened(c->m, c->stream, 503, ct, sizeof ct - 1, -1, z->now);
  } else {
    rc = lifeline_manager_closed(c->m, c->stream, LIFELINE_MANAGER_END_NETWORK, z->now);
  }
  c->stream = 0;
  drain(z, i);
  if (rc != LIFELINE_OK) fail(z, "refusing an attempt", rc);
}

static void on_answer(sim *z, const sim_event *e) {
  sim_client *c = &z->clients[e->client];
  if (c->stream != e->stream || c->open) return; /* the client gave the attempt up */
  if (server_up(z, z->now)) accept_stream(z, e->client);
  else refuse_stream(z, e->client);
}

static void on_heartbeat(sim *z, const sim_event *e) {
  sim_client *c = &z->clients[e->client];
  if (c->stream != e->stream || !c->open || !server_up(z, z->now)) return;
  static const uint8_t beat[] = ":\n";
  int rc = lifeline_manager_feed(c->m, e->stream, beat, sizeof beat - 1, z->now);
  drain(z, e->client);
  if (rc != LIFELINE_OK) fail(z, "heartbeat feed", rc);
  schedule(z, z->now + HEARTBEAT_MS, EV_HEARTBEAT, e->client, e->stream);
}

static void on_drop(sim *z) {
  for (uint32_t i = 0; i < z->s->clients; i++) {
    sim_client *c = &z->clients[i];
    if (z->s->trigger == TRIGGER_ONLINE) {
      lifeline_manager_set_online(c->m, 0, z->now);
      drain(z, i);
    }
    if (!c->stream) continue;
    uint32_t stream = c->stream;
    c->stream = 0;
    c->open = 0;
    int rc = lifeline_manager_closed(c->m, stream, LIFELINE_MANAGER_END_NETWORK, z->now);
    drain(z, i);
    if (rc != LIFELINE_OK) fail(z, "dropping a stream", rc);
  }
}

static void on_trigger(sim *z) {
  for (uint32_t i = 0; i < z->s->clients; i++) {
    if (z->s->trigger == TRIGGER_RESUME) lifeline_manager_resume(z->clients[i].m, z->now);
    else lifeline_manager_set_online(z->clients[i].m, 1, z->now);
    drain(z, i);
  }
}

static void dispatch(sim *z, const sim_event *e) {
  sim_client *c = &z->clients[e->client];
  z->r->manager_calls++;
  switch (e->kind) {
  case EV_ARRIVE: {
    int rc = lifeline_manager_subscribe(c->m, c->channel, 0, NULL, 0, 0, z->now, &c->sub);
    drain(z, e->client);
    if (rc != LIFELINE_OK) fail(z, "lifeline_manager_subscribe", rc);
    break;
  }
  case EV_WAKE:
    if (e->t != c->wake) break; /* superseded by a later WAKE_AT */
    c->wake = LIFELINE_NEVER;
    lifeline_manager_tick(c->m, z->now);
    drain(z, e->client);
    break;
  case EV_ANSWER: on_answer(z, e); break;
  case EV_HEARTBEAT: on_heartbeat(z, e); break;
  case EV_DROP: on_drop(z); break;
  case EV_TRIGGER: on_trigger(z); break;
  }
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void find_max(const storm_result *r, size_t from, uint32_t *max, int64_t *at, int64_t slot_ms) {
  *max = 0;
  *at = 0;
  for (size_t k = from; k < r->nslots; k++) {
    if (r->slots[k] > *max) {
      *max = r->slots[k];
      *at = ((int64_t)k - (int64_t)r->return_slot) * slot_ms;
    }
  }
}

static int summarise(sim *z) {
  storm_result *r = z->r;
  uint64_t *t = malloc((size_t)z->s->clients * sizeof *t);
  if (!t) return -1;
  for (uint32_t i = 0; i < z->s->clients; i++) {
    const sim_client *c = &z->clients[i];
    if (c->back) {
      r->back_early += c->back_at < z->return_at;
      uint64_t ms = c->back_at > z->return_at ? c->back_at - z->return_at : 0;
      t[r->back++] = ms;
      int probe = c->back_from == LIFELINE_MANAGER_CIRCUIT_OPEN;
      r->back_by_probe += (uint32_t)probe;
      uint64_t *max = probe ? &r->back_max_probe_ms : &r->back_max_backoff_ms;
      if (ms > *max) *max = ms;
    }
    r->breaker_opened += (uint32_t)c->breaker_opened;
    if (c->attempts > r->max_client_attempts) r->max_client_attempts = c->attempts;
  }
  qsort(t, r->back, sizeof *t, cmp_u64);
  if (r->back) {
    r->back_p50_ms = t[(r->back - 1) / 2];
    r->back_p99_ms = t[(size_t)((r->back - 1) * 0.99)];
    r->back_max_ms = t[r->back - 1];
  }
  free(t);
  find_max(r, r->return_slot, &r->max_slot_after, &r->max_slot_after_at_ms, z->s->slot_ms);
  find_max(r, 0, &r->max_slot_all, &r->max_slot_all_at_ms, z->s->slot_ms);
  return 0;
}

static int valid(const storm_scenario *s) {
  return s->clients >= 1 && s->slot_ms >= 1 && s->outage_ms >= s->slot_ms &&
         s->outage_ms % s->slot_ms == 0 && (unsigned)s->jitter <= LIFELINE_JITTER_DECORRELATED &&
         (unsigned)s->outage <= OUTAGE_503 && (unsigned)s->trigger <= TRIGGER_ONLINE &&
         s->trigger_at_ms >= -(int64_t)s->outage_ms && s->trigger_at_ms <= (int64_t)s->horizon_ms;
}

static int simulate(sim *z) {
  const storm_scenario *s = z->s;
  for (uint32_t i = 0; i < s->clients; i++) {
    int rc = client_init(z, i);
    if (rc != LIFELINE_OK) {
      fail(z, "creating a client", rc);
      return -1;
    }
    uint64_t arrive = splitmix64(s->seed ^ (0xA5A5ULL << 32) ^ i) % ARRIVAL_SPREAD_MS;
    schedule(z, arrive, EV_ARRIVE, i, 0);
  }
  schedule(z, z->drop_at, EV_DROP, 0, 0);
  if (s->trigger != TRIGGER_NONE)
    schedule(z, (uint64_t)((int64_t)z->return_at + s->trigger_at_ms), EV_TRIGGER, 0, 0);
  uint64_t limit = (uint64_t)s->clients * EVENTS_PER_CLIENT_LIMIT, events = 0;
  sim_event e;
  while (!z->failed && eq_pop(&z->q, &e) && e.t <= z->end_at) {
    if (++events > limit) {
      fail(z, "event bound (a reconnect loop?)", 0);
      break;
    }
    z->now = e.t;
    dispatch(z, &e);
  }
  return z->failed ? -1 : summarise(z);
}

int storm_run(const storm_scenario *s, storm_result *r) {
  memset(r, 0, sizeof *r);
  if (!valid(s)) {
    fprintf(stderr, "storm: invalid scenario\n");
    return -1;
  }
  sim z = {.s = s, .r = r};
  z.drop_at = DROP_AT_MS;
  z.return_at = z.drop_at + s->outage_ms;
  z.end_at = z.return_at + s->horizon_ms;
  r->return_slot = s->outage_ms / s->slot_ms;
  r->nslots = (size_t)((z.end_at - z.drop_at) / s->slot_ms) + 1;
  r->slots = calloc(r->nslots, sizeof *r->slots);
  z.clients = calloc(s->clients, sizeof *z.clients);
  eq_init(&z.q);
  int rc = (r->slots && z.clients) ? simulate(&z) : (fprintf(stderr, "storm: out of memory\n"), -1);
  for (uint32_t i = 0; z.clients && i < s->clients; i++) lifeline_manager_free(z.clients[i].m);
  free(z.clients);
  eq_free(&z.q);
  if (rc != 0) storm_result_free(r);
  return rc;
}

void storm_result_free(storm_result *r) {
  free(r->slots);
  r->slots = NULL;
  r->nslots = 0;
}

void storm_scenario_default(storm_scenario *s) {
  memset(s, 0, sizeof *s);
  s->clients = 10000;
  s->seed = 1;
  s->outage_ms = 10000;
  s->outage = OUTAGE_REFUSED;
  s->rtt_ms = 0;
  s->jitter = LIFELINE_JITTER_FULL;
  s->trigger = TRIGGER_NONE;
  s->trigger_at_ms = 0;
  s->horizon_ms = 180000;
  s->slot_ms = 100;
  s->online_spread_ms = -1;
  s->no_breaker = 0;
}

const char *storm_outage_name(storm_outage o) { return o == OUTAGE_503 ? "503" : "refused"; }

const char *storm_trigger_name(storm_trigger t) {
  return t == TRIGGER_RESUME ? "resume" : t == TRIGGER_ONLINE ? "online" : "none";
}
