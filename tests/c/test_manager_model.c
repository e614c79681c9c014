/* The manager against the delivery model (manager_model.h): seeded fault schedules run through
 * the native core with a fake clock and a simulated host and server; after every call each
 * subscriber must have been handed exactly what the model says (0 differences).
 *   LIFELINE_MODEL_SEEDS=n   property seeds (default 3000)
 *   LIFELINE_MODEL_SEED=s    one seed, with its schedule and trace
 *   LIFELINE_MODEL_TRACE=1   print every host/manager exchange as it happens */
#include "manager_model_run.h"

/* A property run: several URLs (fetch or EventSource), channels that move, subscribers that
 * come and go, and a fault every 0.1-1.5 s. */
static void sched_property(sim *s, uint64_t dur) {
  int first = (int)mm_below(&s->r, 3) + 2;
  for (int i = 0; i < first; i++)
    sched_add(s, mm_below(&s->r, 300), A_SUB, (int)mm_below(&s->r, 4), (uint8_t)(i % MM_CHANNELS),
              mm_below(&s->r, 5) << 8);
  for (uint64_t t = 200 + mm_below(&s->r, 800); t < dur; t += 100 + mm_below(&s->r, 1400))
    sched_fault(s, t, 0, 0);
  sched_sort(s);
}

/* The faults are over: the network is up and the server behaves from now on. */
static void sim_quiet(sim *s) {
  s->quiet_from = s->now;
  s->next = s->nsched;
  for (int u = 0; u < s->nurls; u++) {
    host *h = &s->h[u];
    h->arm_status = h->arm_hang = h->arm_reset = 0;
    h->arm_overlap = 0;
    h->drip_end = 0;
  }
  if (!s->online) {
    act on = {s->now, A_ONLINE, 0, 0, 0, 0};
    apply(s, &on);
  }
}

static void sim_close_all(sim *s) {
  if (s->md->failed) return;
  lifeline_manager_close_all(s->m, s->now);
  after(s, "close all");
  for (int k = 0; k < MM_SUBS; k++) s->md->sub[k].live = 0;
}

/* ---- the property ---- */

static int done_quiet(sim *s) {
  for (int u = 0; u < s->nurls; u++) {
    int live = 0;
    for (int k = 0; k < MM_SUBS; k++) live |= s->md->sub[k].live && s->md->ch[s->md->sub[k].ch].url == u;
    if (live && !mm_caught_up(s->md, u, s->quiet_from)) return 0;
  }
  return 1;
}

static int property_seed(uint64_t seed, const char *argv0, int verbose, uint64_t *stats) {
  sim *s = sim_new(seed, 0);
  uint64_t dur = 6000 + mm_below(&s->r, 14000);
  sched_property(s, dur);
  if (verbose) sched_print(s, stdout);
  sim_run(s, dur, NULL);
  sim_quiet(s);
  if (!s->md->failed) sim_run(s, s->now + 300000, done_quiet);
  if (!s->md->failed && !done_quiet(s))
    mm_fail(s->md, "not caught up 300 s after the last fault (backlog of the faults never delivered)");
  sim_close_all(s);
  int failed = s->md->failed != 0;
  if (failed) sim_report_failure(s, argv0);
  else if (verbose) trace_print(s, stdout);
  stats[0] += s->md->delivered;
  stats[1] += s->nsched;
  sim_free(s);
  return failed;
}

int main(int argc, char **argv) {
  (void)argc;
  const char *one = getenv("LIFELINE_MODEL_SEED"), *many = getenv("LIFELINE_MODEL_SEEDS");
  uint64_t stats[2] = {0, 0};
  if (one) {
    int failed = property_seed(strtoull(one, NULL, 10), argv[0], 1, stats);
    CHECK(!failed);
    return check_report("manager_model (one seed)");
  }
  uint64_t n = many ? strtoull(many, NULL, 10) : 3000, failures = 0, seed;
  for (seed = 1; seed <= n; seed++)
    if (property_seed(seed, argv[0], 0, stats) && ++failures >= 3) break;
  CHECK_EQ_INT(0, failures);
  printf("{\"model_seeds\":%llu,\"model_failures\":%llu,\"delivered\":%llu,\"scheduled_actions\":%llu}\n",
         (unsigned long long)(seed > n ? n : seed), (unsigned long long)failures,
         (unsigned long long)stats[0], (unsigned long long)stats[1]);
  return check_report("manager_model");
}
