import { useEffect, useRef, useState } from 'react';
import { ServiceHealthPanel, useRouter } from 'lifeline-sse/react';

export function ServicesCard() {
  const router = useRouter();
  const [answer, setAnswer] = useState(null);
  const [busy, setBusy] = useState(false);
  const [auto, setAuto] = useState(true);
  const inFlight = useRef(false);
  // `manual`: the user pressed the button, so the answer is announced; auto-briefs are not.
  const ask = async (capability, path, body, manual = false) => {
    if (!router || inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    const t0 = performance.now();
    try {
      const res = await router.request(capability, { path, method: 'POST', body });
      setAnswer({ ok: true, res, manual, ms: Math.round(performance.now() - t0) });
    } catch (err) {
      setAnswer({ ok: false, manual, error: err.message ?? String(err), ms: Math.round(performance.now() - t0) });
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  const askRef = useRef(ask);
  askRef.current = ask;

  // A briefing every 4 s keeps real traffic on the services, so failover shows as it happens.
  useEffect(() => {
    if (!auto || !router) return undefined;
    const id = setInterval(() => askRef.current('summary', '/v1/summary', { topic: 'the last hour' }), 4000);
    return () => clearInterval(id);
  }, [auto, router]);
  const result = answer?.ok ? (typeof answer.res.body === 'string' ? safeJSON(answer.res.body) : answer.res.body) : null;
  return (
    <section className="card" aria-labelledby="services-title">
      <header className="card__head">
        <h2 id="services-title">AI services</h2>
      </header>
      <p className="muted small card__lede">
        Briefings here and the stages of the ward analysis go through the router, which picks a
        healthy service for each capability and fails over when one is killed or hangs.
      </p>
      <div className="toolbar">
          <label className="toggle"><input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} /> Auto-brief every 4 s</label>
          <button type="button" className="btn" disabled={!router || busy}
            onClick={() => ask('summary', '/v1/summary', { topic: 'housing costs' }, true)}>Summarise</button>
      </div>
      <ServiceHealthPanel title={null} />
      {/* Only an answer the user asked for is announced (an auto-brief every 4 s is not). */}
      <p className="sr-only" aria-live="polite">{answer?.manual ? (answer.ok ? `Answered by ${answer.res.service}` : `Request failed: ${answer.error}`) : ''}</p>
      {answer ? (
        <div className={`answer ${answer.ok ? '' : 'answer--bad'}`}>
          {answer.ok ? (
            <>
              <div className="answer__meta">
                Answered by <b>{answer.res.service}</b> in {answer.ms} ms · {answer.res.attempts} attempt{answer.res.attempts === 1 ? '' : 's'}
                {answer.res.degraded ? <span className="chip chip--warn">degraded mode</span> : null}
              </div>
              <p>{result?.result?.summary ?? result?.summary ?? JSON.stringify(result).slice(0, 160)}</p>
            </>
          ) : <div className="answer__meta">Request failed after {answer.ms} ms: {answer.error}</div>}
        </div>
      ) : null}
    </section>
  );
}

function safeJSON(text) {
  try { return JSON.parse(text); } catch { return text; }
}
