import { useState } from 'react';
import { useSSEBuffer, parseData } from 'lifeline-sse/react';

const KINDS = [
  ['all', 'All'], ['poll', 'Polls'], ['sentiment', 'Sentiment'], ['intel', 'Opposition'], ['alert', 'Alerts'],
];
const fmtTime = (ts) => (ts ? new Date(ts).toLocaleTimeString('en-GB', { hour12: false }) : '');
const signed = (v, digits = 1) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(digits)}`;

function Item({ event }) {
  const d = parseData(event.data) ?? {};
  switch (event.type) {
    case 'poll':
      return (
        <>
          <span className="tag tag--poll">Poll</span>
          <span className="item__text"><b>{d.candidate}</b> {d.share}% <span className={d.change >= 0 ? 'up' : 'down'}>{signed(d.change)}</span>
            <span className="muted"> · {d.pollster} · n={d.sample}</span></span>
        </>
      );
    case 'sentiment':
      return (
        <>
          <span className="tag tag--sentiment">Sentiment</span>
          <span className="item__text"><b>{d.ward}</b> <span className={d.score >= 0 ? 'up' : 'down'}>{signed(d.score)}</span>
            <span className="muted"> · {d.mentions} mentions · {d.topIssue}</span></span>
        </>
      );
    case 'intel':
      return (
        <>
          <span className="tag tag--intel">Opposition</span>
          <span className="item__text">{d.text}<span className="muted"> · confidence {Math.round((d.confidence ?? 0) * 100)}%</span></span>
        </>
      );
    case 'alert':
      return (
        <>
          <span className={`tag tag--alert tag--${d.severity}`}>{d.severity === 'high' ? 'Alert · high' : 'Alert'}</span>
          <span className="item__text">{d.text}</span>
        </>
      );
    default:
      return (
        <>
          <span className="tag">{event.type}</span>
          <span className="item__text muted">{typeof d === 'string' ? d : JSON.stringify(d)}</span>
        </>
      );
  }
}

function Kpis({ items, total }) {
  let share = null;
  let change = 0;
  let sentiment = 0;
  let nSent = 0;
  let alerts = 0;
  for (const e of items) {
    const d = parseData(e.data) ?? {};
    if (e.type === 'poll' && String(d.candidate).includes('ours')) { share = d.share; change = d.change; }
    if (e.type === 'sentiment') { sentiment += d.score; nSent++; }
    if (e.type === 'alert') alerts++;
  }
  return (
    <dl className="kpis">
      <div><dt>Our share</dt><dd>{share === null ? '—' : `${share}%`} {share !== null ? <small className={change >= 0 ? 'up' : 'down'}>{signed(change)}</small> : null}</dd></div>
      <div><dt>Net sentiment</dt><dd>{nSent ? signed(sentiment / nSent, 2) : '—'}</dd></div>
      <div><dt>Open alerts</dt><dd>{alerts}</dd></div>
      <div><dt>Events received</dt><dd>{total}</dd></div>
    </dl>
  );
}

export function FeedCard() {
  const [kind, setKind] = useState('all');
  // Throttled: a burst of a thousand events re-renders this card at most four times a second.
  const { items, total } = useSSEBuffer('feed', { mode: 'throttle', ms: 250, max: 80 });
  const shown = items.filter((e) => kind === 'all' || e.type === kind).slice(-40).reverse();
  return (
    <section className="card card--feed" aria-labelledby="feed-title">
      <header className="card__head">
        <h2 id="feed-title">Live intelligence feed</h2>
        <div className="tabs" role="group" aria-label="Filter the feed">
          {KINDS.map(([k, label]) => (
            <button key={k} type="button" aria-pressed={kind === k}
              className={`tab ${kind === k ? 'tab--on' : ''}`} onClick={() => setKind(k)}>{label}</button>
          ))}
        </div>
      </header>
      <Kpis items={items} total={total} />
      {shown.length === 0
        ? <p className="empty">Waiting for the first events…</p>
        : (
          <ul className="feed" role="log" aria-label="Feed events" aria-live="polite">
            {shown.map((e) => (
              <li key={e.id ?? `${e.type}-${e.data}`} className={`feed__item feed__item--${e.type}`}>
                <time className="feed__time">{fmtTime((parseData(e.data) ?? {}).ts)}</time>
                <Item event={e} />
                <span className="feed__id" title="Event id (Last-Event-ID resumes from here)">#{e.id}</span>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}
