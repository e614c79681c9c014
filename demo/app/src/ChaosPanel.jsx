import { useEffect, useState } from 'react';
import { useTimeline } from './timeline.jsx';

// Every fault of the reference server (docs/servers.md). `drop: true` also cuts the open streams:
// these faults act on the next connects, and an open stream would not see them until it dropped.
// `mark` is the label on the timeline.
const SSE_FAULTS = [
  { id: 'drop', label: 'Drop streams', mark: 'drop', hint: 'cut every open stream', body: {} },
  { id: 'stall', label: 'Stall 15 s', mark: 'stall', hint: 'no bytes at all', body: { ms: 15000 } },
  { id: 'restart', label: 'Restart server', mark: 'restart', hint: 'down 3 s, log kept', body: { downMs: 3000 } },
  { id: '500', label: '500 × 3', mark: '500', hint: 'next 3 connects', body: { count: 3 }, drop: true },
  { id: '503', label: '503 × 2', mark: '503', hint: 'with Retry-After: 3', body: { count: 2, retryAfter: 3 }, drop: true },
  { id: '204', label: '204 (stop)', mark: '204', hint: '“do not reconnect”', body: { count: 1 }, drop: true },
  { id: '401', label: '401', mark: '401', hint: 'not signed in', body: { count: 1 }, drop: true },
  { id: '404', label: '404', mark: '404', hint: 'stream not found', body: { count: 1 }, drop: true },
  { id: 'html', label: 'HTML page', mark: 'html', hint: 'a login page instead', body: { count: 1 }, drop: true },
  { id: 'truncate', label: 'Truncated event', mark: 'truncate', hint: 'half an event, then close', body: { count: 1 } },
  { id: 'drip', label: 'Drip 8 s', mark: 'drip', hint: 'a byte every 20 ms', body: { ms: 8000, byteMs: 20 } },
  { id: 'close-after-event', label: 'Close after each event', mark: 'close/event', hint: 'every stream, for 10 s', body: { ms: 10000, publish: true }, drop: true },
  { id: 'burst', label: 'Burst 1000 events', mark: 'burst', hint: 'renders stay throttled', burst: 1000 },
  { id: 'analysis-error', label: 'Fail next analysis', mark: 'fail analysis', hint: 'fails in stage 3 of 6', body: { count: 1, atStage: 3 } },
];
const AI_MODES = [
  { mode: 'refuse', label: 'Kill', mark: 'killed' },
  { mode: 'hang', label: 'Hang', mark: 'hangs' },
  { mode: 'slow', label: 'Slow', mark: 'slow', body: { latencyMs: 2500 } },
  { mode: 'fail', label: '500s', mark: '500s', body: { status: 500 } },
  { mode: 'normal', label: 'Restore', mark: 'restored' },
];

async function post(url, body, method = 'POST') {
  const r = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const text = await r.text();
  if (!r.ok) throw new Error(`HTTP ${r.status} ${text.slice(0, 80)}`);
  return text ? JSON.parse(text) : {};
}

const clock = () => new Date().toLocaleTimeString('en-GB', { hour12: false });

/** The chaos panel: a side panel on wide screens, a drawer on narrow ones (`open`, `onClose`). */
export function ChaosPanel({ config, open = false, onClose }) {
  const { mark } = useTimeline();
  const [log, setLog] = useState([]);
  const [active, setActive] = useState([]);
  const [modes, setModes] = useState({});
  const note = (text, bad = false) => setLog((l) => [{ t: clock(), text, bad, k: Math.random() }, ...l].slice(0, 6));

  useEffect(() => {
    let stop = false;
    const poll = async () => {
      try {
        const s = await fetch(config.status + '?connects=0').then((r) => r.json());
        if (!stop) setActive(s.faultsActive ?? []);
      } catch { /* the server may be restarting */ }
      try {
        const a = await fetch(`${config.sse}/__ai/status`).then((r) => r.json());
        const m = {};
        for (const [name, st] of Object.entries(a.services ?? a)) if (st && typeof st === 'object') m[name] = st.mode?.mode ?? st.mode;
        if (!stop) setModes(m);
      } catch { /* ignore */ }
    };
    poll();
    const id = setInterval(poll, 1500);
    return () => { stop = true; clearInterval(id); };
  }, [config]);

  const fault = async (f) => {
    mark(f.mark ?? f.label);
    try {
      if (f.burst) {
        // In batches of 250: the server caps a request body at 64 KB.
        let published = 0;
        for (let start = 0; start < f.burst; start += 250) {
          const events = Array.from({ length: Math.min(250, f.burst - start) }, (_, j) => ({
            event: 'sentiment',
            data: { ts: Date.now(), ward: 'Canal Quarter', score: Math.round(Math.sin((start + j) / 40) * 100) / 100, mentions: 1 + ((start + j) % 97), topIssue: 'burst test' },
          }));
          const out = await post(config.publish, { events });
          published += out.events?.length ?? 0;
        }
        note(`${f.label}: ${published} published`);
        return;
      }
      await post(`${config.faults}${encodeURIComponent(f.id)}`, f.body);
      if (f.drop) await post(`${config.faults}drop`, {});
      note(`${f.label}: injected`);
    } catch (err) { note(`${f.label}: ${err.message}`, true); }
  };
  const clearAll = async () => {
    mark('cleared', 'ok');
    try { await post(`${config.faults}all`, null, 'DELETE'); note('All stream faults cleared'); } catch (err) { note(err.message, true); }
  };
  const aiMode = async (name, m) => {
    mark(`${name} ${m.mark}`, m.mode === 'normal' ? 'ok' : 'ai');
    try {
      await post(`${config.sse}/__ai/${name}/mode`, { mode: m.mode, ...m.body });
      note(`${name}: ${m.label.toLowerCase()}`);
    } catch (err) { note(`${name}: ${err.message}`, true); }
  };

  return (
    <aside id="chaos-panel" className={`card chaos ${open ? 'chaos--open' : ''}`} aria-labelledby="chaos-title">
      <header className="card__head">
        <h2 id="chaos-title">Chaos panel</h2>
        <div className="btn-row">
          <button type="button" className="btn btn--ghost" onClick={clearAll}>Clear faults</button>
          {onClose ? <button type="button" className="btn btn--ghost chaos__close" onClick={onClose} aria-label="Close the chaos panel">Close</button> : null}
        </div>
      </header>
      <p className="muted small chaos__lede">Each button breaks something on purpose; its marker lands on the timeline.</p>
      <h3 className="subhead">Stream faults <span className="muted">· reference SSE server</span></h3>
      <div className="chaos-grid">
        {SSE_FAULTS.map((f) => (
          <button key={f.id} type="button" className="btn btn--chaos" data-fault={f.id} onClick={() => fault(f)}>
            <span>{f.label}</span><small>{f.hint}</small>
          </button>
        ))}
      </div>
      <div className="chips" aria-live="polite" aria-label="Active stream faults">
        {active.length ? active.map((a, i) => (
          <span key={i} className="chip">{a.name}{a.remaining != null ? ` ×${a.remaining}` : ''}{a.remainingMs != null ? ` ${Math.ceil(a.remainingMs / 1000)} s` : ''}</span>
        )) : <span className="muted small">No stream faults active.</span>}
      </div>
      <h3 className="subhead">AI services <span className="muted">· mock gemini, perplexity, llama</span></h3>
      <ul className="ai-list">
        {Object.keys(config.ai ?? {}).map((name) => (
          <li key={name} className="ai-row">
            <span className="ai-row__name">{name} <span className={`mode mode--${modes[name] ?? 'normal'}`}>{modes[name] ?? '…'}</span></span>
            <span className="ai-row__buttons">
              {AI_MODES.map((m) => (
                <button key={m.mode} type="button" className={`btn btn--small ${m.mode === 'normal' ? 'btn--ok' : ''}`}
                  aria-label={`${m.label} ${name}`} onClick={() => aiMode(name, m)}>{m.label}</button>
              ))}
            </span>
          </li>
        ))}
      </ul>
      <h3 className="subhead">What you did</h3>
      <ol className="chaos-log" aria-label="Chaos actions">
        {log.length ? log.map((l) => <li key={l.k} className={l.bad ? 'bad' : ''}><time>{l.t}</time> {l.text}</li>)
          : <li className="muted">Nothing yet.</li>}
      </ol>
    </aside>
  );
}
