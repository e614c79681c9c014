/* The stale threshold (src/manager_fresh.c): set by the app, or learned from the gaps between
 * bytes; never below the floor, never at or past the watchdog; the cap until the rhythm is known. */
#include "check.h"
#include "lifeline/manager.h"
#include "lifeline/rng.h"
#include "manager_fresh.h"

/* A stream accepted at t0 with a byte every `every` ms, n times; returns the last byte's time. */
static uint64_t rhythm(mgr_fresh *f, uint64_t t0, uint32_t every, int n) {
  mgr_fresh_opened(f, t0);
  uint64_t t = t0;
  uint64_t out;
  for (int i = 0; i < n; i++) CHECK_EQ_INT(0, mgr_fresh_byte(f, t += every, &out));
  return t;
}

static uint64_t outage_len; /* what the last byte() that ended an outage measured */
static int byte(mgr_fresh *f, uint64_t now) { return mgr_fresh_byte(f, now, &outage_len); }

static void test_cap_until_learned(void) {
  mgr_fresh f;
  mgr_fresh_init(&f, 0, 12000, 2000); /* the demo's watchdog: the cap is 8 s */
  CHECK_EQ_INT(LIFELINE_NEVER, mgr_fresh_stale_at(&f)); /* no stream */
  CHECK_EQ_INT(8000, mgr_fresh_threshold(&f, 0));
  mgr_fresh_opened(&f, 1000);
  CHECK_EQ_INT(9000, mgr_fresh_stale_at(&f));
  /* Three quick gaps: too few to trust, the cap still rules. */
  uint64_t t = 1000;
  for (int i = 0; i < 3; i++) byte(&f, t += 100);
  CHECK_EQ_INT(8000, mgr_fresh_threshold(&f, t));
  CHECK_EQ_INT(t + 8000, mgr_fresh_stale_at(&f));
  /* A fourth gap, but only 400 ms of open time: learned (2 s floor) from t0 + 10 s on. */
  byte(&f, t += 100);
  CHECK_EQ_INT(8000, mgr_fresh_threshold(&f, t));
  CHECK_EQ_INT(t + 8000, mgr_fresh_stale_at(&f)); /* the cap comes before 11000 */
  CHECK_EQ_INT(2000, mgr_fresh_threshold(&f, 1000 + MGR_FRESH_LEARN_MS));
  /* A byte at 10.5 s (a 9.1 s gap: 18.2 s, capped): the trusted rhythm is then the cap. */
  byte(&f, 10500);
  CHECK_EQ_INT(18500, mgr_fresh_stale_at(&f));
  mgr_fresh_init(&f, 0, 12000, 2000);
  t = rhythm(&f, 1000, 500, 4); /* 4 gaps by 3 s: trusted at 11 s, then 2 s of silence */
  byte(&f, 9500);    /* a 6.5 s gap (13 s: capped at 8 s) */
  CHECK_EQ_INT(17500, mgr_fresh_stale_at(&f));
}

static void test_learned_is_twice_the_longest_gap(void) {
  mgr_fresh f;
  mgr_fresh_init(&f, 0, 45000, 2000); /* cap 30 s */
  uint64_t t = rhythm(&f, 0, 2000, 10); /* events every 2 s for 20 s */
  CHECK_EQ_INT(4000, mgr_fresh_threshold(&f, t));
  CHECK_EQ_INT(t + 4000, mgr_fresh_stale_at(&f));
  /* One heartbeat-long silence of 5 s: the rhythm now allows 10 s. */
  byte(&f, t += 5000);
  CHECK_EQ_INT(10000, mgr_fresh_threshold(&f, t));
  /* A minute later the 5 s gap has left the window: back to 4 s. */
  for (int i = 0; i < 40; i++) byte(&f, t += 2000);
  CHECK_EQ_INT(4000, mgr_fresh_threshold(&f, t));
  /* Heartbeats only, every 15 s: 30 s, the cap (two thirds of the 45 s watchdog). */
  for (int i = 0; i < 3; i++) byte(&f, t += 15000);
  CHECK_EQ_INT(30000, mgr_fresh_threshold(&f, t));
  for (int i = 0; i < 3; i++) byte(&f, t += 25000);
  CHECK_EQ_INT(30000, mgr_fresh_threshold(&f, t)); /* never past the cap */
}

static void test_floor_and_explicit(void) {
  mgr_fresh f;
  mgr_fresh_init(&f, 0, 45000, 2000);
  uint64_t t = rhythm(&f, 0, 50, 400); /* a busy stream: 20 s of 50 ms gaps */
  CHECK_EQ_INT(MGR_STALE_MIN_MS, mgr_fresh_threshold(&f, t));
  mgr_fresh_init(&f, 1500, 45000, 2000); /* the app's value wins, learned or not */
  CHECK_EQ_INT(1500, mgr_fresh_threshold(&f, 0));
  mgr_fresh_opened(&f, 100);
  CHECK_EQ_INT(1600, mgr_fresh_stale_at(&f));
  byte(&f, 700);
  CHECK_EQ_INT(2200, mgr_fresh_stale_at(&f));
  /* A tiny watchdog still leaves the floor. */
  mgr_fresh_init(&f, 0, 1000, 2000);
  CHECK_EQ_INT(MGR_STALE_MIN_MS, mgr_fresh_threshold(&f, 0));
}

static void test_open_time_adds_up_over_streams(void) {
  mgr_fresh f;
  mgr_fresh_init(&f, 0, 45000, 2000);
  rhythm(&f, 0, 1000, 6); /* 6 s open */
  mgr_fresh_closed(&f, 6000);
  CHECK_EQ_INT(LIFELINE_NEVER, mgr_fresh_stale_at(&f));
  CHECK_EQ_INT(30000, mgr_fresh_threshold(&f, 7000)); /* 6 s of 10 s learnt */
  mgr_fresh_opened(&f, 7000); /* the gap across the reconnect is not a sample */
  CHECK_EQ_INT(6, f.gaps);
  CHECK_EQ_INT(11000, mgr_fresh_stale_at(&f)); /* 4 s more open time, then 2 s */
  byte(&f, 12000);
  CHECK_EQ_INT(10000, mgr_fresh_threshold(&f, 12000)); /* the 5 s first gap of this stream */
  mgr_fresh_event(&f, 12000);
  CHECK_EQ_INT(12000, f.last_event_at);
}

/* A stall: stale at the threshold (the outage dated from the last byte), alert-worthy grace_ms
 * after that; the byte that ends it measures the whole silence. */
static void test_stall_outage(void) {
  mgr_fresh f;
  mgr_fresh_init(&f, 3000, 12000, 2000);
  mgr_fresh_opened(&f, 1000);
  byte(&f, 1500);
  CHECK_EQ_INT(4500, mgr_fresh_deadline(&f, 1, 1));
  CHECK_EQ_INT(LIFELINE_NEVER, mgr_fresh_deadline(&f, 0, 0)); /* stale detection off */
  CHECK_EQ_INT(0, mgr_fresh_tick(&f, 4499, 1));
  CHECK_EQ_INT(1, mgr_fresh_tick(&f, 4500, 1));
  CHECK(f.stale && !f.alert);
  CHECK_EQ_INT(1500, f.outage_from);
  CHECK_EQ_INT(6500, mgr_fresh_deadline(&f, 1, 1));
  CHECK_EQ_INT(1, mgr_fresh_tick(&f, 6500, 1));
  CHECK(f.stale && f.alert);
  CHECK_EQ_INT(LIFELINE_NEVER, mgr_fresh_deadline(&f, 1, 1));
  CHECK_EQ_INT(0, mgr_fresh_tick(&f, 7000, 1));
  /* The watchdog drops it; the next stream's first byte ends the outage: 1500 -> 14000. */
  mgr_fresh_lost(&f, 13000);
  CHECK(!f.stale && f.alert);
  CHECK_EQ_INT(1500, f.outage_from);
  mgr_fresh_opened(&f, 13900);
  CHECK_EQ_INT(1, byte(&f, 14000));
  CHECK_EQ_INT(12500, outage_len);
  CHECK(!f.stale && !f.alert && f.outage_from == LIFELINE_NEVER);
  /* A silence that ends in the same stream is an outage too. */
  CHECK_EQ_INT(1, mgr_fresh_tick(&f, 17000, 1));
  CHECK_EQ_INT(1, byte(&f, 17500));
  CHECK_EQ_INT(3500, outage_len);
}

/* A blip: lost and back within the grace time is never alert-worthy. */
static void test_blip_and_grace(void) {
  mgr_fresh f;
  mgr_fresh_init(&f, 0, 45000, 2000);
  mgr_fresh_opened(&f, 1000);
  byte(&f, 1200);
  mgr_fresh_lost(&f, 5000); /* a drop noticed at 5 s: the outage began with the last byte */
  CHECK_EQ_INT(1200, f.outage_from);
  CHECK_EQ_INT(7000, mgr_fresh_deadline(&f, 1, 1));
  mgr_fresh_opened(&f, 5300);
  CHECK_EQ_INT(0, mgr_fresh_tick(&f, 5300, 1));
  CHECK_EQ_INT(1, byte(&f, 5310));
  CHECK_EQ_INT(4110, outage_len);
  CHECK(!f.alert && f.alert_at == LIFELINE_NEVER);
  /* A failure with no stream open dates the outage from itself. */
  mgr_fresh_lost(&f, 9000);
  mgr_fresh_lost(&f, 9500);
  CHECK_EQ_INT(5310, f.outage_from); /* the last byte; a running outage keeps its start */
  mgr_fresh_init(&f, 0, 45000, 2000);
  mgr_fresh_lost(&f, 100); /* the first connect fails */
  CHECK_EQ_INT(100, f.outage_from);
  CHECK_EQ_INT(1, mgr_fresh_tick(&f, 2100, 1));
  CHECK(f.alert);
  mgr_fresh_forget_outage(&f); /* the app closed it */
  CHECK(!f.alert && f.outage_from == LIFELINE_NEVER);
}

/* Catch-up: the events of a resumed stream that come back to back; the first pause ends it. */
static void test_catch_up_burst(void) {
  mgr_fresh f;
  mgr_fresh_init(&f, 0, 45000, 2000);
  mgr_fresh_opened(&f, 1000);
  CHECK_EQ_INT(0, mgr_fresh_event(&f, 1010)); /* the first stream is no resume */
  mgr_fresh_lost(&f, 2000);
  mgr_fresh_opened(&f, 3000);
  int n = 0;
  for (uint64_t t = 3100; t <= 3100 + 57 * 5; t += 5) n += mgr_fresh_event(&f, t);
  CHECK_EQ_INT(58, n);
  CHECK_EQ_INT(0, mgr_fresh_event(&f, 5000)); /* a live event after a pause */
  CHECK_EQ_INT(0, mgr_fresh_event(&f, 5001)); /* and never again on this stream */
  mgr_fresh_lost(&f, 6000);
  mgr_fresh_opened(&f, 7000);
  CHECK_EQ_INT(0, mgr_fresh_event(&f, 7000 + LIFELINE_MANAGER_CATCHUP_GAP_MS + 1));
  /* A live rhythm of 150 ms (faster than the old 250 ms gap) is not catch-up after the burst. */
  mgr_fresh_lost(&f, 8000);
  mgr_fresh_opened(&f, 9000);
  CHECK_EQ_INT(1, mgr_fresh_event(&f, 9002));
  CHECK_EQ_INT(1, mgr_fresh_event(&f, 9004));
  CHECK_EQ_INT(0, mgr_fresh_event(&f, 9154));
  CHECK_EQ_INT(0, mgr_fresh_event(&f, 9304));
}

int main(void) {
  test_cap_until_learned();
  test_learned_is_twice_the_longest_gap();
  test_floor_and_explicit();
  test_open_time_adds_up_over_streams();
  test_stall_outage();
  test_blip_and_grace();
  test_catch_up_burst();
  return check_report("manager_fresh");
}
