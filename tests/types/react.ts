// Type-level use of lifeline-sse/react, checked by `npx tsc --noEmit -p tests/types` (tests/js/types.test.js).
import {
  SSEProvider, useSSE, useSSEStatus, useReconnectCountdown, useSSEProgress, useSSEBuffer,
  useSSEMetrics, useServiceHealth, useRouter, useSSEManager, SSEStatusIndicator, ReconnectionAlert,
  SSEProgressBar, StreamingDataDisplay, ServiceHealthPanel, SSEErrorBoundary, ANALYSIS_STAGES,
  reduceProgress, INITIAL_PROGRESS, describeStatus, parseData,
  type ConnectionStatus, type ConnectionState, type ManagerLike, type RouterLike, type SSEEvent,
  type AnalysisProgress, type BufferSnapshot, type ServiceHealth, type LifelineElement,
} from 'lifeline-sse/react';
import { createManager, createRouter } from 'lifeline-sse';

// The real manager and router satisfy the structural types the bindings use.
export const realManager: ManagerLike = createManager({ seed: 1 });
export const realRouter: RouterLike = createRouter({ services: [{ name: 'a', baseUrl: 'http://127.0.0.1:1', capabilities: ['analysis'] }] });

declare const manager: ManagerLike;
declare const router: RouterLike;

export function app(): LifelineElement {
  return SSEProvider({
    options: { seed: 1 },
    channels: { feed: { url: '/events', heartbeatTimeoutMs: 15000 } },
    manager,
    router,
    children: [
      SSEStatusIndicator({ channel: 'feed', label: 'Feed', showCountdown: true }),
      ReconnectionAlert({ channel: 'feed', states: ['reconnecting', 'failed'], title: (s) => (s.state === 'failed' ? 'Stopped' : undefined) }),
      SSEProgressBar({ channel: 'analysis' }),
      StreamingDataDisplay({ channel: 'feed', mode: 'buffer', ms: 100, max: 20, renderItem: (e, d) => `${e.type} ${String(d)}` }),
      ServiceHealthPanel({ renderExtra: (s) => s.name }),
    ],
  });
}

export function hooks(): string {
  useSSE('feed', (e: SSEEvent) => void e.data.length, { events: ['poll', 'alert'], priority: 1 });
  useSSE(null, () => {});
  const status: ConnectionStatus = useSSEStatus('feed');
  const state: ConnectionState = status.state;
  const secs: number | null = useReconnectCountdown('feed');
  const p: AnalysisProgress = useSSEProgress('analysis');
  const q: AnalysisProgress = useSSEProgress('build', { stages: ['Fetch', 'Compile'], events: { start: 'build:start' } });
  const b: BufferSnapshot = useSSEBuffer('feed', { mode: 'throttle', ms: 100, max: 50 });
  const m = useSSEMetrics<{ eventsDelivered: number }>(500);
  const health: readonly ServiceHealth[] = useServiceHealth();
  const r: RouterLike | null = useRouter();
  const mgr: ManagerLike | null = useSSEManager();
  mgr?.retryNow('feed');
  void r?.request('summarise', { path: '/v1/summarise', method: 'POST', body: { text: 'x' } }).then((res) => res.degraded);
  const next = reduceProgress(INITIAL_PROGRESS, { type: 'progress', data: '{"stage":1}' });
  const boundary = new SSEErrorBoundary({ maxRetries: 2, fallback: ({ retry, retriesLeft }) => (retriesLeft ? retry() : null) });
  void boundary;
  void parseData('{}');
  return [state, secs, p.sections.length, q.total, b.total, m?.eventsDelivered, health.length, next.stage,
    ANALYSIS_STAGES[0], describeStatus(status)].join();
}

// @ts-expect-error: a channel status is never 'exploded'
export const bad: ConnectionState = 'exploded';
// @ts-expect-error: buffer mode names are checked
useSSEBuffer('feed', { mode: 'sometimes' });
