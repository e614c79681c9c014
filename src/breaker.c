#include "lifeline/breaker.h"

#include <string.h>

#include "lifeline/error.h"

void lifeline_breaker_config_default(lifeline_breaker_config *c) {
  memset(c, 0, sizeof *c);
  c->failure_rate_threshold = 0.5;
  c->window_ms = 60000;
  c->window_buckets = 60;
  c->minimum_calls = 10;
  c->consecutive_failures = 5;
  c->open_ms = 5000;
  c->max_open_ms = 60000;
  c->open_jitter = 0.2;
  c->half_open_probes = 3;
  c->half_open_successes = 2;
  c->half_open_failures = 2;
  c->half_open_timeout_ms = 10000;
  c->slow_call_ms = 0;
}

static uint32_t auto_buckets(uint32_t window_ms) {
  for (uint32_t n = 60; n > 1; n--)
    if (window_ms % n == 0) return n;
  return 1;
}

static int config_valid(const lifeline_breaker_config *c) {
  if (!(c->failure_rate_threshold > 0.0 && c->failure_rate_threshold <= 1.0)) return 0;
  if (!(c->open_jitter >= 0.0 && c->open_jitter <= 0.9)) return 0;
  if (c->window_ms < 1 || c->window_buckets > LIFELINE_WINDOW_MAX_BUCKETS) return 0;
  if (c->window_buckets && c->window_ms % c->window_buckets) return 0;
  if (c->open_ms < 1 || c->max_open_ms < c->open_ms || c->half_open_timeout_ms < 1) return 0;
  uint32_t p = c->half_open_probes, s = c->half_open_successes, f = c->half_open_failures;
  if (p < 1 || s < 1 || f < 1 || s > p || f > p) return 0;
  /* Once every probe has reported, one of the two thresholds must have been reached. */
  return (uint64_t)s + f - 1 <= p;
}

int lifeline_breaker_init(lifeline_breaker *b, const lifeline_breaker_config *c) {
  lifeline_breaker_config def;
  int rc = LIFELINE_OK;
  lifeline_breaker_config_default(&def);
  if (c && !config_valid(c)) {
    rc = LIFELINE_ERR_INVALID_ARGUMENT;
    def.seed = c->seed;
    c = &def;
  }
  memset(b, 0, sizeof *b);
  b->cfg = c ? *c : def;
  if (!b->cfg.window_buckets) b->cfg.window_buckets = auto_buckets(b->cfg.window_ms);
  lifeline_window_init(&b->window, b->cfg.window_ms / b->cfg.window_buckets, b->cfg.window_buckets);
  lifeline_rng_seed(&b->rng, b->cfg.seed, 0x627265616b6572ULL); /* "breaker" */
  b->state = LIFELINE_BREAKER_CLOSED;
  b->mode = LIFELINE_BREAKER_NORMAL;
  b->break_ms = b->cfg.open_ms;
  return rc;
}

void lifeline_breaker_set_listener(lifeline_breaker *b, lifeline_breaker_listener fn, void *user) {
  b->on_change = fn;
  b->on_change_user = user;
}

static uint64_t clamp_now(lifeline_breaker *b, uint64_t now_ms) {
  if (now_ms < b->last_now) return b->last_now;
  b->last_now = now_ms;
  return now_ms;
}

static void emit(lifeline_breaker *b, lifeline_breaker_state from, lifeline_breaker_reason why,
                 uint64_t now, uint32_t break_ms) {
  lifeline_breaker_change *c = &b->changes[b->change_head % LIFELINE_BREAKER_CHANGES];
  c->from = from;
  c->to = lifeline_breaker_get_state(b);
  c->reason = why;
  c->at_ms = now;
  c->calls = (uint32_t)b->window.sum_a;
  c->failures = (uint32_t)b->window.sum_b;
  c->failure_rate = c->calls ? (double)c->failures / c->calls : 0.0;
  c->consecutive_failures = b->consecutive;
  c->break_ms = break_ms;
  b->change_head++;
  if (b->change_head - b->change_tail > LIFELINE_BREAKER_CHANGES) {
    b->change_tail++;
    b->changes_dropped++;
  }
  if (b->on_change) b->on_change(b->on_change_user, c);
}

static void to_open(lifeline_breaker *b, lifeline_breaker_reason why, uint64_t now) {
  lifeline_breaker_state from = b->state;
  /* A re-open (no close in between) doubles the break. */
  if (from == LIFELINE_BREAKER_HALF_OPEN) {
    uint64_t doubled = (uint64_t)b->break_ms * 2;
    b->break_ms = doubled > b->cfg.max_open_ms ? b->cfg.max_open_ms : (uint32_t)doubled;
  }
  double j = b->cfg.open_jitter;
  double factor = 1.0 - j + 2.0 * j * lifeline_rng_double(&b->rng);
  uint64_t dur = (uint64_t)((double)b->break_ms * factor + 0.5);
  if (dur < 1) dur = 1;
  b->state = LIFELINE_BREAKER_OPEN;
  b->open_until = now + dur;
  b->trips++;
  emit(b, from, why, now, (uint32_t)dur);
}

static void to_half_open(lifeline_breaker *b, uint64_t now) {
  b->state = LIFELINE_BREAKER_HALF_OPEN;
  b->half_open_since = now;
  b->probes = b->probe_ok = b->probe_fail = 0;
  emit(b, LIFELINE_BREAKER_OPEN, LIFELINE_BREAKER_REASON_BREAK_ELAPSED, now, 0);
}

static void to_closed(lifeline_breaker *b, lifeline_breaker_reason why, uint64_t now) {
  lifeline_breaker_state from = b->state;
  b->state = LIFELINE_BREAKER_CLOSED;
  b->break_ms = b->cfg.open_ms;
  b->consecutive = 0;
  lifeline_window_clear(&b->window);
  emit(b, from, why, now, 0);
}

static void tick(lifeline_breaker *b, uint64_t now) {
  lifeline_window_advance(&b->window, now);
  if (b->mode != LIFELINE_BREAKER_NORMAL) return;
  /* At most two steps: a half-open timeout reopens with a break of >= 1 ms. */
  for (int i = 0; i < 2; i++) {
    if (b->state == LIFELINE_BREAKER_OPEN && now >= b->open_until) {
      to_half_open(b, now);
    } else if (b->state == LIFELINE_BREAKER_HALF_OPEN &&
               now - b->half_open_since >= b->cfg.half_open_timeout_ms) {
      to_open(b, LIFELINE_BREAKER_REASON_HALF_OPEN_TIMEOUT, now);
    } else {
      break;
    }
  }
}

void lifeline_breaker_tick(lifeline_breaker *b, uint64_t now_ms) { tick(b, clamp_now(b, now_ms)); }

int lifeline_breaker_allow(lifeline_breaker *b, uint64_t now_ms) {
  uint64_t now = clamp_now(b, now_ms);
  int ok;
  if (b->mode == LIFELINE_BREAKER_FORCED_OPEN) {
    ok = 0;
  } else if (b->mode != LIFELINE_BREAKER_NORMAL) {
    ok = 1;
  } else {
    tick(b, now);
    if (b->state == LIFELINE_BREAKER_CLOSED) ok = 1;
    else if (b->state == LIFELINE_BREAKER_OPEN) ok = 0;
    else if ((ok = b->probes < b->cfg.half_open_probes)) b->probes++;
  }
  if (!ok) b->rejected++;
  return ok;
}

static void record_closed(lifeline_breaker *b, int failed, uint64_t now) {
  lifeline_window_add(&b->window, now, 1, failed ? 1u : 0u);
  b->consecutive = failed ? b->consecutive + 1 : 0;
  if (b->mode != LIFELINE_BREAKER_NORMAL) return;
  if (b->cfg.consecutive_failures && b->consecutive >= b->cfg.consecutive_failures) {
    to_open(b, LIFELINE_BREAKER_REASON_CONSECUTIVE_FAILURES, now);
    return;
  }
  uint64_t calls = b->window.sum_a, fails = b->window.sum_b;
  if (calls >= b->cfg.minimum_calls && calls > 0 &&
      (double)fails > b->cfg.failure_rate_threshold * (double)calls)
    to_open(b, LIFELINE_BREAKER_REASON_FAILURE_RATE, now);
}

void lifeline_breaker_record(lifeline_breaker *b, int ok, uint32_t latency_ms, uint64_t now_ms) {
  uint64_t now = clamp_now(b, now_ms);
  int failed = !ok || (b->cfg.slow_call_ms && latency_ms > b->cfg.slow_call_ms);
  if (b->mode == LIFELINE_BREAKER_DISABLED || b->mode == LIFELINE_BREAKER_FORCED_OPEN) return;
  tick(b, now);
  if (b->state == LIFELINE_BREAKER_CLOSED) {
    record_closed(b, failed, now);
  } else if (b->state == LIFELINE_BREAKER_HALF_OPEN) {
    /* Only as many outcomes as probes admitted; others are late results of pre-trip calls. */
    if (b->probe_ok + b->probe_fail >= b->probes) return;
    if (failed) b->probe_fail++;
    else b->probe_ok++;
    if (b->probe_fail >= b->cfg.half_open_failures)
      to_open(b, LIFELINE_BREAKER_REASON_PROBES_FAILED, now);
    else if (b->probe_ok >= b->cfg.half_open_successes)
      to_closed(b, LIFELINE_BREAKER_REASON_PROBES_SUCCEEDED, now);
  }
  /* OPEN: a late outcome of a call admitted before the trip says nothing new. */
}

void lifeline_breaker_release(lifeline_breaker *b, uint64_t now_ms) {
  if (b->mode != LIFELINE_BREAKER_NORMAL) return;
  tick(b, clamp_now(b, now_ms));
  if (b->state == LIFELINE_BREAKER_HALF_OPEN && b->probes > b->probe_ok + b->probe_fail) b->probes--;
}

uint64_t lifeline_breaker_deadline(const lifeline_breaker *b) {
  if (b->mode != LIFELINE_BREAKER_NORMAL) return LIFELINE_NEVER;
  if (b->state == LIFELINE_BREAKER_OPEN) return b->open_until;
  if (b->state == LIFELINE_BREAKER_HALF_OPEN) return b->half_open_since + b->cfg.half_open_timeout_ms;
  return LIFELINE_NEVER;
}

lifeline_breaker_state lifeline_breaker_get_state(const lifeline_breaker *b) {
  if (b->mode == LIFELINE_BREAKER_FORCED_OPEN) return LIFELINE_BREAKER_OPEN;
  if (b->mode != LIFELINE_BREAKER_NORMAL) return LIFELINE_BREAKER_CLOSED;
  return b->state;
}

void lifeline_breaker_snapshot_at(lifeline_breaker *b, uint64_t now_ms, lifeline_breaker_snapshot *s) {
  uint64_t now = clamp_now(b, now_ms);
  tick(b, now);
  memset(s, 0, sizeof *s);
  s->state = lifeline_breaker_get_state(b);
  s->mode = b->mode;
  s->calls = (uint32_t)b->window.sum_a;
  s->failures = (uint32_t)b->window.sum_b;
  s->failure_rate = s->calls ? (double)s->failures / s->calls : 0.0;
  s->consecutive_failures = b->consecutive;
  if (b->mode == LIFELINE_BREAKER_NORMAL && b->state == LIFELINE_BREAKER_OPEN)
    s->ms_until_half_open = b->open_until - now;
  s->break_ms = b->break_ms;
  s->probes_admitted = b->probes;
  s->probe_successes = b->probe_ok;
  s->probe_failures = b->probe_fail;
  s->trips = b->trips;
  s->rejected = b->rejected;
}

int lifeline_breaker_set_mode(lifeline_breaker *b, lifeline_breaker_mode mode, uint64_t now_ms) {
  if ((unsigned)mode > LIFELINE_BREAKER_DISABLED) return LIFELINE_ERR_INVALID_ARGUMENT;
  uint64_t now = clamp_now(b, now_ms);
  lifeline_breaker_state before = lifeline_breaker_get_state(b);
  b->mode = mode;
  /* Every mode change starts the normal machine afresh, as resilience4j's transitions do. */
  b->state = LIFELINE_BREAKER_CLOSED;
  b->break_ms = b->cfg.open_ms;
  b->consecutive = 0;
  b->probes = b->probe_ok = b->probe_fail = 0;
  lifeline_window_clear(&b->window);
  lifeline_window_advance(&b->window, now);
  if (lifeline_breaker_get_state(b) != before) emit(b, before, LIFELINE_BREAKER_REASON_FORCED, now, 0);
  return LIFELINE_OK;
}

int lifeline_breaker_poll_change(lifeline_breaker *b, lifeline_breaker_change *out) {
  if (b->change_tail == b->change_head) return 0;
  *out = b->changes[b->change_tail % LIFELINE_BREAKER_CHANGES];
  b->change_tail++;
  return 1;
}

uint32_t lifeline_breaker_pending_changes(const lifeline_breaker *b) {
  return (uint32_t)(b->change_head - b->change_tail);
}

const char *lifeline_breaker_state_name(lifeline_breaker_state s) {
  switch (s) {
  case LIFELINE_BREAKER_OPEN: return "open";
  case LIFELINE_BREAKER_HALF_OPEN: return "half-open";
  default: return "closed";
  }
}

const char *lifeline_breaker_reason_name(lifeline_breaker_reason r) {
  static const char *const names[] = {"consecutive-failures", "failure-rate", "break-elapsed",
                                      "probes-succeeded",     "probes-failed", "half-open-timeout",
                                      "forced"};
  return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "unknown";
}

const char *lifeline_breaker_mode_name(lifeline_breaker_mode m) {
  static const char *const names[] = {"normal", "forced-open", "forced-closed", "disabled"};
  return (unsigned)m < sizeof names / sizeof *names ? names[m] : "unknown";
}
