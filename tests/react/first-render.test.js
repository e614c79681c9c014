// An app-created manager (and router), made after `await init()` and passed to <SSEProvider>:
// the hooks have it on the very first render, on the server and while hydrating too, a child
// subscribes in the first commit, and the provider never closes what the app owns. Without one,
// useSSEManager() is null exactly until init() resolves.
import { describe, it, expect, afterEach, vi } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { StrictMode, createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import { hydrateRoot } from 'react-dom/client';
import { render, act, cleanup } from '@testing-library/react';
import { SSEProvider, SSEStatusIndicator, useSSE, useSSEManager, useRouter, useSSEStatus } from '../../js/react/index.js';
import { init, createManager } from '../../js/index.js';
import { startSSEServer } from '../../demo/server/sse-server.js';
import { createFakeManager, createFakeRouter, createFakeRuntime } from './fakes.js';

afterEach(cleanup);
const flush = () => act(() => new Promise((r) => setTimeout(r, 0)));

// Every render's useSSEManager() and useRouter(), in order.
function recorder() {
  const seen = [];
  function Probe() {
    seen.push({ manager: useSSEManager(), router: useRouter() });
    return null;
  }
  return { seen, Probe };
}

describe('an app-created manager on the first render', () => {
  it('useSSEManager() and useRouter() are the app\'s objects on every render, from the first, in Strict Mode', async () => {
    const manager = createFakeManager({ strict: true });
    const router = createFakeRouter(['alpha']);
    const { seen, Probe } = recorder();
    const got = [];
    function Feed() { useSSE('feed', (e) => got.push(e.data)); return null; }
    const { unmount } = render(h(StrictMode, null,
      h(SSEProvider, { manager, router, channels: { feed: { url: '/feed' } } }, h(Probe), h(Feed))));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.manager === manager && s.router === router)).toBe(true);
    // Connected in the first commit's layout effects, subscribed in its passive effects: no wait.
    expect(manager.calls.connect.map((c) => c.channel)).toEqual(['feed']);
    expect(manager.subscriberCount('feed')).toBe(1);
    act(() => manager.emit('feed', 'message', 'first'));
    expect(got).toEqual(['first']);
    const renders = seen.length;
    await flush();
    expect(seen.length).toBe(renders); // adopting the given manager re-renders nothing
    unmount();
    await flush();
    expect(manager.calls.destroy).toBe(0);
    expect(manager.calls.closeAll).toBe(0);
    expect(router.closed).toBe(0);
  });

  it('the server render and the hydrating render have it too, without a mismatch', async () => {
    const manager = createFakeManager();
    const { seen, Probe } = recorder();
    const app = () => h(SSEProvider, { manager, channels: { feed: { url: '/feed' } } },
      h(Probe), h(SSEStatusIndicator, { channel: 'feed' }));
    const html = renderToString(app());
    expect(seen.map((s) => s.manager)).toEqual([manager]);
    expect(html).toContain('lifeline-status--connecting');

    seen.length = 0;
    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.appendChild(container);
    const recoverable = vi.fn();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    let root;
    await act(async () => { root = hydrateRoot(container, app(), { onRecoverableError: recoverable }); });
    expect(recoverable).not.toHaveBeenCalled();
    expect(errors).not.toHaveBeenCalled();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.manager === manager)).toBe(true);
    act(() => manager.setStatus('feed', { state: 'open' }));
    expect(container.querySelector('.lifeline-status').dataset.state).toBe('open');
    act(() => root.unmount());
    container.remove();
    expect(manager.calls.destroy).toBe(0);
  });

  it('without one, useSSEManager() is null until init() resolves, then the created manager', async () => {
    const rt = createFakeRuntime();
    const { seen, Probe } = recorder();
    const { unmount } = render(h(SSEProvider, { runtime: rt }, h(Probe)));
    expect(seen.every((s) => s.manager === null && s.router === null)).toBe(true);
    await flush();
    await flush();
    expect(rt.created).toBe(1);
    expect(seen.at(-1).manager).toBe(rt.manager);
    expect(seen.at(-1).router).toBe(null); // no router, no routerOptions: null for good
    unmount();
    await flush();
    expect(rt.manager.calls.destroy).toBe(1); // the provider's own manager is destroyed
  });

  it('the real manager made after await init(): first render, then events from a real server', async () => {
    const wasmBinary = await readFile(fileURLToPath(new URL('../../dist/lifeline-core.wasm', `file://${__filename}`)));
    await init({ wasmBinary });
    const manager = createManager({ environment: { isOnline: () => true, subscribe: () => () => {} }, storage: null, lingerMs: 0, seed: 5 });
    const server = await startSSEServer({ intervalMs: 0, heartbeatMs: 1000 });
    try {
      const { seen, Probe } = recorder();
      const got = [];
      let state = null;
      function Feed() {
        useSSE('feed', (e) => got.push(JSON.parse(e.data).n));
        state = useSSEStatus('feed').state;
        return null;
      }
      const { unmount } = render(h(SSEProvider, { manager, channels: { feed: { url: server.feedUrl } } }, h(Probe), h(Feed)));
      expect(seen[0].manager).toBe(manager);
      expect(manager.getMetrics().subscribers).toBe(1); // subscribed in the first commit
      const end = Date.now() + 8000;
      while (state !== 'open' && Date.now() < end) await act(() => new Promise((r) => setTimeout(r, 10)));
      expect(state).toBe('open');
      server.publish('message', { n: 1 });
      while (got.length < 1 && Date.now() < end) await act(() => new Promise((r) => setTimeout(r, 10)));
      expect(got).toEqual([1]);
      unmount();
      await flush();
      // Still the app's: not destroyed (a destroyed manager's metrics are undefined).
      expect(manager.getMetrics().subscribers).toBe(0);
      expect(manager.getMetrics().channels).toBe(1);
    } finally {
      manager.destroy();
      await server.close();
    }
  });
});
