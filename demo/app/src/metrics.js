/**
 * The library's delivery metrics as the demo shows them: manager.getMetrics().byChannel[name],
 * each figure with the one definition the library documents (docs/manager.md, "Metrics"). The
 * demo counts nothing of its own: every figure here is read from the manager.
 */

/** The per-channel figures shown, in order: the metric's name, its label and its definition. */
export const COUNTERS = [
  { key: 'eventsReceived', label: 'Events received', def: 'from the stream, once each however many subscribers take them' },
  { key: 'deliveries', label: 'Deliveries', def: 'handed to subscribers: one per subscriber and event' },
  { key: 'caughtUp', label: 'Caught up', def: 'received in a resumed stream’s catch-up of what was missed' },
  { key: 'replayed', label: 'Replayed', def: 'deliveries from the replay buffer to a late subscriber' },
  { key: 'duplicatesDropped', label: 'Duplicates dropped', def: 'received again after a resume; not delivered twice' },
  { key: 'reconnects', label: 'Reconnects', def: 'reconnection attempts' },
];

/** The figures of `channel` (byChannel), or null before the manager reports them. */
export function channelMetrics(metrics, channel) {
  const own = metrics?.byChannel?.[channel];
  return own && typeof own === 'object' ? own : null;
}

/** A number from the metrics, or null when the manager does not report it. */
export function count(figures, key) {
  const v = figures?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The feed's events-received counter. */
export function feedEvents(metrics) {
  return count(channelMetrics(metrics, 'feed'), 'eventsReceived');
}

export const fmtCount = (v) => (v == null ? '—' : Math.round(v).toLocaleString('en-GB'));
export const fmtSeconds = (ms) => (ms == null ? '—' : `${(ms / 1000).toFixed(1)} s`);
