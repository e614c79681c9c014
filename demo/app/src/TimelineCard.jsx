import { useLayoutEffect, useRef, useState } from 'react';
import { WINDOW_MS, useTimeline } from './timeline.jsx';

const MIN_SPAN_MS = 30_000;

// The feed's states in the band: colour (tone) and the words of the legend.
const TONES = {
  open: 'ok', stale: 'warn', connecting: 'warn', reconnecting: 'warn', offline: 'warn',
  'circuit-open': 'bad', failed: 'bad', closed: 'idle', idle: 'idle',
};
const WORDS = {
  open: 'live', stale: 'no data', connecting: 'connecting', reconnecting: 'reconnecting', offline: 'offline',
  'circuit-open': 'paused', failed: 'failed', closed: 'closed', idle: 'idle',
};
const W = 1000; // SVG user units across the window
const H = 40;

// The axis { now, span }: it spans the time since the page opened (at least 30 s, at most the
// 90 s window), so a fresh page is not 90 % empty. xOf gives a time's percent of the track.
const axisOf = (samples) => {
  const now = samples.length ? samples[samples.length - 1].t : Date.now();
  const first = samples.length ? samples[0].t : now;
  return { now, span: Math.min(WINDOW_MS, Math.max(MIN_SPAN_MS, now - first)) };
};
const xOf = (t, axis) => ((t - (axis.now - axis.span)) / axis.span) * 100;
const clampPct = (v) => Math.min(100, Math.max(0, v));
const clock = (t) => new Date(t).toLocaleTimeString('en-GB', { hour12: false });

/** The feed's status as spans { state, from, to } (percent of the track). */
function spans(segments, axis) {
  const out = [];
  segments.forEach((s, i) => {
    const from = clampPct(xOf(s.t, axis));
    const to = clampPct(i + 1 < segments.length ? xOf(segments[i + 1].t, axis) : 100);
    // The page's first connect is not an outage: grey, and not shaded on the charts.
    const first = i === 0 && s.state === 'connecting';
    if (to > from) out.push({ state: s.state, tone: first ? 'idle' : TONES[s.state] ?? 'idle', from, to, key: s.t });
  });
  return out;
}

/** An area chart of one sample field on the window's time axis; gaps (null) break the line. */
function Area({ samples, field, axis, max, className = '' }) {
  const top = Math.max(max ?? 0, ...samples.map((s) => s[field] ?? 0), 1);
  const pts = samples.filter((s) => s[field] != null).map((s) => [(xOf(s.t, axis) / 100) * W, H - 2 - (s[field] / top) * (H - 6)]);
  if (pts.length < 2) return null;
  const line = pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  const area = `${pts[0][0].toFixed(1)},${H} ${line} ${pts[pts.length - 1][0].toFixed(1)},${H}`;
  return (
    <svg className={`tl__chart ${className}`} viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" aria-hidden="true">
      <polygon className="tl__area" points={area} />
      <polyline className="tl__line" points={line} />
    </svg>
  );
}

const LANES = 3;
const PILL_CHAR_PX = 7.4; // an 11 px bold label's width per character, and its padding
const PILL_PAD_PX = 18;

// Each label takes the first of three lanes where it clears the label before it (widths
// estimated in pixels of the track), so that close markers do not cover each other.
function lanes(markers, axis, trackPx) {
  const ends = Array(LANES).fill(-Infinity); // right edge (px) of the last label in each lane
  return markers.map((m) => {
    const x = xOf(m.t, axis);
    const half = (m.label.length * PILL_CHAR_PX + PILL_PAD_PX) / 2;
    const px = (x / 100) * trackPx;
    let lane = ends.findIndex((end) => end + 4 <= px - half);
    if (lane < 0) lane = ends.indexOf(Math.min(...ends));
    ends[lane] = px + half;
    return { ...m, x, lane };
  }).filter((m) => m.x >= 0 && m.x <= 100);
}

// The faults track's width in pixels (the lanes need it), kept up to date on resize.
function useWidth() {
  const ref = useRef(null);
  const [width, setWidth] = useState(800);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth || 800));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

const avg = (samples, field, n = 3) => {
  const v = samples.slice(-n).map((s) => s[field]).filter((x) => x != null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};
const fmtRate = (v) => (v == null ? '—' : v >= 100 ? Math.round(v).toLocaleString('en-GB') : v.toFixed(1));
const latency = (p50, p95) => (p50 == null ? '—' : `${Math.round(p50)} · ${Math.round(p95 ?? p50)} ms`);

/**
 * Cause and effect on one time axis (the last 90 s): the chaos panel's faults as markers, the
 * feed's status as a band, and below them events per second and AI latency, with every outage
 * shaded across all rows.
 */
export function TimelineCard() {
  const { markers, segments, samples } = useTimeline();
  const axis = axisOf(samples);
  const bands = spans(segments, axis);
  const outages = bands.filter((b) => b.state !== 'open' && b.tone !== 'idle');
  const [faultsRef, trackPx] = useWidth();
  const placed = lanes(markers, axis, trackPx);
  const current = segments.length ? segments[segments.length - 1].state : 'connecting';
  const lastFault = markers.length ? markers[markers.length - 1] : null;
  const shade = outages.map((b) => (
    <span key={b.key} className={`tl__shade tl__shade--${b.tone}`} style={{ left: `${b.from}%`, width: `${b.to - b.from}%` }} />
  ));
  return (
    <section className="card card--timeline" aria-labelledby="timeline-title" aria-describedby="timeline-summary">
      <header className="card__head">
        <h2 id="timeline-title">Timeline <span className="muted">· last {Math.round(axis.span / 1000)} s</span></h2>
        <ul className="tl__legend" aria-label="Legend">
          <li><span className="swatch swatch--ok" /> live</li>
          <li><span className="swatch swatch--warn" /> reconnecting or no data</li>
          <li><span className="swatch swatch--bad" /> failed or paused</li>
          <li><span className="swatch swatch--fault" /> fault injected</li>
        </ul>
      </header>
      <p id="timeline-summary" className="sr-only">
        Feed {WORDS[current] ?? current}.{lastFault ? ` Last fault: ${lastFault.label} at ${clock(lastFault.t)}.` : ' No fault injected yet.'}
      </p>
      <div className="tl" data-testid="timeline">
        <span className="tl__label">Faults</span>
        <div className="tl__track tl__track--faults" ref={faultsRef}>
          {placed.map((m) => (
            <span key={m.id} className={`tl__pill tl__pill--${m.tone} tl__pill--lane${m.lane}`} style={{ left: `${m.x}%` }}
              data-marker={m.label}>{m.label}</span>
          ))}
        </div>

        <span className="tl__label">Feed status <b className={`tl__now tl__now--${TONES[current] ?? 'idle'}`}>{WORDS[current] ?? current}</b></span>
        <div className="tl__track tl__band" data-state={current}>
          {bands.map((b) => (
            <span key={b.key} className={`tl__seg tl__seg--${b.tone}`} data-state={b.state}
              style={{ left: `${b.from}%`, width: `${b.to - b.from}%` }} />
          ))}
        </div>

        <span className="tl__label">Events/s <b className="tl__now" data-testid="rate">{fmtRate(avg(samples, 'rate', 1))}</b></span>
        <div className="tl__track">{shade}<Area samples={samples} field="rate" axis={axis} /></div>

        <span className="tl__label">AI p50 · p95 <b className="tl__now">{latency(avg(samples, 'p50'), avg(samples, 'p95'))}</b></span>
        <div className="tl__track">
          {shade}
          <Area samples={samples} field="p95" axis={axis} className="tl__chart--warn" />
          <Area samples={samples} field="p50" axis={axis} max={Math.max(1, ...samples.map((s) => s.p95 ?? 0))} />
        </div>

        <div className="tl__lines" aria-hidden="true">
          {placed.map((m) => <span key={m.id} className={`tl__mark tl__mark--${m.tone}`} style={{ left: `${m.x}%` }} />)}
        </div>
        <span className="tl__label" aria-hidden="true" />
        <div className="tl__axis" aria-hidden="true">{[3, 2, 1].map((k) => <span key={k}>−{Math.round((axis.span * k) / 3000)} s</span>)}<span>now</span></div>
      </div>
    </section>
  );
}
