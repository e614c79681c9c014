/* One pooled connection's whole state machine: open, classify the answer, fail and back off,
 * fail over, watch for stalls, linger, go offline and online, resume, retry now, close. Inputs
 * come from the entry points in manager.c; effects go into the shared batch (manager_base) and
 * events to the channels (manager_delivery). Internal. A connection owns its key, parser,
 * backoff and breakers. */
#ifndef LIFELINE_MANAGER_CONN_H
#define LIFELINE_MANAGER_CONN_H

#include "lifeline/manager.h"
#include "lifeline/parser.h"
#include "manager_base.h"
#include "manager_delivery.h"
#include "manager_fresh.h"

typedef struct mgr_conn {
  mgr_base *b;
  mgr_delivery *d;
  uint32_t handle;
  char *key;
  size_t key_len;
  lifeline_manager_conn_config cfg;
  lifeline_manager_state state;
  lifeline_manager_reason reason;
  uint32_t http_status;
  uint64_t since;
  uint32_t stream;   /* current transport stream, 0: none */
  int stream_open;   /* response accepted */
  uint32_t endpoint;
  uint32_t attempt;  /* attempt number of the current / next OPEN */
  uint32_t subs, channels;
  uint64_t linger_at, retry_at, open_at, opened_at, drop_at;
  mgr_fresh fresh;   /* last byte and event, the stale threshold, the outage clock */
  /* this connection's counters (lifeline_manager_conn_info) */
  uint64_t n_events, n_duplicates, n_reconnects, n_outages, outage_ms, n_caught_up;
  uint32_t last_caught_up;
  int first_event_seen;
  int attempt_seen; /* the drop's first new OPEN was measured */
  int auth_used, auth_next;
  uint32_t server_retry_ms;
  int has_server_retry; /* the stream sent retry: (0 is a valid value: at once) */
  int probe_pending;    /* the breaker admitted this attempt and awaits its outcome */
  uint8_t last_id[LIFELINE_MANAGER_MAX_ID];
  size_t last_id_len;
  /* EventSource input only: the previous event's lastEventId. A MessageEvent does not say
   * whether its block had an id field; one repeating the previous id had none. */
  uint64_t es_prev_hash;
  size_t es_prev_len;
  int feed_error; /* set by a parser callback: the batch caps were reached */
  uint32_t tried;     /* endpoints tried (bit per index) since the last open or backoff wait */
  int drain_pending;  /* a drain notice arrived (acted on once the parser returns) */
  uint32_t drain_spread_ms;
  dedup_window seen; /* ids this connection delivered: its channels' duplicate window */
  lifeline_parser *parser;
  lifeline_backoff backoff;
  lifeline_breaker breaker[LIFELINE_MANAGER_MAX_ENDPOINTS];
  /* what the last STATUS said, to report only changes */
  lifeline_manager_state rep_state;
  lifeline_manager_reason rep_reason;
  uint32_t rep_attempt, rep_delay, rep_flags;
  uint32_t rep_stale_after; /* the stale threshold at the last STATUS */
  int reported;
} mgr_conn;

/* Initialises *c (zeroed by the caller, key and handle set) with *cfg (NULL: defaults).
 * INVALID_ARGUMENT for a bad config, NO_MEMORY; mgr_conn_destroy frees either way. */
int mgr_conn_init(mgr_conn *c, mgr_base *b, mgr_delivery *d, const lifeline_manager_conn_config *cfg);
void mgr_conn_destroy(mgr_conn *c);

/* A channel with a duplicate window of `window` ids was bound here: the connection's window is
 * widened to it if needed. LIFELINE_ERR_NO_MEMORY. */
int mgr_conn_bind_window(mgr_conn *c, uint32_t window);
/* Subscribers came (delta > 0) or left: the first opens the stream, the last starts the linger. */
void mgr_conn_ref(mgr_conn *c, int delta, uint64_t now);
/* The Last-Event-ID of the next OPEN. FULL when too long, INVALID_ARGUMENT for a NUL byte. */
int mgr_conn_set_last_event_id(mgr_conn *c, const uint8_t *id, size_t len);
/* The earliest time mgr_conn_tick has work (linger, retry, watchdog), or LIFELINE_NEVER. */
uint64_t mgr_conn_deadline(const mgr_conn *c);
void mgr_conn_tick(mgr_conn *c, uint64_t now);

/* Transport results for the current stream. */
void mgr_conn_opened(mgr_conn *c, int status, const char *ct, size_t ct_len, int64_t retry_after,
                     uint64_t now);
void mgr_conn_feed(mgr_conn *c, const uint8_t *bytes, size_t len, uint64_t now);
/* An event parsed by the EventSource transport. LIFELINE_OK or LIFELINE_ERR_FULL. */
int mgr_conn_es_event(mgr_conn *c, const uint8_t *type, size_t tl, const uint8_t *data, size_t dl,
                      const uint8_t *id, size_t il, uint64_t now);
void mgr_conn_closed(mgr_conn *c, lifeline_manager_end end, uint64_t now);

/* Environment and the user. */
void mgr_conn_set_online(mgr_conn *c, int online, uint64_t now);
void mgr_conn_resume(mgr_conn *c, uint64_t now);
void mgr_conn_retry_now(mgr_conn *c, uint64_t now);
void mgr_conn_close(mgr_conn *c, lifeline_manager_reason reason, uint64_t now);

#endif
