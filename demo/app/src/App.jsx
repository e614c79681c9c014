import { useMemo, useState } from 'react';
import { SSEProvider, SSEErrorBoundary, ReconnectionAlert } from 'lifeline-sse/react';
import { Header } from './Header.jsx';
import { FeedCard } from './FeedCard.jsx';
import { AnalysisCard } from './AnalysisCard.jsx';
import { ServicesCard } from './ServicesCard.jsx';
import { MetricsCard } from './MetricsCard.jsx';
import { ChaosPanel } from './ChaosPanel.jsx';

// What each mock AI service offers (demo/server/ai-services.js SERVICE_SPECS).
const CAPABILITIES = {
  gemini: ['analysis', 'summary'],
  perplexity: ['analysis', 'search'],
  llama: ['analysis', 'summary'],
};

const FEED_ALERT_TITLES = {
  reconnecting: 'Live intelligence feed interrupted',
  offline: 'You are offline',
  'circuit-open': 'Live intelligence feed paused',
  failed: 'Live intelligence feed stopped',
};

/** Feed options: the demo server sends a heartbeat every 5 s, so 12 s of silence means a stall. */
const STREAM_OPTIONS = { heartbeatTimeoutMs: 12000 };

export function App({ config }) {
  const [run, setRun] = useState(null); // { n, ward }

  const channels = useMemo(() => {
    const c = { feed: { url: config.feed, ...STREAM_OPTIONS, replay: 200 } }; // late subscribers get the last 200
    if (run && !run.done) {
      // A fresh URL per run: the server starts a run on a connect without Last-Event-ID and
      // resumes it from Last-Event-ID after a fault.
      c[`analysis-${run.n}`] = { url: `${config.analysis}?ward=${encodeURIComponent(run.ward)}&run=${run.n}`, ...STREAM_OPTIONS };
    }
    return c;
  }, [config, run]);

  const routerOptions = useMemo(() => ({
    services: Object.entries(config.ai ?? {}).map(([name, url]) => ({
      name, baseUrl: url, capabilities: CAPABILITIES[name] ?? ['analysis'], healthPath: '/health', maxAttemptTimeoutMs: 4000,
    })),
    probeIntervalMs: 2000,
  }), [config]);

  const analysisChannel = run ? `analysis-${run.n}` : null;

  return (
    <SSEProvider channels={channels} routerOptions={routerOptions}>
      <div className="shell">
        <Header analysisChannel={run && !run.done ? analysisChannel : null} />
        <div className="alerts">
          <ReconnectionAlert channel="feed" title={(s) => FEED_ALERT_TITLES[s.state]} />
        </div>
        <main className="grid">
          <SSEErrorBoundary maxRetries={3}>
            <FeedCard />
          </SSEErrorBoundary>
          <div className="col">
            <SSEErrorBoundary maxRetries={3}>
              <AnalysisCard channel={analysisChannel} ward={run?.ward}
                onStart={(ward) => setRun((r) => ({ n: (r?.n ?? 0) + 1, ward, done: false }))}
                onDone={() => setRun((r) => (r && !r.done ? { ...r, done: true } : r))} />
            </SSEErrorBoundary>
          </div>
          <div className="col">
            <SSEErrorBoundary maxRetries={3}>
              <MetricsCard />
            </SSEErrorBoundary>
            <SSEErrorBoundary maxRetries={3}>
              <ServicesCard />
            </SSEErrorBoundary>
          </div>
          <ChaosPanel config={config} />
        </main>
        <footer className="footer">
          Lifeline demo · streams and AI calls kept alive by a C core in WebAssembly ·
          SSE server <code>{config.sse}</code>
        </footer>
      </div>
    </SSEProvider>
  );
}
