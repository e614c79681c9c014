/**
 * The library's delivery metrics as the demo shows them: manager.getMetrics() names, each with
 * the one definition the library documents (docs/manager.md, "Metrics"). The demo counts nothing
 * of its own: every figure here is read from the manager.
 */

/** The counters shown, in order: the metric's name, its label and its definition. */
export const COUNTERS = [
  { key: 'events', label: 'Events received', def: 'once per event that arrives, per channel' },
  { key: 'delivered', label: 'Deliveries', def: 'once per event per subscriber' },
  { key: 'replayed', label: 'Replayed', def: 'events a subscriber got from the replay buffer' },
  { key: 'duplicates', label: 'Duplicates dropped', def: 'events seen again after a resume, not delivered twice' },
  { key: 'reconnects', label: 'Reconnects', def: 'connections opened again after a drop' },
  { key: 'stalls', label: 'Stalls', def: 'streams closed by the heartbeat watchdog' },
];

/** A channel's own figures when the manager reports them per channel, else the manager's totals. */
export function channelMetrics(metrics, channel) {
  const own = metrics?.channels?.[channel];
  return own && typeof own === 'object' ? { figures: own, perChannel: true } : { figures: metrics ?? null, perChannel: false };
}

/** A number from the metrics, or null when the manager does not report it (yet). */
export function count(figures, key) {
  const v = figures?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The feed's events-received counter (per channel when the manager has it). */
export function feedEvents(metrics) {
  return count(channelMetrics(metrics, 'feed').figures, 'events');
}

export const fmtCount = (v) => (v == null ? '—' : Math.round(v).toLocaleString('en-GB'));
export const fmtSeconds = (ms) => (ms == null ? '—' : `${(ms / 1000).toFixed(1)} s`);
