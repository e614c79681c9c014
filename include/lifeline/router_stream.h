/* One attempt of a streamed AI call (router.stream, issue 16): the rules that decide when a
 * streamed answer is committed, when an attempt has failed, and whether another service may be
 * tried. Sans-I/O: a plain struct, no allocation, no clock (every call takes now_ms from the
 * host's monotonic millisecond clock), no timers (lifeline_stream_deadline says when to tick).
 *
 * States: CONNECTING (request sent, no response yet) -> OPEN (response headers 2xx, no content
 * yet) -> COMMITTED (a content chunk arrived) -> ENDED (an outcome is set, final).
 *
 * Rules:
 * - Before commit, the first-token deadline (ttft_ms from start) ends the attempt, as do a
 *   connect error, a reset, a 5xx, 408 or 429 (with its Retry-After kept for the service): the
 *   outcome is FAILOVER, another service may take the call.
 * - Commit happens at the first CONTENT chunk, not at the first byte: keep-alive comments and
 *   empty deltas (KEEPALIVE) only prove the connection is alive; they do not reset the
 *   first-token deadline either (a server sending keep-alives forever has not answered).
 * - After commit, silence longer than idle_ms, a cut (the body ended or the connection broke
 *   without the end marker), a malformed chunk or an in-band error is BROKEN: never a success.
 *   What follows (resume, fail, restart, continue) is lifeline_stream_after_commit's decision.
 * - COMPLETE only when the service's own end marker (END) arrived after content.
 * - REFUSED: the answer is final and no other service would do better: a 4xx other than
 *   408/429 (the request's fault, e.g. context length), or a content-filter stop. The user
 *   gets the error; no failover, and the service is not to blame.
 * - A malformed chunk or an in-band error before commit is FAILOVER (nothing was shown yet).
 */
#ifndef LIFELINE_ROUTER_STREAM_H
#define LIFELINE_ROUTER_STREAM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  LIFELINE_STREAM_CONNECTING = 0,
  LIFELINE_STREAM_OPEN = 1,
  LIFELINE_STREAM_COMMITTED = 2,
  LIFELINE_STREAM_ENDED = 3
} lifeline_stream_state;

typedef enum {
  LIFELINE_STREAM_PENDING = 0,  /* still running */
  LIFELINE_STREAM_COMPLETE = 1, /* the end marker arrived */
  LIFELINE_STREAM_FAILOVER = 2, /* failed before commit: another service may be tried */
  LIFELINE_STREAM_BROKEN = 3,   /* failed after commit: see lifeline_stream_after_commit */
  LIFELINE_STREAM_REFUSED = 4   /* final error for the user, no failover, not the service's fault */
} lifeline_stream_outcome;

typedef enum {
  LIFELINE_STREAM_WHY_NONE = 0,
  LIFELINE_STREAM_WHY_NETWORK = 1,     /* connect error or reset */
  LIFELINE_STREAM_WHY_STATUS = 2,      /* HTTP status (see .status) */
  LIFELINE_STREAM_WHY_FIRST_TOKEN = 3, /* no content within ttft_ms */
  LIFELINE_STREAM_WHY_IDLE = 4,        /* silence longer than idle_ms after commit */
  LIFELINE_STREAM_WHY_CUT = 5,         /* the body ended without the end marker */
  LIFELINE_STREAM_WHY_MALFORMED = 6,   /* a chunk the format adapter could not read */
  LIFELINE_STREAM_WHY_IN_BAND = 7,     /* an error inside a 200 stream */
  LIFELINE_STREAM_WHY_FILTERED = 8,    /* content-filter stop */
  LIFELINE_STREAM_WHY_ABORTED = 9,     /* the caller gave up: says nothing about the service */
  LIFELINE_STREAM_WHY_END = 10         /* the end marker: complete */
} lifeline_stream_why;

/* What a format adapter made of one parsed SSE event (or comment). */
typedef enum {
  LIFELINE_CHUNK_KEEPALIVE = 0, /* comment, empty delta, role-only chunk: no content */
  LIFELINE_CHUNK_CONTENT = 1,   /* text for the user */
  LIFELINE_CHUNK_END = 2,       /* the service's end marker ([DONE], a finish reason) */
  LIFELINE_CHUNK_MALFORMED = 3,
  LIFELINE_CHUNK_ERROR = 4,     /* in-band error (an `error` field under HTTP 200) */
  LIFELINE_CHUNK_FILTERED = 5   /* content-filter stop */
} lifeline_chunk_kind;

/* After a BROKEN attempt: what the request's policy asks for. */
typedef enum {
  LIFELINE_AFTER_COMMIT_FAIL = 0,    /* a clear error carrying the partial text */
  LIFELINE_AFTER_COMMIT_RESTART = 1, /* start again on a fallback; the UI is told */
  LIFELINE_AFTER_COMMIT_CONTINUE = 2 /* a fallback continues from the partial answer */
} lifeline_after_commit;

typedef enum {
  LIFELINE_NEXT_FAIL = 0,     /* end the call with the error (partial text kept) */
  LIFELINE_NEXT_RESUME = 1,   /* reconnect to the same service with Last-Event-ID */
  LIFELINE_NEXT_RESTART = 2,  /* a fallback, from the start */
  LIFELINE_NEXT_CONTINUE = 3  /* a fallback, given the partial answer */
} lifeline_stream_next;

typedef struct {
  lifeline_stream_state state;
  lifeline_stream_outcome outcome;
  lifeline_stream_why why;
  int status;                 /* HTTP status once headers arrived, else 0 */
  uint32_t retry_after_ms;    /* from a 429/503 Retry-After, 0 = none given */
  uint32_t ttft_ms, idle_ms;  /* the attempt's limits (idle_ms 0 = no stall rule) */
  uint64_t started_ms, committed_ms, last_content_ms, ended_ms;
  uint32_t chunks;            /* content chunks */
} lifeline_stream_attempt;

/* Bounds of the first-token deadline derived from a service's measured first-token latency. */
#define LIFELINE_STREAM_TTFT_MIN_MS 2000u
#define LIFELINE_STREAM_TTFT_MAX_MS 20000u
#define LIFELINE_STREAM_TTFT_COLD_MS 10000u /* no measurement yet */

/* The default first-token deadline: 4 x the service's measured p95 first-token latency
 * (p95_ms < 0 = none measured: LIFELINE_STREAM_TTFT_COLD_MS), within [MIN, MAX] ms. */
uint32_t lifeline_stream_default_ttft(int32_t p95_ms);

/* Starts an attempt at now_ms: CONNECTING. ttft_ms 0 = LIFELINE_STREAM_TTFT_COLD_MS. */
void lifeline_stream_start(lifeline_stream_attempt *a, uint32_t ttft_ms, uint32_t idle_ms, uint64_t now_ms);

/* Response headers: status (0 = network error before any response), retry_after_ms from the
 * Retry-After header (0 = none). Returns the outcome (PENDING while the stream goes on). */
lifeline_stream_outcome lifeline_stream_headers(lifeline_stream_attempt *a, int status,
                                                uint32_t retry_after_ms, uint64_t now_ms);

/* One chunk as the format adapter classified it. Returns the outcome. */
lifeline_stream_outcome lifeline_stream_chunk(lifeline_stream_attempt *a, lifeline_chunk_kind kind,
                                              uint64_t now_ms);

/* The transport ended: network = 1 for a reset or network error, 0 for a clean end of body
 * (without an END chunk that is still a cut). Returns the outcome. */
lifeline_stream_outcome lifeline_stream_closed(lifeline_stream_attempt *a, int network, uint64_t now_ms);

/* The caller aborted: ENDED, outcome REFUSED with why ABORTED (final, no failover, and
 * lifeline_stream_blames says 0: a user's abort says nothing about the service). No effect on
 * an attempt already ended. */
void lifeline_stream_abort(lifeline_stream_attempt *a, uint64_t now_ms);

/* Applies the deadlines due at now_ms (first token, idle). Returns the outcome. */
lifeline_stream_outcome lifeline_stream_tick(lifeline_stream_attempt *a, uint64_t now_ms);

/* When the attempt would fail by itself (first-token or idle deadline), or UINT64_MAX. */
uint64_t lifeline_stream_deadline(const lifeline_stream_attempt *a);

/* 1 when the ended attempt counts as the service's failure for breakers and health (FAILOVER
 * and BROKEN, but neither an abort nor a caller's 4xx nor a content filter), else 0. */
int lifeline_stream_blames(const lifeline_stream_attempt *a);

/* For a BROKEN attempt: resume when the service supports it (Last-Event-ID on a Lifeline
 * server) and an event id was seen; else the policy, with `fallback` = 1 when a capable service
 * is left (without one, RESTART and CONTINUE become FAIL). */
lifeline_stream_next lifeline_stream_after_commit(lifeline_after_commit policy, int resumable,
                                                  int have_event_id, int fallback);

const char *lifeline_stream_why_name(lifeline_stream_why why);

#ifdef __cplusplus
}
#endif

#endif
