/* lifeline_storm: the reconnection-storm simulator (see storm_sim.h for the model).
 *
 *   lifeline_storm [--clients N] [--seed S] [--outage refused|503] [--outage-ms MS]
 *                  [--rtt-ms MS] [--horizon-ms MS] [--trigger-at-ms MS] [--run NAME]...
 *                  [--json FILE] [--machine TEXT] [--command TEXT] [--core TEXT]
 *                  [--date TEXT] [--check]
 *
 * Runs, by name: none, full, equal, decorrelated (the backoff's jitter modes, timers only),
 * full+resume, full+online (the shipped default jitter with every client getting the trigger at
 * once, at the return) and full+resume-1s, full+online-1s (the same a second before the
 * return, while the server is coming back). --trigger-at-ms shifts every trigger. Default: all. Prints one line per run; --json writes the document report.js reads.
 *
 * What-if flags change one shipped default, to find which one would meet a goal (never used for
 * the committed results, and written into the JSON when used): --what-if-online-spread-ms MS,
 * --what-if-no-breaker.
 *
 * --check runs the shipped-default runs at the return (full, full+resume, full+online) unless --run
 * names others, runs the first one twice to prove the result is a function of the seed, checks
 * the model's own invariants (check_model), and exits 1 when a run misses the goal (no 100 ms slot after the return above 3% of the clients,
 * every client back within 35 s of the return) or the two runs differ.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storm_json.h"
#include "storm_sim.h"

static const struct {
  const char *name;
  lifeline_jitter jitter;
  storm_trigger trigger;
  int32_t trigger_at_ms; /* added to --trigger-at-ms */
  int checked; /* shipped defaults, trigger at the return: what --check asserts by default */
} RUNS[] = {
    {"none", LIFELINE_JITTER_NONE, TRIGGER_NONE, 0, 0},
    {"full", LIFELINE_JITTER_FULL, TRIGGER_NONE, 0, 1},
    {"equal", LIFELINE_JITTER_EQUAL, TRIGGER_NONE, 0, 0},
    {"decorrelated", LIFELINE_JITTER_DECORRELATED, TRIGGER_NONE, 0, 0},
    {"full+resume", LIFELINE_JITTER_FULL, TRIGGER_RESUME, 0, 1},
    {"full+online", LIFELINE_JITTER_FULL, TRIGGER_ONLINE, 0, 1},
    /* The trigger while the server is still coming back: a second before it returns. */
    {"full+resume-1s", LIFELINE_JITTER_FULL, TRIGGER_RESUME, -1000, 0},
    {"full+online-1s", LIFELINE_JITTER_FULL, TRIGGER_ONLINE, -1000, 0},
};
#define NRUNS (sizeof RUNS / sizeof *RUNS)

/* About 25 KB of core state per client: 100,000 clients stay within a few GB. */
#define MAX_CLIENTS 100000u
#define MAX_MS 3600000u /* outage, horizon, rtt and spread: an hour at most */

typedef struct {
  storm_scenario base;
  int selected[NRUNS], any_selected, check;
  const char *json;
  storm_labels labels;
} options;

static int usage(const char *why) {
  fprintf(stderr, "lifeline_storm: %s\nusage: lifeline_storm [--clients N] [--seed S] "
                  "[--outage refused|503] [--outage-ms MS] [--rtt-ms MS] [--horizon-ms MS] "
                  "[--trigger-at-ms MS] [--run NAME]... [--json FILE] [--machine TEXT] "
                  "[--command TEXT] [--core TEXT] [--date TEXT] [--check] "
                  "[--what-if-online-spread-ms MS] [--what-if-no-breaker]\n"
                  "  --clients 1..%u; durations 0..%u ms\n", why, MAX_CLIENTS, MAX_MS);
  return 2;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out) {
  char *end;
  if (!s || !*s || *s == '-') return -1;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > max) return -1;
  *out = v;
  return 0;
}

static int parse_i32(const char *s, int32_t *out) {
  char *end;
  if (!s || !*s) return -1;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end || v < INT32_MIN || v > INT32_MAX) return -1;
  *out = (int32_t)v;
  return 0;
}

static int select_run(options *o, const char *name) {
  for (size_t i = 0; i < NRUNS; i++) {
    if (name && strcmp(name, RUNS[i].name) == 0) {
      o->selected[i] = 1;
      o->any_selected = 1;
      return 0;
    }
  }
  return -1;
}

/* Numeric options: the flag, its bound, and where the value goes. */
static int parse_number(options *o, const char *flag, const char *v) {
  uint64_t x;
  storm_scenario *s = &o->base;
  if (strcmp(flag, "--trigger-at-ms") == 0) return parse_i32(v, &s->trigger_at_ms);
  if (strcmp(flag, "--seed") == 0) return parse_u64(v, UINT64_MAX, &s->seed);
  if (parse_u64(v, MAX_MS, &x) != 0) return -1;
  if (strcmp(flag, "--clients") == 0 && x >= 1 && x <= MAX_CLIENTS) s->clients = (uint32_t)x;
  else if (strcmp(flag, "--outage-ms") == 0) s->outage_ms = (uint32_t)x;
  else if (strcmp(flag, "--rtt-ms") == 0) s->rtt_ms = (uint32_t)x;
  else if (strcmp(flag, "--horizon-ms") == 0) s->horizon_ms = (uint32_t)x;
  else if (strcmp(flag, "--what-if-online-spread-ms") == 0) s->online_spread_ms = (int64_t)x;
  else return -1;
  return 0;
}

static int parse_args(options *o, int argc, char **argv) {
  memset(o, 0, sizeof *o);
  storm_scenario_default(&o->base);
  o->labels.command = "lifeline_storm";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--check") == 0 || strcmp(a, "--what-if-no-breaker") == 0) {
      if (a[2] == 'c') o->check = 1;
      else o->base.no_breaker = 1;
      continue;
    }
    if (!v) return usage("an option lacks its value");
    i++;
    if (strcmp(a, "--run") == 0) {
      if (select_run(o, v) != 0) return usage("unknown run name");
    } else if (strcmp(a, "--outage") == 0) {
      if (strcmp(v, "refused") == 0) o->base.outage = OUTAGE_REFUSED;
      else if (strcmp(v, "503") == 0) o->base.outage = OUTAGE_503;
      else return usage("--outage takes refused or 503");
    } else if (strcmp(a, "--json") == 0) {
      o->json = v;
    } else if (strcmp(a, "--machine") == 0) {
      o->labels.machine = v;
    } else if (strcmp(a, "--command") == 0) {
      o->labels.command = v;
    } else if (strcmp(a, "--core") == 0) {
      o->labels.core = v;
    } else if (strcmp(a, "--date") == 0) {
      o->labels.date = v;
    } else if (parse_number(o, a, v) != 0) {
      return usage("unknown option or bad number");
    }
  }
  if (o->base.outage_ms < o->base.slot_ms || o->base.outage_ms % o->base.slot_ms)
    return usage("--outage-ms must be a positive multiple of 100");
  for (size_t i = 0; !o->any_selected && i < NRUNS; i++) o->selected[i] = !o->check || RUNS[i].checked;
  return 0;
}

static void print_run(const storm_run_record *r, const storm_goal *g) {
  uint32_t n = r->scenario.clients;
  const storm_result *x = &r->result;
  printf("%-15s max slot after return %6.2f%% at %+7.1f s (from the drop: %6.2f%% at %+6.1f s)  "
         "back %u/%u, p50 %5.1f s p99 %5.1f s max %5.1f s  attempts %" PRIu64 " (%" PRIu64
         " during the outage)  breaker opened for %u  %s\n",
         r->name, 100.0 * x->max_slot_after / n, x->max_slot_after_at_ms / 1000.0,
         100.0 * x->max_slot_all / n, x->max_slot_all_at_ms / 1000.0, x->back, n,
         x->back_p50_ms / 1000.0, x->back_p99_ms / 1000.0, x->back_max_ms / 1000.0,
         x->attempts_outage + x->attempts_after, x->attempts_outage, x->breaker_opened,
         storm_goal_met(g, r) ? "goal met" : "GOAL MISSED");
}

/* What must hold whatever the core does: the server refused every attempt of the outage, every
 * slot is an attempt counted once, and each client back made an attempt after the return. */
static int check_model(const storm_run_record *r) {
  const storm_result *x = &r->result;
  uint64_t sum = 0;
  for (size_t k = 0; k < x->nslots; k++) sum += x->slots[k];
  int ok = x->back_early == 0 && sum == x->attempts_outage + x->attempts_after &&
           x->attempts_after >= x->back;
  if (!ok) fprintf(stderr, "storm: %s breaks the model (back early %u, slots %" PRIu64 ")\n", r->name,
                   x->back_early, sum);
  return ok ? 0 : -1;
}

static int same_result(const storm_result *a, const storm_result *b) {
  return a->nslots == b->nslots && memcmp(a->slots, b->slots, a->nslots * sizeof *a->slots) == 0 &&
         a->back == b->back && a->back_max_ms == b->back_max_ms &&
         a->attempts_after == b->attempts_after && a->breaker_opened == b->breaker_opened;
}

/* The determinism half of --check: the first run again, from scratch. */
static int check_repeatable(const storm_run_record *first) {
  storm_result again;
  if (storm_run(&first->scenario, &again) != 0) return -1;
  int same = same_result(&first->result, &again);
  storm_result_free(&again);
  if (!same) fprintf(stderr, "storm: two runs of %s with one seed differ\n", first->name);
  return same ? 0 : -1;
}

static int write_json(const options *o, const storm_run_record *runs, size_t n, const storm_goal *g) {
  FILE *f = fopen(o->json, "w");
  if (!f) {
    perror(o->json);
    return -1;
  }
  int rc = storm_write_json(f, runs, n, g, &o->labels);
  if (fclose(f) != 0) rc = -1;
  if (rc != 0) fprintf(stderr, "storm: writing %s failed\n", o->json);
  return rc;
}

int main(int argc, char **argv) {
  options o;
  int rc = parse_args(&o, argc, argv);
  if (rc != 0) return rc;
  const storm_goal goal = {3.0, 35000};
  storm_run_record runs[NRUNS];
  size_t n = 0;
  int missed = 0;
  for (size_t i = 0; i < NRUNS; i++) {
    if (!o.selected[i]) continue;
    storm_run_record *r = &runs[n];
    r->name = RUNS[i].name;
    r->scenario = o.base;
    r->scenario.jitter = RUNS[i].jitter;
    r->scenario.trigger = RUNS[i].trigger;
    r->scenario.trigger_at_ms = o.base.trigger_at_ms + RUNS[i].trigger_at_ms;
    if (storm_run(&r->scenario, &r->result) != 0) return 1;
    n++;
    print_run(r, &goal);
    fflush(stdout);
    missed += !storm_goal_met(&goal, r);
    if (o.check && check_model(r) != 0) rc = 1;
  }
  if (o.json && write_json(&o, runs, n, &goal) != 0) rc = 1;
  if (o.check && check_repeatable(&runs[0]) != 0) rc = 1;
  if (o.check && missed) {
    fprintf(stderr, "storm: %d run(s) miss the goal (max slot <= %.0f%%, all back within %.0f s)\n",
            missed, goal.max_slot_pct, goal.all_back_ms / 1000.0);
    rc = 1;
  }
  for (size_t i = 0; i < n; i++) storm_result_free(&runs[i].result);
  return rc;
}
