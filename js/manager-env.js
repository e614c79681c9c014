/**
 * Swappable environment pieces for the SSE manager (after TanStack's onlineManager and
 * timeoutManager): online/offline and page-resume signals, a clock and storage. Tests pass
 * their own objects; nothing global is patched.
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
