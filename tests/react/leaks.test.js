// Per-room channels through the React bindings: a component that moves through thousands of
// rooms (one channel each, connected through the provider's `channels`) leaves no per-name state
// behind, in the bindings' status stores or in the real manager (the Wasm core, fake transport).
import { describe, it, expect, afterEach } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createElement as h } from 'react';
import { render, act, cleanup } from '@testing-library/react';
import { SSEProvider, useSSE, useSSEStatus, useSSEManager } from '../../js/react/index.js';
import { retainedStatusStores } from '../../js/react/stores.js';
import { createFakeManager } from './fakes.js';

// jsdom's import.meta.url is not a file: URL for node:fs; resolve the path from the test's location.
const wasmBinary = await readFile(fileURLToPath(new URL('../../dist/lifeline-core.wasm', `file://${__filename}`)));
const quietEnvironment = { isOnline: () => true, subscribe: () => () => {} };
const ROOMS = 10_000;

afterEach(cleanup);

function Room({ room, onEvent, seen }) {
  useSSE(room, onEvent);
  seen.state = useSSEStatus(room).state;
  seen.manager = useSSEManager();
  return null;
}

describe('per-room channels', () => {
  it(`${ROOMS} rooms: the status stores of a fake manager are released`, () => {
    const manager = createFakeManager();
    const seen = {};
    const { rerender, unmount } = render(h(SSEProvider, { manager }, h(Room, { room: 'room-0', onEvent: () => {}, seen })));
    for (let i = 1; i < ROOMS; i++) rerender(h(SSEProvider, { manager }, h(Room, { room: `room-${i}`, onEvent: () => {}, seen })));
    expect(retainedStatusStores(manager)).toBe(1); // the current room's
    unmount();
    expect(retainedStatusStores(manager)).toBe(0);
  });

  it(`${ROOMS} rooms through the provider and the real manager: nothing retained`, async () => {
    const opens = [];
    const transport = {
      name: 'fake',
      open(request, sink) {
        const h = { request, sink, abort() {} };
        opens.push(h);
        return h;
      },
    };
    const seen = {};
    let delivered = 0;
    const options = { environment: quietEnvironment, storage: null, lingerMs: 0, seed: 5, transports: { fetch: transport } };
    const tree = (i) => h(SSEProvider, { initOptions: { wasmBinary }, options, channels: { [`room-${i}`]: { url: `http://s/rooms/${i}` } } },
      h(Room, { room: `room-${i}`, onEvent: () => delivered++, seen }));
    const { rerender, unmount } = render(tree(0));
    for (let n = 0; n < 200 && !seen.manager; n++) await act(() => new Promise((r) => setTimeout(r, 10)));
    const manager = seen.manager;
    expect(manager).toBeTruthy();
    const enc = new TextEncoder();
    for (let i = 0; i < ROOMS; i++) {
      if (i) rerender(tree(i));
      const last = opens.at(-1);
      expect(last.request.url).toBe(`http://s/rooms/${i}`);
      act(() => {
        last.sink.opened(200, 'text/event-stream', -1);
        last.sink.bytes(enc.encode(`id: 1\ndata: room ${i}\n\n`));
      });
      expect(seen.state).toBe('open');
    }
    expect(delivered).toBe(ROOMS);
    expect(opens.length).toBe(ROOMS);
    const retained = manager.retainedState();
    expect(retained).toEqual({ channels: 1, channelHandles: 1, connections: 1, subscribers: 1, snapshots: 1, listeners: 1, stores: 1 });
    expect(retainedStatusStores(manager)).toBe(1);
    rerender(h(SSEProvider, { initOptions: { wasmBinary }, options, channels: {} }, null));
    expect(manager.retainedState()).toEqual({ channels: 0, channelHandles: 0, connections: 0, subscribers: 0, snapshots: 0, listeners: 0, stores: 0 });
    expect(retainedStatusStores(manager)).toBe(0);
    unmount();
  }, 60_000); // a test of what is retained, not of speed: 12.6 s on the 2-core CI machine under load
});
