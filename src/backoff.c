#include "lifeline/backoff.h"

#include <string.h>

#include "lifeline/error.h"

#define QUALITY_WINDOW 16u
#define QUALITY_MIN_OUTCOMES 4u
#define POOR_CONNECT_MS 1500.0
#define GOOD_CONNECT_MS 300.0

void lifeline_backoff_config_default(lifeline_backoff_config *c) {
  memset(c, 0, sizeof *c);
  c->initial_ms = 1000;
  c->max_ms = 30000;
  c->multiplier = 1.6;
  c->jitter = LIFELINE_JITTER_FULL;
  c->max_attempts = 0;
  c->healthy_after_ms = 5000;
  c->adaptive = 1;
  c->seed = 0;
}

static int config_valid(const lifeline_backoff_config *c) {
  /* The negated comparison also rejects NaN. */
  if (!(c->multiplier >= 1.0 && c->multiplier <= 10.0)) return 0;
  if (c->initial_ms < 1 || c->max_ms < c->initial_ms) return 0;
  if ((unsigned)c->jitter > LIFELINE_JITTER_DECORRELATED) return 0;
  return 1;
}

static uint32_t base_ms(const lifeline_backoff *b) { return b->cfg.initial_ms; }

int lifeline_backoff_init(lifeline_backoff *b, const lifeline_backoff_config *c) {
  lifeline_backoff_config def;
  int rc = LIFELINE_OK;
  lifeline_backoff_config_default(&def);
  if (c && !config_valid(c)) {
    rc = LIFELINE_ERR_INVALID_ARGUMENT;
    def.seed = c->seed;
    c = &def;
  }
  memset(b, 0, sizeof *b);
  b->cfg = c ? *c : def;
  lifeline_rng_seed(&b->rng, b->cfg.seed, 0x6261636b6f6666ULL); /* "backoff" */
  b->connect_mean_ms = -1.0;
  b->quality = LIFELINE_NET_MODERATE;
  lifeline_backoff_reset(b);
  return rc;
}

void lifeline_backoff_reset(lifeline_backoff *b) {
  b->attempt = 0;
  b->ceiling = base_ms(b);
  b->prev = base_ms(b);
}

double lifeline_backoff_effective_multiplier(const lifeline_backoff *b) {
  double m = b->cfg.multiplier;
  if (!b->cfg.adaptive) return m;
  if (b->quality == LIFELINE_NET_GOOD) return 1.0 + (m - 1.0) * 0.5;
  if (b->quality == LIFELINE_NET_POOR) return 1.0 + (m - 1.0) * 0.75;
  return m;
}

uint32_t lifeline_backoff_effective_cap(const lifeline_backoff *b) {
  uint64_t cap = b->cfg.max_ms;
  if (b->cfg.adaptive && b->quality == LIFELINE_NET_GOOD) cap /= 2;
  if (b->cfg.adaptive && b->quality == LIFELINE_NET_POOR) cap *= 2;
  if (cap > UINT32_MAX) cap = UINT32_MAX;
  if (cap < base_ms(b)) cap = base_ms(b);
  return (uint32_t)cap;
}

static double uniform(lifeline_backoff *b, double lo, double hi) {
  return lo + (hi - lo) * lifeline_rng_double(&b->rng);
}

static double jittered(lifeline_backoff *b, double cap) {
  double v = b->ceiling < cap ? b->ceiling : cap;
  double base = base_ms(b), d;
  switch (b->cfg.jitter) {
  case LIFELINE_JITTER_FULL: return uniform(b, 0.0, v);
  case LIFELINE_JITTER_EQUAL: return v / 2.0 + uniform(b, 0.0, v / 2.0);
  case LIFELINE_JITTER_DECORRELATED:
    d = uniform(b, base, b->prev * 3.0 > base ? b->prev * 3.0 : base);
    d = d < cap ? d : cap;
    b->prev = d;
    return d;
  default: return v;
  }
}

/* The server's retry: with up to a fifth of it added, so clients told the same time spread. */
static uint64_t server_floor(lifeline_backoff *b) {
  return b->server_retry_ms + (uint64_t)(uniform(b, 0.0, b->server_retry_ms / 5.0) + 0.5);
}

int lifeline_backoff_next(lifeline_backoff *b, uint64_t now_ms, uint32_t *delay_ms) {
  if (b->progressed) lifeline_backoff_reset(b);
  b->progressed = 0;
  lifeline_backoff_healthy_check(b, now_ms);
  b->connected = 0;
  if (b->cfg.max_attempts && b->attempt >= b->cfg.max_attempts) return LIFELINE_ERR_EXHAUSTED;
  double cap = lifeline_backoff_effective_cap(b);
  double d = jittered(b, cap);
  /* Round to the nearest ms, but never past the cap. */
  uint64_t ms = (uint64_t)(d + 0.5);
  if ((double)ms > cap) ms = (uint64_t)cap;
  if (b->has_server_retry) {
    uint64_t f = server_floor(b);
    ms = b->attempt == 0 || f > ms ? f : ms;
  }
  /* The server said when to come back: that time, with up to a fifth added so that clients told
   * the same do not return together, rather than a delay grown by earlier failures (which made
   * a 503 with Retry-After: 2 wait 30 s). A zero Retry-After leaves the grown delay. */
  if (b->floor_ms) ms = b->floor_ms + (uint64_t)(uniform(b, 0.0, b->floor_ms / 5.0) + 0.5);
  b->floor_ms = 0;
  *delay_ms = (uint32_t)ms;
  b->attempt++;
  double grown = b->ceiling * lifeline_backoff_effective_multiplier(b);
  b->ceiling = grown < cap ? grown : cap;
  return LIFELINE_OK;
}

void lifeline_backoff_connected(lifeline_backoff *b, uint64_t now_ms) {
  b->connected = 1;
  b->connected_at = now_ms;
}

uint64_t lifeline_backoff_deadline(const lifeline_backoff *b) {
  if (!b->connected || b->attempt == 0) return LIFELINE_NEVER;
  if (b->connected_at > LIFELINE_NEVER - b->cfg.healthy_after_ms) return LIFELINE_NEVER;
  return b->connected_at + b->cfg.healthy_after_ms;
}

int lifeline_backoff_healthy_check(lifeline_backoff *b, uint64_t now_ms) {
  uint64_t due = lifeline_backoff_deadline(b);
  if (due == LIFELINE_NEVER || now_ms < due) return 0;
  lifeline_backoff_reset(b);
  return 1;
}

void lifeline_backoff_set_server_retry(lifeline_backoff *b, uint32_t retry_ms) {
  if (retry_ms > LIFELINE_BACKOFF_SERVER_RETRY_MAX_MS) retry_ms = LIFELINE_BACKOFF_SERVER_RETRY_MAX_MS;
  b->server_retry_ms = retry_ms;
  b->has_server_retry = 1;
}

void lifeline_backoff_progress(lifeline_backoff *b) { b->progressed = 1; }

void lifeline_backoff_set_retry_after(lifeline_backoff *b, uint32_t floor_ms) {
  if (floor_ms > b->floor_ms) b->floor_ms = floor_ms;
}

static void judge(lifeline_backoff *b) {
  unsigned n = b->outcome_count, fails = 0;
  for (unsigned i = 0; i < n; i++) fails += (b->outcomes >> i) & 1u;
  double ratio = n ? (double)fails / n : 0.0;
  double mean = b->connect_mean_ms;
  if (mean >= POOR_CONNECT_MS || (n >= QUALITY_MIN_OUTCOMES && ratio >= 0.5))
    b->quality = LIFELINE_NET_POOR;
  else if (mean < GOOD_CONNECT_MS && n >= QUALITY_MIN_OUTCOMES && ratio < 0.1)
    b->quality = LIFELINE_NET_GOOD;
  else
    b->quality = LIFELINE_NET_MODERATE;
}

void lifeline_backoff_record_connect(lifeline_backoff *b, uint32_t connect_ms) {
  if (b->connect_mean_ms < 0) b->connect_mean_ms = connect_ms;
  else b->connect_mean_ms += ((double)connect_ms - b->connect_mean_ms) * 0.25;
  judge(b);
}

void lifeline_backoff_record_outcome(lifeline_backoff *b, int ok) {
  b->outcomes = (uint16_t)((b->outcomes << 1) | (ok ? 0u : 1u));
  if (b->outcome_count < QUALITY_WINDOW) b->outcome_count++;
  judge(b);
}

lifeline_net_quality lifeline_backoff_quality(const lifeline_backoff *b) { return b->quality; }

const char *lifeline_net_quality_name(lifeline_net_quality q) {
  switch (q) {
  case LIFELINE_NET_GOOD: return "good";
  case LIFELINE_NET_POOR: return "poor";
  default: return "moderate";
  }
}

int lifeline_jitter_parse(const char *name) {
  static const char *const names[] = {"none", "full", "equal", "decorrelated"};
  for (int i = 0; i < 4; i++)
    if (name && strcmp(name, names[i]) == 0) return i;
  return -1;
}
