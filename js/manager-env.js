/**
 * Swappable environment pieces for the SSE manager (after TanStack's onlineManager and
 * timeoutManager): online/offline and page-resume signals, timers, a clock, storage, and
 * small bounded metric helpers. Tests pass their own objects; nothing global is patched.
 */

/**
 * The browser's signals: `online`/`offline` on window; page resume on `pageshow` (back/forward
 * cache), `resume` (Page Lifecycle, after a freeze) and `visibilitychange` to visible. In Node
 * (no window) it reports online and never fires.
 */
export function browserEnvironment(g = globalThis) {
  return {
    isOnline: () => (g.navigator && typeof g.navigator.onLine === 'boolean' ? g.navigator.onLine : true),
    subscribe({ online, offline, resume }) {
      if (typeof g.addEventListener !== 'function') return () => {};
      const doc = g.document;
      const onVisible = () => {
        if (doc && doc.visibilityState === 'visible') resume();
      };
      g.addEventListener('online', online);
      g.addEventListener('offline', offline);
      g.addEventListener('pageshow', resume);
      doc?.addEventListener?.('resume', resume);
      doc?.addEventListener?.('visibilitychange', onVisible);
      return () => {
        g.removeEventListener('online', online);
        g.removeEventListener('offline', offline);
        g.removeEventListener('pageshow', resume);
        doc?.removeEventListener?.('resume', resume);
        doc?.removeEventListener?.('visibilitychange', onVisible);
      };
    },
  };
}

/** A monotonic clock in epoch milliseconds (performance.now() anchored at timeOrigin). */
export function defaultClock() {
  const p = globalThis.performance;
  if (p && typeof p.now === 'function' && typeof p.timeOrigin === 'number') return () => p.timeOrigin + p.now();
  return () => Date.now();
}

/** sessionStorage when it exists and works, else null. */
export function defaultStorage() {
  try {
    const s = globalThis.sessionStorage;
    if (s) {
      s.getItem('lifeline:probe');
      return s;
    }
  } catch {
    /* blocked by privacy settings */
  }
  return null;
}

/** The last `cap` samples, with percentiles (nearest rank). */
export class Samples {
  constructor(cap = 1024) {
    this.cap = cap;
    this.values = [];
    this.next = 0;
    this.count = 0;
    this.max = 0;
    this.sum = 0;
  }

  add(v) {
    if (this.values.length < this.cap) this.values.push(v);
    else this.values[this.next] = v;
    this.next = (this.next + 1) % this.cap;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  summary() {
    const s = [...this.values].sort((a, b) => a - b);
    const q = (p) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] : null);
    return {
      count: this.count, mean: this.count ? this.sum / this.count : null, max: this.count ? this.max : null,
      p50: q(0.5), p95: q(0.95), p99: q(0.99),
    };
  }
}

/** Events per second over the last `seconds` whole seconds (one counter per second). */
export class Rate {
  constructor(seconds = 10) {
    this.seconds = seconds;
    this.buckets = new Array(seconds).fill(0);
    this.stamps = new Array(seconds).fill(-1);
  }

  add(nowMs, n = 1) {
    const sec = Math.floor(nowMs / 1000);
    const i = sec % this.seconds;
    if (this.stamps[i] !== sec) {
      this.stamps[i] = sec;
      this.buckets[i] = 0;
    }
    this.buckets[i] += n;
  }

  perSecond(nowMs) {
    const sec = Math.floor(nowMs / 1000);
    let total = 0;
    for (let i = 0; i < this.seconds; i++) if (this.stamps[i] > sec - this.seconds) total += this.buckets[i];
    return total / this.seconds;
  }
}
