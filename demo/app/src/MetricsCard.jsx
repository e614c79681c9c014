import { useEffect, useRef, useState } from 'react';
import { useSSE, useSSEMetrics, useSSEStatus, useServiceHealth } from 'lifeline/react';
import { Bars, Sparkline } from './Sparkline.jsx';

const WINDOW = 60; // samples kept per series (one a second)
const push = (arr, v) => [...arr.slice(-(WINDOW - 1)), v];

/** Recovery time of the feed: from leaving 'open' to being 'open' again, per outage. */
function useRecoveries(channel) {
  const status = useSSEStatus(channel);
  const [recoveries, setRecoveries] = useState([]);
  const lostAt = useRef(null);
  useEffect(() => {
    if (status.state === 'open') {
      if (lostAt.current !== null) {
        const ms = Date.now() - lostAt.current;
        lostAt.current = null;
        setRecoveries((r) => [...r.slice(-19), ms]);
      }
    } else if (status.state !== 'connecting' && lostAt.current === null) {
      lostAt.current = Date.now();
    }
  }, [status]);
  return { recoveries, down: lostAt.current !== null };
}

/** Events per second on a channel, sampled once a second (the handler only bumps a counter). */
function useRate(channel) {
  const count = useRef(0);
  const [series, setSeries] = useState([]);
  useSSE(channel, () => { count.current++; });
  useEffect(() => {
    const id = setInterval(() => {
      const n = count.current; // read now: the updater below runs later
      count.current = 0;
      setSeries((s) => push(s, n));
    }, 1000);
    return () => clearInterval(id);
  }, []);
  return series;
}

function pick(metrics, names) {
  for (const n of names) {
    const v = n.split('.').reduce((o, k) => (o == null ? undefined : o[k]), metrics);
    if (typeof v === 'number') return v;
  }
  return null;
}

const perSecond = (series) => {
  const recent = series.slice(-5);
  if (!recent.length) return '—';
  const avg = recent.reduce((a, b) => a + b, 0) / recent.length;
  return avg >= 100 ? Math.round(avg).toLocaleString() : avg.toFixed(1);
};
const fmt = (v, unit = '') => (v == null ? '—' : `${Math.round(v).toLocaleString()}${unit}`);

export function MetricsCard() {
  const rate = useRate('feed');
  const { recoveries } = useRecoveries('feed');
  const services = useServiceHealth({ refreshMs: 1000 });
  const metrics = useSSEMetrics(1000);
  const [lat, setLat] = useState({ p50: [], p95: [] });

  useEffect(() => {
    const healthy = services.filter((s) => s.state !== 'down' && s.p50Ms != null);
    if (!healthy.length) return;
    const p50 = Math.min(...healthy.map((s) => s.p50Ms));
    const p95 = Math.max(...healthy.map((s) => s.p95Ms ?? s.p50Ms));
    setLat((l) => ({ p50: push(l.p50, p50), p95: push(l.p95, p95) }));
  }, [services]);

  const last = (a) => (a.length ? a[a.length - 1] : null);
  const recoveryP50 = recoveries.length ? [...recoveries].sort((a, b) => a - b)[Math.floor(recoveries.length / 2)] : null;
  const reconnects = pick(metrics ?? {}, ['reconnects', 'reconnectsTotal', 'counters.reconnects', 'connections.reconnects']);
  const delivered = pick(metrics ?? {}, ['eventsDelivered', 'delivered', 'counters.eventsDelivered', 'events.delivered']);
  const duplicates = pick(metrics ?? {}, ['duplicatesDropped', 'duplicates', 'counters.duplicates', 'events.duplicates']);

  return (
    <section className="card" aria-labelledby="metrics-title">
      <header className="card__head"><h2 id="metrics-title">Live metrics</h2></header>
      <div className="metrics">
        <figure className="metric">
          <figcaption>Events per second</figcaption>
          <div className="metric__value">{perSecond(rate)}<small>/s · 5 s average</small></div>
          <Sparkline values={rate} label="Feed events per second, last minute" />
        </figure>
        <figure className="metric">
          <figcaption>Recovery time</figcaption>
          <div className="metric__value">{recoveryP50 == null ? '—' : (recoveryP50 / 1000).toFixed(1)}<small> s median · {recoveries.length} outage{recoveries.length === 1 ? '' : 's'}</small></div>
          <Bars values={recoveries} label="Time to recover, per outage" />
        </figure>
        <figure className="metric">
          <figcaption>AI latency p50 / p95</figcaption>
          <div className="metric__value">{fmt(last(lat.p50))}<small> / {fmt(last(lat.p95), ' ms')}</small></div>
          <div className="spark-stack">
            <Sparkline values={lat.p95} className="spark--warn" label="p95 latency of healthy services" />
            <Sparkline values={lat.p50} label="p50 latency of the fastest service" max={Math.max(...lat.p95, 1)} />
          </div>
        </figure>
        <dl className="metric metric--counters">
          <div><dt>Delivered</dt><dd>{fmt(delivered)}</dd></div>
          <div><dt>Reconnects</dt><dd>{fmt(reconnects)}</dd></div>
          <div><dt>Duplicates dropped</dt><dd>{fmt(duplicates)}</dd></div>
        </dl>
      </div>
    </section>
  );
}
