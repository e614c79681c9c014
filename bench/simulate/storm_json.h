/* Writes the storm runs as JSON (bench/results/storm.json; read by bench/simulate/report.js). */
#ifndef STORM_JSON_H
#define STORM_JSON_H

#include <stdio.h>

#include "storm_sim.h"

typedef struct {
  const char *name; /* "full", "full+resume", ... */
  storm_scenario scenario;
  storm_result result;
} storm_run_record;

typedef struct {
  double max_slot_pct; /* the goal: no slot after the return holds more than this % of clients */
  uint64_t all_back_ms; /* ... and every client is back within this many ms of the return */
} storm_goal;

/* 1 when the run meets the goal. */
int storm_goal_met(const storm_goal *g, const storm_run_record *run);

/* Free text the document carries about where it came from (any may be NULL). */
typedef struct {
  const char *command; /* what made it, e.g. "npm run simulate" */
  const char *machine; /* e.g. "Linux x86_64, <cpu>, 2 cores" */
  const char *core;    /* the core's commit, e.g. "c88b693" */
  const char *date;    /* when it ran, e.g. "2026-12-02T03:30:00Z" */
} storm_labels;

/* The whole document: where it came from, the setup (shared by every run), the shipped
 * defaults the core reports, the goal, and one object per run with its slots. 0, or -1 on a
 * write error. */
int storm_write_json(FILE *f, const storm_run_record *runs, size_t n, const storm_goal *g,
                     const storm_labels *labels);

#endif
