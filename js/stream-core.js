/**
 * One attempt of a streamed AI call as the C core runs it (include/lifeline/router_stream.h,
 * through src/platform/wasm_stream.c): a struct in the router module's memory that this object
 * owns (freed by free()). JS tells it what happened (headers, each chunk's kind, close, abort)
 * and when; it says the outcome and when to wake it. No view into Wasm memory is kept.
 * Internal to js/router-stream.js.
 */
import { getRouterCore } from './wasm.js';
import { errorNamed } from './core-tables.js';

// lifeline_stream_outcome
export const PENDING = 0;
export const COMPLETE = 1;
export const FAILOVER = 2;
export const BROKEN = 3;
export const REFUSED = 4;
// lifeline_stream_why (the ones JS branches on)
export const WHY_STATUS = 2;
export const WHY_FILTERED = 8;
export const WHY_ABORTED = 9;
/** The C names of each why, for errors and results. */
export const WHY_NAMES = Object.freeze(['none', 'network', 'status', 'first-token', 'idle', 'cut', 'malformed',
  'in-band-error', 'content-filter', 'aborted', 'end']);
// lifeline_chunk_kind
export const CHUNK = Object.freeze({ keepalive: 0, content: 1, end: 2, malformed: 3, error: 4, filtered: 5 });
// lifeline_after_commit and lifeline_stream_next
export const AFTER_COMMIT = Object.freeze({ fail: 0, restart: 1, continue: 2 });
export const NEXT_FAIL = 0;
export const NEXT_RESUME = 1;
export const NEXT_RESTART = 2;
export const NEXT_CONTINUE = 3;

/** The default first-token deadline (ms) for a service whose measured p95 is p95Ms (null: none). */
export function defaultTtft(p95Ms) {
  return getRouterCore('router.stream')._lifeline_wasm_stream_default_ttft(p95Ms == null || p95Ms < 0 ? -1 : Math.round(p95Ms));
}

/** The after-commit decision (lifeline_stream_after_commit): one of NEXT_*. */
export function afterCommit(policy, resumable, haveEventId, fallback) {
  return getRouterCore('router.stream')._lifeline_wasm_stream_after_commit(policy, resumable ? 1 : 0, haveEventId ? 1 : 0, fallback ? 1 : 0);
}

export class CoreAttempt {
  #m = getRouterCore('router.stream');
  #p;

  /** Starts at now (ms) with the first-token deadline ttftMs and the stall limit idleMs (0 = none). */
  constructor(ttftMs, idleMs, now) {
    const m = this.#m;
    this.#p = m._malloc(m._lifeline_wasm_stream_size());
    if (!this.#p) throw errorNamed('LIFELINE_ERR_NO_MEMORY', 'router.stream');
    m._lifeline_wasm_stream_start(this.#p, ttftMs >>> 0, idleMs >>> 0, now);
  }

  /** The struct's address, for CoreRouter.streamRecord. */
  get ptr() { return this.#p; }

  headers(status, retryAfterMs, now) { return this.#m._lifeline_wasm_stream_headers(this.#p, status, retryAfterMs >>> 0, now); }
  chunk(kind, now) { return this.#m._lifeline_wasm_stream_chunk(this.#p, kind, now); }
  closed(network, now) { return this.#m._lifeline_wasm_stream_closed(this.#p, network ? 1 : 0, now); }
  abort(now) { this.#m._lifeline_wasm_stream_abort(this.#p, now); }
  tick(now) { return this.#m._lifeline_wasm_stream_tick(this.#p, now); }
  /** When to tick (ms), or -1 for never. */
  deadline() { return this.#m._lifeline_wasm_stream_deadline(this.#p); }

  /** { state, outcome, why (name), status, retryAfterMs, chunks, blames }. */
  info() {
    const m = this.#m;
    const o = m._lifeline_wasm_stream_info(this.#p) >> 2;
    const [state, outcome, why, status, retryAfterMs, chunks, blames] = m.HEAP32.subarray(o, o + 7);
    return { state, outcome, why: WHY_NAMES[why] ?? 'unknown', whyCode: why, status, retryAfterMs, chunks, blames: blames !== 0 };
  }

  /** The C core's words for why the attempt ended ("no first token in time", ...). */
  whyText() {
    const m = this.#m;
    return m.UTF8ToString(m._lifeline_wasm_stream_why_name(this.info().whyCode));
  }

  free() {
    if (this.#p) this.#m._free(this.#p);
    this.#p = 0;
  }
}
