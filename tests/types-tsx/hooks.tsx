// Every hook, with the core's types (one family: lifeline-sse's SSEEvent, ConnectionStatus,
// ServiceHealth, SSEManager, Router). Compiled by tests/js/types.test.js (see app.tsx).
import type {
  ConnectionState, ConnectionStatus, LastError, Router, ServiceHealth, SharedManager, SharedRouter, SSEEvent, SSEManager,
} from 'lifeline-sse';
import {
  useSSE, useSSEStatus, useSSEProgress, useServiceHealth, useSSEManager, useRouter, useSSEBuffer,
  useSSEMetrics, useReconnectCountdown, describeStatus, reduceProgress, parseData, ANALYSIS_STAGES,
  INITIAL_PROGRESS, PENDING_STATUS, STATUS_LABELS, type AnalysisProgress,
} from 'lifeline-sse/react';

export function Status({ channel }: { channel: string }) {
  const status: ConnectionStatus = useSSEStatus(channel);
  const state: ConnectionState = status.state;
  const error: LastError | null = status.lastError;
  const seconds: number | null = useReconnectCountdown(channel);
  const pending: ConnectionStatus = PENDING_STATUS;
  return (
    <p data-state={state} data-reason={status.reason} data-pending={pending.state}>
      {describeStatus(status)} {error ? `${error.reason} ${error.httpStatus}: ${error.message}` : ''} {seconds ?? ''}
    </p>
  );
}

export function Analysis() {
  const progress: AnalysisProgress = useSSEProgress('analysis', { stages: ['Fetch', 'Think'], events: { start: 'run:start' } });
  useSSE('analysis', (e: SSEEvent) => void e.channel.length, { events: 'run:start' });
  useSSE(null, () => {});
  return <progress max={progress.total} value={progress.stage}>{progress.message}</progress>;
}

export function Health() {
  const services: readonly ServiceHealth[] = useServiceHealth();
  const buffer = useSSEBuffer('feed', { mode: 'throttle', ms: 100 });
  const latest: SSEEvent | null = buffer.latest;
  return (
    <ul data-latest={latest?.id}>
      {services.map((s) => <li key={s.name} data-state={s.state}>{s.name} p95 {s.p95Ms ?? '–'} ms, errors {s.errorRate}</li>)}
    </ul>
  );
}

/**
 * null only while a provider that creates the manager itself waits for init(); shared ones under
 * share="origin". What both kinds have needs no narrowing (retryNow below).
 */
export function Controls() {
  const manager: SSEManager | SharedManager | null = useSSEManager();
  const router: Router | SharedRouter | null = useRouter();
  const metrics = useSSEMetrics(500);
  const summarise = async () => {
    const res = await router?.request('analysis', { path: '/v1/run', body: { q: 1 }, deadlineMs: 3000 });
    return res?.degraded ? res.service : res?.body;
  };
  return (
    <div>
      <button type="button" disabled={!manager} onClick={() => manager?.retryNow('feed')}>Retry now</button>
      <button type="button" disabled={!router} onClick={() => void summarise()}>Summarise</button>
      <output>{metrics?.delivered ?? 0} delivered</output>
    </div>
  );
}

/** The pure helpers. */
export function helpers(): string {
  const next: AnalysisProgress = reduceProgress(INITIAL_PROGRESS, { type: 'progress', data: '{"stage":1}' });
  return [next.stage, ANALYSIS_STAGES[0], STATUS_LABELS['circuit-open'], String(parseData('{}'))].join();
}

// @ts-expect-error: a channel status is never 'exploded'
export const bad: ConnectionState = 'exploded';
export function Refused() {
  // @ts-expect-error: buffer mode names are checked
  useSSEBuffer('feed', { mode: 'sometimes' });
  // @ts-expect-error: the handler gets the core's SSEEvent, whose data is a string
  useSSE('feed', (e: { data: number }) => e.data);
  return null;
}

// useAIStream (issue 16): the answer, the service, the switch notice.
import { useAIStream, type AIStreamState } from 'lifeline-sse/react';
import type { StreamResult } from 'lifeline-sse';
export function Answer({ ward }: { ward: string }) {
  const st: AIStreamState = useAIStream('analysis', { path: '/v1/stream/analysis', body: { ward }, ttftMs: 4000, afterCommit: 'restart' });
  const r: StreamResult | null = st.result;
  void r;
  useAIStream('analysis', null);
  // @ts-expect-error: the hook owns the signal (it aborts on unmount)
  useAIStream('analysis', { signal: new AbortController().signal });
  return <p title={st.service ?? ''}>{st.notice ? st.notice.text : null}{st.text}{st.complete ? '' : '…'}</p>;
}
