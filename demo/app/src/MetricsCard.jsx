import { useSSEMetrics } from 'lifeline-sse/react';
import { COUNTERS, channelMetrics, count, fmtCount, fmtSeconds } from './metrics.js';

/**
 * The feed channel's delivery metrics, each with its definition, read once a second from
 * manager.getMetrics().byChannel.feed. The subscriber count is shown with the deliveries, so they
 * can be checked against the events by eye: each event goes once to every subscriber taking it.
 */
export function MetricsCard() {
  const metrics = useSSEMetrics(1000);
  const feed = channelMetrics(metrics, 'feed');
  const subscribers = count(feed, 'subscribers');
  const outages = count(feed, 'outages');
  const running = count(feed, 'currentOutageMs');
  const recovery = metrics?.recoveryMs ?? null; // the manager's histogram, every channel
  return (
    <section className="card" aria-labelledby="metrics-title">
      <header className="card__head">
        <h2 id="metrics-title">Delivery metrics</h2>
        <span className="muted small">feed channel · <code>getMetrics().byChannel.feed</code></span>
      </header>
      <dl className="counters">
        {COUNTERS.map((c) => (
          <div key={c.key} className="counter">
            <dt>{c.label}</dt>
            <dd data-metric={c.key}>{fmtCount(count(feed, c.key))}</dd>
            <dd className="counter__def">{c.def}{c.key === 'deliveries' && subscribers != null ? ` (${subscribers} subscriber${subscribers === 1 ? '' : 's'} now)` : ''}</dd>
          </div>
        ))}
        <div className="counter">
          <dt>Outage time</dt>
          <dd data-metric="outageMs">{outages ? fmtSeconds(count(feed, 'outageMs')) : '—'}</dd>
          <dd className="counter__def">
            {outages ? `${outages} outage${outages === 1 ? '' : 's'}${running ? ', one running' : ''}; ` : 'no outage yet; '}
            from the last data received to the first data after
          </dd>
        </div>
        <div className="counter">
          <dt>Recovery time</dt>
          <dd data-metric="recoveryMs">{recovery?.count ? fmtSeconds(recovery.p50) : '—'}</dd>
          <dd className="counter__def">
            {recovery?.count ? `median of ${recovery.count}, longest ${fmtSeconds(recovery.max)}` : 'none yet'}; per outage, every channel
          </dd>
        </div>
      </dl>
    </section>
  );
}
