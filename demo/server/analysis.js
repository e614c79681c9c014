/**
 * Analysis runs: the origin's 6-stage protocol as a timed sequence of events, each run with its
 * own small log so that a client can resume it with Last-Event-ID.
 *
 * Ids: every run gets a block of RUN_ID_BLOCK ids, allocated in increasing order, so ids stay
 * integers, increase within a run and across runs, and an id alone finds its run.
 */
import { EventLog } from './event-log.js';
import { STAGES, analysisSection } from './content.js';
import { prng } from './http-util.js';

export const RUN_ID_BLOCK = 100;

export class AnalysisRuns {
  /** opts: stepMs (pace between stages), maxRuns (runs kept for resumption), onAppend(run). */
  constructor({ stepMs = 600, maxRuns = 32, onAppend = () => {}, seed = 7 } = {}) {
    this.stepMs = stepMs;
    this.maxRuns = maxRuns;
    this.onAppend = onAppend;
    this.runs = new Map(); // runId → run, in creation order
    this.nextBlock = 1;
    this.nextRunId = 1;
    this.rnd = prng(seed);
    this.failNext = []; // [{remaining, atStage, message}]
  }

  /**
   * Starts a run for a ward (stepMs overrides the pace for this run); returns it. The first event
   * (analysis:start) is appended at once.
   */
  start(ward, stepMs = this.stepMs) {
    const run = {
      runId: this.nextRunId++,
      ward,
      firstId: this.nextBlock,
      stepMs,
      log: new EventLog(RUN_ID_BLOCK, this.nextBlock),
      done: false,
      timer: null,
      stage: 0,
      startedAt: Date.now(),
      clients: new Set(),
    };
    this.nextBlock += RUN_ID_BLOCK;
    const fail = this.failNext[0];
    if (fail) {
      run.failAt = fail.atStage;
      run.failMessage = fail.message;
      if (--fail.remaining <= 0) this.failNext.shift();
    }
    run.log.clients = run.clients;
    run.log.done = false;
    this.runs.set(run.runId, run);
    this.evict();
    this.append(run, 'analysis:start', { ts: Date.now(), runId: run.runId, ward, stages: STAGES.length, stageNames: STAGES });
    this.schedule(run);
    return run;
  }

  schedule(run) {
    run.timer = setTimeout(() => this.step(run), run.stepMs);
  }

  step(run) {
    run.timer = null;
    run.stage++;
    const stage = run.stage;
    const ts = Date.now();
    if (stage > STAGES.length) {
      const sections = run.log.items.filter((e) => e.event === 'analysis:section').length;
      this.finish(run, 'analysis:complete', { ts, runId: run.runId, ward: run.ward, sections, durationMs: ts - run.startedAt });
      return;
    }
    this.append(run, 'progress', {
      ts, runId: run.runId, stage, total: STAGES.length, name: STAGES[stage - 1],
      message: `${STAGES[stage - 1]} for ${run.ward}…`, percent: Math.round(((stage - 1) / STAGES.length) * 100),
    });
    // A run failing "at stage k" starts stage k (its progress event) and fails in it: a client
    // shows the stage that failed, not the one before it.
    if (run.failAt && stage >= run.failAt) {
      this.finish(run, 'analysis:error', { ts, runId: run.runId, ward: run.ward, stage, name: STAGES[stage - 1], message: run.failMessage || 'analysis backend failed', retryable: true });
      return;
    }
    const section = analysisSection(stage, run.ward, this.rnd);
    if (section) this.append(run, 'analysis:section', { ts, runId: run.runId, stage, ...section });
    this.schedule(run);
  }

  finish(run, event, data) {
    run.done = true;
    run.log.done = true;
    this.append(run, event, data);
    this.evict();
  }

  append(run, event, data) {
    run.log.append(event, data);
    this.onAppend(run);
  }

  /** The run that issued event id `id`, if it is still kept. */
  findById(id) {
    for (const run of this.runs.values()) {
      if (id >= run.firstId && id < run.firstId + RUN_ID_BLOCK) return run;
    }
    return undefined;
  }

  /** Runs still in progress; the server refuses new runs (503) beyond maxActive. */
  get active() {
    let n = 0;
    for (const run of this.runs.values()) if (!run.done) n++;
    return n;
  }

  // Finished runs beyond maxRuns are forgotten, oldest first; running ones end by themselves.
  evict() {
    for (const [id, run] of this.runs) {
      if (this.runs.size <= this.maxRuns) break;
      if (run.done) this.runs.delete(id);
    }
  }

  /** Makes the next `count` runs fail with analysis:error at `atStage` (1..6). */
  failRuns({ count = 1, atStage = 3, message } = {}) {
    this.failNext.push({ remaining: count, atStage, message });
  }

  clearFaults() { this.failNext = []; }

  close() {
    for (const run of this.runs.values()) clearTimeout(run.timer);
    this.runs.clear();
  }
}
