import { useSSEMetrics } from 'lifeline-sse/react';
import { COUNTERS, channelMetrics, count, fmtCount, fmtSeconds } from './metrics.js';

/**
 * The manager's delivery metrics, each with its definition, read once a second from
 * manager.getMetrics(). Subscribers are counted too, so "Deliveries" can be checked against
 * "Events received" by eye: each event goes once to every subscriber of its channel.
 */
export function MetricsCard() {
  const metrics = useSSEMetrics(1000);
  const { figures, perChannel } = channelMetrics(metrics, 'feed');
  const recovery = figures?.recoveryMs ?? metrics?.recoveryMs ?? null;
  const subscribers = count(metrics, 'subscribers');
  return (
    <section className="card" aria-labelledby="metrics-title">
      <header className="card__head">
        <h2 id="metrics-title">Delivery metrics</h2>
        <span className="muted small">{perChannel ? 'feed channel' : 'all channels'} · from <code>manager.getMetrics()</code></span>
      </header>
      <dl className="counters">
        {COUNTERS.map((c) => (
          <div key={c.key} className="counter">
            <dt>{c.label}</dt>
            <dd data-metric={c.key}>{fmtCount(count(figures, c.key))}</dd>
            <dd className="counter__def">{c.def}{c.key === 'delivered' && subscribers != null ? ` (${subscribers} subscriber${subscribers === 1 ? '' : 's'} now)` : ''}</dd>
          </div>
        ))}
        <div className="counter">
          <dt>Recovery time</dt>
          <dd data-metric="recoveryMs">{recovery?.count ? fmtSeconds(recovery.p50) : '—'}</dd>
          <dd className="counter__def">
            {recovery?.count ? `median of ${recovery.count} outage${recovery.count === 1 ? '' : 's'}, longest ${fmtSeconds(recovery.max)}; ` : 'no outage yet; '}
            from the drop to the first event after it
          </dd>
        </div>
      </dl>
    </section>
  );
}
