import { useEffect, useRef, useState } from 'react';
import { SSEProgressBar, useRouter, useSSEProgress } from 'lifeline-sse/react';

const WARDS = ['Riverside', 'Old Town', 'Millbrook', 'Harbour East', 'Northgate', 'Ashford Park',
  'Canal Quarter', 'Westfield', "St. Anne's", 'Kingsmead', 'Elm Hill', 'Station Road'];

// How long one stage's AI call may take over all its attempts (the router fails over inside it).
const AI_DEADLINE_MS = 12_000;

const safeJSON = (text) => {
  try { return typeof text === 'string' ? JSON.parse(text) : text; } catch { return null; }
};

/**
 * One AI call per stage that produced a section (and a summary at the end), through the router:
 * killing or hanging a service shows as a failover inside the analysis. Calls are keyed by
 * stage, so a section seen again (Strict Mode, a resumed stream) never asks twice.
 */
function useStageCalls(router, ward, sections, complete) {
  const [calls, setCalls] = useState({}); // key → { state: 'asking'|'ok'|'failed', ... }
  const started = useRef(new Set());
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => { alive.current = false; };
  }, []);
  const ask = (key, capability, path, body) => {
    if (!router || started.current.has(key)) return;
    started.current.add(key);
    const t0 = performance.now();
    setCalls((c) => ({ ...c, [key]: { state: 'asking', capability } }));
    router.request(capability, { path, method: 'POST', body, deadlineMs: AI_DEADLINE_MS }).then(
      (res) => {
        const answer = safeJSON(res.body);
        const ok = res.status >= 200 && res.status < 300;
        return { state: ok ? 'ok' : 'failed', capability, service: res.service, attempts: res.attempts, degraded: res.degraded,
          ms: Math.round(performance.now() - t0), text: ok ? answer?.result?.summary ?? '' : `HTTP ${res.status}`,
          insight: answer?.result?.insights?.[0] ?? null };
      },
      (err) => ({ state: 'failed', capability, ms: Math.round(performance.now() - t0), text: err.message ?? String(err), attempts: err.attempts }),
    ).then((result) => { if (alive.current) setCalls((c) => ({ ...c, [key]: result })); });
  };
  useEffect(() => {
    for (const s of sections) ask(`stage-${s.stage}`, 'analysis', '/v1/analyze', { ward, focus: s.title, stage: s.stage });
    if (complete) ask('summary', 'summary', '/v1/summary', { topic: `${ward} ward` });
  });
  return calls;
}

// "gemini on patterns in Riverside: sentiment in Riverside is stable." from an answer's parts.
const sentence = (text, insight) => {
  const head = String(text ?? '').replace(/[.\s]+$/, '');
  return insight ? `${head}: ${insight.charAt(0).toLowerCase()}${insight.slice(1)}.` : `${head}.`;
};

function AiNote({ call }) {
  if (!call) return null;
  if (call.state === 'asking') return <p className="ai-note ai-note--asking" data-state="asking">Asking an AI service ({call.capability})…</p>;
  if (call.state === 'failed') {
    return <p className="ai-note ai-note--failed" data-state="failed">No AI service answered ({call.capability}): {call.text}</p>;
  }
  const fallback = call.attempts > 1 || call.degraded;
  return (
    <p className={`ai-note ${fallback ? 'ai-note--fallback' : ''}`} data-state="ok" data-service={call.service} data-attempts={call.attempts}>
      <span className="ai-note__by">{call.service} · {call.ms} ms{call.attempts > 1 ? ` · ${call.attempts} attempts` : ''}{fallback ? ' · failover' : ''}</span>
      {' '}{sentence(call.text, call.insight)}
    </p>
  );
}

/**
 * One run: its stream (stages and sections, resumable) and its AI calls. Keyed by run number,
 * so a new run starts from an empty state: nothing of the previous run's `done` carries over.
 */
function RunReport({ channel, ward, onStreamEnd, onSettled }) {
  const router = useRouter();
  const progress = useSSEProgress(channel);
  const complete = progress.done && !progress.error;
  const calls = useStageCalls(router, ward, progress.sections, complete);
  const asking = Object.values(calls).some((c) => c.state === 'asking');
  const settled = progress.done && !asking && (!complete || calls.summary?.state && calls.summary.state !== 'asking');
  useEffect(() => { if (progress.done) onStreamEnd(); }, [progress.done, onStreamEnd]);
  useEffect(() => { if (settled) onSettled(); }, [settled, onSettled]);
  const answered = Object.values(calls).filter((c) => c.state === 'ok');
  const byService = {};
  for (const c of answered) byService[c.service] = (byService[c.service] ?? 0) + 1;
  const summary = calls.summary;
  return (
    <div className="run" data-state={settled ? (progress.error ? 'failed' : 'complete') : 'running'}>
      <p className="muted small">{progress.ward ?? ward}{progress.runId ? ` · run ${progress.runId}` : ''}</p>
      <SSEProgressBar progress={progress} />
      <div className="sections">
        {progress.sections.map((s) => (
          <article key={`${s.stage}-${s.title}`} className="section" data-stage={s.stage}>
            <h3>{s.title}</h3>
            <p>{s.content}</p>
            <AiNote call={calls[`stage-${s.stage}`]} />
          </article>
        ))}
        {summary ? (
          <article className="section section--summary">
            <h3>Executive summary</h3>
            <AiNote call={summary} />
          </article>
        ) : null}
      </div>
      {settled && !progress.error ? (
        <p className="ok small" role="status">
          Report complete · {progress.sections.length} sections · AI answers: {Object.entries(byService).map(([s, n]) => `${n} from ${s}`).join(', ') || 'none'}.
        </p>
      ) : null}
    </div>
  );
}

/**
 * The ward analysis: the server streams six stages (resumable with Last-Event-ID after a fault)
 * and every stage that yields a section asks an AI service through the router.
 */
export function AnalysisCard({ run, onStart, onStreamEnd, onSettled, onStop }) {
  const [choice, setChoice] = useState(WARDS[0]);
  const busy = run != null && !run.settled;
  return (
    <section className="card" aria-labelledby="analysis-title">
      <header className="card__head">
        <h2 id="analysis-title">Ward analysis</h2>
        <form className="inline-form" onSubmit={(e) => { e.preventDefault(); onStart(choice); }}>
          <label className="sr-only" htmlFor="ward">Ward</label>
          <select id="ward" value={choice} onChange={(e) => setChoice(e.target.value)}>
            {WARDS.map((w) => <option key={w}>{w}</option>)}
          </select>
          <button type="submit" className="btn btn--primary" disabled={busy}>{busy ? 'Running…' : 'Run analysis'}</button>
          {busy ? <button type="button" className="btn btn--ghost" onClick={onStop}>Stop</button> : null}
        </form>
      </header>
      {run ? (
        <RunReport key={run.n} channel={run.streamEnded ? null : run.channel} ward={run.ward}
          onStreamEnd={onStreamEnd} onSettled={onSettled} />
      ) : (
        <p className="empty">
          Pick a ward and run the six-stage analysis. The stages stream from the server and resume
          after a fault; four of them ask an AI service, through the router, which fails over when
          one is killed or hangs.
        </p>
      )}
    </section>
  );
}
