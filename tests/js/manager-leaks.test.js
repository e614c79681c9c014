// Per-room channels: an app that connects and removes thousands of channel names over its life
// must not grow the manager's JS state (status snapshots, listener sets, status stores) or the
// core's tables. Fake clock and transport: the test plays the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeManager } from './manager-helpers.js';

const enc = new TextEncoder();
const ROOMS = 10_000;
const EMPTY = { channels: 0, channelHandles: 0, connections: 0, subscribers: 0, snapshots: 0, listeners: 0, stores: 0 };

test(`${ROOMS} rooms joined and left: every per-name map is back to empty`, async () => {
  const { m, transport, errors } = await fakeManager();
  assert.deepEqual(m.retainedState(), EMPTY);
  let delivered = 0;
  let notified = 0;
  for (let i = 0; i < ROOMS; i++) {
    const room = `room-${i}`;
    m.connect(room, `http://s/rooms/${i}`);
    const off = m.subscribe(room, () => delivered++);
    const offStatus = m.onStatus(room, () => notified++);
    const store = m.statusStore(room);
    const offStore = store.subscribe(() => {});
    const h = transport.last;
    h.sink.opened(200, 'text/event-stream', -1);
    h.sink.bytes(enc.encode(`id: ${i}\ndata: hello ${room}\n\n`));
    assert.equal(store.getSnapshot().state, 'open');
    off();
    offStatus();
    offStore();
    m.disconnect(room);
  }
  assert.equal(transport.opens.length, ROOMS);
  assert.equal(delivered, ROOMS);
  assert.ok(notified >= ROOMS);
  assert.deepEqual(m.retainedState(), EMPTY);
  assert.deepEqual(errors, []);
  m.destroy();
});

test('reading the status of names never connected retains nothing', async () => {
  const { m } = await fakeManager();
  for (let i = 0; i < 1000; i++) {
    assert.equal(m.getConnectionStatus(`ghost-${i}`).state, 'idle');
    assert.equal(m.statusStore(`ghost-${i}`).getSnapshot().state, 'idle');
  }
  assert.deepEqual(m.retainedState(), EMPTY);
  m.destroy();
});

test('a status listener outlives its channel until it leaves; then the name is released', async () => {
  const { m, transport } = await fakeManager();
  const seen = [];
  const store = m.statusStore('r');
  const offStore = store.subscribe(() => seen.push(store.getSnapshot().state));
  assert.equal(m.statusStore('r'), store, 'the store is cached while it is listened to');
  m.connect('r', 'http://s/r');
  m.subscribe('r', () => {});
  transport.last.sink.opened(200, 'text/event-stream', -1);
  m.disconnect('r');
  assert.equal(store.getSnapshot().state, 'idle', 'the listener heard the removal');
  assert.equal(seen.at(-1), 'idle');
  assert.equal(m.retainedState().listeners, 1);
  // connected again while listened to: the same store reports the new connection
  m.connect('r', 'http://s/r');
  m.subscribe('r', () => {});
  transport.last.sink.opened(200, 'text/event-stream', -1);
  assert.equal(store.getSnapshot().state, 'open');
  m.disconnect('r');
  offStore();
  assert.deepEqual(m.retainedState(), EMPTY);
  m.destroy();
});

test('a channel the core refuses (a cap reached) leaves no connection behind', async () => {
  const { m } = await fakeManager({ maxChannels: 1 });
  m.connect('a', 'http://s/a');
  assert.throws(() => m.connect('b', 'http://s/b'), /capacity/);
  assert.equal(m.retainedState().connections, 1);
  assert.equal(m.retainedState().channels, 1);
  m.disconnect('a');
  m.connect('b', 'http://s/b'); // the freed slot is usable
  assert.equal(m.retainedState().connections, 1);
  m.destroy();
});

test('closeAll forgets the names nobody listens to; a listener keeps hearing its last status', async () => {
  const { m, transport } = await fakeManager();
  const heard = [];
  const off = m.onStatus('kept', (s) => heard.push(s.state));
  for (const name of ['kept', 'a', 'b']) {
    m.connect(name, `http://s/${name}`);
    m.subscribe(name, () => {});
    transport.last.sink.opened(200, 'text/event-stream', -1);
  }
  m.closeAll();
  assert.equal(heard.at(-1), 'closed');
  assert.equal(m.getConnectionStatus('kept').state, 'closed');
  assert.equal(m.getConnectionStatus('a').state, 'idle');
  assert.deepEqual(m.retainedState(), { ...EMPTY, snapshots: 1, listeners: 1 });
  off();
  assert.deepEqual(m.retainedState(), EMPTY);
  m.destroy();
});
