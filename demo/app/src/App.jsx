import { useCallback, useMemo, useState } from 'react';
import { SSEProvider, SSEErrorBoundary, ReconnectionAlert, useSSEManager } from 'lifeline-sse/react';
import { Header } from './Header.jsx';
import { FeedCard } from './FeedCard.jsx';
import { AnalysisCard } from './AnalysisCard.jsx';
import { ServicesCard } from './ServicesCard.jsx';
import { MetricsCard } from './MetricsCard.jsx';
import { ChaosPanel } from './ChaosPanel.jsx';
import { TimelineCard } from './TimelineCard.jsx';
import { TimelineProvider } from './timeline.jsx';

// What each mock AI service offers (demo/server/ai-services.js SERVICE_SPECS).
const CAPABILITIES = {
  gemini: ['analysis', 'summary'],
  perplexity: ['analysis', 'search'],
  llama: ['analysis', 'summary'],
};

/** Feed options: the demo server sends a heartbeat every 5 s, so 12 s of silence means a stall. */
const STREAM_OPTIONS = { heartbeatTimeoutMs: 12000 };

// A run: { n, ward, channel, streamEnded, settled }. Every update names its run, so a late
// callback of an earlier run changes nothing (and an unchanged run is returned as it is).
const forRun = (n, change) => (r) => (r && r.n === n && Object.keys(change).some((k) => r[k] !== change[k]) ? { ...r, ...change } : r);

function useRuns() {
  const [run, setRun] = useState(null);
  const start = useCallback((ward) => setRun((r) => {
    const n = (r?.n ?? 0) + 1;
    return { n, ward, channel: `analysis-${n}`, streamEnded: false, settled: false };
  }), []);
  const n = run?.n;
  const onStreamEnd = useCallback(() => setRun(forRun(n, { streamEnded: true })), [n]);
  const onSettled = useCallback(() => setRun(forRun(n, { streamEnded: true, settled: true })), [n]);
  return { run, start, onStreamEnd, onSettled, onStop: onSettled };
}

/**
 * The feed's alert, inline in the top bar's overlay slot (so it sits under the status it explains
 * and moves nothing). The demo has no accounts: its "Sign in" for a 401 just tries again, as an
 * app would once the user has signed in.
 */
function FeedAlert() {
  const manager = useSSEManager();
  return <ReconnectionAlert channel="feed" layout="inline" onSignIn={() => manager?.retryNow('feed')} />;
}

export function App({ config }) {
  const { run, start, onStreamEnd, onSettled, onStop } = useRuns();
  const [chaosOpen, setChaosOpen] = useState(false);
  // The drawer covers the lower half of a small screen: bring the timeline up under the top bar,
  // so what a button does shows above the drawer.
  const toggleChaos = () => {
    if (!chaosOpen) document.querySelector('.card--timeline')?.scrollIntoView({ block: 'start' });
    setChaosOpen(!chaosOpen);
  };

  const channels = useMemo(() => {
    const c = { feed: { url: config.feed, ...STREAM_OPTIONS, replay: 200 } }; // late subscribers get the last 200
    if (run && !run.streamEnded) {
      // A fresh URL per run: the server starts a run on a connect without Last-Event-ID and
      // resumes it from Last-Event-ID after a fault. A finished run's channel is dropped (a
      // reconnect would only be told 204).
      c[run.channel] = { url: `${config.analysis}?ward=${encodeURIComponent(run.ward)}&run=${run.n}`, ...STREAM_OPTIONS };
    }
    return c;
  }, [config, run]);

  const routerOptions = useMemo(() => ({
    services: Object.entries(config.ai ?? {}).map(([name, url]) => ({
      name, baseUrl: url, capabilities: CAPABILITIES[name] ?? ['analysis'], healthPath: '/health', maxAttemptTimeoutMs: 4000,
    })),
    probeIntervalMs: 2000,
  }), [config]);

  return (
    <SSEProvider channels={channels} routerOptions={routerOptions}>
      <TimelineProvider channel="feed">
        <div className="shell">
          <Header analysisChannel={run && !run.streamEnded ? run.channel : null}
            chaosOpen={chaosOpen} onToggleChaos={toggleChaos}>
            <FeedAlert />
          </Header>
          <p className="intro">
            <strong>What this shows:</strong> a campaign dashboard whose live feed (Server-Sent Events) and
            AI calls are kept alive by Lifeline through network faults. <strong>Try it:</strong> press a
            fault in the chaos panel, watch the status above and the timeline below react, then
            run a ward analysis while an AI service is killed.
          </p>
          <div className="layout">
            <main className="main">
              <SSEErrorBoundary maxRetries={3}>
                <TimelineCard />
              </SSEErrorBoundary>
              <div className="grid">
                <SSEErrorBoundary maxRetries={3}>
                  <FeedCard />
                </SSEErrorBoundary>
                <div className="col">
                  <SSEErrorBoundary maxRetries={3}>
                    <AnalysisCard run={run} onStart={start} onStreamEnd={onStreamEnd} onSettled={onSettled} onStop={onStop} />
                  </SSEErrorBoundary>
                  <SSEErrorBoundary maxRetries={3}>
                    <ServicesCard />
                  </SSEErrorBoundary>
                  <SSEErrorBoundary maxRetries={3}>
                    <MetricsCard />
                  </SSEErrorBoundary>
                </div>
              </div>
            </main>
            <ChaosPanel config={config} open={chaosOpen} onClose={() => setChaosOpen(false)} />
          </div>
          <footer className="footer">
            Lifeline demo · streams and AI calls kept alive by a C core in WebAssembly ·
            SSE server <code>{config.sse}</code>
          </footer>
        </div>
      </TimelineProvider>
    </SSEProvider>
  );
}
