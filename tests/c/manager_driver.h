/* A fake driver for the manager tests: a fake clock, and every batch rendered into a text log
 * ("OPEN c1 s3 e0 a1 f0 id=41", "STATUS c1 reconnecting a1 network d=734 h0", "DELIVER u2 ch1
 * message|hello|7", "CLOSE c1 s2 stall") so tests compare what the host would have been told. */
#ifndef LIFELINE_TEST_MANAGER_DRIVER_H
#define LIFELINE_TEST_MANAGER_DRIVER_H

#include <stdarg.h>
#include <stdlib.h>

#include "check.h"
#include "lifeline/error.h"
#include "lifeline/manager.h"

#define DRV_MAX_CONN 64

typedef struct {
  lifeline_manager *m;
  uint64_t now;
  uint64_t wake;
  char log[1 << 16];
  size_t len;
  /* the last OPEN / STATUS seen, per connection */
  uint32_t stream[DRV_MAX_CONN], endpoint[DRV_MAX_CONN], attempt[DRV_MAX_CONN], flags[DRV_MAX_CONN];
  uint32_t state[DRV_MAX_CONN], reason[DRV_MAX_CONN], delay[DRV_MAX_CONN], http[DRV_MAX_CONN];
  uint32_t sflags[DRV_MAX_CONN]; /* the last STATUS's flags (not in the log: STALE, ALERT) */
  char open_id[DRV_MAX_CONN][64];
  int opens, closes, delivers, statuses, resets;
  int catchups; /* DELIVERs with FLAG_CATCHUP (not in the log) */
  char delivered[1 << 15]; /* "sub:data " for every DELIVER, never cleared by drv_clear */
  size_t dlen;
} drv;

static void drv_printf(drv *d, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(d->log + d->len, sizeof d->log - d->len, fmt, ap);
  va_end(ap);
  if (n > 0 && d->len + (size_t)n < sizeof d->log) d->len += (size_t)n;
}

static void drv_span(const uint8_t *arena, lifeline_manager_span s, char *out, size_t cap) {
  size_t n = s.len < cap - 1 ? s.len : cap - 1;
  if (n) memcpy(out, arena + s.off, n);
  out[n] = 0;
}

/* Reads the current batch (what a host does after every call). */
static void drv_drain(drv *d) {
  size_t n = lifeline_manager_action_count(d->m);
  const lifeline_manager_action *a = lifeline_manager_actions(d->m);
  const uint8_t *arena = lifeline_manager_arena(d->m);
  for (size_t i = 0; i < n; i++) {
    char t[64], x[256], id[64];
    uint32_t c = a[i].conn < DRV_MAX_CONN ? a[i].conn : 0;
    switch (a[i].kind) {
    case LIFELINE_MANAGER_ACT_OPEN:
      drv_span(arena, a[i].span[0], id, sizeof id);
      d->stream[c] = a[i].stream;
      d->endpoint[c] = a[i].endpoint;
      d->attempt[c] = a[i].attempt;
      d->flags[c] = a[i].flags;
      memcpy(d->open_id[c], id, sizeof id);
      d->opens++;
      drv_printf(d, "OPEN c%u e%u a%u f%u id=%s\n", c, a[i].endpoint, a[i].attempt, a[i].flags, id);
      break;
    case LIFELINE_MANAGER_ACT_CLOSE:
      d->closes++;
      drv_printf(d, "CLOSE c%u %s\n", c, lifeline_manager_reason_name(a[i].reason));
      break;
    case LIFELINE_MANAGER_ACT_DELIVER:
      drv_span(arena, a[i].span[0], t, sizeof t);
      drv_span(arena, a[i].span[1], x, sizeof x);
      drv_span(arena, a[i].span[2], id, sizeof id);
      d->delivers++;
      if (a[i].flags & LIFELINE_MANAGER_FLAG_CATCHUP) d->catchups++;
      drv_printf(d, "DELIVER u%u %s|%s|%s%s\n", a[i].sub, t, x, id,
                 (a[i].flags & LIFELINE_MANAGER_FLAG_REPLAYED) ? " replayed" : "");
      {
        int k = snprintf(d->delivered + d->dlen, sizeof d->delivered - d->dlen, "%u:%s ", a[i].sub, x);
        if (k > 0 && d->dlen + (size_t)k < sizeof d->delivered) d->dlen += (size_t)k;
      }
      break;
    case LIFELINE_MANAGER_ACT_STATUS:
      if (a[i].flags & LIFELINE_MANAGER_FLAG_RESET) { /* a notice, not a change of state */
        drv_span(arena, a[i].span[0], x, sizeof x);
        d->resets++;
        drv_printf(d, "RESET c%u %s\n", c, x);
        break;
      }
      d->state[c] = a[i].state;
      d->reason[c] = a[i].reason;
      d->delay[c] = a[i].delay_ms;
      d->http[c] = a[i].http_status;
      d->sflags[c] = a[i].flags;
      d->statuses++;
      drv_printf(d, "STATUS c%u %s a%u %s\n", c, lifeline_manager_state_name((lifeline_manager_state)a[i].state),
                 a[i].attempt, lifeline_manager_reason_name((lifeline_manager_reason)a[i].reason));
      break;
    case LIFELINE_MANAGER_ACT_WAKE_AT:
      d->wake = ((uint64_t)a[i].time_hi << 32) | a[i].time_lo;
      CHECK(i == n - 1); /* always last */
      break;
    default:
      CHECK(!"unknown action");
    }
  }
}

static void drv_clear(drv *d) {
  d->len = 0;
  d->log[0] = 0;
}

static drv *drv_new(const lifeline_manager_config *cfg) {
  drv *d = calloc(1, sizeof *d);
  d->m = lifeline_manager_new(cfg);
  d->wake = LIFELINE_NEVER;
  d->now = 1000;
  CHECK(d->m != NULL);
  return d;
}

static void drv_free(drv *d) {
  lifeline_manager_free(d->m);
  free(d);
}

/* Advances the fake clock to t, calling tick() at every deadline on the way (like the host's
 * single timer). */
static void drv_advance(drv *d, uint64_t t) {
  int guard = 0;
  while (d->wake <= t && guard++ < 10000) {
    if (d->wake > d->now) d->now = d->wake;
    lifeline_manager_tick(d->m, d->now);
    drv_drain(d);
  }
  CHECK(guard < 10000);
  if (t > d->now) d->now = t;
}

static uint32_t drv_conn(drv *d, const char *key, const lifeline_manager_conn_config *cfg) {
  uint32_t c = 0;
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_connection(d->m, key, strlen(key), cfg, &c));
  return c;
}

static uint32_t drv_channel(drv *d, uint32_t conn, uint32_t replay) {
  lifeline_manager_channel_config cc;
  lifeline_manager_channel_config_default(&cc);
  cc.replay_events = replay;
  uint32_t ch = 0;
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_channel(d->m, conn, &cc, &ch));
  return ch;
}

static uint32_t drv_sub(drv *d, uint32_t ch, int32_t prio, const char *types, uint32_t replay) {
  uint32_t s = 0;
  CHECK_EQ_INT(LIFELINE_OK, lifeline_manager_subscribe(d->m, ch, prio, types, types ? strlen(types) : 0,
                                                       replay, d->now, &s));
  drv_drain(d);
  return s;
}

/* Deterministic delays: 1000, 1600, 2560, ... (no jitter, no adaptation). */
static inline lifeline_manager_conn_config drv_fixed_cfg(void) {
  lifeline_manager_conn_config c;
  lifeline_manager_conn_config_default(&c);
  c.backoff.jitter = LIFELINE_JITTER_NONE;
  c.backoff.adaptive = 0;
  /* No severity timers between the retries and the watchdog, so that exact wake-ups stay the
   * connection's own: alerts at once, stale only when the watchdog acts (test_manager_fresh.c
   * and test_manager_severity.c test those timers). */
  c.grace_ms = 0;
  c.stale_after_ms = c.heartbeat_timeout_ms;
  return c;
}

/* A driver with one connection (cfg NULL: defaults) and one channel with one subscriber. */
static inline drv *drv_setup(const lifeline_manager_conn_config *cfg, uint32_t *conn) {
  drv *d = drv_new(NULL);
  *conn = drv_conn(d, "http://a/feed", cfg);
  drv_sub(d, drv_channel(d, *conn, 0), 0, NULL, 0);
  return d;
}

static int drv_opened(drv *d, uint32_t conn, int status, const char *ct) {
  int rc = lifeline_manager_opened(d->m, d->stream[conn], status, ct, ct ? strlen(ct) : 0, -1, d->now);
  drv_drain(d);
  return rc;
}

static int drv_ok(drv *d, uint32_t conn) { return drv_opened(d, conn, 200, "text/event-stream"); }

static int drv_feed(drv *d, uint32_t conn, const char *s) {
  int rc = lifeline_manager_feed(d->m, d->stream[conn], (const uint8_t *)s, strlen(s), d->now);
  drv_drain(d);
  return rc;
}

static int drv_end(drv *d, uint32_t conn, lifeline_manager_end end) {
  int rc = lifeline_manager_closed(d->m, d->stream[conn], end, d->now);
  drv_drain(d);
  return rc;
}

static int drv_has(const drv *d, const char *needle) { return strstr(d->log, needle) != NULL; }

#define CHECK_LOG(d, needle)                                                                      \
  do {                                                                                            \
    check_count_++;                                                                               \
    if (!drv_has((d), (needle))) {                                                                \
      check_failures_++;                                                                          \
      fprintf(stderr, "%s:%d: log lacks \"%s\"; log:\n%s\n", __FILE__, __LINE__, (needle), (d)->log); \
    }                                                                                             \
  } while (0)

#define CHECK_NOLOG(d, needle)                                                                    \
  do {                                                                                            \
    check_count_++;                                                                               \
    if (drv_has((d), (needle))) {                                                                 \
      check_failures_++;                                                                          \
      fprintf(stderr, "%s:%d: log has \"%s\"; log:\n%s\n", __FILE__, __LINE__, (needle), (d)->log); \
    }                                                                                             \
  } while (0)

#endif
