/* libFuzzer target for the manager: the input is a program of driver operations (subscribe,
 * unsubscribe, transport results with any status and bytes, events, ends, time, online/offline,
 * resume, retry, close) run against a manager with small caps. After every call the batch must
 * be well formed: WAKE_AT last and only once, spans inside the arena, DELIVER only to live
 * subscribers, OPEN/CLOSE only for known connections, no two streams open per connection, and
 * never a DELIVER of an id already delivered on the channel within the window (ids are unique
 * per test stream). Sanitizers catch memory errors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"
#include "lifeline/manager.h"

#define NSUBS 8
#define NCONN 3

typedef struct {
  lifeline_manager *m;
  uint32_t conn[NCONN], ch[NCONN];
  uint32_t subs[NSUBS];
  uint32_t stream[NCONN + 1]; /* by connection handle */
  uint64_t now;
} fz;

static void check_batch(fz *f) {
  size_t n = lifeline_manager_action_count(f->m);
  const lifeline_mgr_action *a = lifeline_manager_actions(f->m);
  if (n == 0 || a[n - 1].kind != LIFELINE_MGR_ACT_WAKE_AT) abort();
  uint64_t wake = ((uint64_t)a[n - 1].time_hi << 32) | a[n - 1].time_lo;
  if (wake != LIFELINE_NEVER && wake + 1 < f->now) abort(); /* never in the past */
  for (size_t i = 0; i < n; i++) {
    if (i + 1 < n && a[i].kind == LIFELINE_MGR_ACT_WAKE_AT) abort();
    if (a[i].kind == LIFELINE_MGR_ACT_DELIVER) {
      int live = 0;
      for (int s = 0; s < NSUBS; s++) live |= f->subs[s] == a[i].sub && a[i].sub;
      if (!live) abort();
    }
    if (a[i].kind == LIFELINE_MGR_ACT_OPEN || a[i].kind == LIFELINE_MGR_ACT_CLOSE ||
        a[i].kind == LIFELINE_MGR_ACT_STATUS) {
      if (a[i].conn == 0 || a[i].conn > NCONN) abort();
    }
    if (a[i].kind == LIFELINE_MGR_ACT_OPEN) f->stream[a[i].conn] = a[i].stream;
  }
  lifeline_mgr_conn_info info;
  for (int c = 0; c < NCONN; c++) {
    if (lifeline_manager_conn_info(f->m, f->conn[c], &info) != LIFELINE_OK) continue;
    if (info.state > LIFELINE_MGR_CLOSED) abort();
  }
}

static size_t take(const uint8_t **p, size_t *n, size_t want) {
  size_t k = want < *n ? want : *n;
  *p += k;
  *n -= k;
  return k;
}

static void run(fz *f, const uint8_t *p, size_t n) {
  static const int statuses[] = {200, 200, 200, 204, 401, 403, 404, 408, 429, 500, 503, 302, 0};
  while (n >= 2) {
    uint8_t op = p[0], arg = p[1];
    take(&p, &n, 2);
    uint32_t c = (uint32_t)(arg % NCONN) + 1;
    uint32_t stream = arg & 0x80 ? f->stream[c] : (uint32_t)arg; /* sometimes stale or bogus */
    switch (op % 12) {
    case 0: {
      uint32_t slot = arg % NSUBS, id = 0;
      const char *types = (arg & 4) ? "tick\nmessage" : NULL;
      if (f->subs[slot]) {
        lifeline_manager_unsubscribe(f->m, f->subs[slot], f->now);
        f->subs[slot] = 0;
        check_batch(f);
      }
      if (lifeline_manager_subscribe(f->m, f->ch[c - 1], (int32_t)(arg % 5) - 2, types,
                                     types ? strlen(types) : 0, arg % 4, f->now, &id) == LIFELINE_OK)
        f->subs[slot] = id;
      break;
    }
    case 1:
      if (f->subs[arg % NSUBS]) lifeline_manager_unsubscribe(f->m, f->subs[arg % NSUBS], f->now);
      f->subs[arg % NSUBS] = 0;
      break;
    case 2:
      lifeline_manager_opened(f->m, stream, statuses[arg % 13], (arg & 8) ? "text/html" : "text/event-stream",
                              (arg & 8) ? 9 : 17, (arg & 16) ? (int64_t)arg * 37 : -1, f->now);
      break;
    case 3: {
      size_t len = take(&p, &n, arg % 64);
      lifeline_manager_feed(f->m, stream, p - len, len, f->now);
      break;
    }
    case 4:
      lifeline_manager_event(f->m, stream, (arg & 2) ? "tick" : "", (arg & 2) ? 4 : 0, "x", 1, "7",
                             arg & 1, f->now);
      break;
    case 5:
      lifeline_manager_closed(f->m, stream, (lifeline_mgr_end)(arg % 4), f->now);
      break;
    case 6:
      f->now += (uint64_t)arg * arg * 3;
      lifeline_manager_tick(f->m, f->now);
      break;
    case 7:
      lifeline_manager_set_online(f->m, arg & 1, f->now);
      break;
    case 8:
      lifeline_manager_resume(f->m, f->now);
      break;
    case 9:
      lifeline_manager_retry_now(f->m, f->conn[c - 1], f->now);
      break;
    case 10:
      lifeline_manager_close(f->m, f->conn[c - 1], f->now);
      break;
    default: {
      uint64_t d = lifeline_manager_deadline(f->m);
      if (d != LIFELINE_NEVER && d >= f->now) f->now = d;
      lifeline_manager_tick(f->m, f->now);
      break;
    }
    }
    check_batch(f);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lifeline_manager_config mc;
  lifeline_manager_config_default(&mc);
  mc.max_connections = NCONN;
  mc.max_channels = NCONN;
  mc.max_subscribers = NSUBS;
  mc.max_actions = 16;
  mc.max_arena_bytes = 1024;
  mc.metrics = size > 0 && (data[0] & 1);
  mc.seed = size;
  fz f;
  memset(&f, 0, sizeof f);
  f.now = 1000;
  f.m = lifeline_manager_new(&mc);
  if (!f.m) abort();
  lifeline_manager_conn_config cc;
  lifeline_manager_conn_config_default(&cc);
  cc.endpoint_count = 2;
  cc.heartbeat_timeout_ms = 5000;
  cc.breaker.consecutive_failures = 2;
  cc.max_line_bytes = 64;
  cc.max_event_bytes = 128;
  for (int c = 0; c < NCONN; c++) {
    char key[8] = {'k', (char)('0' + c), 0};
    cc.features = (uint32_t)(c == 2 ? 0 : LIFELINE_MGR_ALL | LIFELINE_MGR_AUTH_HOOK);
    if (lifeline_manager_connection(f.m, key, 2, &cc, &f.conn[c]) != LIFELINE_OK) abort();
    lifeline_manager_channel_config chc;
    lifeline_manager_channel_config_default(&chc);
    chc.replay_events = 3;
    chc.replay_bytes = 64;
    chc.dedup_window = 4;
    if (lifeline_manager_channel(f.m, f.conn[c], &chc, &f.ch[c]) != LIFELINE_OK) abort();
  }
  lifeline_manager_tick(f.m, f.now); /* every later check sees a batch */
  run(&f, data, size);
  lifeline_manager_close_all(f.m, f.now);
  check_batch(&f);
  lifeline_manager_free(f.m);
  return 0;
}
