import { useEffect, useState } from 'react';

// Every fault of the reference server (docs/servers.md). `drop: true` also cuts the open streams
// so that an answer queued for the next connect is seen at once.
const SSE_FAULTS = [
  { id: 'drop', label: 'Drop streams', hint: 'cut every open connection', body: {} },
  { id: 'stall', label: 'Stall 15 s', hint: 'no bytes, not even heartbeats: the watchdog must notice', body: { ms: 15000 } },
  { id: 'restart', label: 'Restart server', hint: 'listener down for 3 s; log kept for resume', body: { downMs: 3000 } },
  { id: '500', label: '500 × 3', hint: 'next 3 connects answer 500', body: { count: 3 }, drop: true },
  { id: '503', label: '503 × 2', hint: 'with Retry-After: 3', body: { count: 2, retryAfter: 3 }, drop: true },
  { id: '204', label: '204 (stop)', hint: 'the server says: do not reconnect', body: { count: 1 }, drop: true },
  { id: '401', label: '401', hint: 'unauthorised: a permanent failure', body: { count: 1 }, drop: true },
  { id: '404', label: '404', hint: 'stream not found', body: { count: 1 }, drop: true },
  { id: 'html', label: 'HTML page', hint: 'a captive portal instead of a stream', body: { count: 1 }, drop: true },
  { id: 'truncate', label: 'Truncated event', hint: 'an event cut in half, then the socket closes', body: { count: 1 } },
  { id: 'drip', label: 'Drip 8 s', hint: 'one byte every 20 ms', body: { ms: 8000, byteMs: 20 } },
  { id: 'close-after-event', label: 'Close after each event', hint: 'for 10 s', body: { ms: 10000, publish: true } },
  { id: 'burst', label: 'Burst 1000 events', hint: 'published at once: renders stay throttled', burst: 1000 },
  { id: 'analysis-error', label: 'Fail next analysis', hint: 'analysis:error at stage 3', body: { count: 1, atStage: 3 } },
];
const AI_MODES = [
  { mode: 'refuse', label: 'Kill' },
  { mode: 'hang', label: 'Hang' },
  { mode: 'slow', label: 'Slow', body: { latencyMs: 2500 } },
  { mode: 'fail', label: '500s', body: { status: 500 } },
  { mode: 'normal', label: 'Restore' },
];

async function post(url, body, method = 'POST') {
  const r = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const text = await r.text();
  if (!r.ok) throw new Error(`HTTP ${r.status} ${text.slice(0, 80)}`);
  return text ? JSON.parse(text) : {};
}

const clock = () => new Date().toLocaleTimeString('en-GB', { hour12: false });

export function ChaosPanel({ config }) {
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
    try { await post(`${config.faults}all`, null, 'DELETE'); note('All stream faults cleared'); } catch (err) { note(err.message, true); }
  };
  const aiMode = async (name, m) => {
    try {
      await post(`${config.sse}/__ai/${name}/mode`, { mode: m.mode, ...m.body });
      note(`${name}: ${m.label.toLowerCase()}`);
    } catch (err) { note(`${name}: ${err.message}`, true); }
  };

  return (
    <section className="card card--chaos" aria-labelledby="chaos-title">
      <header className="card__head">
        <h2 id="chaos-title">Chaos panel</h2>
        <button type="button" className="btn btn--ghost" onClick={clearAll}>Clear faults</button>
      </header>
      <div className="chaos-cols">
      <div>
      <h3 className="subhead">Stream faults <span className="muted">· reference SSE server</span></h3>
      <div className="chaos-grid">
        {SSE_FAULTS.map((f) => (
          <button key={f.id} type="button" className="btn btn--chaos" title={f.hint} onClick={() => fault(f)}>
            <span>{f.label}</span><small>{f.hint}</small>
          </button>
        ))}
      </div>
      <div className="chips" aria-live="polite">
        {active.length ? active.map((a, i) => (
          <span key={i} className="chip">{a.name}{a.remaining != null ? ` ×${a.remaining}` : ''}{a.remainingMs != null ? ` ${Math.ceil(a.remainingMs / 1000)} s` : ''}</span>
        )) : <span className="muted small">No stream faults active.</span>}
      </div>
      </div>
      <div>
      <h3 className="subhead">AI services <span className="muted">· mock gemini, perplexity, llama</span></h3>
      <table className="ai-table">
        <tbody>
          {Object.keys(config.ai ?? {}).map((name) => (
            <tr key={name}>
              <th scope="row">{name} <span className={`mode mode--${modes[name] ?? 'normal'}`}>{modes[name] ?? '…'}</span></th>
              <td>
                {AI_MODES.map((m) => (
                  <button key={m.mode} type="button" className={`btn btn--small ${m.mode === 'normal' ? 'btn--ok' : ''}`}
                    aria-label={`${m.label} ${name}`} onClick={() => aiMode(name, m)}>{m.label}</button>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ol className="chaos-log" aria-label="Chaos actions">
        {log.map((l) => <li key={l.k} className={l.bad ? 'bad' : ''}><time>{l.t}</time> {l.text}</li>)}
      </ol>
      </div>
      </div>
    </section>
  );
}
