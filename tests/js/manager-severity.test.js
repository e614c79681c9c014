// Freshness and severity through the JS driver (fake clock and transport): the status carries the
// core's stale and alert flags and its times, events of a resumed stream's burst are marked
// caughtUp, and getMetrics() has one definition per figure (byChannel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeManager } from './manager-helpers.js';

const enc = new TextEncoder();
const ok = (h) => h.sink.opened(200, 'text/event-stream', -1);
const feed = (h, text) => h.sink.bytes(enc.encode(text));

test('stale before the watchdog, with the times; the stall counts in full', async () => {
  const { m, clock, transport } = await fakeManager();
  m.connect('c', 'http://s/feed', { heartbeatTimeoutMs: 12000, staleAfterMs: 3000 });
  const seen = [];
  m.onStatus('c', (s) => seen.push(s));
  m.subscribe('c', () => {});
  ok(transport.last);
  feed(transport.last, 'id: 1\ndata: a\n\n');
  const last = clock.now();
  let s = m.getConnectionStatus('c');
  assert.equal(s.state, 'open');
  assert.equal(s.stale, false);
  assert.equal(s.lastByteAt, last);
  assert.equal(s.lastEventAt, last);
  assert.equal(s.outageSince, null);
  clock.advance(2999);
  assert.equal(m.getConnectionStatus('c').stale, false);
  clock.advance(1);
  s = seen.at(-1);
  assert.equal(s.state, 'open');
  assert.equal(s.stale, true);
  assert.equal(s.alert, false);
  assert.equal(s.staleAfterMs, 3000);
  assert.equal(s.lastByteAt, last);
  assert.equal(s.outageSince, last);
  clock.advance(9000); // the watchdog at 12 s: reconnecting at once, alert-worthy at once
  s = seen.find((x) => x.state === 'reconnecting');
  assert.equal(s.reason, 'stall');
  assert.equal(s.alert, true);
  assert.equal(s.stale, false);
  assert.equal(seen.at(-1).state, 'connecting');
  assert.equal(seen.at(-1).alert, true);
  ok(transport.last);
  assert.equal(seen.at(-1).alert, false); // open again: no alert
  clock.advance(1000);
  feed(transport.last, 'id: 2\ndata: b\n\n');
  const mx = m.getMetrics();
  assert.equal(mx.outages, 1);
  assert.equal(mx.outageMs, clock.now() - last); // from the last byte, not from the watchdog
  assert.equal(mx.byChannel.c.outageMs, clock.now() - last);
  assert.equal(m.getConnectionStatus('c').outageSince, null);
  m.destroy();
});

test('a blip changes the state only; an outage past the grace time alerts; a 404 at once', async () => {
  const { m, clock, transport } = await fakeManager();
  m.connect('c', 'http://s/feed', { graceMs: 2000, backoff: { initialMs: 300, jitter: 'none' } });
  const seen = [];
  m.onStatus('c', (s) => seen.push(s));
  m.subscribe('c', () => {});
  ok(transport.last);
  transport.last.sink.closed(1);
  clock.advance(300);
  ok(transport.last);
  assert.deepEqual(seen.map((s) => `${s.state}${s.alert ? '!' : ''}`), ['connecting', 'open', 'reconnecting', 'connecting', 'open']);
  seen.length = 0;
  transport.last.sink.closed(1);
  for (let i = 0; i < 40; i++) {
    clock.advance(100);
    if (m.getConnectionStatus('c').state === 'connecting') transport.last.sink.closed(1);
  }
  const firstAlert = seen.findIndex((s) => s.alert);
  assert.ok(firstAlert > 0, 'alerted');
  assert.ok(seen.slice(0, firstAlert).every((s) => !s.alert));
  m.disconnect('c');
  m.connect('d', 'http://s/other');
  m.subscribe('d', () => {});
  transport.last.sink.opened(404, 'text/html', -1);
  const s = m.getConnectionStatus('d');
  assert.equal(s.state, 'failed');
  assert.equal(s.alert, true);
  m.destroy();
});

test('caught-up events are marked; metrics: events once per channel, deliveries per subscriber', async () => {
  const { m, clock, transport } = await fakeManager();
  m.connect('c', 'http://s/feed', { backoff: { initialMs: 100, jitter: 'none' } });
  const a = [];
  const b = [];
  m.subscribe('c', (e) => a.push(e));
  m.subscribe('c', (e) => b.push(e));
  ok(transport.last);
  feed(transport.last, 'id: 1\ndata: a\n\n');
  transport.last.sink.closed(1);
  clock.advance(100);
  ok(transport.last);
  feed(transport.last, 'id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n');
  clock.advance(5000);
  feed(transport.last, 'id: 4\ndata: d\n\n');
  assert.deepEqual(a.map((e) => `${e.id}${e.caughtUp ? '+' : ''}`), ['1', '2+', '3+', '4']);
  assert.equal(b.filter((e) => e.caughtUp).length, 2);
  const mx = m.getMetrics();
  assert.deepEqual({ ...mx.byChannel.c }, {
    eventsReceived: 5, deliveries: 8, replayed: 0, duplicatesDropped: 1, caughtUp: 2, reconnects: 1, outages: 1,
    outageMs: mx.byChannel.c.outageMs, currentOutageMs: 0, subscribers: 2,
  });
  assert.equal(mx.events, 5);
  assert.equal(mx.delivered, 8);
  assert.equal(mx.duplicates, 1);
  assert.equal(mx.caughtUp, 2);
  m.destroy();
});

test('retryNow after mixed failures: at once, past backoff and breaker', async () => {
  const { m, clock, transport } = await fakeManager();
  m.connect('c', 'http://s/feed', { breaker: { consecutiveFailures: 2, openMs: 60000 } });
  m.subscribe('c', () => {});
  transport.last.sink.opened(401, 'application/json', -1);
  assert.equal(m.getConnectionStatus('c').state, 'failed');
  m.retryNow('c');
  transport.last.sink.opened(500, 'text/html', -1);
  clock.advance(m.getConnectionStatus('c').reconnectInMs);
  transport.last.sink.opened(500, 'text/html', -1);
  clock.advance(m.getConnectionStatus('c').reconnectInMs);
  assert.equal(m.getConnectionStatus('c').state, 'circuit-open');
  // The pause is not its own cause: the 5xx before it stays the last error (the alert's words).
  assert.equal(m.getConnectionStatus('c').lastError.reason, 'http-5xx');
  const opens = transport.opens.length;
  m.retryNow('c');
  assert.equal(transport.opens.length, opens + 1, 'one press, one attempt, at once');
  ok(transport.last);
  feed(transport.last, 'data: x\n\n');
  transport.last.sink.closed(1);
  assert.equal(m.getConnectionStatus('c').state, 'reconnecting', 'the success closed the breaker');
  m.destroy();
});
