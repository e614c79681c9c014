/* Private structures shared by manager.c, manager_conn.c and manager_subs.c. */
#ifndef LIFELINE_MANAGER_INTERNAL_H
#define LIFELINE_MANAGER_INTERNAL_H

#include "lifeline/manager.h"
#include "lifeline/parser.h"
#include "lifeline/rng.h"
#include "dedup_window.h"

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
  dedup_window dedup; /* ids of this channel's current stream */
  mgr_replay_event *ring;
  uint32_t ring_len, ring_head;
  size_t ring_bytes;
} mgr_channel;

typedef struct {
  uint32_t id; /* 0: free slot */
  uint32_t channel;
  int32_t priority;
  uint32_t next; /* next subscriber slot + 1 on the channel */
  char *types;
  uint32_t types_len;
} mgr_sub;

typedef struct mgr_conn {
  struct lifeline_manager *m;
  uint32_t handle;
  char *key;
  size_t key_len;
  lifeline_manager_conn_config cfg;
  lifeline_mgr_state state;
  lifeline_mgr_reason reason;
  uint32_t http_status;
  uint64_t since;
  uint32_t stream;   /* current transport stream, 0: none */
  int stream_open;   /* response accepted */
  uint32_t endpoint;
  uint32_t attempt;  /* attempt number of the current / next OPEN */
  uint32_t subs, channels;
  uint64_t linger_at, retry_at, last_byte_at, open_at, opened_at, drop_at;
  int first_event_seen;
  int attempt_seen; /* the drop's first new OPEN was measured */
  int auth_used, auth_next;
  uint32_t server_retry_ms;
  int has_server_retry; /* the stream sent retry: (0 is a valid value: at once) */
  int probe_pending;    /* the breaker admitted this attempt and awaits its outcome */
  uint8_t last_id[LIFELINE_MGR_MAX_ID];
  size_t last_id_len;
  /* EventSource input only: the previous event's lastEventId. A MessageEvent does not say
   * whether its block had an id field; one repeating the previous id had none. */
  uint64_t es_prev_hash;
  size_t es_prev_len;
  int feed_error; /* set by a parser callback: the batch caps were reached */
  lifeline_parser *parser;
  lifeline_backoff backoff;
  lifeline_breaker breaker[LIFELINE_MGR_MAX_ENDPOINTS];
  /* what the last STATUS said, to report only changes */
  lifeline_mgr_state rep_state;
  lifeline_mgr_reason rep_reason;
  uint32_t rep_attempt, rep_delay;
  int reported;
} mgr_conn;

/* Metrics registered in the manager's registry (names in manager.c). */
enum {
  MGR_M_CONNECTS, MGR_M_RECONNECTS, MGR_M_EVENTS, MGR_M_ERRORS, MGR_M_DUPLICATES, MGR_M_STALLS,
  MGR_M_FAILOVERS, MGR_M_CONNECT_MS, MGR_M_FIRST_EVENT_MS, MGR_M_RECONNECT_DELAY_MS,
  MGR_M_RECOVERY_MS, MGR_M_LATENCY_MS, MGR_METRIC_COUNT_
};

struct lifeline_manager {
  lifeline_manager_config cfg;
  mgr_conn **conns;
  mgr_channel *channels;
  uint32_t channels_hi; /* every used channel slot is below this: bounds the fan-out loops */
  mgr_sub *subs;
  lifeline_mgr_action *actions;
  size_t nactions, actions_cap;
  uint8_t *arena;
  size_t arena_len, arena_cap;
  int online;
  uint32_t next_stream, next_sub;
  uint64_t seeds; /* counter mixed into per-connection seeds */
  uint64_t now;   /* now_ms of the call in progress (parser callbacks need it) */
  lifeline_rng rng;
  lifeline_mgr_stats stats;
  lifeline_metrics *metrics;
  int mid[MGR_METRIC_COUNT_];
};

/* manager.c: batch, arena, handles, metrics */
void mgr_count(lifeline_manager *m, int metric, uint64_t now);
void mgr_observe(lifeline_manager *m, int metric, uint64_t value_ms, uint64_t now);
void mgr_begin(lifeline_manager *m);
void mgr_end(lifeline_manager *m);
lifeline_mgr_action *mgr_push(lifeline_manager *m, lifeline_mgr_action_kind kind, int data);
int mgr_arena_put(lifeline_manager *m, const void *p, size_t len, int data, lifeline_mgr_span *out);
mgr_conn *mgr_conn_get(const lifeline_manager *m, uint32_t handle);
mgr_channel *mgr_channel_get(const lifeline_manager *m, uint32_t handle);
mgr_conn *mgr_conn_by_stream(lifeline_manager *m, uint32_t stream);
void mgr_forget_all(lifeline_manager *m);

/* manager_conn.c: the connection state machine */
int mgr_conn_init(lifeline_manager *m, mgr_conn *c, const lifeline_manager_conn_config *cfg);
void mgr_conn_destroy(mgr_conn *c);
void mgr_conn_ref(mgr_conn *c, int delta, uint64_t now);
void mgr_conn_tick(mgr_conn *c, uint64_t now);
uint64_t mgr_conn_deadline(const mgr_conn *c);
void mgr_conn_opened(mgr_conn *c, int status, const char *ct, size_t ct_len, int64_t retry_after,
                     uint64_t now);
void mgr_conn_feed(mgr_conn *c, const uint8_t *bytes, size_t len, uint64_t now);
/* own_id: the event carried its own id field (only then is it checked for a duplicate and does
 * it move the Last-Event-ID). */
int mgr_conn_event(mgr_conn *c, const uint8_t *type, size_t tl, const uint8_t *data, size_t dl,
                   const uint8_t *id, size_t il, int own_id, uint64_t now);
/* An event parsed by the EventSource transport (no id-field information: see es_prev_hash). */
int mgr_conn_es_event(mgr_conn *c, const uint8_t *type, size_t tl, const uint8_t *data, size_t dl,
                      const uint8_t *id, size_t il, uint64_t now);
/* The EventSource transport's server retry: value. */
void mgr_conn_server_retry(mgr_conn *c, uint32_t retry_ms);
void mgr_conn_closed(mgr_conn *c, lifeline_mgr_end end, uint64_t now);
void mgr_conn_set_online(mgr_conn *c, int online, uint64_t now);
void mgr_conn_resume(mgr_conn *c, uint64_t now);
void mgr_conn_retry_now(mgr_conn *c, uint64_t now);
void mgr_conn_close(mgr_conn *c, lifeline_mgr_reason reason, uint64_t now);
/* Shared by manager_conn.c and manager_life.c. */
void mgr_conn_set_state(mgr_conn *c, lifeline_mgr_state st, lifeline_mgr_reason r, uint64_t now);
void mgr_conn_try_open(mgr_conn *c, int bypass_breaker, uint64_t now);
void mgr_conn_fail(mgr_conn *c, lifeline_mgr_reason r, int64_t retry_after, int send_close, uint64_t now);
void mgr_conn_abandon(mgr_conn *c, int send_close, lifeline_mgr_reason r, uint64_t now);

/* manager_subs.c: channels, subscribers, delivery */
int mgr_channel_init(mgr_channel *ch, uint32_t conn, const lifeline_manager_channel_config *cfg);
void mgr_channel_destroy(lifeline_manager *m, mgr_channel *ch);
/* Forgets the duplicate window and the replay ring: they belong to the stream they came from. */
void mgr_channel_forget_stream(mgr_channel *ch);
int mgr_sub_add(lifeline_manager *m, uint32_t channel, int32_t priority, const char *types,
                size_t types_len, uint32_t replay, uint32_t *id);
int mgr_sub_remove(lifeline_manager *m, uint32_t id, uint32_t *channel);
uint64_t mgr_hash(const uint8_t *p, size_t n);
/* Fans one event out to the connection's channels. 0 or LIFELINE_ERR_FULL (nothing delivered).
 * *fresh: 1 when some channel (or none being bound) took it as new, 0 when every channel had
 * its id already. */
int mgr_deliver(lifeline_manager *m, uint32_t conn, uint32_t conn_subs, const uint8_t *type, size_t tl,
                const uint8_t *data, size_t dl, const uint8_t *id, size_t il, int own_id,
                int *fresh);

#endif
