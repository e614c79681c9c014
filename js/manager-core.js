/**
 * The C manager (src/manager*.c) seen from JS: one Wasm handle, an input buffer for strings and
 * bytes, and the action batch decoded into plain objects at once after every call (user code
 * may call back into the core and start a new batch, and Wasm memory may grow: no view into it
 * is kept). Internal to js/manager.js.
 */
import { getCore, coreError } from './wasm.js';
import { LifelineError } from './errors.js';

export const ACT_OPEN = 1;
export const ACT_CLOSE = 2;
export const ACT_DELIVER = 3;
export const ACT_STATUS = 4;
export const ACT_WAKE_AT = 5;
export const FLAG_AUTH = 1;
export const FLAG_REPLAYED = 2;
export const FEATURE_RECONNECT = 1;
export const FEATURE_BREAKER = 2;
export const FEATURE_WATCHDOG = 4;
export const FEATURE_AUTH_HOOK = 8;
export const JITTER = { none: 0, full: 1, equal: 2, decorrelated: 3 };

const WORDS = 20; // u32 per lifeline_mgr_action
const NEVER_HI = 0xffffffff;
const STAT_FIELDS = ['opens', 'opened', 'events', 'delivered', 'duplicates', 'replayed', 'bytes',
  'reconnects', 'stalls', 'failovers', 'fatal', 'overflows', 'staleInputs'];
const STAT_TAIL = ['connectMsSum', 'connectCount', 'firstEventMsSum', 'firstEventCount',
  'recoveryMsSum', 'recoveryCount', 'recoveryMsMax'];

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const encoder = new TextEncoder();

export class CoreManager {
  constructor({ maxConnections = 0, maxChannels = 0, maxSubscribers = 0, lingerMs = 1000, onlineSpreadMs = 250, seed = 0 }) {
    this.m = getCore();
    this.w = this.m._lifeline_wasm_mgr_new(maxConnections, maxChannels, maxSubscribers, lingerMs, onlineSpreadMs, seed);
    if (!this.w) throw coreError(-2, 'createManager');
    this.states = names(this.m, '_lifeline_wasm_mgr_state_name', 8);
    this.reasons = names(this.m, '_lifeline_wasm_mgr_reason_name', 19);
  }

  free() {
    if (this.w) this.m._lifeline_wasm_mgr_free(this.w);
    this.w = 0;
  }

  /** Copies UTF-8 strings / byte arrays back to back into the input buffer; returns lengths. */
  put(...parts) {
    if (!this.w) throw new LifelineError(-8, 'the manager was destroyed', 'LIFELINE_ERR_STATE');
    const bytes = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : p ?? new Uint8Array(0)));
    const total = bytes.reduce((n, b) => n + b.byteLength, 0);
    const ptr = this.m._lifeline_wasm_mgr_buffer(this.w, total);
    if (!ptr) throw coreError(-2, 'manager input');
    let off = ptr;
    for (const b of bytes) {
      this.m.HEAPU8.set(b, off);
      off += b.byteLength;
    }
    return bytes.map((b) => b.byteLength);
  }

  call(name, ...args) {
    if (!this.w) throw new LifelineError(-8, 'the manager was destroyed', 'LIFELINE_ERR_STATE');
    return this.m[`_lifeline_wasm_mgr_${name}`](this.w, ...args);
  }

  out() {
    return this.m._lifeline_wasm_mgr_out(this.w) >>> 0;
  }

  /** The current batch as plain objects. */
  batch() {
    if (!this.w) return [];
    const m = this.m;
    const hp = m._lifeline_wasm_mgr_batch(this.w) >>> 2;
    const h = m.HEAPU32;
    const recs = h[hp] >>> 2;
    const count = h[hp + 1];
    const arena = h[hp + 2];
    const arenaLen = h[hp + 3];
    const heap = m.HEAPU8;
    const ascii = h[hp + 4] === 1;
    const text = ascii && arenaLen ? decoder.decode(heap.subarray(arena, arena + arenaLen)) : '';
    const str = (off, len) => {
      if (len === 0) return '';
      return ascii ? text.slice(off, off + len) : decoder.decode(heap.subarray(arena + off, arena + off + len));
    };
    const out = new Array(count);
    let lastType = -1;
    let lastData = -1;
    let lastDataLen = -1;
    let lastEvent = null;
    for (let i = 0; i < count; i++) {
      const r = recs + i * WORDS;
      const kind = h[r];
      const a = { kind, conn: h[r + 1] };
      if (kind === ACT_OPEN) {
        a.stream = h[r + 2];
        a.endpoint = h[r + 5];
        a.attempt = h[r + 7];
        a.flags = h[r + 11];
        a.lastEventId = str(h[r + 12], h[r + 13]);
      } else if (kind === ACT_CLOSE) {
        a.stream = h[r + 2];
        a.reason = this.reasons[h[r + 8]];
      } else if (kind === ACT_DELIVER) {
        a.sub = h[r + 3];
        a.channel = h[r + 4];
        a.flags = h[r + 11];
        // Subscribers of one event share its spans: decode once. Every event's type, data and id
        // are put in the arena back to back, so (type offset, data offset, data length) names it.
        if (h[r + 12] !== lastType || h[r + 14] !== lastData || h[r + 15] !== lastDataLen) {
          lastType = h[r + 12];
          lastData = h[r + 14];
          lastDataLen = h[r + 15];
          lastEvent = { type: str(h[r + 12], h[r + 13]), data: str(h[r + 14], h[r + 15]), id: str(h[r + 16], h[r + 17]) };
        }
        a.event = lastEvent;
      } else if (kind === ACT_STATUS) {
        a.state = this.states[h[r + 6]];
        a.attempt = h[r + 7];
        a.reason = this.reasons[h[r + 8]];
        a.delayMs = h[r + 9];
        a.httpStatus = h[r + 10];
      } else if (kind === ACT_WAKE_AT) {
        const hi = h[r + 19];
        a.time = hi === NEVER_HI ? Infinity : hi * 4294967296 + h[r + 18];
      }
      out[i] = a;
    }
    return out;
  }

  /** { state, reason, attempt, httpStatus, endpoint, subscribers, channels, nextAttemptAt, since, lastEventId } */
  info(conn) {
    if (!this.w) return null;
    const p = this.call('info', conn) >>> 2;
    if (!p) return null;
    const h = this.m.HEAPU32;
    const idLen = h[p + 11];
    const ptr = this.m._lifeline_wasm_mgr_buffer(this.w, 0);
    const hi = h[p + 8];
    return {
      state: this.states[h[p]], reason: this.reasons[h[p + 1]], attempt: h[p + 2], httpStatus: h[p + 3],
      endpoint: h[p + 4], subscribers: h[p + 5], channels: h[p + 6],
      nextAttemptAt: hi === NEVER_HI ? Infinity : hi * 4294967296 + h[p + 7],
      since: h[p + 10] * 4294967296 + h[p + 9],
      lastEventId: idLen ? decoder.decode(this.m.HEAPU8.subarray(ptr, ptr + idLen)) : '',
    };
  }

  /** The C metrics registry: parsed JSON (format 0) or Prometheus text (format 1); null if off. */
  metricsText(format, now) {
    const p = this.call('metrics_text', format, now);
    if (!p) return null;
    const text = this.m.UTF8ToString(p);
    return format ? text : JSON.parse(text);
  }

  stats() {
    const p = this.m._lifeline_wasm_mgr_stats(this.w) >>> 2;
    const h = this.m.HEAPU32;
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

function names(m, fn, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(m.UTF8ToString(m[fn](i)));
  return out;
}
