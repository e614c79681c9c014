import { useEffect, useRef, useState } from 'react';
import { useSSE, useSSEMetrics, useSSEStatus, useServiceHealth } from 'lifeline-sse/react';
import { Bars, Sparkline } from './Sparkline.jsx';

const WINDOW = 60; // samples kept per series (one a second)
const push = (arr, v) => [...arr.slice(-(WINDOW - 1)), v];

/** Recovery time of the feed: from leaving 'open' to being 'open' again, per outage. */
function useRecoveries(channel) {
  const status = useSSEStatus(channel);
  const [recoveries, setRecoveries] = useState([]);
  const lostAt = useRef(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (status.state === 'open') {
      if (lostAt.current !== null) {
        const ms = Date.now() - lostAt.current;
        setRecoveries((r) => [...r.slice(-19), ms]);
      }
      lostAt.current = null;
      wasOpen.current = true;
    } else if (wasOpen.current && lostAt.current === null) {
      lostAt.current = Date.now(); // an outage starts when an open stream stops being open
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

// The manager's getMetrics() names (docs/manager.md); null until the manager exists.
const count = (metrics, name) => (typeof metrics?.[name] === 'number' ? metrics[name] : null);

const perSecond = (series) => {
  const recent = series.slice(-5);
  if (!recent.length) return '—';
  const avg = recent.reduce((a, b) => a + b, 0) / recent.length;
  return avg >= 100 ? Math.round(avg).toLocaleString() : avg.toFixed(1);
};
const fmt = (v, unit = '') => (v == null ? '—' : `${Math.round(v).toLocaleString()}${unit}`);

export function MetricsCard() {
  const rate = useRate('feed');
  const { recoveries, down } = useRecoveries('feed');
  const services = useServiceHealth({ refreshMs: 1000 });
  const metrics = useSSEMetrics(1000);
  const [lat, setLat] = useState({ p50: [], p95: [] });
  const latest = useRef(services);
  latest.current = services;

  // One latency sample a second from the router's health (p50 of the fastest, p95 of the slowest).
  useEffect(() => {
    const id = setInterval(() => {
      const live = latest.current.filter((s) => s.state !== 'down' && s.p50Ms != null);
      if (!live.length) return;
      const p50 = Math.min(...live.map((s) => s.p50Ms));
      const p95 = Math.max(...live.map((s) => s.p95Ms ?? s.p50Ms));
      setLat((l) => ({ p50: push(l.p50, p50), p95: push(l.p95, p95) }));
    }, 1000);
    return () => clearInterval(id);
  }, []);

  const last = (a) => (a.length ? a[a.length - 1] : null);
  const own = recoveries.length ? [...recoveries].sort((a, b) => a - b)[Math.floor(recoveries.length / 2)] : null;
  const recoveryP50 = metrics?.recoveryMs?.p50 ?? own; // the manager's own measure when it has one
  const outages = metrics?.recoveryMs?.count || recoveries.length;
  const reconnects = count(metrics, 'reconnects');
  const delivered = count(metrics, 'delivered');
  const duplicates = count(metrics, 'duplicates');
  const replayed = count(metrics, 'replayed');
  const stalls = count(metrics, 'stalls');

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
          <div className="metric__value">
            {down ? <small className="warn">outage in progress… </small> : null}
            {recoveryP50 == null ? (down ? null : <small>no outage yet</small>) : <>{(recoveryP50 / 1000).toFixed(1)}<small> s median · {outages} outage{outages === 1 ? '' : 's'}</small></>}
          </div>
          <Bars values={recoveries} label="Time to recover, per outage" />
        </figure>
        <figure className="metric metric--wide">
          <figcaption>AI latency p50 / p95</figcaption>
          <div className="metric__value">{fmt(last(lat.p50))}<small> / {fmt(last(lat.p95), ' ms')}</small></div>
          <div className="spark-stack">
            <Sparkline values={lat.p95} width={340} className="spark--warn" label="p95 latency of healthy services" />
            <Sparkline values={lat.p50} width={340} label="p50 latency of the fastest service" max={Math.max(...lat.p95, 1)} />
          </div>
        </figure>
        <dl className="metric metric--counters">
          <div><dt>Delivered</dt><dd>{fmt(delivered)}</dd></div>
          <div><dt>Reconnects</dt><dd>{fmt(reconnects)}</dd></div>
          <div><dt>Duplicates</dt><dd>{fmt(duplicates)}</dd></div>
          <div><dt>Replayed</dt><dd>{fmt(replayed)}</dd></div>
          <div><dt>Stalls</dt><dd>{fmt(stalls)}</dd></div>
        </dl>
      </div>
    </section>
  );
}
