/* SSE connection manager: pooled connections, channels, subscribers, reconnection, watchdog.
 *
 * Sans-I/O. The manager never does I/O, never reads a clock and never calls out: every entry
 * point takes `now_ms` (one monotonic millisecond clock chosen by the host) and every effect is
 * appended to an ACTION BATCH that the host drains after the call:
 *   OPEN     start transport stream `stream` of connection `conn` to endpoint `endpoint`,
 *            sending span[0] as Last-Event-ID (empty: none); flag AUTH: refresh credentials first
 *   CLOSE    abort stream `stream` (the host ignores streams it no longer has)
 *   DELIVER  give an event (span[0] type, span[1] data, span[2] id) to subscriber `sub`
 *   STATUS   connection `conn` changed: state, attempt, delay_ms until the next try, reason,
 *            http_status
 *   WAKE_AT  call lifeline_manager_tick() at `time` (always the last action of a batch; time is
 *            LIFELINE_NEVER when nothing is pending)
 * The batch (fixed-size records) and the arena their spans point into are owned by the manager
 * and stay valid until the next call into the manager; every call that takes now_ms starts a
 * new batch, also when it fails (configuration calls without now_ms leave it alone). Actions
 * are in the order they happened; events reach each subscriber in stream order.
 *
 * Objects. A CONNECTION is one event stream, pooled by a key the host computes (URL + transport
 * options), with the duplicate window of the ids it delivered; a CHANNEL is bound to one
 * connection and holds subscribers and a replay ring; a SUBSCRIBER receives the channel's events whose type matches its filter, in
 * priority order (higher first, then subscription order). A connection is opened when its first
 * subscriber arrives and closed linger_ms after its last one leaves.
 *
 * Each OPEN gets a fresh stream id; inputs (opened/feed/event/closed) name the stream, and inputs
 * for a stream that is no longer current are ignored (LIFELINE_ERR_NOT_FOUND), so a replaced
 * connection never delivers another event.
 *
 * Failure policy (see docs/manager.md): network error, connect timeout, stall, clean end, HTTP
 * 5xx/408/429 and a full batch (actions or arena) reconnect with backoff (a stall at once; an
 * event over the event cap is skipped and counted, as a resume would fetch it again); 503/429
 * with Retry-After retry after it (plus up to a fifth); 401/403 retry once with OPEN flag AUTH when the
 * connection has LIFELINE_MANAGER_AUTH_HOOK, then fail; 204, 404, other 4xx, other statuses and a
 * wrong content type fail with no retry; an app abort closes. STRICT_STATUS makes every answer
 * but a 200 text/event-stream fail (a 401/403 with AUTH_HOOK still retries once). With features
 * 0 (no reconnect policy, breaker or watchdog) the manager behaves like a plain EventSource:
 * non-200 or a wrong content type fails, network errors and ends reconnect after `retry:` or
 * plain_retry_ms; NO_DEDUP also delivers repeated ids, as EventSource does.
 *
 * Failover: with several endpoints, an attempt that gets no answer at all (connection refused
 * or reset, connect timeout) moves on to the next endpoint at once, without a backoff delay, as
 * long as some endpoint was not tried since the last open or the last backoff wait; when every
 * endpoint failed, the backoff delay applies. HTTP answers (5xx, 429...) stay on the endpoint
 * (its breaker decides: once open, the next attempt goes to the next endpoint it allows).
 *
 * Server notices (with RECONNECT; a plain EventSource configuration delivers them as events):
 * - `reset` (any id): the server could not resume from our Last-Event-ID (history trimmed, log
 *   lost) and starts afresh. The duplicate window is emptied first (the ids may start over), a
 *   STATUS with FLAG_RESET carries the event's data, then the event is delivered as any other.
 * - `lifeline:drain` (no id; data: a spread in ms, decimal): the server is shutting down. The
 *   event is not delivered; the stream is closed at once (CLOSE) and the next attempt goes to
 *   another endpoint (one of the others at random, so a drained instance's clients spread over
 *   the rest) after a random delay within the spread (at most DRAIN_MAX_MS), with no backoff
 *   growth and no breaker failure: state RECONNECTING, reason DRAIN.
 *
 * Freshness and severity (what the user is told, decided here so every host says the same):
 * - STALE: an OPEN stream with WATCHDOG (or a stale_after_ms) silent for longer than its stale
 *   threshold (stale_after_ms, or learned from the server's rhythm: src/manager_fresh.h; always
 *   below heartbeat_timeout_ms, so it comes before the watchdog) gets a STATUS with FLAG_STALE;
 *   the next byte clears it (a STATUS without the flag). The state stays OPEN.
 * - OUTAGE: from the last data received (the dropped or stale stream's last byte; the failure,
 *   when no stream was open) to the first data resumed (the first byte or event of a stream, the
 *   same or a new one). A stall therefore counts in full, its silence included. Its length is
 *   the recovery sample (stats recovery_ms_*, histogram lifeline_sse_recovery_ms).
 * - ALERT: a STATUS carries FLAG_ALERT once an outage has lasted grace_ms (default 2000) since it
 *   was noticed (the stale moment or the failure) without data resuming, and at once for FAILED;
 *   a stale OPEN stream is in an outage too (the flag comes with FLAG_STALE, before the watchdog
 *   acts). A stream accepted during an outage carries no alert until it is proven silent.
 *   A blip that heals within the grace time changes the state only: hosts show an alert only for
 *   FLAG_ALERT. Both flags are part of what a STATUS reports: a change of either is a STATUS.
 * - CATCH-UP: on a stream opened after an outage, the events that arrive in the first burst (each
 *   within LIFELINE_MANAGER_CATCHUP_GAP_MS of the previous arrival or of the opening) are the
 *   server's replay of what was missed: their DELIVERs carry FLAG_CATCHUP.
 *
 * Breaker window: permanent failures (204, 401/403 once the auth hook had its retry, 404/410,
 * other 4xx, wrong content type) never count for an endpoint's breaker, and an accepted stream
 * closes the breaker and empties its window: the breaker judges the endpoint as it is now, so a
 * failure long past (a 401 test a minute ago) never keeps a healthy server's stream paused.
 * retry_now tries at once, bypassing backoff and breaker; its success closes the breaker.
 *
 * Errors: LIFELINE_ERR_INVALID_ARGUMENT (bad handle or argument), LIFELINE_ERR_FULL (a cap
 * reached: connections, channels, subscribers, key/filter/id length, actions or arena),
 * LIFELINE_ERR_NOT_FOUND (stale stream or handle), LIFELINE_ERR_NO_MEMORY.
 */
#ifndef LIFELINE_MANAGER_H
#define LIFELINE_MANAGER_H

#include <stddef.h>
#include <stdint.h>

#include "lifeline/backoff.h"
#include "lifeline/breaker.h"
#include "lifeline/metrics.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LIFELINE_MANAGER_MAX_ENDPOINTS 8   /* failover list length per connection */
#define LIFELINE_MANAGER_MAX_KEY 4096      /* bytes of a pool key */
#define LIFELINE_MANAGER_MAX_ID 1024       /* bytes of a last event id (longer ids are not tracked) */
#define LIFELINE_MANAGER_MAX_FILTER 1024   /* bytes of a subscriber's type list */

typedef enum {
  LIFELINE_MANAGER_IDLE = 0,         /* never opened (no subscriber yet) */
  LIFELINE_MANAGER_CONNECTING = 1,   /* OPEN sent, waiting for the response */
  LIFELINE_MANAGER_OPEN = 2,
  LIFELINE_MANAGER_RECONNECTING = 3, /* waiting delay_ms before attempt `attempt` */
  LIFELINE_MANAGER_OFFLINE = 4,      /* the host reported offline; attempts paused */
  LIFELINE_MANAGER_CIRCUIT_OPEN = 5, /* every endpoint's breaker is open; delay_ms until a probe */
  LIFELINE_MANAGER_FAILED = 6,       /* fatal answer; no retry until retry_now or a new subscriber */
  LIFELINE_MANAGER_CLOSED = 7        /* closed by the app or after the linger */
} lifeline_manager_state;

typedef enum {
  LIFELINE_MANAGER_REASON_NONE = 0,
  LIFELINE_MANAGER_REASON_NETWORK = 1,       /* transport error (fetch threw, EventSource error) */
  LIFELINE_MANAGER_REASON_TIMEOUT = 2,       /* no response within connect_timeout_ms, or 408 */
  LIFELINE_MANAGER_REASON_STALL = 3,         /* silent for heartbeat_timeout_ms */
  LIFELINE_MANAGER_REASON_HTTP_5XX = 4,
  LIFELINE_MANAGER_REASON_RATE_LIMITED = 5,  /* 429 */
  LIFELINE_MANAGER_REASON_RETRY_AFTER = 6,   /* 503/429 with Retry-After */
  LIFELINE_MANAGER_REASON_AUTH = 7,          /* 401/403 */
  LIFELINE_MANAGER_REASON_NO_CONTENT = 8,    /* 204: the server asks us to stop */
  LIFELINE_MANAGER_REASON_NOT_FOUND = 9,     /* 404/410 */
  LIFELINE_MANAGER_REASON_HTTP_STATUS = 10,  /* any other unexpected status */
  LIFELINE_MANAGER_REASON_CONTENT_TYPE = 11, /* not text/event-stream */
  LIFELINE_MANAGER_REASON_OVERFLOW = 12,     /* event over the caps, or batch caps reached */
  LIFELINE_MANAGER_REASON_ABORTED = 13,      /* closed by the app */
  LIFELINE_MANAGER_REASON_SERVER_CLOSED = 14,/* clean end of stream */
  LIFELINE_MANAGER_REASON_EXHAUSTED = 15,    /* backoff max_attempts reached */
  LIFELINE_MANAGER_REASON_OFFLINE = 16,
  LIFELINE_MANAGER_REASON_CIRCUIT_OPEN = 17,
  LIFELINE_MANAGER_REASON_LINGER = 18,       /* closed after the last subscriber left */
  LIFELINE_MANAGER_REASON_DRAIN = 19,        /* the server is draining: reconnect elsewhere */
  LIFELINE_MANAGER_REASON_COUNT_ = 20
} lifeline_manager_reason;

typedef enum {
  LIFELINE_MANAGER_ACT_OPEN = 1,
  LIFELINE_MANAGER_ACT_CLOSE = 2,
  LIFELINE_MANAGER_ACT_DELIVER = 3,
  LIFELINE_MANAGER_ACT_STATUS = 4,
  LIFELINE_MANAGER_ACT_WAKE_AT = 5
} lifeline_manager_action_kind;

/* Transport ends reported through lifeline_manager_closed(). */
typedef enum {
  LIFELINE_MANAGER_END_CLEAN = 0,   /* the response body ended */
  LIFELINE_MANAGER_END_NETWORK = 1, /* error before or during the body */
  LIFELINE_MANAGER_END_TIMEOUT = 2, /* the host's own timeout */
  LIFELINE_MANAGER_END_ABORTED = 3  /* the app aborted (state CLOSED, no retry) */
} lifeline_manager_end;

/* Feature flags (lifeline_manager_conn_config.features). */
#define LIFELINE_MANAGER_RECONNECT 1u /* backoff, retriable 5xx/429, Retry-After, auth retry */
#define LIFELINE_MANAGER_BREAKER 2u   /* per-endpoint circuit breaker and failover */
#define LIFELINE_MANAGER_WATCHDOG 4u  /* heartbeat watchdog and connect timeout */
#define LIFELINE_MANAGER_AUTH_HOOK 8u /* the host can refresh credentials (401/403 retry once) */
/* Off by default (not in ALL), so a configuration that names its flags keeps its behaviour: */
#define LIFELINE_MANAGER_STRICT_STATUS 16u /* every answer but 200 text/event-stream fails, also
                                            * with RECONNECT (the WHATWG EventSource rule): 5xx,
                                            * 408 and 429 are not retried; network errors, ends
                                            * and stalls still reconnect with backoff */
#define LIFELINE_MANAGER_NO_DEDUP 32u      /* deliver an event whose id the window has seen (a
                                            * plain EventSource's behaviour); the window still
                                            * judges progress for the backoff */
#define LIFELINE_MANAGER_ALL (LIFELINE_MANAGER_RECONNECT | LIFELINE_MANAGER_BREAKER | LIFELINE_MANAGER_WATCHDOG)

/* Action flags. */
#define LIFELINE_MANAGER_FLAG_AUTH 1u     /* OPEN: ask the app for fresh credentials first */
#define LIFELINE_MANAGER_FLAG_REPLAYED 2u /* DELIVER: from the replay ring (late subscriber) */
#define LIFELINE_MANAGER_FLAG_RESET 4u    /* STATUS: the stream sent a `reset` event (span[0]: its
                                           * data); state and reason are unchanged */
#define LIFELINE_MANAGER_FLAG_STALE 8u    /* STATUS: open, but silent past the stale threshold */
#define LIFELINE_MANAGER_FLAG_ALERT 16u   /* STATUS: an outage past the grace time, or FAILED */
#define LIFELINE_MANAGER_FLAG_CATCHUP 32u /* DELIVER: part of a resumed stream's first burst */

/* A pause longer than this ends a resumed stream's burst. A server sends what was missed at once
 * (a few ms apart on a working link), live events at their own pace: a stream whose live events
 * come faster than this cannot tell them apart, and counts them as catch-up until a pause. */
#define LIFELINE_MANAGER_CATCHUP_GAP_MS 100u

/* Server notices the core acts on (event types; see "Server notices" above). */
#define LIFELINE_MANAGER_RESET_EVENT "reset"
#define LIFELINE_MANAGER_DRAIN_EVENT "lifeline:drain"
#define LIFELINE_MANAGER_DRAIN_DEFAULT_MS 1000u /* spread when the drain's data is not a number */
#define LIFELINE_MANAGER_DRAIN_MAX_MS 60000u    /* a longer spread is cut to this */

/* A span into the arena: lifeline_manager_arena() + off, len bytes (not NUL-terminated). */
typedef struct {
  uint32_t off, len;
} lifeline_manager_span;

/* One action: 20 little-endian 32-bit words (80 bytes), so the JS side reads it from Wasm
 * memory with one Uint32Array view. Fields a kind does not use are 0. */
typedef struct {
  uint32_t kind;        /* lifeline_manager_action_kind */
  uint32_t conn;        /* OPEN, CLOSE, STATUS; DELIVER: the channel's connection */
  uint32_t stream;      /* OPEN, CLOSE */
  uint32_t sub;         /* DELIVER */
  uint32_t channel;     /* DELIVER */
  uint32_t endpoint;    /* OPEN: index into the connection's endpoint list */
  uint32_t state;       /* STATUS: lifeline_manager_state */
  uint32_t attempt;     /* OPEN, STATUS: reconnect attempt (0: first connect) */
  uint32_t reason;      /* STATUS, CLOSE: lifeline_manager_reason */
  uint32_t delay_ms;    /* STATUS: ms until the next try (RECONNECTING, CIRCUIT_OPEN) */
  uint32_t http_status; /* STATUS: the status that caused it, 0 if none */
  uint32_t flags;       /* LIFELINE_MANAGER_FLAG_* */
  lifeline_manager_span span[3];
  uint32_t time_lo, time_hi; /* WAKE_AT: the deadline (ms), split in two halves */
} lifeline_manager_action;

typedef struct {
  uint32_t max_connections;   /* default 32 */
  uint32_t max_channels;      /* default 256 */
  uint32_t max_subscribers;   /* default 1024 */
  uint32_t max_actions;       /* actions per batch, default 65536 */
  uint32_t max_arena_bytes;   /* arena bytes per batch, default 8 MiB */
  uint32_t linger_ms;         /* default 1000 */
  uint32_t online_spread_ms;  /* the retry after "online" or a page resume comes at a random
                               * point within this many ms, default 4000: clients woken together
                               * then put at most ~2.5% of themselves in any 100 ms (measured:
                               * docs/RELIABILITY.md, reconnection storm) */
  uint32_t metrics;           /* 1 (default): keep a metrics registry (about 250 KB), 0: none */
  uint64_t seed;              /* seeds every connection's backoff/breaker and the spread */
} lifeline_manager_config;

typedef struct {
  uint32_t endpoint_count;       /* 1..LIFELINE_MANAGER_MAX_ENDPOINTS, default 1 */
  uint32_t features;             /* LIFELINE_MANAGER_* flags, default LIFELINE_MANAGER_ALL */
  uint32_t heartbeat_timeout_ms; /* watchdog silence limit, default 45000 */
  uint32_t connect_timeout_ms;   /* response headers deadline, default 30000 (0: none) */
  uint32_t plain_retry_ms;       /* reconnect delay without LIFELINE_MANAGER_RECONNECT, default 3000 */
  uint32_t max_line_bytes;       /* parser caps (bytes); 0: the parser's defaults (1 MiB) */
  uint32_t max_event_bytes;
  lifeline_backoff_config backoff;   /* seed ignored: derived from the manager's seed */
  lifeline_breaker_config breaker;   /* seed ignored: derived from the manager's seed; default: trips
                                      * on 5 consecutive failures only, a 5 s break that does not
                                      * double, one half-open probe; a max_open_ms below open_ms is
                                      * raised to it */
  uint32_t stale_after_ms;       /* silence that makes an open stream stale; 0 (default): learned */
  uint32_t grace_ms;             /* outage before FLAG_ALERT, default 2000 (0: at once) */
} lifeline_manager_conn_config;

typedef struct {
  uint32_t replay_events;   /* replay ring length (0: no replay), default 0 */
  uint32_t replay_bytes;    /* replay ring byte cap, default 256 KiB */
  uint32_t dedup_window;    /* recent ids remembered, 1..4096, default 256. The window belongs
                             * to the connection (the stream the ids came from): it is the
                             * largest of its channels' values */
} lifeline_manager_channel_config;

/* A connection's state for lifeline_manager_get_conn_info(). */
typedef struct {
  lifeline_manager_state state;
  lifeline_manager_reason reason;
  uint32_t attempt, http_status, endpoint, subscribers, channels;
  uint64_t next_attempt_at;   /* LIFELINE_NEVER when none is scheduled */
  uint64_t since;             /* when the state was entered */
  const uint8_t *last_id;     /* valid until the next call; not NUL-terminated */
  size_t last_id_len;
  /* Freshness (times on the host's clock; LIFELINE_NEVER: none yet / no outage). */
  uint64_t last_byte_at, last_event_at;
  uint64_t outage_since;      /* the last data before the current outage */
  uint32_t stale_after_ms;    /* the threshold in force now */
  int stale, alert;           /* as the last STATUS said */
  /* This connection's counters (stats has the manager's totals). */
  uint64_t events, duplicates, reconnects, outages, outage_ms, caught_up;
  uint32_t last_caught_up;    /* FLAG_CATCHUP events of the last resumed stream */
} lifeline_manager_conn_info;

/* A channel's counters for lifeline_manager_get_channel_info(). */
typedef struct {
  uint32_t conn, subscribers;
  uint64_t events;     /* events received for it since it was created (from the connections it
                        * was bound to), once each however many subscribers took them;
                        * duplicates included */
  uint64_t delivered;  /* DELIVER actions (one per subscriber and event; replays included) */
  uint64_t replayed;   /* of those, from the replay ring to late subscribers */
  uint64_t duplicates; /* events dropped as already delivered */
  uint64_t caught_up;  /* events with FLAG_CATCHUP (a resumed stream's replay of what it missed) */
} lifeline_manager_channel_info;

/* Counters since creation (all connections). Durations: sums and counts, for averages; the
 * histograms live with the host's metrics. */
typedef struct {
  uint64_t opens, opened, events, delivered, duplicates, replayed, bytes;
  uint64_t reconnects, stalls, failovers, fatal, overflows, stale_inputs;
  uint64_t errors[LIFELINE_MANAGER_REASON_COUNT_];
  uint64_t connect_ms_sum, connect_count;          /* OPEN -> opened */
  uint64_t first_event_ms_sum, first_event_count;  /* OPEN -> first event of that stream */
  uint64_t recovery_ms_sum, recovery_count;        /* outages: last data -> first data after */
  uint64_t recovery_ms_max;
  uint64_t resets, drains;                         /* server notices acted on */
  uint64_t caught_up;                              /* DELIVERed events with FLAG_CATCHUP, once each */
} lifeline_manager_stats;

void lifeline_manager_config_default(lifeline_manager_config *c);
void lifeline_manager_conn_config_default(lifeline_manager_conn_config *c);
void lifeline_manager_channel_config_default(lifeline_manager_channel_config *c);

/* Creates a manager (config copied; NULL: defaults). NULL when out of memory or a cap is 0. */
typedef struct lifeline_manager lifeline_manager;
lifeline_manager *lifeline_manager_new(const lifeline_manager_config *c);
void lifeline_manager_free(lifeline_manager *m);

/* ---- the batch (valid until the next call) ---- */
size_t lifeline_manager_action_count(const lifeline_manager *m);
const lifeline_manager_action *lifeline_manager_actions(const lifeline_manager *m);
const uint8_t *lifeline_manager_arena(const lifeline_manager *m);
/* The earliest time tick() has work, or LIFELINE_NEVER (also reported by WAKE_AT). */
uint64_t lifeline_manager_deadline(const lifeline_manager *m);

/* ---- configuration ---- */
/* Finds the connection with this key or creates it (IDLE) with *cfg (NULL: defaults; ignored
 * when it exists). *conn receives a handle >= 1. Errors: INVALID_ARGUMENT, FULL, NO_MEMORY. */
int lifeline_manager_connection(lifeline_manager *m, const char *key, size_t key_len,
                                const lifeline_manager_conn_config *cfg, uint32_t *conn);
/* Forgets an IDLE/CLOSED/FAILED connection no channel is bound to. ERR_STATE otherwise. */
int lifeline_manager_connection_release(lifeline_manager *m, uint32_t conn);
/* The Last-Event-ID the next OPEN sends (e.g. restored from storage). FULL when too long. */
int lifeline_manager_set_last_event_id(lifeline_manager *m, uint32_t conn, const char *id,
                                       size_t len);
/* Creates a channel bound to conn; *channel receives a handle >= 1. */
int lifeline_manager_channel(lifeline_manager *m, uint32_t conn,
                             const lifeline_manager_channel_config *cfg, uint32_t *channel);
/* Moves a channel and its subscribers to another connection (e.g. the app changed the URL).
 * The channel's replay ring is emptied (its events came from the old stream); duplicates are
 * judged by the new connection's window, so the new stream's ids are its own and that
 * stream's replays of events from before the move are dropped. NO_MEMORY, NOT_FOUND. */
int lifeline_manager_channel_bind(lifeline_manager *m, uint32_t channel, uint32_t conn,
                                  uint64_t now_ms);
/* Removes a channel and its subscribers (their connection may start lingering). */
int lifeline_manager_channel_remove(lifeline_manager *m, uint32_t channel, uint64_t now_ms);

/* ---- subscribers ---- */
/* types: event types separated by '\n' (NULL or empty: every type). replay: how many of the
 * channel's remembered events to deliver to this subscriber at once (DELIVER with REPLAYED).
 * *sub receives an id >= 1 (never reused while the manager lives, modulo 2^32). */
int lifeline_manager_subscribe(lifeline_manager *m, uint32_t channel, int32_t priority,
                               const char *types, size_t types_len, uint32_t replay,
                               uint64_t now_ms, uint32_t *sub);
int lifeline_manager_unsubscribe(lifeline_manager *m, uint32_t sub, uint64_t now_ms);

/* ---- transport results ---- */
/* Response headers arrived. content_type may be NULL; retry_after_ms < 0: no Retry-After. */
int lifeline_manager_opened(lifeline_manager *m, uint32_t stream, int http_status,
                            const char *content_type, size_t ct_len, int64_t retry_after_ms,
                            uint64_t now_ms);
/* Body bytes (fetch transport): parsed, events delivered. Any byte proves liveness. */
int lifeline_manager_feed(lifeline_manager *m, uint32_t stream, const uint8_t *bytes, size_t len,
                          uint64_t now_ms);
/* An already parsed event (EventSource transport). id: the event's lastEventId. */
int lifeline_manager_event(lifeline_manager *m, uint32_t stream, const char *type, size_t type_len,
                           const char *data, size_t data_len, const char *id, size_t id_len,
                           uint64_t now_ms);
int lifeline_manager_closed(lifeline_manager *m, uint32_t stream, lifeline_manager_end end,
                            uint64_t now_ms);

/* ---- environment and time ---- */
/* Offline pauses waiting retries; online resets the backoff and retries within
 * online_spread_ms (at a random point, so clients woken together do not return together). */
void lifeline_manager_set_online(lifeline_manager *m, int online, uint64_t now_ms);
/* Page shown again / resumed / visible: overdue deadlines (the watchdog) run now, and a pending
 * retry moves up to a random point within online_spread_ms; an open breaker is respected. */
void lifeline_manager_resume(lifeline_manager *m, uint64_t now_ms);
/* The user's "Retry now": a FAILED/RECONNECTING/CIRCUIT_OPEN/OFFLINE connection, one
 * CONNECTING for grace_ms or more and an OPEN but stale one try at once (a new stream),
 * bypassing backoff, breaker and the offline flag; the attempt count starts again. An attempt
 * younger than grace_ms (a half-open probe that just left) is kept: no second stream. */
int lifeline_manager_retry_now(lifeline_manager *m, uint32_t conn, uint64_t now_ms);
/* Closes one connection now (state CLOSED, reason ABORTED); a new subscriber reopens it. */
int lifeline_manager_close(lifeline_manager *m, uint32_t conn, uint64_t now_ms);
/* Closes every connection and forgets every subscriber, channel and connection. */
void lifeline_manager_close_all(lifeline_manager *m, uint64_t now_ms);
void lifeline_manager_tick(lifeline_manager *m, uint64_t now_ms);

/* ---- introspection ---- */
int lifeline_manager_get_conn_info(const lifeline_manager *m, uint32_t conn, lifeline_manager_conn_info *out);
/* NOT_FOUND for an unknown channel. */
int lifeline_manager_get_channel_info(const lifeline_manager *m, uint32_t channel,
                                      lifeline_manager_channel_info *out);
void lifeline_manager_get_stats(const lifeline_manager *m, lifeline_manager_stats *out);
/* The manager's metrics registry (metrics.h), NULL when config.metrics was 0. Owned by the
 * manager; read it with lifeline_metrics_write_json / _write_prometheus. Counters:
 *   lifeline_sse_connects_total, lifeline_sse_reconnects_total, lifeline_sse_events_total,
 *   lifeline_sse_errors_total, lifeline_sse_duplicates_total, lifeline_sse_stalls_total,
 *   lifeline_sse_failovers_total (rates over 1 and 5 minutes come with them);
 * histograms (ms): lifeline_sse_connect_ms (OPEN -> accepted response), lifeline_sse_first_event_ms
 * (OPEN -> first event), lifeline_sse_reconnect_delay_ms (drop -> first new OPEN),
 * lifeline_sse_recovery_ms (an outage: last data -> first data after it), lifeline_sse_event_latency_ms (fed by
 * the host through lifeline_manager_observe_latency, e.g. from a server timestamp). */
lifeline_metrics *lifeline_manager_metrics(lifeline_manager *m);
/* Records an event's end-to-end latency (ms >= 0). INVALID_ARGUMENT for a negative/NaN value,
 * STATE when metrics are off. */
int lifeline_manager_observe_latency(lifeline_manager *m, double latency_ms, uint64_t now_ms);

/* 1 when a status with reason r reports a failure the user should see as the last error; 0 for
 * the reasons of a deliberate or uneventful change (none, the app's close, the linger, a drain)
 * and for the pauses that follow a failure reported before (offline, circuit-open: the cause
 * stays the last error). */
int lifeline_manager_reason_is_failure(lifeline_manager_reason r);
/* "connecting", "open", ... and "network", "stall", ...; never NULL. */
const char *lifeline_manager_state_name(lifeline_manager_state s);
const char *lifeline_manager_reason_name(lifeline_manager_reason r);

#ifdef __cplusplus
}
#endif
#endif
