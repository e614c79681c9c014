/* One attempt of a streamed AI call: commit, deadlines and outcomes (see router_stream.h). A
 * leaf: it calls nothing else of the router, the router layers feed its outcomes to breakers. */
#include "lifeline/router_stream.h"

#include <string.h>

#define NEVER UINT64_MAX

uint32_t lifeline_stream_default_ttft(int32_t p95_ms) {
  if (p95_ms < 0) return LIFELINE_STREAM_TTFT_COLD_MS;
  uint64_t t = 4 * (uint64_t)p95_ms;
  if (t < LIFELINE_STREAM_TTFT_MIN_MS) return LIFELINE_STREAM_TTFT_MIN_MS;
  return t > LIFELINE_STREAM_TTFT_MAX_MS ? LIFELINE_STREAM_TTFT_MAX_MS : (uint32_t)t;
}

void lifeline_stream_start(lifeline_stream_attempt *a, uint32_t ttft_ms, uint32_t idle_ms, uint64_t now_ms) {
  memset(a, 0, sizeof *a);
  a->state = LIFELINE_STREAM_CONNECTING;
  a->ttft_ms = ttft_ms ? ttft_ms : LIFELINE_STREAM_TTFT_COLD_MS;
  a->idle_ms = idle_ms;
  a->started_ms = now_ms;
}

static lifeline_stream_outcome end(lifeline_stream_attempt *a, lifeline_stream_outcome o,
                                   lifeline_stream_why why, uint64_t now) {
  a->state = LIFELINE_STREAM_ENDED;
  a->outcome = o;
  a->why = why;
  a->ended_ms = now;
  return o;
}

/* A failure of the service: free to fail over before commit, broken after. */
static lifeline_stream_outcome fail(lifeline_stream_attempt *a, lifeline_stream_why why, uint64_t now) {
  return end(a, a->state == LIFELINE_STREAM_COMMITTED ? LIFELINE_STREAM_BROKEN : LIFELINE_STREAM_FAILOVER, why, now);
}

lifeline_stream_outcome lifeline_stream_tick(lifeline_stream_attempt *a, uint64_t now_ms) {
  if (a->state == LIFELINE_STREAM_ENDED) return a->outcome;
  if (a->state != LIFELINE_STREAM_COMMITTED && now_ms >= a->started_ms + a->ttft_ms)
    return fail(a, LIFELINE_STREAM_WHY_FIRST_TOKEN, now_ms);
  if (a->state == LIFELINE_STREAM_COMMITTED && a->idle_ms && now_ms >= a->last_content_ms + a->idle_ms)
    return fail(a, LIFELINE_STREAM_WHY_IDLE, now_ms);
  return LIFELINE_STREAM_PENDING;
}

lifeline_stream_outcome lifeline_stream_headers(lifeline_stream_attempt *a, int status,
                                                uint32_t retry_after_ms, uint64_t now_ms) {
  if (lifeline_stream_tick(a, now_ms) != LIFELINE_STREAM_PENDING || a->state != LIFELINE_STREAM_CONNECTING)
    return a->outcome;
  a->status = status;
  if (status == 0) return fail(a, LIFELINE_STREAM_WHY_NETWORK, now_ms);
  if (status >= 200 && status < 300) {
    a->state = LIFELINE_STREAM_OPEN;
    return LIFELINE_STREAM_PENDING;
  }
  if (status == 429 || status == 503) a->retry_after_ms = retry_after_ms;
  /* 408 and 429 are the service's (overload), other 4xx the request's: the next service would
   * get the same request and refuse it the same way (context length, bad key for this call). */
  if (status >= 400 && status < 500 && status != 408 && status != 429)
    return end(a, LIFELINE_STREAM_REFUSED, LIFELINE_STREAM_WHY_STATUS, now_ms);
  return fail(a, LIFELINE_STREAM_WHY_STATUS, now_ms);
}

lifeline_stream_outcome lifeline_stream_chunk(lifeline_stream_attempt *a, lifeline_chunk_kind kind,
                                              uint64_t now_ms) {
  if (lifeline_stream_tick(a, now_ms) != LIFELINE_STREAM_PENDING) return a->outcome;
  if (a->state == LIFELINE_STREAM_CONNECTING) a->state = LIFELINE_STREAM_OPEN; /* body implies headers */
  switch (kind) {
  case LIFELINE_CHUNK_KEEPALIVE:
    return LIFELINE_STREAM_PENDING; /* alive, but no answer: neither commits nor resets a deadline */
  case LIFELINE_CHUNK_CONTENT:
    if (a->state != LIFELINE_STREAM_COMMITTED) {
      a->state = LIFELINE_STREAM_COMMITTED;
      a->committed_ms = now_ms;
    }
    a->chunks++;
    a->last_content_ms = now_ms;
    return LIFELINE_STREAM_PENDING;
  case LIFELINE_CHUNK_END:
    /* An end marker with no content before it is an empty answer, not a complete one. */
    if (a->state != LIFELINE_STREAM_COMMITTED) return fail(a, LIFELINE_STREAM_WHY_CUT, now_ms);
    return end(a, LIFELINE_STREAM_COMPLETE, LIFELINE_STREAM_WHY_END, now_ms);
  case LIFELINE_CHUNK_FILTERED:
    return end(a, LIFELINE_STREAM_REFUSED, LIFELINE_STREAM_WHY_FILTERED, now_ms);
  case LIFELINE_CHUNK_ERROR:
    return fail(a, LIFELINE_STREAM_WHY_IN_BAND, now_ms);
  case LIFELINE_CHUNK_MALFORMED:
  default:
    return fail(a, LIFELINE_STREAM_WHY_MALFORMED, now_ms);
  }
}

lifeline_stream_outcome lifeline_stream_closed(lifeline_stream_attempt *a, int network, uint64_t now_ms) {
  if (lifeline_stream_tick(a, now_ms) != LIFELINE_STREAM_PENDING) return a->outcome;
  return fail(a, network ? LIFELINE_STREAM_WHY_NETWORK : LIFELINE_STREAM_WHY_CUT, now_ms);
}

void lifeline_stream_abort(lifeline_stream_attempt *a, uint64_t now_ms) {
  if (a->state != LIFELINE_STREAM_ENDED) end(a, LIFELINE_STREAM_REFUSED, LIFELINE_STREAM_WHY_ABORTED, now_ms);
}

uint64_t lifeline_stream_deadline(const lifeline_stream_attempt *a) {
  if (a->state == LIFELINE_STREAM_ENDED) return NEVER;
  if (a->state != LIFELINE_STREAM_COMMITTED) return a->started_ms + a->ttft_ms;
  return a->idle_ms ? a->last_content_ms + a->idle_ms : NEVER;
}

int lifeline_stream_blames(const lifeline_stream_attempt *a) {
  return a->state == LIFELINE_STREAM_ENDED &&
         (a->outcome == LIFELINE_STREAM_FAILOVER || a->outcome == LIFELINE_STREAM_BROKEN);
}

lifeline_stream_next lifeline_stream_after_commit(lifeline_after_commit policy, int resumable,
                                                  int have_event_id, int fallback) {
  if (resumable && have_event_id) return LIFELINE_NEXT_RESUME;
  if (!fallback) return LIFELINE_NEXT_FAIL;
  if (policy == LIFELINE_AFTER_COMMIT_RESTART) return LIFELINE_NEXT_RESTART;
  if (policy == LIFELINE_AFTER_COMMIT_CONTINUE) return LIFELINE_NEXT_CONTINUE;
  return LIFELINE_NEXT_FAIL;
}

const char *lifeline_stream_why_name(lifeline_stream_why why) {
  static const char *const names[] = {"none", "network error", "HTTP status", "no first token in time",
                                      "stalled", "cut before the end marker", "malformed chunk",
                                      "error in the stream", "content filter", "aborted", "end marker"};
  return (unsigned)why < sizeof names / sizeof names[0] ? names[why] : "unknown";
}
