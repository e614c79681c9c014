// useAIStream over a router whose stream() is a scripted AIStream (the real router.stream runs in
// tests/js/router-stream.test.js and e2e/router-stream.spec.js): text, the service in use, the
// switch notice, the end, errors with their partial text, and the abort on unmount / new key.
import { describe, it, expect, afterEach } from 'vitest';
import { createElement as h } from 'react';
import { render, act, cleanup } from '@testing-library/react';
import { SSEProvider, useAIStream } from '../../js/react/index.js';
import { createFakeManager, createFakeRouter } from './fakes.js';

afterEach(cleanup);

/** A router whose stream() hands out controllable streams with the AIStream surface. */
function streamingRouter() {
  const router = createFakeRouter(['gemini', 'perplexity']);
  router.streams = [];
  router.stream = (capability, opts) => {
    const queue = [];
    let wake = null;
    let settle;
    const s = {
      capability, opts, aborted: false,
      result: new Promise((resolve, reject) => { settle = { resolve, reject }; }),
      push(e) { queue.push(e); wake?.(); },
      end(error, result) { (error ? settle.reject(error) : settle.resolve(result)); queue.push(null); wake?.(); },
      async *[Symbol.asyncIterator]() {
        for (;;) {
          if (!queue.length) await new Promise((r) => { wake = r; });
          wake = null;
          const e = queue.shift();
          if (e === null) { await s.result; return; }
          yield e;
        }
      },
    };
    s.result.catch(() => {});
    opts.signal.addEventListener('abort', () => { s.aborted = true; });
    router.streams.push(s);
    return s;
  };
  return router;
}

function Answer({ request }) {
  const st = useAIStream('analysis', request);
  return h('p', { 'data-status': st.status, 'data-service': st.service ?? '' }, `${st.text}|${st.notice?.text ?? ''}|${st.error?.reason ?? ''}`);
}

const flush = () => act(() => new Promise((r) => setTimeout(r, 0)));

describe('useAIStream', () => {
  it('renders the text as it arrives, the service in use, a notice on a switch, and the end', async () => {
    const router = streamingRouter();
    const { container } = render(h(SSEProvider, { manager: createFakeManager(), router }, h(Answer, { request: { path: '/v1/stream', body: { q: 1 } } })));
    const p = () => container.querySelector('p');
    expect(router.streams).toHaveLength(1);
    const s = router.streams[0];
    expect(s.opts.path).toBe('/v1/stream');
    act(() => s.opts.onSwitch({ from: 'gemini', to: 'perplexity', mode: 'failover', reason: 'HTTP 503' }));
    s.push({ type: 'text', data: 'w0 ', id: '', service: 'perplexity' });
    s.push({ type: 'text', data: 'w1 ', id: '', service: 'perplexity' });
    await flush();
    expect(p().textContent).toBe('w0 w1 |gemini did not answer (HTTP 503); switched to perplexity|');
    expect(p().dataset.service).toBe('perplexity');
    expect(p().dataset.status).toBe('streaming');
    s.end(null, { service: 'perplexity', complete: true, text: 'w0 w1 ', attempts: 2 });
    await flush();
    expect(p().dataset.status).toBe('done');
  });

  it('a restart clears the text; an error keeps the partial text and its reason', async () => {
    const router = streamingRouter();
    const { container } = render(h(SSEProvider, { manager: createFakeManager(), router }, h(Answer, { request: { key: 'a' } })));
    const s = router.streams[0];
    s.push({ type: 'text', data: 'old ', id: '', service: 'gemini' });
    s.push({ type: 'restart', data: 'stalled', id: '', service: 'perplexity' });
    s.push({ type: 'text', data: 'new ', id: '', service: 'perplexity' });
    await flush();
    expect(container.querySelector('p').textContent).toBe('new ||');
    s.end(Object.assign(new Error('broke off'), { reason: 'broken', partial: 'new ' }));
    await flush();
    expect(container.querySelector('p').textContent).toBe('new ||broken');
    expect(container.querySelector('p').dataset.status).toBe('failed');
  });

  it('aborts on unmount and on a new key; the same key in a new object is the same call; null makes no call', async () => {
    const router = streamingRouter();
    const wrap = (request) => h(SSEProvider, { manager: createFakeManager(), router }, h(Answer, { request }));
    const { rerender, unmount } = render(wrap({ key: 'a' }));
    rerender(wrap({ key: 'a' }));
    expect(router.streams).toHaveLength(1);
    rerender(wrap({ key: 'b' }));
    expect(router.streams).toHaveLength(2);
    expect(router.streams[0].aborted).toBe(true);
    rerender(wrap(null));
    expect(router.streams[1].aborted).toBe(true);
    expect(router.streams).toHaveLength(2);
    rerender(wrap({ key: 'c' }));
    unmount();
    expect(router.streams[2].aborted).toBe(true);
  });
});
