import { useEffect, useState } from 'react';
import { SSEProgressBar, useSSEProgress } from 'lifeline-sse/react';

const WARDS = ['Riverside', 'Old Town', 'Millbrook', 'Harbour East', 'Northgate', 'Ashford Park',
  'Canal Quarter', 'Westfield', "St. Anne's", 'Kingsmead', 'Elm Hill', 'Station Road'];

export function AnalysisCard({ channel, ward, onStart, onDone }) {
  const [choice, setChoice] = useState(WARDS[0]);
  const progress = useSSEProgress(channel);
  // A finished run needs no connection: the app drops its channel (the server would answer 204).
  useEffect(() => { if (progress.done) onDone(); }, [progress.done, onDone]);
  const busy = progress.running;
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
        </form>
      </header>
      {channel ? (
        <>
          <p className="muted small">{progress.ward ?? ward}{progress.runId ? ` · run ${progress.runId}` : ''}</p>
          <SSEProgressBar progress={progress} />
          <div className="sections">
            {progress.sections.map((s) => (
              <article key={s.title} className="section">
                <h3>{s.title}</h3>
                <p>{s.content}</p>
              </article>
            ))}
          </div>
          {progress.done && !progress.error ? <p className="ok small">Report complete · {progress.sections.length} sections.</p> : null}
        </>
      ) : <p className="empty">Pick a ward and run a 6-stage analysis; it resumes where it left off after a fault.</p>}
    </section>
  );
}
