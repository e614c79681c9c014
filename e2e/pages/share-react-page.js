// One tab of many sharing the origin's stream, for e2e/share-react.spec.js. Served by Vite
// (React is CommonJS). ?url=<feed>&mode=react|eventsource&via=auto|worker|locks.
// - react: <StrictMode> and two <SSEProvider share="origin">, each making its own SharedManager,
//   each with a 'feed' channel on the same URL and a useSSE handler;
// - eventsource: two new EventSource(url, { share: 'origin' }).
// window.ids.a / window.ids.b: the ids each consumer received; #out: 'open' once both are open.
import { StrictMode, createElement as h, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { EventSource } from 'lifeline-sse';
import { SSEProvider, useSSE, useSSEStatus } from 'lifeline-sse/react';

const q = new URLSearchParams(location.search);
const url = q.get('url');
const shareVia = q.get('via') || 'auto';
const out = document.getElementById('out');
window.ids = { a: [], b: [] };
window.errors = [];
const opened = new Set();
const markOpen = (name, open) => {
  if (open) opened.add(name); else opened.delete(name);
  out.textContent = opened.size === 2 ? 'open' : 'connecting';
};

// Each consumer's options are the same, so every tab's channels map onto one hub channel.
const feed = { url, initialLastEventId: '0', backoff: { initialMs: 200, maxMs: 800 }, heartbeatTimeoutMs: 3000 };

function Consumer({ name }) {
  useSSE('feed', (e) => window.ids[name].push(Number(e.id)));
  const { state } = useSSEStatus('feed');
  useEffect(() => markOpen(name, state === 'open'), [name, state]);
  return h('p', { 'data-consumer': name }, state);
}

function App() {
  const options = { shareVia, onError: (e) => window.errors.push(String(e)) };
  return h(StrictMode, null,
    h(SSEProvider, { share: 'origin', options, channels: { feed } }, h(Consumer, { name: 'a' })),
    h(SSEProvider, { share: 'origin', options, channels: { feed } }, h(Consumer, { name: 'b' })));
}

if (q.get('mode') === 'eventsource') {
  const { url: _, ...init } = feed;
  for (const name of ['a', 'b']) {
    const es = new EventSource(url, { ...init, share: 'origin', shareVia });
    es.onopen = () => markOpen(name, true);
    // The reference server's feed names its events (demo/server/content.js).
    for (const type of ['message', 'poll', 'sentiment', 'intel', 'alert']) es.addEventListener(type, (e) => window.ids[name].push(Number(e.lastEventId)));
    es.onerror = (e) => { if (es.readyState === EventSource.CLOSED) window.errors.push(e.message); };
  }
} else {
  createRoot(document.getElementById('root')).render(h(App));
}
