/* Wasm exports of streamed AI calls (issue 16): one attempt's state machine (router_stream.h)
 * and the router's choice and bookkeeping for it (router.h). The bytes of a stream never come
 * here: JS fetches, the SSE core's parser parses, a format adapter classifies each event, and
 * this machine is told only what happened (headers, chunk kind, close) and when. Times are
 * doubles of whole ms (JS numbers); an attempt is a plain struct JS allocates with _malloc and
 * frees with _free (lifeline_wasm_stream_size bytes). */
#include <stdint.h>

#include "lifeline/router.h"
#include "lifeline/router_stream.h"
#include "platform/wasm_export.h"

LIFELINE_WASM_EXPORT uint32_t lifeline_wasm_stream_size(void) { return sizeof(lifeline_stream_attempt); }

LIFELINE_WASM_EXPORT uint32_t lifeline_wasm_stream_default_ttft(int32_t p95_ms) {
  return lifeline_stream_default_ttft(p95_ms);
}

LIFELINE_WASM_EXPORT void lifeline_wasm_stream_start(lifeline_stream_attempt *a, uint32_t ttft_ms,
                                                     uint32_t idle_ms, double now) {
  lifeline_stream_start(a, ttft_ms, idle_ms, (uint64_t)now);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_stream_headers(lifeline_stream_attempt *a, int status,
                                                      uint32_t retry_after_ms, double now) {
  return lifeline_stream_headers(a, status, retry_after_ms, (uint64_t)now);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_stream_chunk(lifeline_stream_attempt *a, int kind, double now) {
  return lifeline_stream_chunk(a, (lifeline_chunk_kind)kind, (uint64_t)now);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_stream_closed(lifeline_stream_attempt *a, int network, double now) {
  return lifeline_stream_closed(a, network, (uint64_t)now);
}

LIFELINE_WASM_EXPORT void lifeline_wasm_stream_abort(lifeline_stream_attempt *a, double now) {
  lifeline_stream_abort(a, (uint64_t)now);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_stream_tick(lifeline_stream_attempt *a, double now) {
  return lifeline_stream_tick(a, (uint64_t)now);
}

/* When the attempt fails by itself, in ms, or -1 for never. */
LIFELINE_WASM_EXPORT double lifeline_wasm_stream_deadline(const lifeline_stream_attempt *a) {
  uint64_t d = lifeline_stream_deadline(a);
  return d == UINT64_MAX ? -1.0 : (double)d;
}

/* The attempt's figures as 6 int32: state, outcome, why, status, retry_after_ms, chunks; plus
 * lifeline_stream_blames in the 7th. Valid until the next call. */
LIFELINE_WASM_EXPORT const int32_t *lifeline_wasm_stream_info(const lifeline_stream_attempt *a) {
  static int32_t out[7];
  out[0] = (int32_t)a->state;
  out[1] = (int32_t)a->outcome;
  out[2] = (int32_t)a->why;
  out[3] = a->status;
  out[4] = (int32_t)a->retry_after_ms;
  out[5] = (int32_t)a->chunks;
  out[6] = lifeline_stream_blames(a);
  return out;
}

LIFELINE_WASM_EXPORT const char *lifeline_wasm_stream_why_name(int why) {
  return lifeline_stream_why_name((lifeline_stream_why)why);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_stream_after_commit(int policy, int resumable, int have_id,
                                                           int fallback) {
  return lifeline_stream_after_commit((lifeline_after_commit)policy, resumable, have_id, fallback);
}

/* lifeline_router_stream_pick; the flags go to *flags (an int32 in Wasm memory, may be 0). */
LIFELINE_WASM_EXPORT int lifeline_wasm_router_stream_pick(lifeline_router *r, const char *cap,
                                                          uint32_t tried, double now, int32_t *flags) {
  return lifeline_router_stream_pick(r, cap, tried, (uint64_t)now, flags);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_router_stream_record(lifeline_router *r, int service,
                                                            const lifeline_stream_attempt *a, double now) {
  return lifeline_router_stream_record(r, service, a, (uint64_t)now);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_router_stream_release(lifeline_router *r, int service, double now) {
  return lifeline_router_stream_release(r, service, (uint64_t)now);
}
