import { useState } from 'react';
import { ServiceHealthPanel, useRouter } from 'lifeline/react';

export function ServicesCard() {
  const router = useRouter();
  const [answer, setAnswer] = useState(null);
  const [busy, setBusy] = useState(false);
  const ask = async (capability, path, body) => {
    if (!router) return;
    setBusy(true);
    const t0 = performance.now();
    try {
      const res = await router.request(capability, { path, method: 'POST', body });
      setAnswer({ ok: true, res, ms: Math.round(performance.now() - t0) });
    } catch (err) {
      setAnswer({ ok: false, error: err.message ?? String(err), ms: Math.round(performance.now() - t0) });
    } finally {
      setBusy(false);
    }
  };
  const result = answer?.ok ? (typeof answer.res.body === 'string' ? safeJSON(answer.res.body) : answer.res.body) : null;
  return (
    <section className="card" aria-labelledby="services-title">
      <header className="card__head">
        <h2 id="services-title">AI services</h2>
        <div className="btn-row">
          <button type="button" className="btn" disabled={!router || busy}
            onClick={() => ask('analysis', '/v1/analyze', { ward: 'Riverside' })}>Ask for analysis</button>
          <button type="button" className="btn" disabled={!router || busy}
            onClick={() => ask('summary', '/v1/summary', { topic: 'housing costs' })}>Summarise</button>
        </div>
      </header>
      <ServiceHealthPanel title={null} refreshMs={1000} />
      {answer ? (
        <div className={`answer ${answer.ok ? '' : 'answer--bad'}`} role="status">
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
