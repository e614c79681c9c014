// useAIStream with a shared router (createRouter({ share: 'origin' })): the provider's router is
// a SharedRouter whose stream runs in a real RouterHub in a worker thread (tests/react/
// hub-thread.js: real routers against the mock AI services, messages structured-cloned over a
// MessagePort, as with the SharedWorker). The hook's call (onStatus, onSwitch, a signal, a string
// path, an object body) crosses as it is; the text, the switch notice and the end render.
import { describe, it, expect, afterEach, beforeAll, afterAll } from 'vitest';
import { createElement as h } from 'react';
import { render, act, cleanup } from '@testing-library/react';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { SSEProvider, useAIStream } from '../../js/react/index.js';
import { SharedRouter } from '../../js/share/router-client.js';
import { init } from '../../js/index.js';
import { readFileSync } from 'node:fs';
import { startAIServices, SERVICE_SPECS } from '../../demo/server/index.js';
import { fullAnswer } from '../../demo/server/ai-stream.js';
import { createFakeManager } from './fakes.js';

afterEach(cleanup);

let ai;
let thread;
beforeAll(async () => {
  // The tab's side loads the SSE core, as init({ share: 'origin' }) does (jsdom looks like a
  // browser to init(), so the binary is given rather than fetched from a page's origin).
  await init({ wasmBinary: readFileSync(fileURLToPath(new URL('../../dist/lifeline-core.wasm', `file://${__filename}`))) });
  ai = await startAIServices({ seed: 30 });
  thread = new Worker(fileURLToPath(new URL('./hub-thread.js', `file://${__filename}`)));
  await new Promise((resolve, reject) => { thread.once('message', resolve); thread.once('error', reject); });
});
afterAll(async () => {
  await thread?.terminate();
  await ai?.close();
});

function sharedRouter() {
  const connectHub = (onMessage) => {
    const hear = (m) => onMessage(m);
    thread.on('message', hear);
    return { post: (msg) => thread.postMessage(msg), close: () => thread.off('message', hear) };
  };
  return new SharedRouter({
    services: ['gemini', 'perplexity'].map((name, i) => ({
      name, baseUrl: ai.urls[name], capabilities: SERVICE_SPECS[name].capabilities, priority: i + 1, healthPath: '', format: SERVICE_SPECS[name].streamFormat ?? 'openai',
    })),
    probeIntervalMs: 0, connectHub, onError: (e) => { throw e; },
  });
}

function Answer({ request }) {
  const st = useAIStream('analysis', request);
  return h('p', { 'data-status': st.status, 'data-service': st.service ?? '' }, `${st.text}|${st.notice?.text ?? ''}`);
}

describe('useAIStream with a shared router', () => {
  it('streams through the hub: the whole text, the failover notice, done', async () => {
    const router = sharedRouter();
    try {
      await router.ready;
      ai.services.gemini.setStreamFault({ kind: 'status', status: 503 });
      const { container } = render(h(SSEProvider, { manager: createFakeManager(), router },
        h(Answer, { request: { path: '/v1/stream/analysis', body: { q: 1 }, ttftMs: 3000, idleMs: 3000 } })));
      const p = () => container.querySelector('p');
      const t0 = Date.now();
      while (p().dataset.status !== 'done' && p().dataset.status !== 'failed' && Date.now() - t0 < 8000) {
        await act(() => new Promise((r) => setTimeout(r, 50)));
      }
      expect(p().dataset.status).toBe('done');
      expect(p().dataset.service).toBe('perplexity');
      expect(p().textContent).toBe(`${fullAnswer(60)}|gemini did not answer (HTTP 503: gemini is failing (injected 503)); switched to perplexity`);
    } finally {
      ai.services.gemini.setStreamFault({ kind: 'none' });
      router.close();
    }
  });
});
