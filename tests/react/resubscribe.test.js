// useSSE against the real manager (the Wasm core) and the reference SSE server on loopback:
// a channel removed from the provider's config and added back is subscribed again, so events
// published after it returns reach the hook (they used to be lost without a sign); a channel
// whose config moves it to another server takes that stream's events, whatever their ids.
import { describe, it, expect, afterEach } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createElement as h } from 'react';
import { render, act, cleanup } from '@testing-library/react';
import { SSEProvider, useSSE, useSSEStatus, useSSEManager } from '../../js/react/index.js';
import { startSSEServer } from '../../demo/server/sse-server.js';

// jsdom's import.meta.url is not a file: URL for node:fs; resolve the path from the test's location.
const wasmBinary = await readFile(fileURLToPath(new URL('../../dist/lifeline-core.wasm', `file://${__filename}`)));
const quietEnvironment = { isOnline: () => true, subscribe: () => () => {} };

afterEach(cleanup);

async function until(cond, what, ms = 8000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await act(() => new Promise((r) => setTimeout(r, 10)));
  }
}

describe('useSSE with the real manager', () => {
  it('resubscribes after its channel is removed from the provider and added back', async () => {
    const server = await startSSEServer({ intervalMs: 0, heartbeatMs: 1000 });
    try {
      const got = [];
      let state = null;
      let manager = null;
      function Feed() {
        useSSE('feed', (e) => got.push(JSON.parse(e.data).n));
        state = useSSEStatus('feed').state;
        manager = useSSEManager();
        return null;
      }
      const props = (channels) => ({
        initOptions: { wasmBinary }, options: { environment: quietEnvironment, storage: null, lingerMs: 0, seed: 3 }, channels,
      });
      const withFeed = { feed: { url: server.feedUrl, heartbeatTimeoutMs: 5000 } };
      const { rerender } = render(h(SSEProvider, props(withFeed), h(Feed)));
      await until(() => state === 'open', 'the first open');
      server.publish('message', { n: 1 });
      await until(() => got.length === 1, 'event 1');

      rerender(h(SSEProvider, props({}), h(Feed)));
      await until(() => state === 'idle', 'the channel removed');
      rerender(h(SSEProvider, props(withFeed), h(Feed)));
      await until(() => state === 'open', 'open again');
      server.publish('message', { n: 2 });
      await until(() => got.length === 2, 'event 2 after the channel came back');
      expect(got).toEqual([1, 2]);
      expect(manager.getMetrics().subscribers).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('a channel whose config moved it to another server receives that stream\'s events, ids seen before included', async () => {
    const first = await startSSEServer({ intervalMs: 0, heartbeatMs: 1000 });
    const second = await startSSEServer({ intervalMs: 0, heartbeatMs: 1000 });
    try {
      const got = [];
      let state = null;
      let url = null;
      function Feed() {
        useSSE('feed', (e) => got.push(`${e.id}:${JSON.parse(e.data).from}`));
        const status = useSSEStatus('feed');
        state = status.state;
        url = status.url;
        return null;
      }
      const props = (server) => ({
        initOptions: { wasmBinary }, options: { environment: quietEnvironment, storage: null, lingerMs: 0, seed: 4 },
        channels: { feed: { url: server.feedUrl, heartbeatTimeoutMs: 5000 } },
      });
      const { rerender } = render(h(SSEProvider, props(first), h(Feed)));
      await until(() => state === 'open', 'open on the first server');
      for (let n = 0; n < 3; n++) first.publish('message', { from: 'first' });
      await until(() => got.length === 3, 'three events from the first server');
      rerender(h(SSEProvider, props(second), h(Feed)));
      await until(() => state === 'open' && url === second.feedUrl, 'open on the second server');
      for (let n = 0; n < 3; n++) second.publish('message', { from: 'second' });
      // The second server's ids 1..3 are its own stream's: not duplicates of the first's.
      await until(() => got.length === 6, 'three events from the second server');
      expect(got).toEqual(['1:first', '2:first', '3:first', '1:second', '2:second', '3:second']);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
