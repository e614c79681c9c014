/* Delivery: channels, subscribers (priority order, type filters), each channel's duplicate
 * window and replay ring, and the fan-out of one event to every matching subscriber of a
 * connection. Knows connections only by handle. Calls only manager_base and dedup_window.
 * Internal to the manager; owns the memory of its tables. */
#ifndef LIFELINE_MANAGER_DELIVERY_H
#define LIFELINE_MANAGER_DELIVERY_H

#include "dedup_window.h"
#include "manager_base.h"

#define MGR_MAX_DEDUP 4096u

typedef struct {
  uint8_t *buf; /* type, data, id back to back */
  uint32_t type_len, data_len, id_len;
} mgr_replay_event;

typedef struct {
  int used;
  uint32_t conn; /* connection handle */
  lifeline_manager_channel_config cfg;
  uint32_t first_sub; /* subscriber slot + 1, in priority order; 0: none */
  uint32_t nsubs;
  mgr_replay_event *ring;
  uint32_t ring_len, ring_head;
  size_t ring_bytes;
  /* counters since the channel was created (lifeline_manager_channel_info) */
  uint64_t events, delivered, replayed, duplicates, caught_up;
} mgr_channel;

typedef struct {
  uint32_t id; /* 0: free slot */
  uint32_t channel;
  int32_t priority;
  uint32_t next; /* next subscriber slot + 1 on the channel */
  char *types;
  uint32_t types_len;
} mgr_sub;

typedef struct {
  mgr_channel *channels;
  uint32_t max_channels;
  uint32_t channels_hi; /* every used channel slot is below this: bounds the fan-out loops */
  mgr_sub *subs;
  uint32_t max_subs;
  uint32_t next_sub;
} mgr_delivery;

/* LIFELINE_OK or LIFELINE_ERR_NO_MEMORY (then nothing to free). */
int mgr_delivery_init(mgr_delivery *d, uint32_t max_channels, uint32_t max_subs);
void mgr_delivery_free(mgr_delivery *d);
/* Forgets every channel and subscriber. */
void mgr_delivery_clear(mgr_delivery *d);

/* A live channel by handle (>= 1), or NULL. */
mgr_channel *mgr_channel_get(const mgr_delivery *d, uint32_t handle);
/* A new channel bound to connection `conn`; *handle >= 1. INVALID_ARGUMENT for a bad config,
 * FULL, NO_MEMORY. */
int mgr_channel_add(mgr_delivery *d, uint32_t conn, const lifeline_manager_channel_config *cfg,
                    uint32_t *handle);
/* Frees a channel and its subscribers. */
void mgr_channel_destroy(mgr_delivery *d, mgr_channel *ch);
/* Forgets the replay ring: its events belong to the stream they came from. */
void mgr_channel_forget_stream(mgr_channel *ch);

/* A subscriber on a live channel (types: '\n'-separated, empty: all); replays up to `replay`
 * of the channel's remembered events to it at once. *id >= 1. FULL, NO_MEMORY. */
int mgr_sub_add(mgr_base *b, mgr_delivery *d, uint32_t channel, int32_t priority, const char *types,
                size_t types_len, uint32_t replay, uint32_t *id);
/* Removes a subscriber; *channel receives its channel. NOT_FOUND. */
int mgr_sub_remove(mgr_delivery *d, uint32_t id, uint32_t *channel);

uint64_t mgr_hash(const uint8_t *p, size_t n);
/* Fans one event out to the channels bound to `conn` (conn_subs: its subscriber count, which
 * bounds the actions needed). own_id: the event carried its own id field; only then is it
 * checked against, and added to, the connection's duplicate window `seen` (one per stream, not
 * per channel: a channel moved onto a connection must drop that stream's replays of events
 * from before the move like every other channel there). Returns LIFELINE_OK or
 * LIFELINE_ERR_FULL (the batch has no room: nothing was delivered). *fresh: 0 when the event
 * was a duplicate, else 1. keep_dups: a duplicate is delivered all the same (still *fresh 0).
 * flags: LIFELINE_MANAGER_FLAG_* for every DELIVER (CATCHUP). Counts the event in each channel. */
int mgr_deliver(mgr_base *b, mgr_delivery *d, dedup_window *seen, uint32_t conn, uint32_t conn_subs,
                const uint8_t *type, size_t tl, const uint8_t *data, size_t dl, const uint8_t *id,
                size_t il, int own_id, int keep_dups, uint32_t flags, int *fresh);

#endif
