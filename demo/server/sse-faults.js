/**
 * Fault state of the reference SSE server. Every fault is bounded in time (`ms`, at most
 * MAX_FAULT_MS) or in count (`count`, at most MAX_FAULT_COUNT), and can be cleared at once.
 * `target` ('all' | 'feed' | 'analysis', default 'all') limits a fault to one kind of stream.
 */
import { clampNum } from './http-util.js';

export const MAX_FAULT_MS = 10 * 60 * 1000;
export const MAX_FAULT_COUNT = 10000;
export const MAX_QUEUED_ANSWERS = 100;
export const STATUS_FAULTS = { 500: 500, 503: 503, 204: 204, 401: 401, 404: 404, html: 200 };
export const FAULT_NAMES = [
  'drop', 'stall', 'status', '500', '503', '204', '401', '404', 'html', 'truncate', 'drip',
  'close-after-event', 'restart', 'analysis-error', 'clear', 'notice', 'id-only', 'retry', 'overlap',
];
export const MAX_OVERLAP_EVENTS = 100;

const ms = (o, def) => clampNum(o.ms, def, 1, MAX_FAULT_MS);
const count = (o, def = 1) => Math.round(clampNum(o.count, def, 1, MAX_FAULT_COUNT));
const target = (o) => (['feed', 'analysis'].includes(o.target) ? o.target : 'all');

export class FaultState {
  /** hooks: { onStallEnd(), onDripEnd() } called by timers when a timed fault ends. */
  constructor(hooks) {
    this.hooks = hooks;
    this.stall = null; // {until, headers, target, timer}
    this.answers = []; // [{kind, status, remaining | until, retryAfter, target}]
    this.truncate = null; // {remaining, target}
    this.drip = null; // {until, byteMs, target, timer}
    this.closeAfter = null; // {remaining|until, publish, target, timer}
    this.overlap = null; // {remaining, events}
  }

  static matches(f, kind) { return !!f && (f.target === 'all' || f.target === kind); }

  setStall(o = {}) {
    this.clearStall(false);
    const d = ms(o, 10000);
    this.stall = { until: Date.now() + d, headers: !!o.headers, target: target(o) };
    this.stall.timer = setTimeout(() => this.clearStall(true), d);
    return { ms: d, headers: this.stall.headers, target: this.stall.target };
  }

  clearStall(notify = true) {
    if (!this.stall) return;
    clearTimeout(this.stall.timer);
    this.stall = null;
    if (notify) this.hooks.onStallEnd();
  }

  /**
   * kind: 500 | 503 | 204 | 401 | 404 | 'html'. Answers the next `count` connects (default 1), or
   * with `ms` every connect during that window: a server that fails for a while, however often
   * its clients come. Counted answers wait for the client; a window ends on the clock.
   */
  addAnswer(kind, o = {}) {
    const a = {
      kind: String(kind),
      status: STATUS_FAULTS[kind],
      retryAfter: Math.round(clampNum(o.retryAfter, 2, 0, 3600)),
      target: target(o),
    };
    if (o.ms !== undefined) a.until = Date.now() + ms(o, 1000);
    else a.remaining = count(o);
    this.dropExpiredAnswers();
    if (this.answers.length >= MAX_QUEUED_ANSWERS) throw Object.assign(new Error(`at most ${MAX_QUEUED_ANSWERS} queued status faults`), { status: 429 });
    this.answers.push(a);
    return { kind: a.kind, count: a.remaining, ms: a.until === undefined ? undefined : a.until - Date.now(), retryAfter: a.kind === '503' ? a.retryAfter : undefined, target: a.target };
  }

  dropExpiredAnswers() {
    const now = Date.now();
    this.answers = this.answers.filter((a) => a.until === undefined || a.until > now);
  }

  /** Consumes one answer for a stream of `kind` (a window's is not used up), or returns null. */
  takeAnswer(kind) {
    this.dropExpiredAnswers();
    const i = this.answers.findIndex((a) => FaultState.matches(a, kind));
    if (i < 0) return null;
    const a = this.answers[i];
    if (a.remaining !== undefined && --a.remaining <= 0) this.answers.splice(i, 1);
    return a;
  }

  setTruncate(o = {}) {
    this.truncate = { remaining: count(o), target: target(o) };
    return { count: this.truncate.remaining, target: this.truncate.target };
  }

  takeTruncate(kind) {
    if (!FaultState.matches(this.truncate, kind)) return false;
    if (--this.truncate.remaining <= 0) this.truncate = null;
    return true;
  }

  setDrip(o = {}) {
    this.clearDrip(false);
    const d = ms(o, 5000);
    this.drip = { until: Date.now() + d, byteMs: clampNum(o.byteMs, 5, 1, 1000), target: target(o) };
    this.drip.timer = setTimeout(() => this.clearDrip(true), d);
    return { ms: d, byteMs: this.drip.byteMs, target: this.drip.target };
  }

  clearDrip(notify = true) {
    if (!this.drip) return;
    clearTimeout(this.drip.timer);
    this.drip = null;
    if (notify) this.hooks.onDripEnd();
  }

  /** Either {count} connections or every connection during {ms}; default count 1. */
  setCloseAfter(o = {}) {
    this.clearCloseAfter();
    const c = { publish: !!o.publish, target: target(o) };
    if (o.ms !== undefined) {
      const d = ms(o, 5000);
      c.until = Date.now() + d;
      c.timer = setTimeout(() => this.clearCloseAfter(), d);
    } else {
      c.remaining = count(o);
    }
    this.closeAfter = c;
    return { count: c.remaining, ms: c.until ? c.until - Date.now() : undefined, publish: c.publish, target: c.target };
  }

  clearCloseAfter() {
    if (this.closeAfter) clearTimeout(this.closeAfter.timer);
    this.closeAfter = null;
  }

  /** For a new connection: returns {publish} when it must be closed after one event, else null. */
  takeCloseAfter(kind) {
    const c = this.closeAfter;
    if (!FaultState.matches(c, kind)) return null;
    if (c.remaining !== undefined && --c.remaining <= 0) this.clearCloseAfter();
    return { publish: c.publish };
  }

  /**
   * The next `count` resumes re-send `events` events before their Last-Event-ID, as a server whose
   * persisted position lags the one it acknowledged would.
   */
  setOverlap(o = {}) {
    this.overlap = { remaining: count(o), events: Math.round(clampNum(o.events, 3, 1, MAX_OVERLAP_EVENTS)) };
    return { count: this.overlap.remaining, events: this.overlap.events };
  }

  /** For a resume: how many events before its Last-Event-ID to re-send (0: none). */
  takeOverlap() {
    const o = this.overlap;
    if (!o) return 0;
    if (--o.remaining <= 0) this.overlap = null;
    return o.events;
  }

  /** Clears one fault by name, or all when name is undefined or 'all'. */
  clear(name) {
    const all = !name || name === 'all';
    if (all || name === 'stall') this.clearStall(true);
    if (all || name === 'drip') this.clearDrip(true);
    if (all || name === 'truncate') this.truncate = null;
    if (all || name === 'close-after-event') this.clearCloseAfter();
    if (all || name === 'overlap') this.overlap = null;
    if (all || name === 'status') this.answers = [];
    else if (STATUS_FAULTS[name] !== undefined) this.answers = this.answers.filter((a) => a.kind !== name);
  }

  /** A JSON description of the active faults. */
  describe() {
    const now = Date.now();
    const out = [];
    this.dropExpiredAnswers();
    if (this.stall) out.push({ name: 'stall', remainingMs: this.stall.until - now, headers: this.stall.headers, target: this.stall.target });
    for (const a of this.answers) out.push({ name: a.kind, remaining: a.remaining, remainingMs: a.until === undefined ? undefined : a.until - now, retryAfter: a.kind === '503' ? a.retryAfter : undefined, target: a.target });
    if (this.truncate) out.push({ name: 'truncate', remaining: this.truncate.remaining, target: this.truncate.target });
    if (this.drip) out.push({ name: 'drip', remainingMs: this.drip.until - now, byteMs: this.drip.byteMs, target: this.drip.target });
    const c = this.closeAfter;
    if (c) out.push({ name: 'close-after-event', remaining: c.remaining, remainingMs: c.until ? c.until - now : undefined, publish: c.publish, target: c.target });
    if (this.overlap) out.push({ name: 'overlap', remaining: this.overlap.remaining, events: this.overlap.events, target: 'feed' });
    return out;
  }
}
