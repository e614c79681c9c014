/* The simulated host for test_manager_model.c: it performs the manager's actions the way the JS
 * driver does (one transport stream per OPEN, aborted on CLOSE), plays the server of
 * manager_model.h over fetch (bytes in random chunks, or one byte at a time while dripping) or
 * EventSource (parsed events), applies a fault schedule, and checks after every call into the
 * manager that each subscriber got what the model says. Virtual time in 10 ms steps, plus every
 * deadline the manager reports. */
#ifndef LIFELINE_TEST_MANAGER_MODEL_SIM_H
#define LIFELINE_TEST_MANAGER_MODEL_SIM_H

#include "lifeline/error.h"
#include "lifeline/manager.h"
#include "manager_model.h"

#define SIM_HEAL_HEARTBEAT_MS 3000u
#define SIM_STEP 10u
#define SIM_SCHED 1024
#define SIM_TRACE 60
#define SIM_OPENS 4096

enum { A_DROP, A_TRUNC, A_END, A_STALL, A_DRIP, A_HTTP, A_HANG, A_OVERLAP, A_DRAIN, A_RESET, A_OFFLINE,
       A_ONLINE, A_RESUME, A_REBIND, A_SUB, A_UNSUB };
typedef struct {
  uint64_t t;
  uint8_t kind, u, x; /* u: URL (A_SUB: filter); x: channel, or A_HTTP's status index */
  uint32_t v;
  uint32_t w; /* A_HTTP: every request for w ms gets the status (0: the next request only) */
} act;

enum { H_NONE, H_WAIT, H_HUNG, H_READ };
typedef struct {
  int es;          /* EventSource transport: parsed events instead of bytes */
  uint32_t hb;     /* the connection's heartbeat timeout, 0: no watchdog */
  uint32_t stream; /* the stream of the last OPEN */
  int phase;
  uint64_t due;    /* when the response comes (H_WAIT) or the next chunk (H_READ) */
  char lid[16];    /* the Last-Event-ID the OPEN sent */
  int stalled;
  uint64_t stall_end, drip_end, next_pub, retry_at;
  uint32_t pos;    /* next log entry to send */
  char buf[128];   /* the block in flight */
  size_t len, off, done;
  int cur;         /* its log entry; -1: a reset event, -3: a BOM, -4: a drain notice */
  char es_id[12];  /* the EventSource's last event id buffer (starts empty per stream) */
  int arm_status, arm_reset, arm_hang; /* what the server does with the next request */
  int arm_drain;   /* the next block is a drain notice (the server shuts down) */
  int plain;       /* the connection has no reconnect policy: a drain would be an event to it */
  uint32_t arm_ra, arm_overlap;
  uint64_t arm_until; /* the status applies up to then (0: once) */
  uint32_t state;
} host;

typedef struct sim {
  uint64_t seed;
  int mode; /* 0 property, 1 heal, 2 heal with 500/503, 3 accept-and-drop, 4 one event and drop */
  lifeline_manager *m;
  mm_model *md;
  mm_rng r, net;
  host h[MM_URLS];
  int nurls, nchan;
  uint32_t conn[MM_URLS], chan[MM_CHANNELS];
  uint64_t now, wake;
  int online;
  act sched[SIM_SCHED];
  int nsched, next;
  uint64_t quiet_from, fault_end, ra_end, healed_at;
  uint64_t open_at[SIM_OPENS];
  uint32_t nopens;
  char trace[SIM_TRACE][200];
  int ntrace;
} sim;

static void trace(sim *s, const char *fmt, ...) {
  char *line = s->trace[s->ntrace++ % SIM_TRACE];
  int n = snprintf(line, 200, "t=%-7llu ", (unsigned long long)s->now);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line + n, (size_t)(200 - n), fmt, ap);
  va_end(ap);
  static int all = -1;
  if (all < 0) all = getenv("LIFELINE_MODEL_TRACE") != NULL;
  if (all) fprintf(stderr, "%s\n", line);
}

static void trace_print(const sim *s, FILE *f) {
  fprintf(f, "  last host/manager exchanges:\n");
  for (int i = s->ntrace > SIM_TRACE ? s->ntrace - SIM_TRACE : 0; i < s->ntrace; i++)
    fprintf(f, "    %s\n", s->trace[i % SIM_TRACE]);
}

static void sched_add(sim *s, uint64_t t, uint8_t kind, int u, uint8_t x, uint32_t v) {
  if (s->nsched == SIM_SCHED) return;
  act a = {t, kind, (uint8_t)u, x, v, 0};
  s->sched[s->nsched++] = a;
}

static void sched_sort(sim *s) { /* stable: an arm stays before the drop that uses it */
  for (int i = 1; i < s->nsched; i++)
    for (int j = i; j > 0 && s->sched[j - 1].t > s->sched[j].t; j--) {
      act t = s->sched[j];
      s->sched[j] = s->sched[j - 1];
      s->sched[j - 1] = t;
    }
}

static void act_text(const act *a, char *o, size_t n) {
  static const int st[] = {500, 503, 204, 401};
  switch (a->kind) {
  case A_DROP: snprintf(o, n, "u%u: the network drops the stream (or the attempt)", a->u); break;
  case A_TRUNC: snprintf(o, n, "u%u: %u bytes of the next block, then the network drops", a->u, a->v); break;
  case A_END: snprintf(o, n, "u%u: the server ends the response", a->u); break;
  case A_STALL: snprintf(o, n, "u%u: the server goes silent on this stream", a->u); break;
  case A_DRIP: snprintf(o, n, "u%u: one byte at a time for %u ms", a->u, a->v); break;
  case A_HTTP: snprintf(o, n, "u%u: the next request gets HTTP %d%s", a->u, st[a->x % 4], a->x == 1 ? " + Retry-After" : ""); break;
  case A_HANG: snprintf(o, n, "u%u: the next request gets no answer", a->u); break;
  case A_OVERLAP: snprintf(o, n, "u%u: the next stream replays %u entries before Last-Event-ID", a->u, a->v); break;
  case A_RESET: snprintf(o, n, "u%u: the server forgets ids: the next stream starts with a reset event", a->u); break;
  case A_DRAIN: snprintf(o, n, "u%u: the server drains: a drain notice (spread %u ms) after the block in flight", a->u, a->v); break;
  case A_OFFLINE: snprintf(o, n, "offline for %u ms", a->v); break;
  case A_ONLINE: snprintf(o, n, "online"); break;
  case A_RESUME: snprintf(o, n, "page resumed"); break;
  case A_REBIND: snprintf(o, n, "channel %u moves to u%u", a->x, a->u); break;
  case A_SUB: snprintf(o, n, "subscribe to channel %u, filter %u, replay %u, priority %d", a->x, a->u, a->v & 255, (int)(a->v >> 8) - 2); break;
  default: snprintf(o, n, "the %u-th live subscriber leaves", a->v);
  }
  if (a->kind == A_HTTP && a->x == 1) snprintf(o + strlen(o), n - strlen(o), " %u ms", a->v);
  if (a->kind == A_HTTP && a->w) snprintf(o + strlen(o), n - strlen(o), ", and so does every request for %u ms", a->w);
}

static void sched_print(const sim *s, FILE *f) {
  char line[160];
  for (int i = 0; i < s->nsched; i++) {
    act_text(&s->sched[i], line, sizeof line);
    fprintf(f, "    t=%-7llu %s\n", (unsigned long long)s->sched[i].t, line);
  }
}

static int url_of(const sim *s, uint32_t conn) {
  for (int u = 0; u < s->nurls; u++)
    if (s->conn[u] == conn) return u;
  return -1;
}

static void span_copy(sim *s, const uint8_t *arena, lifeline_manager_span sp, char *out, size_t cap,
                      const char *what) {
  if (sp.len >= cap) {
    mm_fail(s->md, "a %s span of %u bytes, longer than anything the server sent", what, sp.len);
    sp.len = (uint32_t)cap - 1;
  }
  if (sp.len) memcpy(out, arena + sp.off, sp.len);
  out[sp.len] = 0;
}

static void host_open(sim *s, int u, const lifeline_manager_action *a, const uint8_t *arena) {
  host *h = &s->h[u];
  char lid[16];
  span_copy(s, arena, a->span[0], lid, sizeof lid, "Last-Event-ID");
  trace(s, "OPEN u%d stream %u attempt %u Last-Event-ID \"%s\"", u, a->stream, a->attempt, lid);
  if (h->phase != H_NONE)
    mm_fail(s->md, "OPEN of u%d stream %u while its stream %u is still open (no CLOSE)", u,
            a->stream, h->stream);
  if (!h->es && strcmp(lid, s->md->url[u].last_id))
    mm_fail(s->md, "OPEN of u%d sends Last-Event-ID \"%s\", but the last id the stream set is \"%s\"",
            u, lid, s->md->url[u].last_id);
  h->stream = a->stream;
  h->phase = H_WAIT;
  h->due = s->now + 5 + mm_below(&s->net, 50);
  strcpy(h->lid, lid);
  if (s->nopens < SIM_OPENS) s->open_at[s->nopens++] = s->now;
}

static void got(sim *s, const lifeline_manager_action *a, const uint8_t *arena) {
  for (int k = 0; k < MM_SUBS; k++) {
    mm_sub *sb = &s->md->sub[k];
    if (!sb->live || sb->id != a->sub) continue;
    if (sb->ngot == MM_Q) return;
    mm_ev *e = &sb->got[sb->ngot++];
    span_copy(s, arena, a->span[0], e->type, sizeof e->type, "type");
    span_copy(s, arena, a->span[1], e->data, sizeof e->data, "data");
    span_copy(s, arena, a->span[2], e->id, sizeof e->id, "id");
    e->replayed = (a->flags & LIFELINE_MANAGER_FLAG_REPLAYED) != 0;
    return;
  }
  mm_fail(s->md, "DELIVER to subscriber %u, which is not subscribed", a->sub);
}

/* Performs the batch of the last call, then checks every subscriber's deliveries. */
static void drain(sim *s) {
  size_t n = lifeline_manager_action_count(s->m);
  const lifeline_manager_action *a = lifeline_manager_actions(s->m);
  const uint8_t *arena = lifeline_manager_arena(s->m);
  for (size_t i = 0; i < n; i++) {
    int u = url_of(s, a[i].conn);
    if (a[i].kind != LIFELINE_MANAGER_ACT_WAKE_AT && a[i].kind != LIFELINE_MANAGER_ACT_DELIVER && u < 0) {
      mm_fail(s->md, "an action for connection %u, which the host never made", a[i].conn);
      continue;
    }
    switch (a[i].kind) {
    case LIFELINE_MANAGER_ACT_OPEN: host_open(s, u, &a[i], arena); break;
    case LIFELINE_MANAGER_ACT_CLOSE:
      trace(s, "CLOSE u%d stream %u %s", u, a[i].stream, lifeline_manager_reason_name((lifeline_manager_reason)a[i].reason));
      if (s->h[u].stream == a[i].stream) s->h[u].phase = H_NONE;
      break;
    case LIFELINE_MANAGER_ACT_DELIVER: got(s, &a[i], arena); break;
    case LIFELINE_MANAGER_ACT_STATUS:
      trace(s, "STATUS u%d %s attempt %u %s delay %u", u, lifeline_manager_state_name((lifeline_manager_state)a[i].state),
            a[i].attempt, lifeline_manager_reason_name((lifeline_manager_reason)a[i].reason), a[i].delay_ms);
      s->h[u].state = a[i].state;
      if (a[i].state == LIFELINE_MANAGER_FAILED) s->h[u].retry_at = s->now + 1000 + mm_below(&s->net, 2000);
      break;
    default: s->wake = ((uint64_t)a[i].time_hi << 32) | a[i].time_lo;
    }
  }
}

static void input_rc(sim *s, int u, int rc, const char *what) {
  if (rc == LIFELINE_ERR_NOT_FOUND || rc == LIFELINE_ERR_STATE)
    mm_fail(s->md, "%s on u%d stream %u: %s, though the manager never closed it", what, u,
            s->h[u].stream, rc == LIFELINE_ERR_STATE ? "ERR_STATE" : "ERR_NOT_FOUND");
}

static void host_closed(sim *s, int u, lifeline_manager_end end) {
  s->h[u].phase = H_NONE;
  trace(s, "host: u%d stream %u ends (%s)", u, s->h[u].stream, end == LIFELINE_MANAGER_END_CLEAN ? "clean" : "network");
  input_rc(s, u, lifeline_manager_closed(s->m, s->h[u].stream, end, s->now), "closed");
  drain(s);
  mm_compare(s->md, "the stream's end");
}

/* Loads the next log entry into the block in flight; 0 when the server has nothing new. */
static int next_entry(sim *s, int u) {
  host *h = &s->h[u];
  mm_url *U = &s->md->url[u];
  if (h->arm_drain) { /* not a log entry: the client leaves for another endpoint and resumes */
    h->len = (size_t)sprintf(h->buf, "event: lifeline:drain\ndata: %d\n\n", h->arm_drain - 1);
    h->done = h->len;
    h->off = 0;
    h->cur = -4;
    h->arm_drain = 0;
    return 1;
  }
  if (h->pos >= U->n) return 0;
  h->cur = (int)h->pos;
  h->len = mm_entry_text(&U->log[h->pos], u, h->pos, h->buf, &h->done);
  h->off = 0;
  h->pos++;
  return 1;
}

static void reset_data(sim *s, int u, char *out, size_t cap) { snprintf(out, cap, "reset u%d s%u", u, s->h[u].stream); }

/* Feeds up to `want` bytes; limit: never reach a block's dispatch point (a truncation). */
static void host_chunk(sim *s, int u, size_t want, int truncate) {
  host *h = &s->h[u];
  char chunk[512];
  int completed[64], nc = 0;
  size_t n = 0;
  while (n < want && nc < 64) {
    if (h->off == h->len && !next_entry(s, u)) break;
    size_t k = h->len - h->off < want - n ? h->len - h->off : want - n;
    if (truncate && h->done != (size_t)-1 && h->off + k >= h->done)
      k = h->off + 1 < h->done ? h->done - 1 - h->off : 0;
    if (h->off < h->done && h->off + k >= h->done) completed[nc++] = h->cur;
    memcpy(chunk + n, h->buf + h->off, k);
    h->off += k;
    n += k;
    if (truncate) break;
    if (nc && completed[nc - 1] == -4) break; /* the client stops reading at a drain notice */
  }
  if (!n) return;
  trace(s, "host: u%d feeds %zu bytes completing %d blocks (up to entry %d)", u, n, nc, nc ? completed[nc - 1] : -1);
  input_rc(s, u, lifeline_manager_feed(s->m, h->stream, (const uint8_t *)chunk, n, s->now), "feed");
  drain(s);
  for (int i = 0; i < nc; i++) {
    if (completed[i] >= 0) mm_receive(s->md, u, (uint32_t)completed[i], NULL);
    if (completed[i] == -1) {
      char d[24];
      reset_data(s, u, d, sizeof d);
      mm_receive_reset(s->md, u, d, NULL);
    }
  }
  mm_compare(s->md, "a chunk of bytes");
}

static void es_event(sim *s, int u, const mm_ev *ev) {
  host *h = &s->h[u];
  const char *type = strcmp(ev->type, "message") ? ev->type : (h->pos & 1) ? "" : "message";
  input_rc(s, u, lifeline_manager_event(s->m, h->stream, type, strlen(type), ev->data, strlen(ev->data),
                                        h->es_id, strlen(h->es_id), s->now), "event");
  drain(s);
}

/* EventSource: the browser parsed whole blocks; the manager sees events and retry values. */
static void host_es(sim *s, int u, int count) {
  host *h = &s->h[u];
  mm_url *U = &s->md->url[u];
  for (int i = 0; i < count && h->phase == H_READ; i++) {
    if (h->off == h->len && !next_entry(s, u)) return;
    h->off = h->len;
    if (h->cur == -4) { /* the type is longer than mm_ev's: straight to the manager */
      static const char type[] = "lifeline:drain";
      const char *data = h->buf + sizeof "event: lifeline:drain\ndata: " - 1;
      size_t dl = (size_t)(strchr(data, '\n') - data);
      input_rc(s, u, lifeline_manager_event(s->m, h->stream, type, sizeof type - 1, data, dl, h->es_id,
                                            strlen(h->es_id), s->now), "event");
      drain(s);
      mm_compare(s->md, "a drain notice");
      continue;
    }
    if (h->cur == -1) {
      mm_ev ev;
      memset(&ev, 0, sizeof ev);
      strcpy(ev.type, "reset");
      reset_data(s, u, ev.data, sizeof ev.data);
      es_event(s, u, &ev);
      mm_receive_reset(s->md, u, ev.data, h->es_id);
    } else if (h->cur >= 0) {
      const mm_entry *e = &U->log[h->cur];
      if (e->kind == MM_EVENT || e->kind == MM_IDONLY) snprintf(h->es_id, sizeof h->es_id, "%d", h->cur);
      if (e->kind == MM_EVENT || e->kind == MM_NOTICE) {
        mm_ev ev = mm_entry_event(e, u, (uint32_t)h->cur, h->es_id);
        es_event(s, u, &ev);
      } /* an EventSource does not show retry: lines to its page, so the core never learns them */
      mm_receive(s->md, u, (uint32_t)h->cur, h->es_id);
    }
    mm_compare(s->md, "an EventSource event");
  }
}

static void start_stream(sim *s, int u, uint32_t start, int reset) {
  host *h = &s->h[u];
  h->phase = H_READ;
  h->pos = start;
  h->off = h->len = 0;
  h->cur = -2;
  h->es_id[0] = 0;
  h->stalled = 0;
  h->drip_end = 0;
  h->due = s->now + 1 + mm_below(&s->net, 20);
  size_t bom = !h->es && mm_below(&s->net, 8) == 0 ? 3 : 0;
  memcpy(h->buf, "\xEF\xBB\xBF", bom);
  h->len = bom;
  h->cur = -3;
  h->done = (size_t)-1;
  if (reset) {
    char d[24];
    reset_data(s, u, d, sizeof d);
    h->len = bom + (size_t)sprintf(h->buf + bom, "event: reset\ndata: %s\n\n", d);
    h->done = h->len;
    h->cur = -1;
  }
}

static void host_respond(sim *s, int u) {
  static const int codes[] = {500, 503, 204, 401};
  host *h = &s->h[u];
  if (!s->online) {
    host_closed(s, u, LIFELINE_MANAGER_END_NETWORK);
    return;
  }
  if (h->arm_hang) {
    h->arm_hang = 0;
    if (h->hb) {
      h->phase = H_HUNG;
      return;
    }
  }
  int rc;
  if (h->arm_status && h->arm_until && s->now > h->arm_until) h->arm_status = 0; /* burst over */
  if (h->arm_status) {
    int code = codes[(h->arm_status - 1) % 4];
    int64_t ra = code == 503 && !h->es ? (int64_t)h->arm_ra : -1;
    if (!h->arm_until) h->arm_status = 0;
    h->phase = H_NONE;
    if (s->now > s->fault_end) s->fault_end = s->now;
    if (ra >= 0 && s->now + (uint64_t)ra > s->ra_end) s->ra_end = s->now + (uint64_t)ra;
    trace(s, "host: u%d stream %u answers %d", u, h->stream, code);
    rc = lifeline_manager_opened(s->m, h->stream, h->es ? 0 : code, h->es ? NULL : "text/plain",
                                 h->es ? 0 : 10, ra, s->now);
  } else {
    int unknown;
    mm_url *U = &s->md->url[u];
    uint32_t start = mm_server_start(U, h->lid, h->arm_overlap, h->arm_reset, &unknown);
    if (unknown) mm_fail(s->md, "u%d was asked to resume after \"%s\", an id it never sent", u, h->lid);
    start_stream(s, u, start, h->arm_reset || unknown);
    h->arm_reset = 0;
    h->arm_overlap = 0;
    if (s->mode == 4) { /* one new event per connection: progress every time */
      mm_publish(U, &s->net, s->now, 0, 0);
      U->log[U->n - 1].kind = MM_EVENT;
    }
    trace(s, "host: u%d stream %u answers 200 from entry %u", u, h->stream, start);
    rc = lifeline_manager_opened(s->m, h->stream, 200, "text/event-stream", 17, -1, s->now);
  }
  input_rc(s, u, rc, "opened");
  drain(s);
  mm_compare(s->md, "a response");
}

static void host_feed(sim *s, int u) {
  host *h = &s->h[u];
  if (h->stalled) {
    if (s->now >= h->stall_end) host_closed(s, u, LIFELINE_MANAGER_END_NETWORK); /* TCP gives up */
    return;
  }
  int sent_all = h->off == h->len && h->pos >= s->md->url[u].n;
  if (s->mode == 3 || (s->mode == 4 && sent_all)) {
    host_closed(s, u, LIFELINE_MANAGER_END_CLEAN);
    return;
  }
  int drip = h->drip_end > s->now;
  if (h->es) host_es(s, u, 1 + (int)mm_below(&s->net, 4));
  else host_chunk(s, u, drip ? 1 : 1 + mm_below(&s->net, 320), 0);
  h->due = s->now + (drip ? 4 : 5 + mm_below(&s->net, 40));
}

#endif
