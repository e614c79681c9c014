/* The delivery contract of docs/manager.md as an executable model, written apart from the manager
 * (it reads none of src/): a simulated server per stream URL, and what each subscriber must
 * receive from it.
 *
 * The server keeps a log per URL: events with an id (the id is the entry's index, so ids are
 * unique per stream and the same ids recur on every URL), id-less notices, `id:`-only blocks,
 * `retry:` blocks and comments, in LF, CRLF or CR line endings. A stream that sends
 * Last-Event-ID resumes after that entry, or a few entries before it (an overlap replay, never
 * before the first entry this client could have had); without one, or when told to forget
 * (a reset), it starts at the tail, and after a reset it first sends an id-less `reset` event.
 *
 * The model is told each block the client received completely on a stream it was reading, and
 * from that alone says what every subscriber must be handed, in order:
 *  - an event with an id: the first time that id reaches the client on that URL, to every
 *    channel bound to the URL and to each of their live subscribers whose filter matches;
 *    never again (an overlap replays it: a duplicate);
 *  - an id-less event (notice, reset): each time it is received, never dropped as a duplicate;
 *    its id is the last event id the stream had set (the spec's lastEventId);
 *  - a late subscriber's replay: the newest of the channel's remembered events (since the
 *    channel was bound to its URL) that match its filter, flagged as replayed;
 *  - the last event id is the id of the last complete block with an id field (`id:`-only
 *    blocks included): what the next OPEN must send.
 * It also checks the server's side of the promise: the first new event after an event is the
 * next event in the URL's log, unless a reset announced the gap. */
#ifndef LIFELINE_TEST_MANAGER_MODEL_H
#define LIFELINE_TEST_MANAGER_MODEL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MM_URLS 4
#define MM_CHANNELS 3
#define MM_SUBS 8
#define MM_LOG 8192 /* entries per URL */
#define MM_Q 192    /* events one call may hand a subscriber */
#define MM_RING 16  /* replay ring entries the model keeps per channel */

/* splitmix64: the model's own generator, so that no part of it comes from the core. */
typedef struct {
  uint64_t s;
} mm_rng;

static uint64_t mm_rand(mm_rng *r) {
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static uint32_t mm_below(mm_rng *r, uint32_t n) { return n ? (uint32_t)(mm_rand(r) % n) : 0; }

enum { MM_EVENT, MM_NOTICE, MM_IDONLY, MM_RETRY, MM_COMMENT };
#define MM_TICK 1u   /* `event: tick` instead of the default type */
#define MM_TWO 2u    /* two data lines */
#define MM_IDLAST 4u /* the id line after the data */
#define MM_TIGHT 8u  /* no space after the colon */

typedef struct {
  uint8_t kind, style, flags; /* style: 0 LF, 1 CRLF, 2 CR */
  uint32_t retry_ms;
  uint64_t at; /* when the server published it */
} mm_entry;

/* One delivery, as a subscriber sees it. */
typedef struct {
  char type[8], data[24], id[12];
  uint8_t replayed;
} mm_ev;

typedef struct {
  /* the server */
  mm_entry log[MM_LOG];
  uint32_t n;
  uint32_t floor; /* the oldest entry this client can have had (first stream or last reset) */
  /* the client, as the contract says it must be */
  uint8_t seen[MM_LOG]; /* event i reached the client on this URL */
  char last_id[12];
  int64_t maxpos; /* newest event received, -1: none */
  int announced;  /* a reset event came after maxpos: the next event may skip ahead */
} mm_url;

typedef struct {
  int url;
  uint32_t replay_cap; /* the channel's replay_events */
  mm_ev ring[MM_RING];
  uint32_t ring_n;
} mm_chan;

typedef struct {
  int live;
  uint32_t id; /* the manager's subscriber id */
  int ch, filter;
  mm_ev want[MM_Q], got[MM_Q];
  int nwant, ngot;
} mm_sub;

typedef struct {
  mm_url url[MM_URLS];
  mm_chan ch[MM_CHANNELS];
  mm_sub sub[MM_SUBS];
  uint64_t now;
  uint64_t delivered;
  int failed;
  char failure[2048];
} mm_model;

static const char *const mm_filters[] = {NULL, "message", "tick\nreset", "notice\nmessage\nreset"};

static void mm_fail(mm_model *md, const char *fmt, ...) {
  if (md->failed++) return; /* the first difference explains the rest */
  int n = snprintf(md->failure, sizeof md->failure, "t=%llu: ", (unsigned long long)md->now);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(md->failure + n, sizeof md->failure - (size_t)n, fmt, ap);
  va_end(ap);
}

static void mm_init(mm_model *md) {
  memset(md, 0, sizeof *md);
  for (int u = 0; u < MM_URLS; u++) md->url[u].maxpos = -1;
  for (int c = 0; c < MM_CHANNELS; c++) md->ch[c].url = c;
}

/* ---- the server ---- */

/* with_idonly 0 for EventSource URLs: a browser never shows an `id:`-only block, and an id-less
 * event after one carries that id as its lastEventId, so no client could tell it from an event
 * with its own id (a limitation of that transport, not something the model can demand). */
static void mm_publish(mm_url *U, mm_rng *r, uint64_t now, int with_retry, int with_idonly) {
  if (U->n == MM_LOG) return;
  mm_entry *e = &U->log[U->n++];
  uint32_t k = mm_below(r, 100);
  e->kind = k < 70 ? MM_EVENT : k < 82 ? MM_NOTICE : k < 88 ? (with_idonly ? MM_IDONLY : MM_NOTICE)
          : k < 92 ? MM_COMMENT : with_retry ? MM_RETRY : MM_EVENT;
  e->style = (uint8_t)(mm_below(r, 4) == 0 ? 1 + mm_below(r, 2) : 0);
  e->flags = (uint8_t)mm_below(r, 16);
  e->retry_ms = mm_below(r, 4) == 0 ? 0 : 100 + mm_below(r, 900);
  e->at = now;
}

static size_t mm_line(char *out, size_t n, const char *text, int style) {
  static const char *const ends[] = {"\n", "\r\n", "\r"};
  return n + (size_t)sprintf(out + n, "%s%s", text, ends[style]);
}

/* The bytes of entry i of URL u (at most 96). *done: how many of them make the parser dispatch
 * the block, i.e. up to the blank line's first line-end byte (a CRLF's LF comes after). */
static size_t mm_entry_text(const mm_entry *e, int u, uint32_t i, char *out, size_t *done) {
  char f[48];
  size_t n = 0;
  int st = e->style;
  const char *sp = (e->flags & MM_TIGHT) ? "" : " ";
  switch (e->kind) {
  case MM_COMMENT:
    snprintf(f, sizeof f, ":hb %u", i);
    n = mm_line(out, n, f, st);
    *done = (size_t)-1; /* a comment dispatches nothing */
    return n;
  case MM_RETRY:
    snprintf(f, sizeof f, "retry:%s%u", sp, e->retry_ms);
    n = mm_line(out, n, f, st);
    break;
  case MM_IDONLY:
    snprintf(f, sizeof f, "id:%s%u", sp, i);
    n = mm_line(out, n, f, st);
    break;
  case MM_NOTICE:
    n = mm_line(out, n, "event: notice", st);
    snprintf(f, sizeof f, "data:%su%dn%u", sp, u, i);
    n = mm_line(out, n, f, st);
    break;
  default:
    if (e->flags & MM_TICK) n = mm_line(out, n, "event: tick", st);
    snprintf(f, sizeof f, "id:%s%u", sp, i);
    if (!(e->flags & MM_IDLAST)) n = mm_line(out, n, f, st);
    snprintf(f, sizeof f, "data:%su%de%u", sp, u, i);
    n = mm_line(out, n, f, st);
    if (e->flags & MM_TWO) n = mm_line(out, n, "data: +", st);
    snprintf(f, sizeof f, "id:%s%u", sp, i);
    if (e->flags & MM_IDLAST) n = mm_line(out, n, f, st);
  }
  n = mm_line(out, n, "", st);
  *done = st == 1 ? n - 1 : n;
  return n;
}

/* The event entry i carries (kind MM_EVENT or MM_NOTICE); stamp: the id an id-less one gets. */
static mm_ev mm_entry_event(const mm_entry *e, int u, uint32_t i, const char *stamp) {
  mm_ev ev;
  memset(&ev, 0, sizeof ev);
  if (e->kind == MM_NOTICE) {
    strcpy(ev.type, "notice");
    snprintf(ev.data, sizeof ev.data, "u%dn%u", u, i);
    snprintf(ev.id, sizeof ev.id, "%s", stamp);
    return ev;
  }
  strcpy(ev.type, (e->flags & MM_TICK) ? "tick" : "message");
  snprintf(ev.data, sizeof ev.data, "u%de%u%s", u, i, (e->flags & MM_TWO) ? "\n+" : "");
  snprintf(ev.id, sizeof ev.id, "%u", i);
  return ev;
}

/* Where a stream asking for Last-Event-ID lid starts in the log. A fresh client (no id) or a
 * reset starts at the tail. *unknown: lid names no entry with an id (the server cannot resume
 * and must reset). */
static uint32_t mm_server_start(mm_url *U, const char *lid, uint32_t overlap, int reset,
                                int *unknown) {
  *unknown = 0;
  if (!reset && lid[0]) {
    char *end;
    unsigned long i = strtoul(lid, &end, 10);
    if (*end || i >= U->n || (U->log[i].kind != MM_EVENT && U->log[i].kind != MM_IDONLY)) {
      *unknown = 1;
    } else {
      uint32_t p = (uint32_t)i + 1;
      uint32_t back = p > U->floor ? p - U->floor : 0;
      return p - (overlap < back ? overlap : back);
    }
  }
  U->floor = U->n;
  return U->n;
}

/* ---- what subscribers must receive ---- */

static int mm_matches(int filter, const char *type) {
  const char *f = mm_filters[filter];
  if (!f) return 1;
  size_t tl = strlen(type);
  for (const char *p = f; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    if (len == tl && memcmp(p, type, tl) == 0) return 1;
    if (!nl) break;
    p = nl + 1;
  }
  return 0;
}

static void mm_want(mm_model *md, mm_sub *s, const mm_ev *ev) {
  if (s->nwant == MM_Q) {
    mm_fail(md, "model: more than %d events for one subscriber in one call", MM_Q);
    return;
  }
  s->want[s->nwant++] = *ev;
}

static void mm_to_channels(mm_model *md, int u, const mm_ev *ev) {
  for (int c = 0; c < MM_CHANNELS; c++) {
    mm_chan *ch = &md->ch[c];
    if (ch->url != u) continue;
    uint32_t cap = ch->replay_cap < MM_RING ? ch->replay_cap : MM_RING;
    if (cap) {
      if (ch->ring_n == cap) memmove(ch->ring, ch->ring + 1, (cap - 1) * sizeof *ch->ring);
      else ch->ring_n++;
      ch->ring[ch->ring_n - 1] = *ev;
    }
    for (int s = 0; s < MM_SUBS; s++)
      if (md->sub[s].live && md->sub[s].ch == c && mm_matches(md->sub[s].filter, ev->type))
        mm_want(md, &md->sub[s], ev);
  }
}

/* The server's side: a new event must be the next one in the log unless a reset came first. */
static void mm_check_order(mm_model *md, int u, uint32_t i) {
  mm_url *U = &md->url[u];
  if (U->maxpos < 0 || U->announced) return;
  uint32_t next = (uint32_t)U->maxpos + 1;
  while (next < U->n && U->log[next].kind != MM_EVENT) next++;
  if (i != next)
    mm_fail(md, "u%d: event %u reached the client after event %lld, but event %u comes between "
                "them in the server's log and no reset announced a gap", u, i,
            (long long)U->maxpos, next);
}

/* Entry i of URL u was received completely on a stream the client was reading. stamp: the id
 * the transport gives an id-less event (NULL: the stream's last event id). */
static void mm_receive(mm_model *md, int u, uint32_t i, const char *stamp) {
  mm_url *U = &md->url[u];
  const mm_entry *e = &U->log[i];
  mm_ev ev;
  switch (e->kind) {
  case MM_IDONLY:
    snprintf(U->last_id, sizeof U->last_id, "%u", i);
    return;
  case MM_NOTICE:
    ev = mm_entry_event(e, u, i, stamp ? stamp : U->last_id);
    mm_to_channels(md, u, &ev);
    return;
  case MM_EVENT:
    snprintf(U->last_id, sizeof U->last_id, "%u", i);
    if (U->seen[i]) {
      if ((int64_t)i > U->maxpos) mm_fail(md, "model: u%d event %u seen beyond maxpos", u, i);
      return; /* an overlap replay: a duplicate */
    }
    mm_check_order(md, u, i);
    U->seen[i] = 1;
    U->maxpos = i;
    U->announced = 0;
    ev = mm_entry_event(e, u, i, "");
    mm_to_channels(md, u, &ev);
    return;
  default:
    return;
  }
}

/* The reset event that starts a stream whose Last-Event-ID the server could not resume. */
static void mm_receive_reset(mm_model *md, int u, const char *data, const char *stamp) {
  mm_ev ev;
  memset(&ev, 0, sizeof ev);
  strcpy(ev.type, "reset");
  snprintf(ev.data, sizeof ev.data, "%s", data);
  snprintf(ev.id, sizeof ev.id, "%s", stamp ? stamp : md->url[u].last_id);
  md->url[u].announced = 1;
  mm_to_channels(md, u, &ev);
}

/* A new subscriber in slot k asked for n replayed events. */
static void mm_replay(mm_model *md, int k, uint32_t n) {
  mm_sub *s = &md->sub[k];
  mm_chan *ch = &md->ch[s->ch];
  uint32_t start = ch->ring_n, found = 0;
  while (start > 0 && found < n) found += (uint32_t)mm_matches(s->filter, ch->ring[--start].type);
  for (uint32_t i = start; i < ch->ring_n; i++) {
    if (!mm_matches(s->filter, ch->ring[i].type)) continue;
    mm_ev ev = ch->ring[i];
    ev.replayed = 1;
    mm_want(md, s, &ev);
  }
}

/* The channel now follows URL u: what it remembers came from another stream. */
static void mm_rebind(mm_model *md, int c, int u) {
  md->ch[c].url = u;
  md->ch[c].ring_n = 0;
}

/* Every event URL u published at or before t has reached the client (or predates it). */
static int mm_caught_up(const mm_model *md, int u, uint64_t t) {
  const mm_url *U = &md->url[u];
  for (uint32_t i = U->n; i-- > 0;) {
    if (U->log[i].kind != MM_EVENT || U->log[i].at > t) continue;
    return i < U->floor || U->maxpos >= (int64_t)i;
  }
  return 1;
}

static void mm_ev_text(const mm_ev *e, char *out, size_t cap) {
  size_t n = 0;
  n += (size_t)snprintf(out + n, cap - n, "%s|", e->type);
  for (const char *p = e->data; *p && n + 3 < cap; p++) {
    if (*p == '\n') out[n++] = '\\', out[n++] = 'n';
    else out[n++] = *p;
  }
  snprintf(out + n, cap - n, "|%s%s", e->id, e->replayed ? " (replayed)" : "");
}

static void mm_list_text(const mm_ev *evs, int n, char *out, size_t cap) {
  size_t len = 0;
  out[0] = 0;
  for (int i = 0; i < n && len + 64 < cap; i++) {
    mm_ev_text(&evs[i], out + len, cap - len);
    len += strlen(out + len);
    if (i + 1 < n) out[len++] = ' ', out[len] = 0;
  }
}

/* After every call into the manager: each subscriber was handed exactly what the model says. */
static void mm_compare(mm_model *md, const char *after) {
  for (int k = 0; k < MM_SUBS; k++) {
    mm_sub *s = &md->sub[k];
    int same = s->nwant == s->ngot;
    for (int i = 0; same && i < s->nwant; i++)
      same = !strcmp(s->want[i].type, s->got[i].type) && !strcmp(s->want[i].data, s->got[i].data) &&
             !strcmp(s->want[i].id, s->got[i].id) && s->want[i].replayed == s->got[i].replayed;
    if (!same) {
      char w[600], g[600];
      mm_list_text(s->want, s->nwant, w, sizeof w);
      mm_list_text(s->got, s->ngot, g, sizeof g);
      mm_fail(md, "after %s: subscriber %u (channel %d on u%d, filter %d)\n  want [%s]\n  got  [%s]",
              after, s->id, s->ch, md->ch[s->ch].url, s->filter, w, g);
    }
    md->delivered += (uint64_t)s->ngot;
    s->nwant = s->ngot = 0;
  }
}

#endif
