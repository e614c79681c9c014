// Real TSX against lifeline-sse/react and lifeline-sse, as an app writes it. tests/js/types.test.js
// compiles it with tsc --strict --jsx react-jsx under @types/react 19 (tsconfig.json) and under
// @types/react 18 (tsconfig.react18.json maps 'react' and 'react-dom' to tests/react-18).
import { StrictMode, useRef, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { init, createManager, createRouter, type Router, type SSEEvent, type SSEManager } from 'lifeline-sse';
import {
  SSEProvider, SSEStatusIndicator, ReconnectionAlert, ServiceHealthPanel, SSEErrorBoundary,
  SSEProgressBar, StreamingDataDisplay, useSSE, markerText, type ErrorFallbackProps,
} from 'lifeline-sse/react';
import { Analysis, Controls, Health, Status } from './hooks.js';

const services = [{ name: 'analyst-a', baseUrl: 'http://127.0.0.1:1', capabilities: ['analysis'] }];

/** useSSE with a handler typed with the core's own SSEEvent. */
function Feed({ channel }: { channel: string }) {
  const [events, setEvents] = useState<SSEEvent[]>([]);
  useSSE(channel, (e: SSEEvent) => setEvents((list) => [...list, e].slice(-20)), { events: ['poll'], replay: 5 });
  return <ul>{events.map((e, i) => <li key={i} data-id={e.id}>{e.type}: {e.data}</li>)}</ul>;
}

function Fallback({ error, retry, retriesLeft }: ErrorFallbackProps): ReactNode {
  return <button type="button" onClick={retry}>{String(error)}: try again ({retriesLeft} left)</button>;
}

function Widgets({ children }: { children?: ReactNode }) {
  const boundary = useRef<SSEErrorBoundary>(null);
  return (
    <>
      <SSEStatusIndicator channel="feed" label="Feed" labels={{ open: 'Connected' }} showCountdown />
      <ReconnectionAlert channel="feed" states={['reconnecting', 'failed']} title={(s) => (s.state === 'failed' ? 'Stopped' : undefined)}>
        <p>Updates will resume by themselves.</p>
      </ReconnectionAlert>
      <ServiceHealthPanel title="Services" renderExtra={(s) => <small>{s.calls} calls, breaker {s.breaker}</small>} />
      <SSEErrorBoundary ref={boundary} maxRetries={2} fallback={(props) => <Fallback {...props} />}
        onError={(error, info) => console.warn(error, info.componentStack)} onRetry={(n) => console.info(n)}>
        <Feed channel="feed" />
      </SSEErrorBoundary>
      <SSEErrorBoundary fallback={<p>This widget stopped.</p>}>
        <SSEProgressBar channel="analysis" label="Report" />
      </SSEErrorBoundary>
      <StreamingDataDisplay channel="feed" ms={100} max={10} empty={<em>Nothing yet</em>} announce="markers"
        renderItem={(e, data) => <span>{e.type} {JSON.stringify(data)}{e.caughtUp ? ' (caught up)' : ''}</span>}
        renderMarker={(m) => <strong>{markerText(m)}</strong>} />
      <ReconnectionAlert channel="feed" onSignIn={(s) => console.info(s.httpStatus)} signInLabel="Sign in" layout="inline"
        returnFocus={() => document.getElementById('main')} renderAction={(s, retry) => (s.alert ? <button type="button" onClick={retry}>Again</button> : null)} />
      <button type="button" onClick={() => boundary.current?.retry()}>Reset</button>
      {children}
    </>
  );
}

/** The provider creates the manager (and a router) itself, after init() resolves. */
export function OwnedApp() {
  return (
    <SSEProvider options={{ lingerMs: 0, seed: 1 }} routerOptions={{ services, deadlineMs: 5000 }}
      channels={{ feed: { url: '/events', heartbeatTimeoutMs: 15000, headers: () => ({ authorization: 'Bearer x' }) } }}>
      <Widgets>
        <Status channel="feed" />
        <Analysis />
        <Health />
        <Controls />
      </Widgets>
    </SSEProvider>
  );
}

/** Two providers sharing the origin's streams: each makes its own SharedManager; one stream per origin. */
export function SharedApp() {
  return (
    <StrictMode>
      <SSEProvider share="origin" options={{ shareVia: 'auto', onError: (e: Error) => console.error(e.message) }}
        channels={{ feed: { url: '/events' } }}>
        <Status channel="feed" />
      </SSEProvider>
      <SSEProvider share="tab" options={{ lingerMs: 0 }} channels={{ feed: { url: '/events' } }}>
        <Status channel="feed" />
      </SSEProvider>
    </StrictMode>
  );
}

/** The app creates the manager and router after init(): both exist on the first render. */
export function InjectedApp({ manager, router }: { manager: SSEManager; router: Router }) {
  return (
    <SSEProvider manager={manager} router={router} channels={{ feed: { url: '/events' } }}>
      <Widgets />
      <Controls />
    </SSEProvider>
  );
}

export async function start(el: HTMLElement): Promise<void> {
  await init({ router: true });
  const manager = createManager({ clock: () => Date.now() });
  const router = createRouter({ services });
  createRoot(el).render(<StrictMode><InjectedApp manager={manager} router={router} /></StrictMode>);
}

export function Refused() {
  return (
    <SSEProvider>
      {/* @ts-expect-error: a status indicator needs its channel */}
      <SSEStatusIndicator />
      {/* @ts-expect-error: 'exploded' is not a connection state */}
      <ReconnectionAlert channel="feed" states={['exploded']} />
      {/* @ts-expect-error: a manager is the core's SSEManager, not any object */}
      <SSEProvider manager={{ connect() {} }} />
      {/* @ts-expect-error: share is 'tab' or 'origin' */}
      <SSEProvider share="window" />
      {/* @ts-expect-error: a shared manager's options are shareVia and onError; the clock runs in the hub */}
      <SSEProvider share="origin" options={{ clock: () => 0 }} />
      {/* @ts-expect-error: shareVia is 'auto', 'worker' or 'locks' */}
      <SSEProvider share="origin" options={{ shareVia: 'iframe' }} />
    </SSEProvider>
  );
}
