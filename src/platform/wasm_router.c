/* The router's Wasm boundary: exports for js/router-core.js, and the platform work the core leaves
 * out: service calls and health probes through the Emscripten fetch API (XHR underneath).
 *
 * A completed fetch goes to JS, which hands it to the core (lifeline_router_complete) on its own
 * clock, the one every other call of the router uses. JS is reached through a registry keyed by
 * the router's pointer: Module['lifelineRouters'] is a Map the JS shim fills; these EM_JS
 * functions only look entries up in it, so nothing is captured at build time.
 *
 * Cancelling a fetch in flight: emscripten_fetch_close() is the documented way (fetch.h: the
 * onerror handler runs before it returns) and, since Emscripten 3.1.20 (#17541), it aborts the
 * XHR and drops its later events. Before that (3.1.6, Debian 12's) close freed the struct but left
 * the XHR running, whose later events wrote into the freed memory. So builds with such an
 * Emscripten first abort the XHR through the glue's `Fetch.xhrs` array (its layout up to 3.1.19,
 * id - 1 as the index); if that fails, the fetch is only marked cancelled and closed when its XHR
 * ends (bounded by timeoutMSecs). Newer builds use close alone and never touch the glue. */
#include <emscripten/emscripten.h>
#include <emscripten/fetch.h>
#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"
#include "lifeline/rng.h"
#include "lifeline/router.h"
#include "platform/wasm_export.h"

#define WR_MAX_FETCHES 1024 /* shared by every router of the page; a router has <= 136 */
#define WR_MAX_HEADERS 32
/* 1 when emscripten_fetch_close() aborts a fetch in flight (Emscripten 3.1.20 and later). */
#define WR_CLOSE_ABORTS \
  (__EMSCRIPTEN_major__ * 10000 + __EMSCRIPTEN_minor__ * 100 + __EMSCRIPTEN_tiny__ >= 30120)

typedef struct {
  lifeline_router *router; /* NULL: free slot */
  uint32_t id;             /* attempt or probe id in the core */
  emscripten_fetch_t *fetch;
  double started;
  uint32_t timeout_ms;
  int cancelled;
} wr_fetch;

static wr_fetch fetches[WR_MAX_FETCHES];

/* clang-format off */
EM_JS(void, lifeline_js_router_response, (void *router, uint32_t id, int status, const char *data,
                                          uint32_t len, const char *headers), {
  var reg = Module['lifelineRouters'] && Module['lifelineRouters'].get(router);
  if (!reg) return;
  var body = len ? HEAPU8.slice(data, data + len) : new Uint8Array(0);
  reg.onResponse(id, status, body, headers ? UTF8ToString(headers) : "");
})

EM_JS(void, lifeline_js_router_complete, (void *router, uint32_t id, int status), {
  var reg = Module['lifelineRouters'] && Module['lifelineRouters'].get(router);
  if (reg) reg.complete(id, status);
})

#if !WR_CLOSE_ABORTS
/* Emscripten < 3.1.20 only: aborts the XHR of fetch `id` (Fetch.xhrs[id - 1] in those versions);
 * 1 when it did. Its readystatechange marks the struct DONE, so the close that follows frees it
 * without calling onerror. */
EM_JS(int, lifeline_js_xhr_abort, (unsigned id), {
  try {
    var xhr = typeof Fetch !== 'undefined' && Array.isArray(Fetch.xhrs) && Fetch.xhrs[id - 1];
    if (!xhr) return 0;
    xhr.abort();
    return 1;
  } catch (e) {
    return 0;
  }
})
#endif
/* clang-format on */

static wr_fetch *slot_of(const emscripten_fetch_t *f) { return (wr_fetch *)f->userData; }

/* Frees the slot, then closes its fetch: closing one in flight calls on_done at once, which must
 * find the slot free (and so do nothing). */
static void release(wr_fetch *w) {
  emscripten_fetch_t *f = w->fetch;
  memset(w, 0, sizeof *w);
  if (f) emscripten_fetch_close(f);
}

/* Maps what XHR reported to the core's status: HTTP status, network error, or timeout. */
static int outcome_status(const wr_fetch *w, const emscripten_fetch_t *f) {
  if (f->status >= 100 && f->status <= 599) return f->status;
  if (emscripten_get_now() - w->started >= (double)w->timeout_ms) return LIFELINE_ROUTER_TIMED_OUT;
  return LIFELINE_ROUTER_NETWORK_ERROR;
}

static void on_done(emscripten_fetch_t *f) {
  wr_fetch *w = slot_of(f);
  if (!w || !w->router) return;
  if (!w->fetch) w->fetch = f; /* failed synchronously, inside emscripten_fetch() */
  if (w->fetch != f) return;
  if (w->cancelled) { /* a deferred cancel (see the top): its XHR has ended now */
    release(w);
    return;
  }
  lifeline_router *r = w->router;
  uint32_t id = w->id;
  int status = outcome_status(w, f);
  char *headers = NULL;
  size_t hlen = emscripten_fetch_get_response_headers_length(f);
  if (hlen && (headers = malloc(hlen + 1)) != NULL) emscripten_fetch_get_response_headers(f, headers, hlen + 1);
  lifeline_js_router_response(r, id, status, f->data, (uint32_t)f->numBytes, headers);
  free(headers);
  release(w); /* before the core runs: a CANCEL it emits must not find this slot */
  lifeline_js_router_complete(r, id, status);
}

/* Starts attempt or probe `id` of `router`: method, url, headers as "k\0v\0k\0v\0\0", body.
 * The XHR's own timeout is the core's plus a margin: the core normally decides first.
 * Returns 0, LIFELINE_ERR_FULL (too many fetches), LIFELINE_ERR_INVALID_ARGUMENT. */
LIFELINE_WASM_EXPORT int lifeline_wasm_router_fetch(lifeline_router *router, uint32_t id,
                                                    const char *method, const char *url,
                                                    const char *headers, const char *body,
                                                    uint32_t body_len, uint32_t timeout_ms) {
  if (!router || !method || !url || strlen(method) >= 32) return LIFELINE_ERR_INVALID_ARGUMENT;
  wr_fetch *w = NULL;
  for (int i = 0; i < WR_MAX_FETCHES && !w; i++)
    if (!fetches[i].router) w = &fetches[i];
  if (!w) return LIFELINE_ERR_FULL;
  const char *hv[2 * WR_MAX_HEADERS + 1];
  int n = 0;
  for (const char *p = headers; p && *p && n < 2 * WR_MAX_HEADERS; p += strlen(p) + 1) hv[n++] = p;
  if (n % 2) return LIFELINE_ERR_INVALID_ARGUMENT;
  hv[n] = NULL;
  emscripten_fetch_attr_t attr;
  emscripten_fetch_attr_init(&attr);
  strcpy(attr.requestMethod, method);
  /* REPLACE: straight to the network (no IndexedDB cache lookup first). */
  attr.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY | EMSCRIPTEN_FETCH_REPLACE;
  attr.onsuccess = on_done;
  attr.onerror = on_done;
  attr.timeoutMSecs = timeout_ms + 250;
  attr.requestHeaders = n ? hv : NULL;
  attr.requestData = body;
  attr.requestDataSize = body ? body_len : 0;
  attr.userData = w;
  w->router = router;
  w->id = id;
  w->started = emscripten_get_now();
  w->timeout_ms = timeout_ms;
  w->fetch = NULL;
  emscripten_fetch_t *f = emscripten_fetch(&attr, url);
  if (!f) {
    memset(w, 0, sizeof *w);
    return LIFELINE_ERR_NO_MEMORY;
  }
  if (w->router == router && w->id == id) w->fetch = f; /* unless it already failed synchronously */
  return LIFELINE_OK;
}

/* Aborts the fetch carrying attempt or probe `id`; its completion never reaches the core.
 * Returns 0 or LIFELINE_ERR_NOT_FOUND. */
LIFELINE_WASM_EXPORT int lifeline_wasm_router_cancel(lifeline_router *router, uint32_t id) {
  for (int i = 0; i < WR_MAX_FETCHES; i++) {
    wr_fetch *w = &fetches[i];
    if (w->router != router || w->id != id || w->cancelled) continue;
#if WR_CLOSE_ABORTS
    release(w);
#else
    w->cancelled = 1;
    if (w->fetch && lifeline_js_xhr_abort(w->fetch->id)) release(w);
#endif
    return LIFELINE_OK;
  }
  return LIFELINE_ERR_NOT_FOUND;
}

/* The fetch slots `router` holds (every router's for NULL): running fetches, and cancelled ones
 * whose XHR has not ended yet. 0 once a router's calls are all done or cancelled (tests). */
LIFELINE_WASM_EXPORT int lifeline_wasm_router_fetches(const lifeline_router *router) {
  int n = 0;
  for (int i = 0; i < WR_MAX_FETCHES; i++)
    if (fetches[i].router && (!router || fetches[i].router == router)) n++;
  return n;
}

/* Cancels every fetch of a router (before lifeline_wasm_router_free). */
static void cancel_all(lifeline_router *router) {
  for (int i = 0; i < WR_MAX_FETCHES; i++)
    if (fetches[i].router == router && !fetches[i].cancelled) lifeline_wasm_router_cancel(router, fetches[i].id);
}

/* ---- core exports: config by name, then the router's calls with double time ---------- */

LIFELINE_WASM_EXPORT lifeline_router_config *lifeline_wasm_router_config_new(void) {
  lifeline_router_config *c = malloc(sizeof *c);
  if (c) lifeline_router_config_default(c);
  return c;
}

/* Sets one field by its C name; returns 0 or LIFELINE_ERR_NOT_FOUND for an unknown name. */
LIFELINE_WASM_EXPORT int lifeline_wasm_router_config_set(lifeline_router_config *c, const char *key,
                                                         double value) {
  struct { const char *name; uint32_t *field; } f[] = {
      {"probe_interval_ms", &c->probe_interval_ms}, {"probe_timeout_ms", &c->probe_timeout_ms},
      {"probe_jitter_percent", &c->probe_jitter_percent}, {"probe_down_after", &c->probe_down_after},
      {"hedge_ms", &c->hedge_ms}, {"min_attempt_timeout_ms", &c->min_attempt_timeout_ms},
      {"cold_timeout_ms", &c->cold_timeout_ms}, {"default_deadline_ms", &c->default_deadline_ms},
      {"slow_ms", &c->slow_ms}, {"retry_budget_percent", &c->retry_budget_percent},
      {"retry_budget_window_ms", &c->retry_budget_window_ms},
      {"retry_budget_reserve_per_s", &c->retry_budget_reserve_per_s},
      {"breaker_failure_percent", &c->breaker_failure_percent},
      {"breaker_min_calls", &c->breaker_min_calls}, {"breaker_window_ms", &c->breaker_window_ms},
      {"breaker_consecutive", &c->breaker_consecutive}, {"breaker_open_ms", &c->breaker_open_ms},
      {"breaker_max_open_ms", &c->breaker_max_open_ms}};
  if (!strcmp(key, "seed")) {
    c->seed = (uint64_t)value;
    return LIFELINE_OK;
  }
  if (!(value >= 0 && value <= 4294967295.0)) return LIFELINE_ERR_INVALID_ARGUMENT;
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
    if (!strcmp(key, f[i].name)) {
      *f[i].field = (uint32_t)value;
      return LIFELINE_OK;
    }
  return LIFELINE_ERR_NOT_FOUND;
}

/* A router from the config (which stays the caller's to free); NULL when it is invalid. */
LIFELINE_WASM_EXPORT lifeline_router *lifeline_wasm_router_new(const lifeline_router_config *c) {
  return lifeline_router_new(c);
}

LIFELINE_WASM_EXPORT void lifeline_wasm_router_free(lifeline_router *r) {
  if (!r) return;
  cancel_all(r);
  for (int i = 0; i < WR_MAX_FETCHES; i++) /* deferred closes must not reach a freed router */
    if (fetches[i].router == r) fetches[i].cancelled = 1;
  lifeline_router_free(r);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_router_add_service(lifeline_router *r, const char *name,
                                                          const char *url, const char *caps,
                                                          int priority, uint32_t timeout_ms,
                                                          const char *health_path, double now) {
  lifeline_router_service_config s = {name, url, caps, priority, timeout_ms, health_path};
  return lifeline_router_add_service(r, &s, (uint64_t)now);
}

LIFELINE_WASM_EXPORT double lifeline_wasm_router_request(lifeline_router *r, const char *cap,
                                                         uint32_t deadline_ms, double now) {
  return (double)lifeline_router_request(r, cap, deadline_ms, (uint64_t)now);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_router_abort(lifeline_router *r, uint32_t id, double now) {
  return lifeline_router_abort(r, id, (uint64_t)now);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_router_complete(lifeline_router *r, uint32_t id, int status,
                                                       double now) {
  return lifeline_router_complete(r, id, status, (uint64_t)now);
}

LIFELINE_WASM_EXPORT void lifeline_wasm_router_tick(lifeline_router *r, double now) {
  lifeline_router_tick(r, (uint64_t)now);
}

/* The statuses lifeline_wasm_router_complete takes for a failed fetch, as 2 int32: network error,
 * timed out. */
LIFELINE_WASM_EXPORT const int32_t *lifeline_wasm_router_outcomes(void) {
  static const int32_t v[2] = {LIFELINE_ROUTER_NETWORK_ERROR, LIFELINE_ROUTER_TIMED_OUT};
  return v;
}

/* The next deadline in ms, or -1 for never. */
LIFELINE_WASM_EXPORT double lifeline_wasm_router_deadline(const lifeline_router *r) {
  uint64_t d = lifeline_router_deadline(r);
  return d == LIFELINE_NEVER ? -1.0 : (double)d;
}

LIFELINE_WASM_EXPORT int lifeline_wasm_router_set_online(lifeline_router *r, int online, double now) {
  return lifeline_router_set_online(r, online, (uint64_t)now);
}

LIFELINE_WASM_EXPORT int lifeline_wasm_router_hint(lifeline_router *r, int service, int health,
                                                   double ttl_ms, double now) {
  uint32_t ttl = ttl_ms <= 0 ? 0 : ttl_ms >= 4294967295.0 ? 0xffffffffu : (uint32_t)ttl_ms;
  return lifeline_router_hint(r, service, (lifeline_health)health, ttl, (uint64_t)now);
}

/* The next action as 15 int32 (kind, id, request, service, capability, timeout_ms, attempt,
 * status, code, degraded, health, old_health, message pointer, latency_ms, elapsed_ms), or NULL
 * when none is queued. Valid until the next call. */
LIFELINE_WASM_EXPORT const int32_t *lifeline_wasm_router_next_action(lifeline_router *r) {
  static int32_t out[15];
  lifeline_router_action a;
  if (!lifeline_router_next_action(r, &a)) return NULL;
  int32_t v[15] = {(int32_t)a.kind, (int32_t)a.id, (int32_t)a.request, a.service, a.capability,
                   (int32_t)a.timeout_ms, (int32_t)a.attempt, a.status, a.code, a.degraded,
                   a.health, a.old_health, (int32_t)(intptr_t)a.message, (int32_t)a.latency_ms,
                   (int32_t)a.elapsed_ms};
  memcpy(out, v, sizeof v);
  return out;
}

/* A service's figures as 16 doubles (health, since, p50, p95, p99, error rate, samples,
 * last error time, breaker retry time, attempt timeout, calls, failures, recovering checks ok,
 * checks needed, the hint in force or -1, when it lapses), or NULL for an
 * unknown index. Strings: lifeline_wasm_router_info_text(r, i, which, now) with which 0 name,
 * 1 last error, 2 breaker state; valid until the next call. */
LIFELINE_WASM_EXPORT const double *lifeline_wasm_router_info(lifeline_router *r, int i, double now) {
  static double out[16];
  lifeline_router_service_info s;
  if (lifeline_router_service_info_get(r, i, (uint64_t)now, &s) != LIFELINE_OK) return NULL;
  double v[16] = {s.health, (double)s.since_ms, s.p50_ms, s.p95_ms, s.p99_ms, s.error_rate,
                  s.samples, (double)s.last_error_ms, (double)s.breaker_retry_ms,
                  s.attempt_timeout_ms, s.calls, s.failures, s.recovering_ok,
                  LIFELINE_ROUTER_RECOVER_CHECKS, s.hint, (double)s.hint_until_ms};
  memcpy(out, v, sizeof v);
  return out;
}

LIFELINE_WASM_EXPORT const char *lifeline_wasm_router_info_text(lifeline_router *r, int i, int which,
                                                                double now) {
  lifeline_router_service_info s;
  if (lifeline_router_service_info_get(r, i, (uint64_t)now, &s) != LIFELINE_OK) return "";
  return which == 0 ? s.name : which == 1 ? s.last_error : s.breaker;
}

LIFELINE_WASM_EXPORT const char *lifeline_wasm_router_explain(lifeline_router *r, const char *cap,
                                                              double now) {
  return lifeline_router_explain(r, cap, (uint64_t)now);
}

LIFELINE_WASM_EXPORT const char *lifeline_wasm_router_capability_name(lifeline_router *r, int i) {
  const char *n = lifeline_router_capability_name(r, i);
  return n ? n : "";
}
