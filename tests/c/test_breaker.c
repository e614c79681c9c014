#include <stdlib.h>

#include "check.h"
#include "lifeline/breaker.h"
#include "lifeline/error.h"

static lifeline_breaker_config cfg_nojitter(void) {
  lifeline_breaker_config c;
  lifeline_breaker_config_default(&c);
  c.open_jitter = 0;
  return c;
}

static lifeline_breaker make(const lifeline_breaker_config *c) {
  lifeline_breaker b;
  CHECK_EQ_INT(0, lifeline_breaker_init(&b, c));
  return b;
}

static void call(lifeline_breaker *b, int ok, uint64_t now) {
  CHECK(lifeline_breaker_allow(b, now));
  lifeline_breaker_record(b, ok, 10, now);
}

static void test_consecutive_failures(void) {
  lifeline_breaker_config c = cfg_nojitter();
  lifeline_breaker b = make(&c);
  for (int i = 0; i < 4; i++) call(&b, 0, 100);
  call(&b, 1, 100); /* a success resets the run */
  for (int i = 0; i < 4; i++) call(&b, 0, 200);
  CHECK_EQ_INT(LIFELINE_BREAKER_CLOSED, lifeline_breaker_get_state(&b));
  call(&b, 0, 300);
  CHECK_EQ_INT(LIFELINE_BREAKER_OPEN, lifeline_breaker_get_state(&b));
  CHECK_EQ_INT(0, lifeline_breaker_allow(&b, 301));
  CHECK_EQ_INT(5300, lifeline_breaker_deadline(&b));
  lifeline_breaker_change ch;
  CHECK_EQ_INT(1, lifeline_breaker_poll_change(&b, &ch));
  CHECK_EQ_INT(LIFELINE_BREAKER_CLOSED, ch.from);
  CHECK_EQ_INT(LIFELINE_BREAKER_OPEN, ch.to);
  CHECK_EQ_STR("consecutive-failures", lifeline_breaker_reason_name(ch.reason));
  CHECK_EQ_INT(5, ch.consecutive_failures);
  CHECK_EQ_INT(10, ch.calls);
  CHECK_EQ_INT(9, ch.failures);
  CHECK_EQ_INT(5000, ch.break_ms);
  CHECK_EQ_INT(300, ch.at_ms);
  CHECK_EQ_INT(0, lifeline_breaker_poll_change(&b, &ch));
  lifeline_breaker_snapshot s;
  lifeline_breaker_snapshot_at(&b, 1300, &s);
  CHECK_EQ_INT(4000, s.ms_until_half_open);
  CHECK_EQ_INT(1, s.trips);
  CHECK_EQ_INT(1, s.rejected);
}

static void test_failure_rate_and_minimum_calls(void) {
  lifeline_breaker_config c = cfg_nojitter();
  c.consecutive_failures = 0;
  lifeline_breaker b = make(&c);
  /* 9 calls, all failures: below the minimum, stays closed. */
  for (int i = 0; i < 9; i++) call(&b, 0, 1000);
  CHECK_EQ_INT(LIFELINE_BREAKER_CLOSED, lifeline_breaker_get_state(&b));
  call(&b, 0, 1000); /* 10th: 100% > 50% */
  CHECK_EQ_INT(LIFELINE_BREAKER_OPEN, lifeline_breaker_get_state(&b));
  /* Exactly 50% does not trip ("more than"); 6 of 11 does. */
  b = make(&c);
  for (int i = 0; i < 10; i++) call(&b, i % 2, 1000);
  CHECK_EQ_INT(LIFELINE_BREAKER_CLOSED, lifeline_breaker_get_state(&b));
  call(&b, 0, 1000);
  CHECK_EQ_INT(LIFELINE_BREAKER_OPEN, lifeline_breaker_get_state(&b));
  lifeline_breaker_change ch;
  CHECK_EQ_INT(1, lifeline_breaker_poll_change(&b, &ch));
  CHECK_EQ_INT(LIFELINE_BREAKER_REASON_FAILURE_RATE, ch.reason);
  CHECK(ch.failure_rate > 0.545 && ch.failure_rate < 0.546);
}

static void test_window_boundaries(void) {
  lifeline_breaker_config c = cfg_nojitter();
  c.consecutive_failures = 0;
  c.minimum_calls = 1;
  lifeline_breaker b = make(&c);
  lifeline_breaker_snapshot s;
  /* One failure at t = 10000 and a success; the next failure decides. */
  call(&b, 1, 10000);
  call(&b, 1, 10000);
  call(&b, 0, 10000);
  lifeline_breaker_snapshot_at(&b, 69000, &s); /* 59 s later: still counts */
  CHECK_EQ_INT(3, s.calls);
  CHECK_EQ_INT(1, s.failures);
  lifeline_breaker_snapshot_at(&b, 70001, &s); /* 60.001 s later: gone */
  CHECK_EQ_INT(0, s.calls);
  CHECK_EQ_INT(0, s.failures);
  /* A failure at 10.999 s stays through 69.999 s, leaves at 70.000 s. */
  b = make(&c);
  call(&b, 1, 10999);
  call(&b, 1, 10999);
  lifeline_breaker_record(&b, 0, 5, 10999);
  lifeline_breaker_snapshot_at(&b, 69999, &s);
  CHECK_EQ_INT(1, s.failures);
  lifeline_breaker_snapshot_at(&b, 70000, &s);
  CHECK_EQ_INT(0, s.failures);
  /* After ten idle minutes the window is empty, even though the ring index wrapped around. */
  b = make(&c);
  for (int i = 0; i < 3; i++) call(&b, 1, 5000 + (uint64_t)i * 1000);
  call(&b, 0, 8000);
  call(&b, 1, 8000);
  call(&b, 1, 8000);
  lifeline_breaker_snapshot_at(&b, 8000 + 600000, &s);
  CHECK_EQ_INT(0, s.calls);
  call(&b, 0, 8000 + 600000); /* a lone failure: 1 of 1 > 50% */
  CHECK_EQ_INT(LIFELINE_BREAKER_OPEN, lifeline_breaker_get_state(&b));
  lifeline_breaker_change ch;
  lifeline_breaker_poll_change(&b, &ch);
  CHECK_EQ_INT(1, ch.calls);
  /* An idle gap of exactly 61 buckets (61 s): the ring index lands on the same slot. */
  b = make(&c);
  call(&b, 1, 0);
  call(&b, 1, 0);
  lifeline_breaker_snapshot_at(&b, 61000, &s);
  CHECK_EQ_INT(0, s.calls);
}

static void test_slow_calls(void) {
  lifeline_breaker_config c = cfg_nojitter();
  c.slow_call_ms = 2000;
  c.consecutive_failures = 3;
  lifeline_breaker b = make(&c);
  for (int i = 0; i < 2; i++) {
    CHECK(lifeline_breaker_allow(&b, 0));
    lifeline_breaker_record(&b, 1, 2001, 0);
  }
  CHECK(lifeline_breaker_allow(&b, 0));
  lifeline_breaker_record(&b, 1, 2000, 0); /* not over the limit: a success */
  CHECK_EQ_INT(0, b.consecutive);
  for (int i = 0; i < 3; i++) lifeline_breaker_record(&b, 1, 5000, 0);
  CHECK_EQ_INT(LIFELINE_BREAKER_OPEN, lifeline_breaker_get_state(&b));
}

static lifeline_breaker tripped(lifeline_breaker_config *c) {
  lifeline_breaker b = make(c);
  for (uint32_t i = 0; i < c->consecutive_failures; i++) call(&b, 0, 0);
  CHECK_EQ_INT(LIFELINE_BREAKER_OPEN, lifeline_breaker_get_state(&b));
  return b;
}

static void test_half_open_probes(void) {
  lifeline_breaker_config c = cfg_nojitter();
  lifeline_breaker b = tripped(&c);
  CHECK_EQ_INT(0, lifeline_breaker_allow(&b, 4999));
  CHECK_EQ_INT(1, lifeline_breaker_allow(&b, 5000)); /* probe 1 */
  CHECK_EQ_INT(LIFELINE_BREAKER_HALF_OPEN, lifeline_breaker_get_state(&b));
  CHECK_EQ_INT(15000, lifeline_breaker_deadline(&b));
  CHECK_EQ_INT(1, lifeline_breaker_allow(&b, 5001));
  CHECK_EQ_INT(1, lifeline_breaker_allow(&b, 5002));
  CHECK_EQ_INT(0, lifeline_breaker_allow(&b, 5003)); /* 4th rejected at once */
  lifeline_breaker_record(&b, 1, 20, 5100);
  CHECK_EQ_INT(LIFELINE_BREAKER_HALF_OPEN, lifeline_breaker_get_state(&b));
  lifeline_breaker_record(&b, 1, 20, 5200);
  CHECK_EQ_INT(LIFELINE_BREAKER_CLOSED, lifeline_breaker_get_state(&b));
  lifeline_breaker_snapshot s;
  lifeline_breaker_snapshot_at(&b, 5200, &s);
  CHECK_EQ_INT(0, s.calls); /* window emptied on close */
  CHECK_EQ_INT(LIFELINE_NEVER, lifeline_breaker_deadline(&b));
  lifeline_breaker_change ch[4];
  int n = 0;
  while (n < 4 && lifeline_breaker_poll_change(&b, &ch[n])) n++;
  CHECK_EQ_INT(3, n);
  CHECK_EQ_INT(LIFELINE_BREAKER_REASON_BREAK_ELAPSED, ch[1].reason);
  CHECK_EQ_INT(LIFELINE_BREAKER_REASON_PROBES_SUCCEEDED, ch[2].reason);
  CHECK_EQ_STR("half-open", lifeline_breaker_state_name(ch[2].from));
}

static void test_break_growth_and_reset(void) {
  lifeline_breaker_config c = cfg_nojitter();
  lifeline_breaker b = tripped(&c);
  uint64_t t = 0;
  static const uint64_t want[] = {10000, 20000, 40000, 60000, 60000};
  for (int i = 0; i < 5; i++) {
    t = lifeline_breaker_deadline(&b);
    CHECK(lifeline_breaker_allow(&b, t));
    CHECK(lifeline_breaker_allow(&b, t));
    lifeline_breaker_record(&b, 0, 1, t);
    lifeline_breaker_record(&b, 0, 1, t); /* 2 probe failures reopen */
    CHECK_EQ_INT(LIFELINE_BREAKER_OPEN, lifeline_breaker_get_state(&b));
    CHECK_EQ_INT(t + want[i], lifeline_breaker_deadline(&b));
  }
  t = lifeline_breaker_deadline(&b);
  CHECK(lifeline_breaker_allow(&b, t));
  CHECK(lifeline_breaker_allow(&b, t));
  CHECK(lifeline_breaker_allow(&b, t));
  lifeline_breaker_record(&b, 0, 1, t);
  lifeline_breaker_record(&b, 1, 1, t);
  lifeline_breaker_record(&b, 1, 1, t); /* 2 of 3 succeed: closed, break back to 5 s */
  CHECK_EQ_INT(LIFELINE_BREAKER_CLOSED, lifeline_breaker_get_state(&b));
  for (int i = 0; i < 5; i++) call(&b, 0, t);
  CHECK_EQ_INT(t + 5000, lifeline_breaker_deadline(&b));
}

static void test_half_open_timeout(void) {
  lifeline_breaker_config c = cfg_nojitter();
  lifeline_breaker b = tripped(&c);
  CHECK(lifeline_breaker_allow(&b, 5000));
  /* The probe never reports; at 15000 the breaker reopens with a doubled break. */
  lifeline_breaker_tick(&b, 14999);
  CHECK_EQ_INT(LIFELINE_BREAKER_HALF_OPEN, lifeline_breaker_get_state(&b));
  lifeline_breaker_tick(&b, 15000);
  CHECK_EQ_INT(LIFELINE_BREAKER_OPEN, lifeline_breaker_get_state(&b));
  CHECK_EQ_INT(25000, lifeline_breaker_deadline(&b));
  lifeline_breaker_change ch;
  while (lifeline_breaker_poll_change(&b, &ch)) {}
  CHECK_EQ_INT(LIFELINE_BREAKER_REASON_HALF_OPEN_TIMEOUT, ch.reason);
  /* A late outcome of the lost probe, now OPEN, is ignored. */
  lifeline_breaker_record(&b, 1, 9000, 15001);
  CHECK_EQ_INT(LIFELINE_BREAKER_OPEN, lifeline_breaker_get_state(&b));
  /* Long silence: one tick walks open -> half-open, then stops (probes may now come). */
  lifeline_breaker_tick(&b, 1000000);
  CHECK_EQ_INT(LIFELINE_BREAKER_HALF_OPEN, lifeline_breaker_get_state(&b));
  /* Outcomes without admitted probes are ignored. */
  lifeline_breaker_record(&b, 1, 1, 1000001);
  lifeline_breaker_record(&b, 1, 1, 1000001);
  CHECK_EQ_INT(LIFELINE_BREAKER_HALF_OPEN, lifeline_breaker_get_state(&b));
}

/* A probe that ends with nothing to say about the service gives its slot back. */
static void test_release_frees_a_probe_slot(void) {
  lifeline_breaker_config c = cfg_nojitter();
  c.half_open_probes = 1;
  c.half_open_successes = 1;
  c.half_open_failures = 1;
  lifeline_breaker b = tripped(&c);
  CHECK_EQ_INT(1, lifeline_breaker_allow(&b, 5000));
  CHECK_EQ_INT(0, lifeline_breaker_allow(&b, 5001)); /* the one slot is taken */
  lifeline_breaker_release(&b, 5002);
  CHECK_EQ_INT(1, lifeline_breaker_allow(&b, 5003));
  lifeline_breaker_release(&b, 5004);
  lifeline_breaker_release(&b, 5005); /* more releases than probes change nothing */
  CHECK_EQ_INT(1, lifeline_breaker_allow(&b, 5006));
  CHECK_EQ_INT(0, lifeline_breaker_allow(&b, 5007));
  lifeline_breaker_record(&b, 1, 5, 5008);
  CHECK_EQ_INT(LIFELINE_BREAKER_CLOSED, lifeline_breaker_get_state(&b));
  lifeline_breaker_release(&b, 5009); /* no effect when closed */
  CHECK_EQ_INT(LIFELINE_BREAKER_CLOSED, lifeline_breaker_get_state(&b));
}

static void test_mode_names(void) {
  CHECK_EQ_STR("normal", lifeline_breaker_mode_name(LIFELINE_BREAKER_NORMAL));
  CHECK_EQ_STR("disabled", lifeline_breaker_mode_name(LIFELINE_BREAKER_DISABLED));
  CHECK_EQ_STR("unknown", lifeline_breaker_mode_name((lifeline_breaker_mode)9));
}

static void test_jitter(void) {
  lifeline_breaker_config c;
  lifeline_breaker_config_default(&c);
  uint64_t lo = UINT64_MAX, hi = 0, sum = 0;
  for (uint64_t seed = 0; seed < 2000; seed++) {
    c.seed = seed;
    lifeline_breaker b = tripped(&c);
    uint64_t d = lifeline_breaker_deadline(&b);
    lo = d < lo ? d : lo;
    hi = d > hi ? d : hi;
    sum += d;
  }
  CHECK(lo >= 4000 && lo < 4050);
  CHECK(hi <= 6000 && hi > 5950);
  CHECK(sum / 2000 > 4950 && sum / 2000 < 5050);
}

static int listener_calls;
static lifeline_breaker_state listener_last;
static void listener(void *user, const lifeline_breaker_change *c) {
  listener_calls += *(int *)user;
  listener_last = c->to;
}

static void test_modes_listener_and_invalid(void) {
  lifeline_breaker_config c = cfg_nojitter();
  lifeline_breaker b = make(&c);
  int one = 1;
  lifeline_breaker_set_listener(&b, listener, &one);
  CHECK_EQ_INT(0, lifeline_breaker_set_mode(&b, LIFELINE_BREAKER_FORCED_OPEN, 0));
  CHECK_EQ_INT(0, lifeline_breaker_allow(&b, 0));
  CHECK_EQ_INT(LIFELINE_NEVER, lifeline_breaker_deadline(&b));
  CHECK_EQ_INT(1, listener_calls);
  CHECK_EQ_INT(LIFELINE_BREAKER_OPEN, listener_last);
  CHECK_EQ_INT(0, lifeline_breaker_set_mode(&b, LIFELINE_BREAKER_FORCED_CLOSED, 0));
  for (int i = 0; i < 20; i++) call(&b, 0, 0);
  CHECK_EQ_INT(LIFELINE_BREAKER_CLOSED, lifeline_breaker_get_state(&b));
  lifeline_breaker_snapshot s;
  lifeline_breaker_snapshot_at(&b, 0, &s);
  CHECK_EQ_INT(20, s.failures); /* metrics still counted */
  CHECK_EQ_INT(0, lifeline_breaker_set_mode(&b, LIFELINE_BREAKER_DISABLED, 0));
  for (int i = 0; i < 20; i++) call(&b, 0, 0);
  lifeline_breaker_snapshot_at(&b, 0, &s);
  CHECK_EQ_INT(0, s.calls);
  CHECK_EQ_INT(0, lifeline_breaker_set_mode(&b, LIFELINE_BREAKER_NORMAL, 0));
  for (int i = 0; i < 5; i++) call(&b, 0, 0);
  CHECK_EQ_INT(LIFELINE_BREAKER_OPEN, lifeline_breaker_get_state(&b));
  CHECK_EQ_INT(3, listener_calls);
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_breaker_set_mode(&b, (lifeline_breaker_mode)9, 0));
  /* Invalid configurations. */
  lifeline_breaker_config bad = cfg_nojitter();
  bad.half_open_successes = 3;
  bad.half_open_failures = 2; /* 3 + 2 - 1 > 3 probes: could never decide */
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_breaker_init(&b, &bad));
  CHECK_EQ_INT(5000, b.cfg.open_ms);
  bad = cfg_nojitter();
  bad.failure_rate_threshold = 0;
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_breaker_init(&b, &bad));
  bad = cfg_nojitter();
  bad.window_buckets = 7; /* does not divide 60000 */
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_breaker_init(&b, &bad));
  bad = cfg_nojitter();
  bad.window_ms = 10000;
  bad.window_buckets = 0; /* auto: 50 x 200 ms */
  CHECK_EQ_INT(0, lifeline_breaker_init(&b, &bad));
  CHECK_EQ_INT(50, b.window.bucket_count);
  CHECK_EQ_INT(200, b.window.bucket_ms);
  /* The change ring keeps the newest records when nobody reads it. */
  b = make(&c);
  for (int i = 0; i < 12; i++) lifeline_breaker_set_mode(&b, (lifeline_breaker_mode)(i % 2), 0);
  CHECK_EQ_INT(LIFELINE_BREAKER_CHANGES, lifeline_breaker_pending_changes(&b));
  CHECK_EQ_INT(3, b.changes_dropped); /* 11 changes (the first call changes nothing) */
}

/* Reference model: every call kept with its time, the window recomputed from scratch. */
typedef struct {
  uint64_t t;
  int failed;
} ref_call;

typedef struct {
  lifeline_breaker_config c;
  int state;
  ref_call calls[4096];
  int ncalls;
  uint32_t consec, break_ms, probes, pok, pfail;
  uint64_t open_until, ho_since;
} ref_model;

static void ref_window(const ref_model *m, uint64_t now, uint32_t *calls, uint32_t *fails) {
  uint64_t bucket = m->c.window_ms / 60;
  *calls = *fails = 0;
  for (int i = 0; i < m->ncalls; i++) {
    if (m->calls[i].t / bucket + 60 > now / bucket) {
      (*calls)++;
      *fails += (uint32_t)m->calls[i].failed;
    }
  }
}

static void ref_open(ref_model *m, uint64_t now) {
  if (m->state == 2) m->break_ms = m->break_ms * 2 > m->c.max_open_ms ? m->c.max_open_ms : m->break_ms * 2;
  m->state = 1;
  m->open_until = now + m->break_ms;
}

static void ref_tick(ref_model *m, uint64_t now) {
  for (int i = 0; i < 2; i++) {
    if (m->state == 1 && now >= m->open_until) {
      m->state = 2;
      m->ho_since = now;
      m->probes = m->pok = m->pfail = 0;
    } else if (m->state == 2 && now >= m->ho_since + m->c.half_open_timeout_ms) {
      ref_open(m, now);
    }
  }
}

static int ref_allow(ref_model *m, uint64_t now) {
  ref_tick(m, now);
  if (m->state == 0) return 1;
  if (m->state == 1 || m->probes >= m->c.half_open_probes) return 0;
  m->probes++;
  return 1;
}

static void ref_record(ref_model *m, int failed, uint64_t now) {
  ref_tick(m, now);
  if (m->state == 0) {
    if (m->ncalls == 4096) { /* drop calls that can no longer count */
      int k = 0;
      for (int i = 0; i < m->ncalls; i++)
        if (m->calls[i].t + 120000 > now) m->calls[k++] = m->calls[i];
      m->ncalls = k;
    }
    m->calls[m->ncalls++] = (ref_call){now, failed};
    m->consec = failed ? m->consec + 1 : 0;
    uint32_t calls, fails;
    ref_window(m, now, &calls, &fails);
    if (m->consec >= m->c.consecutive_failures ||
        (calls >= m->c.minimum_calls && fails * 2 > calls))
      ref_open(m, now);
  } else if (m->state == 2 && m->pok + m->pfail < m->probes) {
    if (failed) m->pfail++;
    else m->pok++;
    if (m->pfail >= m->c.half_open_failures) {
      ref_open(m, now);
    } else if (m->pok >= m->c.half_open_successes) {
      m->state = 0;
      m->ncalls = 0;
      m->consec = 0;
      m->break_ms = m->c.open_ms;
    }
  }
}

static void test_model(uint64_t seed) {
  lifeline_breaker_config c = cfg_nojitter();
  c.minimum_calls = 6;
  c.consecutive_failures = 4;
  lifeline_breaker b = make(&c);
  static ref_model m;
  memset(&m, 0, sizeof m);
  m.c = c;
  m.break_ms = c.open_ms;
  lifeline_rng r;
  lifeline_rng_seed(&r, seed, 3);
  uint64_t now = lifeline_rng_bounded(&r, 100000);
  int mismatches = 0;
  for (int step = 0; step < 20000 && mismatches < 5; step++) {
    uint32_t op = lifeline_rng_bounded(&r, 100);
    /* Failure-heavy phases and healthy phases alternate so that every state is visited. */
    int bad_phase = (step / 500) % 2;
    if (op < 40) {
      int x = lifeline_breaker_allow(&b, now), y = ref_allow(&m, now);
      mismatches += x != y;
    } else if (op < 85) {
      int failed = lifeline_rng_bounded(&r, 100) < (bad_phase ? 70u : 25u);
      lifeline_breaker_record(&b, !failed, 1, now);
      ref_record(&m, failed, now);
    } else if (op < 98) {
      now += lifeline_rng_bounded(&r, 3000);
    } else {
      now += lifeline_rng_bounded(&r, 130000);
    }
    uint32_t calls, fails;
    ref_window(&m, now, &calls, &fails);
    lifeline_breaker_snapshot s;
    lifeline_breaker_snapshot_at(&b, now, &s);
    ref_tick(&m, now);
    if (m.state == 0) ref_window(&m, now, &calls, &fails);
    int ok = (int)s.state == m.state && lifeline_breaker_deadline(&b) ==
             (m.state == 1 ? m.open_until : m.state == 2 ? m.ho_since + c.half_open_timeout_ms : LIFELINE_NEVER);
    if (m.state == 0) ok = ok && s.calls == calls && s.failures == fails && s.consecutive_failures == m.consec;
    if (!ok) {
      mismatches++;
      fprintf(stderr, "model seed %llu step %d: state %d/%d calls %u/%u fails %u/%u\n",
              (unsigned long long)seed, step, (int)s.state, m.state, s.calls, calls, s.failures, fails);
    }
  }
  CHECK_EQ_INT(0, mismatches);
  lifeline_breaker_snapshot s;
  lifeline_breaker_snapshot_at(&b, now, &s);
  CHECK(s.trips > 10); /* the walk really did exercise the machine */
}

int main(void) {
  test_consecutive_failures();
  test_failure_rate_and_minimum_calls();
  test_window_boundaries();
  test_slow_calls();
  test_half_open_probes();
  test_break_growth_and_reset();
  test_half_open_timeout();
  test_release_frees_a_probe_slot();
  test_mode_names();
  test_jitter();
  test_modes_listener_and_invalid();
  for (uint64_t seed = 1; seed <= 20; seed++) test_model(seed);
  return check_report("test_breaker");
}
