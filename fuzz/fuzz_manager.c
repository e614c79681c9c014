/* libFuzzer target for the manager. The input is a program of host operations (subscribe and
 * unsubscribe with filters, priorities and replay; responses with any status, content type and
 * Retry-After; stream bytes; EventSource events; transport ends; time; online/offline; resume;
 * retry now; close; channel moves; server retry values) run against a manager with small caps
 * (3 connections, 8 subscribers, 16 actions and 1 KiB of arena per batch). Operations sometimes
 * name a stale or bogus stream. The bytes of a stream are built from the input as SSE blocks
 * (events with and without an id, `id:`-only blocks, `retry:`, comments, unknown fields, empty
 * data, over-long lines, LF/CRLF/CR line ends, a BOM), cut at arbitrary points; every id is
 * unique on its connection and never sent twice. After every call it checks:
 *  - the batch: WAKE_AT last and only once, never in the past; OPEN/CLOSE/STATUS only for
 *    known connections; DELIVER only to live subscribers; every span inside the arena
 *    allocation (each byte is read, so ASan sees it) and within the batch's byte budget;
 *  - at most one stream open per connection: no OPEN while the host still has the previous
 *    stream (no CLOSE for it and not ended by the host);
 *  - no loss and no duplicate: on the connection's current open stream, each block the parser
 *    dispatches (by construction of the bytes) reaches every live subscriber of every channel
 *    bound to that connection whose filter matches, in order, with its type and data (and id,
 *    for blocks with their own id), and nothing else reaches them outside of a subscribe's
 *    replay; unless the manager closed that stream in the same batch (its batch caps), and then
 *    each subscriber got a prefix, the same events for all (an event goes to all or none).
 * Sanitizers catch memory errors. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "lifeline/error.h"
#include "lifeline/manager.h"

#define NSUBS 8
#define NCONN 3
#define MAXQ 96
#define BUF 2048
#define NBLK 128
#define MAX_ARENA 1024u

typedef struct {
  char type[8], data[16];
  uint32_t id; /* own id, 0: none */
} fev;

typedef struct {
  uint32_t stream;  /* of the last OPEN */
  uint32_t live;    /* the stream the host has open (0: none) */
  uint32_t next_id; /* ids handed out on this connection */
  char buf[BUF];    /* bytes of the current stream not yet fed */
  size_t len, off;
  struct {
    size_t at; /* offset in buf at which the block dispatches */
    fev ev;
  } blk[NBLK];
  int nblk, bhead;
  uint32_t built_for; /* the stream buf belongs to */
  uint32_t es_last;   /* the EventSource's last event id on this stream */
} fconn;

typedef struct {
  uint32_t id; /* 0: free */
  int ch, filter;
  fev want[MAXQ], got[MAXQ];
  int nwant, ngot;
} fsub;

typedef struct {
  lifeline_manager *m;
  uint32_t conn[NCONN], ch[NCONN];
  int ch_conn[NCONN]; /* which connection index each channel is bound to */
  fconn c[NCONN];
  fsub s[NSUBS];
  uint64_t now;
  uint32_t data_seq;
  uint32_t closed_in_batch[8];
  int nclosed;
  uint32_t checksum; /* of every span's bytes */
} fz;

static const char *const filters[] = {NULL, "tick\nmessage"};

static int conn_index(const fz *f, uint32_t handle) {
  for (int i = 0; i < NCONN; i++)
    if (f->conn[i] == handle) return i;
  return -1;
}

static int matches(int filter, const char *type) {
  return filter == 0 || !strcmp(type, "tick") || !strcmp(type, "message");
}

/* Reads every byte of the span, so that ASan reports one outside the arena's allocation. */
static uint32_t touch_span(const uint8_t *arena, lifeline_manager_span sp, uint32_t limit) {
  uint32_t sum = 0;
  REQUIRE(sp.off <= limit && sp.len <= limit - sp.off);
  for (uint32_t i = 0; i < sp.len; i++) sum += arena[sp.off + i];
  return sum;
}

static void span_str(const uint8_t *arena, lifeline_manager_span sp, char *out, size_t cap) {
  size_t n = sp.len < cap - 1 ? sp.len : cap - 1;
  if (n) memcpy(out, arena + sp.off, n);
  out[n] = 0;
}

static void record_delivery(fz *f, const lifeline_manager_action *a, const uint8_t *arena, uint32_t replay_to) {
  for (int k = 0; k < NSUBS; k++) {
    fsub *s = &f->s[k];
    if (!s->id || s->id != a->sub) continue;
    if (a->flags & LIFELINE_MANAGER_FLAG_REPLAYED) {
      REQUIRE(replay_to && a->sub == replay_to); /* replays only answer a subscribe */
      return;
    }
    REQUIRE(s->ngot < MAXQ);
    fev *e = &s->got[s->ngot++];
    char id[16];
    span_str(arena, a->span[0], e->type, sizeof e->type);
    span_str(arena, a->span[1], e->data, sizeof e->data);
    span_str(arena, a->span[2], id, sizeof id);
    e->id = (uint32_t)strtoul(id, NULL, 10);
    return;
  }
  REQUIRE(0); /* DELIVER to a subscriber that is not live */
}

/* The batch invariants, and the host's side of OPEN and CLOSE. */
static void check_batch(fz *f, uint32_t replay_to) {
  size_t n = lifeline_manager_action_count(f->m);
  const lifeline_manager_action *a = lifeline_manager_actions(f->m);
  const uint8_t *arena = lifeline_manager_arena(f->m);
  REQUIRE(n > 0 && a[n - 1].kind == LIFELINE_MANAGER_ACT_WAKE_AT);
  uint64_t wake = ((uint64_t)a[n - 1].time_hi << 32) | a[n - 1].time_lo;
  REQUIRE(wake == LIFELINE_NEVER || wake + 1 >= f->now);
  f->nclosed = 0;
  for (size_t i = 0; i < n; i++) {
    REQUIRE(i + 1 == n || a[i].kind != LIFELINE_MANAGER_ACT_WAKE_AT);
    uint32_t limit = a[i].kind == LIFELINE_MANAGER_ACT_DELIVER ? MAX_ARENA : MAX_ARENA + NCONN * LIFELINE_MANAGER_MAX_ID;
    for (int k = 0; k < 3; k++) f->checksum += touch_span(arena, a[i].span[k], limit);
    if (a[i].kind == LIFELINE_MANAGER_ACT_DELIVER) {
      record_delivery(f, &a[i], arena, replay_to);
      continue;
    }
    if (a[i].kind == LIFELINE_MANAGER_ACT_WAKE_AT) continue;
    int c = conn_index(f, a[i].conn);
    REQUIRE(c >= 0);
    fconn *fc = &f->c[c];
    if (a[i].kind == LIFELINE_MANAGER_ACT_OPEN) {
      REQUIRE(fc->live == 0); /* the previous stream was closed first */
      fc->stream = fc->live = a[i].stream;
    } else if (a[i].kind == LIFELINE_MANAGER_ACT_CLOSE) {
      if (fc->live == a[i].stream) fc->live = 0;
      if (f->nclosed < 8) f->closed_in_batch[f->nclosed++] = a[i].stream;
    }
  }
}

/* Each subscriber got exactly what was dispatched to it, in order. When the manager closed the
 * stream in this batch (its caps), delivery stops at one event for everyone: each subscriber got
 * its events dispatched before that one. */
static void check_deliveries(fz *f, uint32_t stream) {
  int cut = 0;
  long first_missed = -1; /* data sequence number of the first event someone did not get */
  for (int k = 0; k < f->nclosed; k++) cut |= stream && f->closed_in_batch[k] == stream;
  for (int k = 0; k < NSUBS; k++) {
    fsub *s = &f->s[k];
    REQUIRE(s->ngot <= s->nwant);
    for (int i = 0; i < s->ngot; i++) {
      REQUIRE(!strcmp(s->want[i].type, s->got[i].type) && !strcmp(s->want[i].data, s->got[i].data));
      REQUIRE(!s->want[i].id || s->want[i].id == s->got[i].id);
    }
    if (s->ngot < s->nwant) {
      long seq = atol(s->want[s->ngot].data + 1);
      if (first_missed < 0 || seq < first_missed) first_missed = seq;
    }
  }
  REQUIRE(cut || first_missed < 0);
  for (int k = 0; k < NSUBS; k++) {
    fsub *s = &f->s[k];
    int before = 0;
    while (before < s->nwant && (first_missed < 0 || atol(s->want[before].data + 1) < first_missed)) before++;
    REQUIRE(s->ngot == before);
    s->nwant = s->ngot = 0;
  }
}

static void expect(fz *f, int c, const fev *ev) {
  for (int k = 0; k < NSUBS; k++) {
    fsub *s = &f->s[k];
    if (s->id && f->ch_conn[s->ch] == c && matches(s->filter, ev->type)) {
      REQUIRE(s->nwant < MAXQ);
      s->want[s->nwant++] = *ev;
    }
  }
}

/* ---- stream bytes ---- */

static void put(fconn *fc, const char *text, int style) {
  static const char *const ends[] = {"\n", "\r\n", "\r"};
  size_t n = strlen(text), e = strlen(ends[style]);
  if (fc->len + n + e > BUF) return;
  memcpy(fc->buf + fc->len, text, n);
  memcpy(fc->buf + fc->len + n, ends[style], e);
  fc->len += n + e;
}

/* Appends one block chosen by `kind` to the stream's bytes; a block that dispatches an event
 * records where (the first byte of the blank line's line end). */
static void build_block(fz *f, fconn *fc, uint32_t kind, uint32_t style) {
  static const char *const types[] = {"message", "tick", "x"};
  char line[96];
  fev ev;
  memset(&ev, 0, sizeof ev);
  int st = (int)(style % 3), dispatch = 1;
  if (fc->len + 200 > BUF || fc->nblk - fc->bhead >= NBLK) return;
  switch (kind % 8) {
  case 0: case 1: /* an event with its own id, maybe typed, maybe two data lines */
    ev.id = ++fc->next_id;
    strcpy(ev.type, types[style / 3 % 3]);
    if (style / 3 % 3) {
      snprintf(line, sizeof line, "event: %s", ev.type);
      put(fc, line, st);
    }
    snprintf(line, sizeof line, "id: %u", ev.id);
    put(fc, line, st);
    break;
  case 2: strcpy(ev.type, "message"); break; /* no id */
  case 3: /* id only */
    snprintf(line, sizeof line, "id:%u", ++fc->next_id);
    put(fc, line, st);
    dispatch = 0;
    break;
  case 4: put(fc, (style & 8) ? "retry: 250" : "retry: 12x", st); dispatch = 0; break;
  case 5: put(fc, ": comment", st); put(fc, "foo: unknown field", st); strcpy(ev.type, "message"); break;
  case 6: /* a line over max_line_bytes: the parser skips the whole block */
    memset(line, 'z', 80);
    memcpy(line, "data: ", 6);
    line[80] = 0;
    put(fc, line, st);
    dispatch = 0;
    break;
  default: put(fc, ": just a comment", st); return;
  }
  if (dispatch) {
    snprintf(ev.data, sizeof ev.data, "d%u", ++f->data_seq);
    snprintf(line, sizeof line, "data: %s", ev.data);
    put(fc, line, st);
    if (style & 16) { /* an empty data line: the data ends in a line feed */
      put(fc, "data:", st);
      strcat(ev.data, "\n");
    }
  }
  put(fc, "", st);
  if (!dispatch) return;
  fc->blk[fc->nblk % NBLK].at = fc->len - (st == 1 ? 1 : 0);
  fc->blk[fc->nblk % NBLK].ev = ev;
  fc->nblk++;
}

/* The host's stream bytes belong to the current stream only; a new stream starts afresh. */
static void sync_builder(fconn *fc, input *in) {
  if (fc->built_for == fc->live) return;
  fc->built_for = fc->live;
  fc->len = fc->off = 0;
  fc->nblk = fc->bhead = 0;
  fc->es_last = 0;
  if (take(in, 1) & 1) {
    memcpy(fc->buf, "\xEF\xBB\xBF", 3);
    fc->len = 3;
  }
}

static int is_open(fz *f, int c) {
  lifeline_manager_conn_info info;
  return f->c[c].live && lifeline_manager_get_conn_info(f->m, f->conn[c], &info) == LIFELINE_OK &&
         info.state == LIFELINE_MANAGER_OPEN;
}

/* Structured bytes on the connection's open stream. */
static void feed(fz *f, int c, input *in) {
  fconn *fc = &f->c[c];
  sync_builder(fc, in);
  for (uint32_t k = take(in, 1) % 4; k > 0; k--) build_block(f, fc, take(in, 1), take(in, 1));
  size_t n = take(in, 1) % 160;
  if (n > fc->len - fc->off) n = fc->len - fc->off;
  while (fc->bhead < fc->nblk && fc->blk[fc->bhead % NBLK].at <= fc->off + n)
    expect(f, c, &fc->blk[fc->bhead++ % NBLK].ev);
  uint32_t stream = fc->live;
  lifeline_manager_feed(f->m, stream, (const uint8_t *)fc->buf + fc->off, n, f->now);
  fc->off += n;
  if (fc->off == fc->len) fc->len = fc->off = 0;
  check_batch(f, 0);
  check_deliveries(f, stream);
}

/* An EventSource event on the connection's open stream: a new id, or the last id repeated as a
 * browser does for an event without one. */
static void es_event(fz *f, int c, uint32_t arg) {
  static const char *const types[] = {"", "tick", "x"};
  fconn *fc = &f->c[c];
  fev ev;
  memset(&ev, 0, sizeof ev);
  if (fc->built_for != fc->live) {
    fc->built_for = fc->live;
    fc->es_last = 0;
    fc->len = fc->off = 0;
    fc->nblk = fc->bhead = 0;
  }
  if (arg & 1) fc->es_last = ev.id = ++fc->next_id; /* else id-less: the last id repeats */
  const char *type = types[(arg >> 1) % 3];
  strcpy(ev.type, *type ? type : "message");
  snprintf(ev.data, sizeof ev.data, "e%u", ++f->data_seq);
  char id[16];
  snprintf(id, sizeof id, "%u", fc->es_last);
  expect(f, c, &ev);
  uint32_t stream = fc->live;
  lifeline_manager_event(f->m, stream, type, strlen(type), ev.data, strlen(ev.data), id,
                         fc->es_last ? strlen(id) : 0, f->now);
  check_batch(f, 0);
  check_deliveries(f, stream);
}

/* Any other stream number (stale or bogus) must deliver nothing, whatever its bytes. */
static uint32_t stale_stream(const fz *f, uint32_t want) {
  for (int c = 0; c < NCONN; c++)
    if (f->c[c].live == want) return 0;
  return want;
}

static void after(fz *f, uint32_t replay_to) {
  check_batch(f, replay_to);
  check_deliveries(f, 0);
}

static void subscribe(fz *f, uint32_t arg, input *in) {
  int slot = (int)(arg % NSUBS), ch = (int)(take(in, 1) % NCONN), filter = (arg >> 3) & 1;
  if (f->s[slot].id) {
    lifeline_manager_unsubscribe(f->m, f->s[slot].id, f->now);
    f->s[slot].id = 0;
    after(f, 0);
  }
  uint32_t id = 0;
  const char *types = filters[filter];
  int rc = lifeline_manager_subscribe(f->m, f->ch[ch], (int32_t)(arg % 5) - 2, types,
                                      types ? strlen(types) : 0, (arg >> 4) % 4, f->now, &id);
  if (rc == LIFELINE_OK) {
    fsub *s = &f->s[slot];
    memset(s, 0, sizeof *s);
    s->id = id;
    s->ch = ch;
    s->filter = filter;
  }
  after(f, rc == LIFELINE_OK ? id : 0);
}

static void transport(fz *f, uint32_t op, uint32_t arg, input *in) {
  static const int statuses[] = {200, 200, 200, 204, 401, 403, 404, 408, 429, 500, 503, 302, 0};
  int c = (int)(arg % NCONN);
  fconn *fc = &f->c[c];
  uint32_t stream = (arg & 0x80) ? fc->live : stale_stream(f, take(in, 1));
  if (op == 2) {
    int st = statuses[take(in, 1) % 13];
    const char *ct = (arg & 8) ? "text/html" : "text/event-stream";
    lifeline_manager_opened(f->m, stream, st, ct, strlen(ct), (arg & 16) ? (int64_t)arg * 37 : -1, f->now);
  } else if (op == 3 && (arg & 0x80) && is_open(f, c)) {
    feed(f, c, in);
    return;
  } else if (op == 3) {
    uint8_t raw[64];
    size_t n = take(in, 1) % sizeof raw;
    for (size_t i = 0; i < n; i++) raw[i] = (uint8_t)take(in, 1);
    if (stream == fc->live && stream) return; /* a live stream that is not open yet */
    lifeline_manager_feed(f->m, stream, raw, n, f->now);
  } else if (op == 4 && (arg & 0x80) && is_open(f, c)) {
    es_event(f, c, take(in, 1));
    return;
  } else if (op == 4) {
    if (stream == fc->live && stream) return;
    lifeline_manager_event(f->m, stream, "tick", 4, "x", 1, "7", 1, f->now);
  } else {
    if (stream && stream == fc->live) fc->live = 0; /* the host's transport ended */
    lifeline_manager_closed(f->m, stream, (lifeline_manager_end)(take(in, 1) % 4), f->now);
  }
  after(f, 0);
}

static void step(fz *f, uint32_t op, uint32_t arg, input *in) {
  int c = (int)(arg % NCONN);
  switch (op) {
  case 0: subscribe(f, arg, in); return;
  case 1:
    if (!f->s[arg % NSUBS].id) return; /* no call, no new batch */
    lifeline_manager_unsubscribe(f->m, f->s[arg % NSUBS].id, f->now);
    f->s[arg % NSUBS].id = 0;
    break;
  case 2: case 3: case 4: case 5: transport(f, op, arg, in); return;
  case 6:
    f->now += (uint64_t)arg * arg * 3;
    lifeline_manager_tick(f->m, f->now);
    break;
  case 7: lifeline_manager_set_online(f->m, arg & 1, f->now); break;
  case 8: lifeline_manager_resume(f->m, f->now); break;
  case 9: lifeline_manager_retry_now(f->m, f->conn[c], f->now); break;
  case 10: lifeline_manager_close(f->m, f->conn[c], f->now); break;
  case 11: {
    int ch = (int)(take(in, 1) % NCONN);
    if (lifeline_manager_channel_bind(f->m, f->ch[ch], f->conn[c], f->now) == LIFELINE_OK) f->ch_conn[ch] = c;
    break;
  }
  default: {
    uint64_t d = lifeline_manager_deadline(f->m);
    if (d != LIFELINE_NEVER && d >= f->now) f->now = d;
    lifeline_manager_tick(f->m, f->now);
  }
  }
  after(f, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lifeline_manager_config mc;
  lifeline_manager_config_default(&mc);
  mc.max_connections = NCONN;
  mc.max_channels = NCONN;
  mc.max_subscribers = NSUBS;
  mc.max_actions = 16;
  mc.max_arena_bytes = MAX_ARENA;
  mc.metrics = size > 0 && (data[0] & 1);
  mc.seed = size;
  static fz f;
  memset(&f, 0, sizeof f);
  f.now = 1000;
  f.m = lifeline_manager_new(&mc);
  REQUIRE(f.m != NULL);
  lifeline_manager_conn_config cc;
  lifeline_manager_conn_config_default(&cc);
  cc.endpoint_count = 2;
  cc.heartbeat_timeout_ms = 5000;
  cc.breaker.consecutive_failures = 2;
  cc.max_line_bytes = 64;
  cc.max_event_bytes = 128;
  for (int c = 0; c < NCONN; c++) {
    char key[8] = {'k', (char)('0' + c), 0};
    cc.features = (uint32_t)(c == 2 ? 0 : LIFELINE_MANAGER_ALL | LIFELINE_MANAGER_AUTH_HOOK);
    REQUIRE(lifeline_manager_connection(f.m, key, 2, &cc, &f.conn[c]) == LIFELINE_OK);
    lifeline_manager_channel_config chc;
    lifeline_manager_channel_config_default(&chc);
    chc.replay_events = 3;
    chc.replay_bytes = 64;
    chc.dedup_window = 4;
    REQUIRE(lifeline_manager_channel(f.m, f.conn[c], &chc, &f.ch[c]) == LIFELINE_OK);
    f.ch_conn[c] = c;
  }
  lifeline_manager_tick(f.m, f.now); /* every later check sees a batch */
  after(&f, 0);
  input in = {data, size};
  while (in.n >= 2) {
    uint32_t op = take(&in, 1) % 14, arg = take(&in, 1);
    step(&f, op, arg, &in);
  }
  lifeline_manager_close_all(f.m, f.now);
  after(&f, 0);
  lifeline_manager_free(f.m);
  return 0;
}
