/* The stale threshold (src/manager_fresh.c): set by the app, or learned from the gaps between
 * bytes; never below the floor, never at or past the watchdog; the cap until the rhythm is known. */
#include "check.h"
#include "lifeline/rng.h"
#include "manager_fresh.h"

/* A stream accepted at t0 with a byte every `every` ms, n times; returns the last byte's time. */
static uint64_t rhythm(mgr_fresh *f, uint64_t t0, uint32_t every, int n) {
  mgr_fresh_opened(f, t0);
  uint64_t t = t0;
  for (int i = 0; i < n; i++) mgr_fresh_byte(f, t += every);
  return t;
}

static void test_cap_until_learned(void) {
  mgr_fresh f;
  mgr_fresh_init(&f, 0, 12000); /* the demo's watchdog: the cap is 8 s */
  CHECK_EQ_INT(LIFELINE_NEVER, mgr_fresh_stale_at(&f)); /* no stream */
  CHECK_EQ_INT(8000, mgr_fresh_threshold(&f, 0));
  mgr_fresh_opened(&f, 1000);
  CHECK_EQ_INT(9000, mgr_fresh_stale_at(&f));
  /* Three quick gaps: too few to trust, the cap still rules. */
  uint64_t t = 1000;
  for (int i = 0; i < 3; i++) mgr_fresh_byte(&f, t += 100);
  CHECK_EQ_INT(8000, mgr_fresh_threshold(&f, t));
  CHECK_EQ_INT(t + 8000, mgr_fresh_stale_at(&f));
  /* A fourth gap, but only 400 ms of open time: learned (2 s floor) from t0 + 10 s on. */
  mgr_fresh_byte(&f, t += 100);
  CHECK_EQ_INT(8000, mgr_fresh_threshold(&f, t));
  CHECK_EQ_INT(t + 8000, mgr_fresh_stale_at(&f)); /* the cap comes before 11000 */
  CHECK_EQ_INT(2000, mgr_fresh_threshold(&f, 1000 + MGR_FRESH_LEARN_MS));
  /* A byte at 10.5 s (a 9.1 s gap: 18.2 s, capped): the trusted rhythm is then the cap. */
  mgr_fresh_byte(&f, 10500);
  CHECK_EQ_INT(18500, mgr_fresh_stale_at(&f));
  mgr_fresh_init(&f, 0, 12000);
  t = rhythm(&f, 1000, 500, 4); /* 4 gaps by 3 s: trusted at 11 s, then 2 s of silence */
  mgr_fresh_byte(&f, 9500);    /* a 6.5 s gap (13 s: capped at 8 s) */
  CHECK_EQ_INT(17500, mgr_fresh_stale_at(&f));
}

static void test_learned_is_twice_the_longest_gap(void) {
  mgr_fresh f;
  mgr_fresh_init(&f, 0, 45000); /* cap 30 s */
  uint64_t t = rhythm(&f, 0, 2000, 10); /* events every 2 s for 20 s */
  CHECK_EQ_INT(4000, mgr_fresh_threshold(&f, t));
  CHECK_EQ_INT(t + 4000, mgr_fresh_stale_at(&f));
  /* One heartbeat-long silence of 5 s: the rhythm now allows 10 s. */
  mgr_fresh_byte(&f, t += 5000);
  CHECK_EQ_INT(10000, mgr_fresh_threshold(&f, t));
  /* A minute later the 5 s gap has left the window: back to 4 s. */
  for (int i = 0; i < 40; i++) mgr_fresh_byte(&f, t += 2000);
  CHECK_EQ_INT(4000, mgr_fresh_threshold(&f, t));
  /* Heartbeats only, every 15 s: 30 s, the cap (two thirds of the 45 s watchdog). */
  for (int i = 0; i < 3; i++) mgr_fresh_byte(&f, t += 15000);
  CHECK_EQ_INT(30000, mgr_fresh_threshold(&f, t));
  for (int i = 0; i < 3; i++) mgr_fresh_byte(&f, t += 25000);
  CHECK_EQ_INT(30000, mgr_fresh_threshold(&f, t)); /* never past the cap */
}

static void test_floor_and_explicit(void) {
  mgr_fresh f;
  mgr_fresh_init(&f, 0, 45000);
  uint64_t t = rhythm(&f, 0, 50, 400); /* a busy stream: 20 s of 50 ms gaps */
  CHECK_EQ_INT(MGR_STALE_MIN_MS, mgr_fresh_threshold(&f, t));
  mgr_fresh_init(&f, 1500, 45000); /* the app's value wins, learned or not */
  CHECK_EQ_INT(1500, mgr_fresh_threshold(&f, 0));
  mgr_fresh_opened(&f, 100);
  CHECK_EQ_INT(1600, mgr_fresh_stale_at(&f));
  mgr_fresh_byte(&f, 700);
  CHECK_EQ_INT(2200, mgr_fresh_stale_at(&f));
  /* A tiny watchdog still leaves the floor. */
  mgr_fresh_init(&f, 0, 1000);
  CHECK_EQ_INT(MGR_STALE_MIN_MS, mgr_fresh_threshold(&f, 0));
}

static void test_open_time_adds_up_over_streams(void) {
  mgr_fresh f;
  mgr_fresh_init(&f, 0, 45000);
  rhythm(&f, 0, 1000, 6); /* 6 s open */
  mgr_fresh_closed(&f, 6000);
  CHECK_EQ_INT(LIFELINE_NEVER, mgr_fresh_stale_at(&f));
  CHECK_EQ_INT(30000, mgr_fresh_threshold(&f, 7000)); /* 6 s of 10 s learnt */
  mgr_fresh_opened(&f, 7000); /* the gap across the reconnect is not a sample */
  CHECK_EQ_INT(6, f.gaps);
  CHECK_EQ_INT(11000, mgr_fresh_stale_at(&f)); /* 4 s more open time, then 2 s */
  mgr_fresh_byte(&f, 12000);
  CHECK_EQ_INT(10000, mgr_fresh_threshold(&f, 12000)); /* the 5 s first gap of this stream */
  mgr_fresh_event(&f, 12000);
  CHECK_EQ_INT(12000, f.last_event_at);
}

int main(void) {
  test_cap_until_learned();
  test_learned_is_twice_the_longest_gap();
  test_floor_and_explicit();
  test_open_time_adds_up_over_streams();
  return check_report("manager_fresh");
}
