import { useEffect, useRef, useState } from 'react';
import { markerText, parseData, useSSE, useSSEFeed, useSSEMetrics } from 'lifeline-sse/react';
import { feedEvents, fmtCount } from './metrics.js';

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

// The campaign figures fold every event as it arrives (not the last rows on screen), so a burst
// of one kind of event cannot wipe the others. Re-rendered at most twice a second.
const SENTIMENT_WINDOW_MS = 60_000;
const ALERT_WINDOW_MS = 5 * 60_000;
const FIGURE_EVENTS = ['poll', 'sentiment', 'alert'];

function useCampaignFigures() {
  const acc = useRef({ share: null, change: 0, sentiments: [], alerts: [] });
  const [figures, setFigures] = useState(null);
  useSSE('feed', (e) => {
    const d = parseData(e.data) ?? {};
    const a = acc.current;
    const now = Date.now();
    if (e.type === 'poll' && String(d.candidate).includes('ours')) { a.share = d.share; a.change = d.change; }
    if (e.type === 'sentiment' && Number.isFinite(d.score)) a.sentiments.push([now, d.score]);
    if (e.type === 'alert') a.alerts.push(now);
  }, { events: FIGURE_EVENTS });
  useEffect(() => {
    const id = setInterval(() => {
      const a = acc.current;
      const now = Date.now();
      while (a.sentiments.length && a.sentiments[0][0] < now - SENTIMENT_WINDOW_MS) a.sentiments.shift();
      while (a.alerts.length && a.alerts[0] < now - ALERT_WINDOW_MS) a.alerts.shift();
      const n = a.sentiments.length;
      const sentiment = n ? a.sentiments.reduce((sum, [, v]) => sum + v, 0) / n : null;
      setFigures((f) => (f && f.share === a.share && f.change === a.change && f.sentiment === sentiment && f.alerts === a.alerts.length
        ? f : { share: a.share, change: a.change, sentiment, alerts: a.alerts.length }));
    }, 500);
    return () => clearInterval(id);
  }, []);
  return figures;
}
function Kpis() {
  const f = useCampaignFigures();
  const metrics = useSSEMetrics(1000);
  const share = f?.share ?? null;
  return (
    <dl className="kpis">
      <div><dt>Our share</dt><dd>{share === null ? '—' : `${share}%`} {share !== null ? <small className={f.change >= 0 ? 'up' : 'down'}>{signed(f.change)}</small> : null}</dd></div>
      <div><dt>Net sentiment <span className="kpis__note">1 min</span></dt><dd>{f?.sentiment == null ? '—' : signed(f.sentiment, 2)}</dd></div>
      <div><dt>Alerts <span className="kpis__note">5 min</span></dt><dd>{f ? f.alerts : '—'}</dd></div>
      <div title="The manager's count of events received on the feed channel">
        <dt>Events received</dt><dd data-metric="events">{fmtCount(feedEvents(metrics))}</dd>
      </div>
    </dl>
  );
}

const FEED_MAX = 60; // entries kept: events, and markers where the stream was interrupted

function Row({ event }) {
  return (
    <>
      <time className="feed__time">{fmtTime((parseData(event.data) ?? {}).ts)}</time>
      <Item event={event} />
      <span className="feed__id" title="Event id (Last-Event-ID resumes from here)">#{event.id}</span>
    </>
  );
}

// "Reconnected after 3.2 s — 14 events caught up": the catch-up burst is folded into the marker
// (open it to see them), so it never pushes the rows shown before out of the list.
function Marker({ entry, kind }) {
  const events = entry.events.filter((e) => kind === 'all' || e.type === kind);
  if (!entry.count) return <li className={`feed__marker feed__marker--${entry.kind}`} data-kind={entry.kind}>{markerText(entry)}</li>;
  return (
    <li className={`feed__marker feed__marker--${entry.kind}`} data-kind={entry.kind} data-count={entry.count}>
      <details>
        <summary>{markerText(entry)}</summary>
        <ul className="feed__caught-up">
          {events.slice().reverse().map((e, i) => <li key={i} className={`feed__item feed__item--${e.type}`}><Row event={e} /></li>)}
        </ul>
      </details>
    </li>
  );
}

// A marker's words once they stop changing for a second (its catch-up count grows as the burst
// arrives): announced once, not at every event.
function useSettled(text, ms = 1000) {
  const [said, setSaid] = useState('');
  useEffect(() => {
    const id = setTimeout(() => setSaid(text), ms);
    return () => clearTimeout(id);
  }, [text, ms]);
  return said;
}

export function FeedCard() {
  const [kind, setKind] = useState('all');
  // Throttled: a burst of a thousand events re-renders this card at most four times a second.
  // Entries have their own keys (event ids can repeat; delivery order never does).
  const { entries } = useSSEFeed('feed', { max: FEED_MAX, ms: 250 });
  const shown = entries.filter((e) => e.kind !== 'event' || kind === 'all' || e.event.type === kind).reverse();
  const marker = shown.find((e) => e.kind !== 'event');
  const said = useSettled(marker ? markerText(marker) : '');
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
      <Kpis />
      <p className="sr-only" aria-live="polite">{said}</p>
      {shown.length === 0
        ? <p className="empty">Waiting for the first events…</p>
        : (
          // Not a live region: a screen reader would read every event of a busy feed. It scrolls,
          // so it takes focus: keyboard users scroll it too.
          <ul className="feed" aria-label="Feed events, newest first" tabIndex={0}>
            {shown.map((e) => (e.kind === 'event'
              ? <li key={e.key} className={`feed__item feed__item--${e.event.type}`}><Row event={e.event} /></li>
              : <Marker key={e.key} entry={e} kind={kind} />))}
          </ul>
        )}
    </section>
  );
}
