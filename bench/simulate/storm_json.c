#include "storm_json.h"

#include <inttypes.h>

#include "lifeline/manager.h"

static const char *jitter_name(lifeline_jitter j) {
  static const char *const names[] = {"none", "full", "equal", "decorrelated"};
  return (unsigned)j < 4 ? names[j] : "?";
}

static double pct(uint32_t count, uint32_t clients) { return 100.0 * count / clients; }

int storm_goal_met(const storm_goal *g, const storm_run_record *run) {
  const storm_result *r = &run->result;
  uint32_t n = run->scenario.clients;
  return pct(r->max_slot_after, n) <= g->max_slot_pct && r->back == n &&
         r->back_max_ms <= g->all_back_ms;
}

/* A JSON string with the few escapes free text (a machine description) can need. */
static void put_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
    else if ((unsigned char)*s < 0x20) fprintf(f, "\\u%04x", (unsigned char)*s);
    else fputc(*s, f);
  }
  fputc('"', f);
}

static void put_defaults(FILE *f) {
  lifeline_manager_config mc;
  lifeline_manager_conn_config cc;
  lifeline_manager_config_default(&mc);
  lifeline_manager_conn_config_default(&cc);
  const lifeline_backoff_config *b = &cc.backoff;
  const lifeline_breaker_config *k = &cc.breaker;
  fprintf(f, "  \"defaults\": {\n");
  fprintf(f, "    \"backoff\": {\"initial_ms\": %u, \"max_ms\": %u, \"multiplier\": %g, \"jitter\": \"%s\", "
             "\"healthy_after_ms\": %u, \"adaptive\": %d},\n",
          b->initial_ms, b->max_ms, b->multiplier, jitter_name(b->jitter), b->healthy_after_ms, b->adaptive);
  fprintf(f, "    \"breaker\": {\"consecutive_failures\": %u, \"open_ms\": %u, \"max_open_ms\": %u, "
             "\"open_jitter\": %g, \"half_open_probes\": %u, \"half_open_successes\": %u, "
             "\"half_open_timeout_ms\": %u, \"features_breaker\": %d},\n",
          k->consecutive_failures, k->open_ms, k->max_open_ms, k->open_jitter, k->half_open_probes,
          k->half_open_successes, k->half_open_timeout_ms, (cc.features & LIFELINE_MANAGER_BREAKER) != 0);
  fprintf(f, "    \"online_spread_ms\": %u, \"heartbeat_timeout_ms\": %u, \"connect_timeout_ms\": %u\n  },\n",
          mc.online_spread_ms, cc.heartbeat_timeout_ms, cc.connect_timeout_ms);
}

/* Slots up to the last non-empty one, so that a run's array ends where its attempts end. */
static void put_slots(FILE *f, const storm_result *r) {
  size_t end = r->nslots;
  while (end > r->return_slot + 1 && r->slots[end - 1] == 0) end--;
  fprintf(f, "      \"slots\": [");
  for (size_t k = 0; k < end; k++) fprintf(f, "%s%u", k ? "," : "", r->slots[k]);
  fprintf(f, "]\n");
}

static void put_run(FILE *f, const storm_run_record *run, const storm_goal *g, int last) {
  const storm_scenario *s = &run->scenario;
  const storm_result *r = &run->result;
  fprintf(f, "    {\n      \"name\": ");
  put_string(f, run->name);
  fprintf(f, ", \"jitter\": \"%s\", \"trigger\": \"%s\", \"trigger_at_ms\": %" PRId32 ",\n",
          jitter_name(s->jitter), storm_trigger_name(s->trigger), s->trigger_at_ms);
  fprintf(f, "      \"max_slot_after\": %u, \"max_slot_after_pct\": %.3f, \"max_slot_after_at_ms\": %" PRId64 ",\n",
          r->max_slot_after, pct(r->max_slot_after, s->clients), r->max_slot_after_at_ms);
  fprintf(f, "      \"max_slot_all\": %u, \"max_slot_all_pct\": %.3f, \"max_slot_all_at_ms\": %" PRId64 ",\n",
          r->max_slot_all, pct(r->max_slot_all, s->clients), r->max_slot_all_at_ms);
  fprintf(f, "      \"back\": %u, \"back_p50_ms\": %" PRIu64 ", \"back_p99_ms\": %" PRIu64
             ", \"back_max_ms\": %" PRIu64 ",\n",
          r->back, r->back_p50_ms, r->back_p99_ms, r->back_max_ms);
  fprintf(f, "      \"attempts_outage\": %" PRIu64 ", \"attempts_after\": %" PRIu64
             ", \"attempts_total\": %" PRIu64 ", \"max_client_attempts\": %u, \"breaker_opened\": %u,\n",
          r->attempts_outage, r->attempts_after, r->attempts_outage + r->attempts_after,
          r->max_client_attempts, r->breaker_opened);
  fprintf(f, "      \"back_by_probe\": %u, \"back_max_probe_ms\": %" PRIu64
             ", \"back_max_backoff_ms\": %" PRIu64 ",\n",
          r->back_by_probe, r->back_max_probe_ms, r->back_max_backoff_ms);
  fprintf(f, "      \"goal_met\": %s,\n", storm_goal_met(g, run) ? "true" : "false");
  put_slots(f, r);
  fprintf(f, "    }%s\n", last ? "" : ",");
}

int storm_write_json(FILE *f, const storm_run_record *runs, size_t n, const storm_goal *g,
                     const storm_labels *labels) {
  const storm_scenario *s = &runs[0].scenario;
  fprintf(f, "{\n  \"bench\": \"storm\",\n  \"command\": ");
  put_string(f, labels->command);
  fprintf(f, ",\n  \"date\": ");
  put_string(f, labels->date);
  fprintf(f, ",\n  \"machine\": ");
  put_string(f, labels->machine);
  fprintf(f, ",\n  \"core\": ");
  put_string(f, labels->core);
  fprintf(f, ",\n  \"clients\": %u, \"seed\": %" PRIu64 ", \"outage\": \"%s\", \"outage_ms\": %u,\n",
          s->clients, s->seed, storm_outage_name(s->outage), s->outage_ms);
  fprintf(f, "  \"rtt_ms\": %u, \"slot_ms\": %u, \"horizon_ms\": %u,\n", s->rtt_ms, s->slot_ms, s->horizon_ms);
  fprintf(f, "  \"slots_start_ms\": %" PRId64 ",\n", -(int64_t)s->outage_ms);
  fprintf(f, "  \"what_if\": {\"online_spread_ms\": %" PRId64 ", \"no_breaker\": %s},\n",
          s->online_spread_ms, s->no_breaker ? "true" : "false");
  fprintf(f, "  \"goal\": {\"max_slot_pct\": %g, \"all_back_ms\": %" PRIu64 "},\n", g->max_slot_pct, g->all_back_ms);
  put_defaults(f);
  fprintf(f, "  \"runs\": [\n");
  for (size_t i = 0; i < n; i++) put_run(f, &runs[i], g, i + 1 == n);
  fprintf(f, "  ]\n}\n");
  return ferror(f) ? -1 : 0;
}
