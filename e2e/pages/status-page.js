// The status UI on one small page, for e2e/status-ui.spec.js: the real manager (Wasm) in
// Chromium against the reference SSE server, with the library's components as an app uses them.
// Served by Vite (React is CommonJS); ?feed=<url>&hb=<watchdog ms>. window.page exposes the
// manager and a log of statuses for the test.
import { createElement as h, useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'lifeline-sse/react/lifeline.css';
import { init, createManager } from 'lifeline-sse';
import {
  SSEProvider, SSEStatusIndicator, ReconnectionAlert, StreamingDataDisplay, useSSEMetrics,
} from 'lifeline-sse/react';

const q = new URLSearchParams(location.search);
const feed = q.get('feed');
const heartbeatTimeoutMs = Number(q.get('hb') || 9000);

function Facts() {
  const m = useSSEMetrics(250);
  const c = m?.byChannel?.feed;
  return h('dl', { id: 'facts' },
    h('dt', null, 'Events received'), h('dd', { 'data-metric': 'events' }, c ? c.eventsReceived : '–'),
    h('dt', null, 'Caught up after reconnecting'), h('dd', { 'data-metric': 'caught-up' }, c ? c.caughtUp : '–'),
    h('dt', null, 'Outage time'), h('dd', { 'data-metric': 'outage' }, c ? `${(c.outageMs / 1000).toFixed(1)} s` : '–'));
}

function App({ manager }) {
  const [signIns, setSignIns] = useState(0);
  return h(SSEProvider, { manager },
    h('header', null,
      h('h1', null, 'Strategist feed'),
      h(SSEStatusIndicator, { channel: 'feed' })),
    h('main', null,
      h('section', { className: 'card', id: 'feed-card', 'aria-labelledby': 'feed-title' },
        h('h2', { id: 'feed-title' }, 'Latest events'),
        h(StreamingDataDisplay, { channel: 'feed', max: 8, ms: 100 })),
      h('section', { className: 'card', id: 'facts-card', 'aria-labelledby': 'facts-title' },
        h('h2', { id: 'facts-title' }, 'This connection'),
        h(Facts),
        h('p', { id: 'sign-ins' }, `Sign-ins: ${signIns}`),
        h('button', { type: 'button', id: 'elsewhere' }, 'Something else'))),
    h(ReconnectionAlert, {
      channel: 'feed',
      onSignIn: () => { setSignIns((n) => n + 1); manager.retryNow('feed'); },
    }));
}

await init();
const manager = createManager();
manager.connect('feed', feed, { heartbeatTimeoutMs });
const statuses = [];
manager.onStatus('feed', (s) => statuses.push({ t: performance.now(), state: s.state, stale: s.stale, alert: s.alert, reason: s.reason }));
window.page = { manager, statuses, status: () => manager.getConnectionStatus('feed'), metrics: () => manager.getMetrics() };
createRoot(document.getElementById('root')).render(h(App, { manager }));
