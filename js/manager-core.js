/**
 * The C manager (src/manager*.c) seen from JS: one Wasm handle, an input buffer for strings and
 * bytes, and the action batch after every call: its texts decoded at once, its action words read
 * in place until user code calls back into the core (which starts a new batch in the same memory:
 * the unread words are copied out first). Internal to js/manager.js.
 */
import { getCore } from './wasm.js';
import { coreTables, errorNamed, lifelineError } from './core-tables.js';
import { decodeRegion, decodeSpan, regionSpan } from './text.js';

export const ACT_OPEN = 1;
export const ACT_CLOSE = 2;
export const ACT_DELIVER = 3;
export const ACT_STATUS = 4;
export const ACT_WAKE_AT = 5;
export const FLAG_AUTH = 1;
export const FLAG_REPLAYED = 2;
export const FLAG_RESET = 4; // STATUS: the stream sent a `reset` (span 0: its data)
export const FLAG_STALE = 8; // STATUS: open but silent past the stale threshold
export const FLAG_ALERT = 16; // STATUS: an outage past the grace time, or failed
export const FLAG_CATCHUP = 32; // DELIVER: part of a resumed stream's first burst
export const FEATURE_RECONNECT = 1;
export const FEATURE_BREAKER = 2;
export const FEATURE_WATCHDOG = 4;
export const FEATURE_AUTH_HOOK = 8;
export const FEATURE_STRICT_STATUS = 16; // off by default, as in the core (include/lifeline/manager.h)
export const FEATURE_NO_DEDUP = 32;

export const WORDS = 20; // u32 per lifeline_manager_action
const NEVER_HI = 0xffffffff;
const STAT_FIELDS = ['opens', 'opened', 'events', 'delivered', 'duplicates', 'replayed', 'bytes',
  'reconnects', 'stalls', 'failovers', 'fatal', 'overflows', 'staleInputs'];
const STAT_TAIL = ['connectMsSum', 'connectCount', 'firstEventMsSum', 'firstEventCount',
  'recoveryMsSum', 'recoveryCount', 'recoveryMsMax', 'resets', 'drains', 'caughtUp'];

const encoder = /* @__PURE__ */ new TextEncoder();

const defaultsOf = /* @__PURE__ */ new WeakMap(); // core module -> its manager defaults

/** The core's defaults: { heartbeatTimeoutMs, connectTimeoutMs, plainRetryMs, lingerMs, onlineSpreadMs }. */
export function managerDefaults(m = getCore()) {
  let d = defaultsOf.get(m);
  if (!d) {
    const p = m._lifeline_wasm_mgr_defaults() >>> 2;
    const [heartbeatTimeoutMs, connectTimeoutMs, plainRetryMs, lingerMs, onlineSpreadMs] = m.HEAPU32.subarray(p, p + 5);
    defaultsOf.set(m, (d = Object.freeze({ heartbeatTimeoutMs, connectTimeoutMs, plainRetryMs, lingerMs, onlineSpreadMs })));
  }
  return d;
}

export class CoreManager {
  #m;
  #w;
  // The newest batch while its action words are still read in place from Wasm memory: the next
  // call into the core may overwrite them, so #enter() copies them out first (copy on re-entry:
  // a batch whose callbacks do not call back costs no copy and no garbage).
  #view = null;
  /** The core's state and reason names, by value. */
  states;
  reasons;

  constructor({ maxConnections = 0, maxChannels = 0, maxSubscribers = 0, lingerMs, onlineSpreadMs, seed = 0 }) {
    this.#m = getCore();
    const d = managerDefaults(this.#m);
    this.#w = this.#m._lifeline_wasm_mgr_new(maxConnections, maxChannels, maxSubscribers, lingerMs ?? d.lingerMs,
      onlineSpreadMs ?? d.onlineSpreadMs, seed);
    if (!this.#w) throw errorNamed('LIFELINE_ERR_NO_MEMORY', 'createManager');
    const t = coreTables(this.#m);
    this.states = t.mgrState;
    this.reasons = t.mgrReason;
  }

  #enter() {
    const v = this.#view;
    if (!v) return;
    this.#view = null;
    // An action's words are all read before its handler runs: once pos reached count, none is read again.
    if (v.pos >= v.count) return;
    v.words = this.#m.HEAPU32.slice(v.base, v.base + v.count * WORDS);
    v.base = 0;
  }

  /** The words of batch `b`: its own copy, or Wasm memory (the view is re-read: memory may grow). */
  words(b) {
    return b.words ?? this.#m.HEAPU32;
  }

  free() {
    this.#enter();
    if (this.#w) this.#m._lifeline_wasm_mgr_free(this.#w);
    this.#w = 0;
  }

  /** Copies UTF-8 strings / byte arrays back to back into the input buffer; returns lengths. */
  put(...parts) {
    if (!this.#w) throw destroyed();
    this.#enter();
    const bytes = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : p ?? new Uint8Array(0)));
    const total = bytes.reduce((n, b) => n + b.byteLength, 0);
    const ptr = this.#m._lifeline_wasm_mgr_buffer(this.#w, total);
    if (!ptr) throw errorNamed('LIFELINE_ERR_NO_MEMORY', 'manager input');
    let off = ptr;
    for (const b of bytes) {
      this.#m.HEAPU8.set(b, off);
      off += b.byteLength;
    }
    return bytes.map((b) => b.byteLength);
  }

  call(name, ...args) {
    if (!this.#w) throw destroyed();
    this.#enter();
    return this.#m[`_lifeline_wasm_mgr_${name}`](this.#w, ...args);
  }

  out() {
    this.#enter();
    return this.#m._lifeline_wasm_mgr_out(this.#w) >>> 0;
  }

  /**
   * The current batch: { words, base, count, texts, pos }. Its action i is words(b)[base + i *
   * WORDS ...] (in Wasm memory until the next call into the core copies it out: words and base
   * change then); texts has per action the decoded event {type, data, id} for DELIVER, shared by
   * the event's subscribers, the Last-Event-ID for OPEN, the reset's data for a STATUS with
   * FLAG_RESET, all decoded here; pos is the next action to run. Null once freed.
   */
  batch() {
    if (!this.#w) return null;
    this.#enter();
    const m = this.#m;
    const hp = m._lifeline_wasm_mgr_batch(this.#w) >>> 2;
    const h = m.HEAPU32;
    const recs = h[hp] >>> 2;
    const count = h[hp + 1];
    const arena = h[hp + 2];
    const arenaLen = h[hp + 3];
    const heap = m.HEAPU8;
    const ascii = h[hp + 4] === 1;
    const text = decodeRegion(heap, arena, arenaLen, ascii);
    const str = (off, len) => regionSpan(text, heap, arena, off, len);
    const texts = new Array(count);
    let lastType = -1;
    let lastData = -1;
    let lastDataLen = -1;
    let lastEvent = null;
    for (let i = 0, r = recs; i < count; i++, r += WORDS) {
      const kind = h[r];
      if (kind === ACT_DELIVER) {
        // Subscribers of one event share its spans: decode once. Every event's type, data and id
        // are put in the arena back to back, so (type offset, data offset, data length) names it.
        if (h[r + 12] !== lastType || h[r + 14] !== lastData || h[r + 15] !== lastDataLen) {
          lastType = h[r + 12];
          lastData = h[r + 14];
          lastDataLen = h[r + 15];
          lastEvent = { type: str(h[r + 12], h[r + 13]), data: str(h[r + 14], h[r + 15]), id: str(h[r + 16], h[r + 17]) };
        }
        texts[i] = lastEvent;
      } else if (kind === ACT_OPEN || (kind === ACT_STATUS && h[r + 11] & FLAG_RESET)) {
        texts[i] = str(h[r + 12], h[r + 13]);
      }
    }
    const b = { words: null, base: recs, count, texts, pos: 0 };
    this.#view = count ? b : null;
    return b;
  }

  /** { state, reason, attempt, httpStatus, endpoint, subscribers, channels, nextAttemptAt, since, lastEventId } */
  info(conn) {
    if (!this.#w) return null;
    const p = this.call('info', conn) >>> 2;
    if (!p) return null;
    const h = this.#m.HEAPU32;
    const idLen = h[p + 11];
    const ptr = this.#m._lifeline_wasm_mgr_buffer(this.#w, 0);
    const hi = h[p + 8];
    return {
      state: this.states[h[p]], reason: this.reasons[h[p + 1]], attempt: h[p + 2], httpStatus: h[p + 3],
      endpoint: h[p + 4], subscribers: h[p + 5], channels: h[p + 6],
      nextAttemptAt: hi === NEVER_HI ? Infinity : hi * 4294967296 + h[p + 7],
      since: h[p + 10] * 4294967296 + h[p + 9],
      lastEventId: decodeSpan(this.#m.HEAPU8, ptr, idLen),
    };
  }

  /**
   * A connection's freshness and counters: { lastByteAt, lastEventAt, outageSince (core time, null
   * for none), staleAfterMs, stale, alert, events, duplicates, reconnects, outages, outageMs,
   * caughtUp, lastCaughtUp }, or null.
   */
  fresh(conn) {
    if (!this.#w) return null;
    const p = this.call('fresh', conn) >>> 3;
    if (!p) return null;
    const v = this.#m.HEAPF64.subarray(p, p + 13);
    const t = (x) => (x < 0 ? null : x);
    return {
      lastByteAt: t(v[0]), lastEventAt: t(v[1]), outageSince: t(v[2]), staleAfterMs: v[3], stale: v[4] === 1, alert: v[5] === 1,
      events: v[6], duplicates: v[7], reconnects: v[8], outages: v[9], outageMs: v[10], caughtUp: v[11], lastCaughtUp: v[12],
    };
  }

  /** A channel's counters: { conn, subscribers, events, delivered, replayed, duplicates, caughtUp }, or null. */
  channelInfo(channel) {
    if (!this.#w) return null;
    const p = this.call('channel_info', channel) >>> 3;
    if (!p) return null;
    const [conn, subscribers, events, delivered, replayed, duplicates, caughtUp] = this.#m.HEAPF64.subarray(p, p + 7);
    return { conn, subscribers, events, delivered, replayed, duplicates, caughtUp };
  }

  /**
   * A metric of the C registry as numbers (lifeline_wasm_mgr_metric): a histogram's
   * [count, mean, min, max, p50, p90, p95, p99], a counter's [value, rate1m]; null if off or absent.
   */
  metric(name, now) {
    const [n] = this.put(name);
    const p = this.call('metric', n, now) >>> 3;
    return p ? [...this.#m.HEAPF64.subarray(p, p + 8)] : null;
  }

  /** The C metrics registry in Prometheus text format; null if off. */
  prometheus(now) {
    const p = this.call('prometheus', now);
    return p ? this.#m.UTF8ToString(p) : null;
  }

  stats() {
    this.#enter();
    const p = this.#m._lifeline_wasm_mgr_stats(this.#w) >>> 2;
    const h = this.#m.HEAPU32;
    const u64 = (i) => h[p + 2 * i + 1] * 4294967296 + h[p + 2 * i];
    const s = {};
    let i = 0;
    for (const f of STAT_FIELDS) s[f] = u64(i++);
    s.errors = {};
    for (const r of this.reasons) s.errors[r] = u64(i++);
    for (const f of STAT_TAIL) s[f] = u64(i++);
    return s;
  }
}

/** The error for any use of a destroyed manager. */
export function destroyed() {
  return lifelineError('LIFELINE_ERR_STATE', 'the manager was destroyed');
}
