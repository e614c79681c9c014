// The EventSource transport's loss paths in the JS driver: an event larger than the core's batch
// arena (8 MiB) fails that stream with reason `overflow`, and the driver must close the native
// EventSource on the core's CLOSE action, so that the old one does not stay open (and reconnect
// by itself) beside its replacement. Node has no native EventSource: the class below is the one
// fake here (tests/js/manager-helpers.js), standing in for the browser's (the Chromium e2e runs the real one); the manager,
// its core (Wasm) and the transport are the real code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEventSourceTransport } from '../../js/index.js';
import { fakeManager, FakeEventSource } from './manager-helpers.js';


const open = () => FakeEventSource.all.filter((es) => !es.closed);

test('an event over the batch arena closes the EventSource at once (reason overflow) and resumes after the last id', async () => {
  FakeEventSource.all = [];
  const { m, clock, errors } = await fakeManager({ transports: { eventsource: createEventSourceTransport({ EventSource: FakeEventSource }) } });
  // The event cap is raised above the arena, so the event reaches the batch and overflows it.
  m.connect('c', 'http://s/feed', { transport: 'eventsource', maxEventBytes: 32 << 20, backoff: { initialMs: 100, jitter: 'none' } });
  const got = [];
  const states = [];
  m.onStatus('c', (s) => states.push(`${s.state}:${s.reason}`));
  m.subscribe('c', (e) => got.push(e.id));
  const es = FakeEventSource.all.at(-1);
  es.open();
  es.emit('message', 'small', '1');
  es.emit('message', 'x'.repeat(9 << 20), '2');
  assert.equal(es.closed, true, 'the native EventSource is closed on the CLOSE action');
  assert.equal(m.getConnectionStatus('c').reason, 'overflow');
  assert.equal(m.getConnectionStatus('c').state, 'reconnecting');
  assert.ok(states.includes('reconnecting:overflow'), JSON.stringify(states));
  assert.equal(m.getMetrics().overflows, 1);
  es.emit('message', 'late', '3'); // nothing more from the closed one
  clock.advance(100);
  assert.equal(FakeEventSource.all.length, 2);
  assert.deepEqual(open(), [FakeEventSource.all[1]], 'one EventSource open per connection');
  assert.equal(FakeEventSource.all[1].url, 'http://s/feed?lastEventId=1');
  FakeEventSource.all[1].open();
  FakeEventSource.all[1].emit('message', 'next', '3');
  assert.deepEqual(got, ['1', '3']);
  assert.deepEqual(errors, []);
  m.destroy();
  assert.deepEqual(open(), []);
});

test('stalls: every reconnect closes the stalled EventSource first (one open per connection)', async () => {
  FakeEventSource.all = [];
  const { m, clock } = await fakeManager({ transports: { eventsource: createEventSourceTransport({ EventSource: FakeEventSource }) } });
  m.connect('c', 'http://s/feed', { transport: 'eventsource', heartbeatTimeoutMs: 1000, backoff: { initialMs: 100, jitter: 'none' } });
  m.subscribe('c', () => {});
  FakeEventSource.all.at(-1).open();
  for (let i = 0; i < 5; i++) {
    clock.advance(1000); // the watchdog: no event in time
    clock.advance(100);
    assert.equal(open().length, 1, `after stall ${i + 1}`);
    FakeEventSource.all.at(-1).open();
  }
  assert.equal(FakeEventSource.all.length, 6);
  m.destroy();
});

test('a channel moved to another URL keeps its subscribers\' event types on the new EventSource', async () => {
  FakeEventSource.all = [];
  const { m } = await fakeManager({ transports: { eventsource: createEventSourceTransport({ EventSource: FakeEventSource }) } });
  m.connect('c', 'http://s/a', { transport: 'eventsource' });
  const got = [];
  m.subscribe('c', (e) => got.push(`${e.type}:${e.data}`), { events: ['poll'] });
  const a = FakeEventSource.all.at(-1);
  assert.ok(a.listeners.has('poll'));
  a.open();
  a.emit('poll', 'from a', '1');
  m.connect('c', 'http://s/b', { transport: 'eventsource' }); // e.g. an SSEProvider config change
  const b = FakeEventSource.all.at(-1);
  assert.notEqual(b, a);
  assert.equal(b.url, 'http://s/b');
  assert.ok(b.listeners.has('poll'), `the new EventSource listens to ${[...b.listeners.keys()]}`);
  b.open();
  b.emit('poll', 'from b', '1'); // another stream: its ids are its own
  assert.deepEqual(got, ['poll:from a', 'poll:from b']);
  m.destroy();
});
