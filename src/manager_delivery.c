/* Channels and subscribers: priority order, type filters, duplicate window, replay ring, fan-out. */
#include "manager_delivery.h"

#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"

uint64_t mgr_hash(const uint8_t *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

void lifeline_manager_channel_config_default(lifeline_manager_channel_config *c) {
  memset(c, 0, sizeof *c);
  c->replay_bytes = 256u << 10;
  c->dedup_window = 256;
}

int mgr_delivery_init(mgr_delivery *d, uint32_t max_channels, uint32_t max_subs) {
  memset(d, 0, sizeof *d);
  d->channels = calloc(max_channels, sizeof *d->channels);
  d->subs = calloc(max_subs, sizeof *d->subs);
  if (!d->channels || !d->subs) {
    free(d->channels);
    free(d->subs);
    return LIFELINE_ERR_NO_MEMORY;
  }
  d->max_channels = max_channels;
  d->max_subs = max_subs;
  d->next_sub = 1;
  return LIFELINE_OK;
}

void mgr_delivery_clear(mgr_delivery *d) {
  for (uint32_t i = 0; i < d->max_subs; i++) {
    free(d->subs[i].types);
    memset(&d->subs[i], 0, sizeof d->subs[i]);
  }
  for (uint32_t i = 0; i < d->max_channels; i++)
    if (d->channels[i].used) mgr_channel_destroy(d, &d->channels[i]);
  d->channels_hi = 0;
}

void mgr_delivery_free(mgr_delivery *d) {
  if (d->channels && d->subs) mgr_delivery_clear(d);
  free(d->channels);
  free(d->subs);
  memset(d, 0, sizeof *d);
}

mgr_channel *mgr_channel_get(const mgr_delivery *d, uint32_t handle) {
  if (handle == 0 || handle > d->max_channels) return NULL;
  mgr_channel *ch = &d->channels[handle - 1];
  return ch->used ? ch : NULL;
}

static int channel_init(mgr_channel *ch, uint32_t conn, const lifeline_manager_channel_config *cfg) {
  memset(ch, 0, sizeof *ch);
  if (cfg->replay_events) {
    ch->ring = calloc(cfg->replay_events, sizeof *ch->ring);
    if (!ch->ring) return LIFELINE_ERR_NO_MEMORY;
  }
  ch->cfg = *cfg;
  ch->conn = conn;
  ch->used = 1;
  return LIFELINE_OK;
}

int mgr_channel_add(mgr_delivery *d, uint32_t conn, const lifeline_manager_channel_config *cfg,
                    uint32_t *handle) {
  if (cfg->dedup_window == 0 || cfg->dedup_window > MGR_MAX_DEDUP || cfg->replay_events > 65536)
    return LIFELINE_ERR_INVALID_ARGUMENT;
  for (uint32_t i = 0; i < d->max_channels; i++) {
    if (d->channels[i].used) continue;
    int rc = channel_init(&d->channels[i], conn, cfg);
    if (rc != LIFELINE_OK) return rc;
    if (i + 1 > d->channels_hi) d->channels_hi = i + 1;
    *handle = i + 1;
    return LIFELINE_OK;
  }
  return LIFELINE_ERR_FULL;
}

void mgr_channel_destroy(mgr_delivery *d, mgr_channel *ch) {
  for (uint32_t s = ch->first_sub; s;) {
    mgr_sub *sub = &d->subs[s - 1];
    s = sub->next;
    free(sub->types);
    memset(sub, 0, sizeof *sub);
  }
  mgr_channel_forget_stream(ch);
  free(ch->ring);
  memset(ch, 0, sizeof *ch);
}

void mgr_channel_forget_stream(mgr_channel *ch) {
  for (uint32_t i = 0; i < ch->ring_len; i++) {
    mgr_replay_event *e = &ch->ring[(ch->ring_head + i) % ch->cfg.replay_events];
    free(e->buf);
    e->buf = NULL;
  }
  ch->ring_len = ch->ring_head = 0;
  ch->ring_bytes = 0;
}

/* ---- filters, duplicate window, replay ring ---- */

static int matches(const mgr_sub *s, const uint8_t *type, size_t tl) {
  if (!s->types_len) return 1;
  const char *p = s->types, *end = s->types + s->types_len;
  while (p <= end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *e = nl ? nl : end;
    if ((size_t)(e - p) == tl && (tl == 0 || memcmp(p, type, tl) == 0)) return 1;
    if (!nl) break;
    p = nl + 1;
  }
  return 0;
}

static void ring_push(mgr_channel *ch, const uint8_t *type, size_t tl, const uint8_t *data,
                      size_t dl, const uint8_t *id, size_t il) {
  uint32_t cap = ch->cfg.replay_events;
  size_t size = tl + dl + il;
  if (!cap || size > ch->cfg.replay_bytes) return;
  while (ch->ring_len && (ch->ring_len == cap || ch->ring_bytes + size > ch->cfg.replay_bytes)) {
    mgr_replay_event *old = &ch->ring[ch->ring_head];
    ch->ring_bytes -= (size_t)old->type_len + old->data_len + old->id_len;
    free(old->buf);
    old->buf = NULL;
    ch->ring_head = (ch->ring_head + 1) % cap;
    ch->ring_len--;
  }
  uint8_t *buf = malloc(size ? size : 1);
  if (!buf) return; /* replay is best effort; live delivery goes on */
  if (tl) memcpy(buf, type, tl);
  if (dl) memcpy(buf + tl, data, dl);
  if (il) memcpy(buf + tl + dl, id, il);
  mgr_replay_event *e = &ch->ring[(ch->ring_head + ch->ring_len) % cap];
  e->buf = buf;
  e->type_len = (uint32_t)tl;
  e->data_len = (uint32_t)dl;
  e->id_len = (uint32_t)il;
  ch->ring_len++;
  ch->ring_bytes += size;
}

/* ---- subscribers ---- */

static int put_event(mgr_base *m, const uint8_t *type, size_t tl, const uint8_t *data,
                     size_t dl, const uint8_t *id, size_t il, lifeline_manager_span sp[3]) {
  int rc = mgr_arena_put(m, type, tl, 1, &sp[0]);
  if (rc == LIFELINE_OK) rc = mgr_arena_put(m, data, dl, 1, &sp[1]);
  if (rc == LIFELINE_OK) rc = mgr_arena_put(m, id, il, 1, &sp[2]);
  return rc;
}

static int push_deliver(mgr_base *m, const mgr_sub *s, uint32_t conn,
                        const lifeline_manager_span sp[3], uint32_t flags) {
  lifeline_manager_action *a = mgr_push(m, LIFELINE_MANAGER_ACT_DELIVER, 1);
  if (!a) return LIFELINE_ERR_FULL;
  a->conn = conn;
  a->sub = s->id;
  a->channel = s->channel;
  a->flags = flags;
  memcpy(a->span, sp, 3 * sizeof *sp);
  m->stats.delivered++;
  return LIFELINE_OK;
}

/* Counts an event received by the channels of `conn` (each once, whatever their subscribers). */
static void count_received(mgr_delivery *d, uint32_t conn, int duplicate, int caught_up) {
  for (uint32_t i = 0; i < d->channels_hi; i++) {
    mgr_channel *ch = &d->channels[i];
    if (!ch->used || ch->conn != conn) continue;
    ch->events++;
    ch->duplicates += (uint64_t)duplicate;
    ch->caught_up += (uint64_t)caught_up;
  }
}

static void replay_to(mgr_base *m, mgr_channel *ch, const mgr_sub *s, uint32_t n) {
  uint32_t cap = ch->cfg.replay_events, start = ch->ring_len, found = 0;
  while (start > 0 && found < n) { /* walk back to the n-th newest matching event */
    const mgr_replay_event *e = &ch->ring[(ch->ring_head + start - 1) % cap];
    if (matches(s, e->buf, e->type_len)) found++;
    start--;
  }
  for (uint32_t i = start; i < ch->ring_len; i++) {
    const mgr_replay_event *e = &ch->ring[(ch->ring_head + i) % cap];
    if (!matches(s, e->buf, e->type_len)) continue;
    lifeline_manager_span sp[3];
    if (put_event(m, e->buf, e->type_len, e->buf + e->type_len, e->data_len,
                  e->buf + e->type_len + e->data_len, e->id_len, sp) != LIFELINE_OK ||
        push_deliver(m, s, ch->conn, sp, LIFELINE_MANAGER_FLAG_REPLAYED) != LIFELINE_OK)
      return;
    m->stats.replayed++;
    ch->delivered++;
    ch->replayed++;
  }
}

int mgr_sub_add(mgr_base *b, mgr_delivery *d, uint32_t channel, int32_t priority, const char *types,
                size_t types_len, uint32_t replay, uint32_t *id) {
  mgr_channel *ch = mgr_channel_get(d, channel);
  uint32_t slot = 0;
  for (uint32_t i = 0; i < d->max_subs && !slot; i++)
    if (!d->subs[i].id) slot = i + 1;
  if (!slot) return LIFELINE_ERR_FULL;
  mgr_sub *s = &d->subs[slot - 1];
  if (types_len) {
    s->types = malloc(types_len);
    if (!s->types) return LIFELINE_ERR_NO_MEMORY;
    memcpy(s->types, types, types_len);
  }
  s->types_len = (uint32_t)types_len;
  s->id = d->next_sub++;
  if (d->next_sub == 0) d->next_sub = 1;
  s->channel = channel;
  s->priority = priority;
  uint32_t *link = &ch->first_sub; /* after every subscriber of equal or higher priority */
  while (*link && d->subs[*link - 1].priority >= priority) link = &d->subs[*link - 1].next;
  s->next = *link;
  *link = slot;
  ch->nsubs++;
  *id = s->id;
  if (replay && ch->ring_len) replay_to(b, ch, s, replay);
  return LIFELINE_OK;
}

int mgr_sub_remove(mgr_delivery *d, uint32_t id, uint32_t *channel) {
  for (uint32_t i = 0; i < d->max_subs; i++) {
    mgr_sub *s = &d->subs[i];
    if (s->id != id) continue;
    mgr_channel *ch = mgr_channel_get(d, s->channel);
    uint32_t *link = &ch->first_sub;
    while (*link && *link != i + 1) link = &d->subs[*link - 1].next;
    if (*link) *link = s->next;
    ch->nsubs--;
    *channel = s->channel;
    free(s->types);
    memset(s, 0, sizeof *s);
    return LIFELINE_OK;
  }
  return LIFELINE_ERR_NOT_FOUND;
}

/* ---- delivery ---- */

/* Counts the DELIVER actions an event needs, so that it goes to all or none of them. */
static size_t needed_actions(const mgr_delivery *d, uint32_t conn, const uint8_t *type, size_t tl) {
  size_t n = 0;
  for (uint32_t i = 0; i < d->channels_hi; i++) {
    const mgr_channel *ch = &d->channels[i];
    if (!ch->used || ch->conn != conn) continue;
    for (uint32_t s = ch->first_sub; s; s = d->subs[s - 1].next)
      if (matches(&d->subs[s - 1], type, tl)) n++;
  }
  return n;
}

int mgr_deliver(mgr_base *m, mgr_delivery *d, dedup_window *seen, uint32_t conn, uint32_t conn_subs,
                const uint8_t *type, size_t tl, const uint8_t *data, size_t dl, const uint8_t *id,
                size_t il, int own_id, int keep_dups, uint32_t flags, int *fresh) {
  int check_dup = own_id && il > 0;
  uint64_t h = check_dup ? mgr_hash(id, il) : 0;
  *fresh = 1;
  if (check_dup && dedup_window_has(seen, h)) {
    *fresh = 0;
    check_dup = 0; /* already in the window */
  }
  if (!*fresh && !keep_dups) {
    m->stats.duplicates++;
    mgr_count(m, MGR_M_DUPLICATES, m->now);
    count_received(d, conn, 1, 0);
    return LIFELINE_OK;
  }
  /* The connection's subscriber count bounds the actions; count exactly only near the cap. */
  size_t need = conn_subs;
  if (m->nactions + need > m->cfg.max_actions) {
    need = needed_actions(d, conn, type, tl);
    if (m->nactions + need > m->cfg.max_actions) return LIFELINE_ERR_FULL;
  }
  lifeline_manager_span sp[3];
  memset(sp, 0, sizeof sp);
  if (need && put_event(m, type, tl, data, dl, id, il, sp) != LIFELINE_OK) return LIFELINE_ERR_FULL;
  for (uint32_t i = 0; i < d->channels_hi; i++) {
    mgr_channel *ch = &d->channels[i];
    if (!ch->used || ch->conn != conn) continue;
    for (uint32_t s = ch->first_sub; s; s = d->subs[s - 1].next)
      if (matches(&d->subs[s - 1], type, tl) && push_deliver(m, &d->subs[s - 1], conn, sp, flags) == LIFELINE_OK)
        ch->delivered++;
    ring_push(ch, type, tl, data, dl, id, il);
  }
  int caught_up = (flags & LIFELINE_MANAGER_FLAG_CATCHUP) != 0;
  count_received(d, conn, 0, caught_up); /* a duplicate kept (keep_dups) was not dropped */
  m->stats.caught_up += (uint64_t)caught_up;
  if (check_dup) dedup_window_add(seen, h);
  return LIFELINE_OK;
}
