// Event latency from a server timestamp in the payload: off unless asked for (no per-event regex),
// measured on the manager's own clock (never Date.now() beside an injected clock), in the unit
// the app names, and a sample in the wrong unit is ignored instead of recorded as decades.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeManager } from './manager-helpers.js';

const enc = new TextEncoder();

const EPOCH_MS = Date.UTC(2026, 0, 1); // the fake clock reads like a wall clock

async function streamOf(options) {
  const ctx = await fakeManager(options, { clockStart: EPOCH_MS });
  ctx.m.connect('c', 'http://s/feed');
  ctx.m.subscribe('c', () => {});
  ctx.transport.last.sink.opened(200, 'text/event-stream', -1);
  ctx.send = (data, id) => ctx.transport.last.sink.bytes(enc.encode(`id: ${id}\ndata: ${data}\n\n`));
  return ctx;
}

test('off by default: payload timestamps are not read', async () => {
  const { m, clock, send } = await streamOf();
  send(JSON.stringify({ n: 1, ts: clock.now() - 40 }), 1);
  assert.equal(m.getMetrics().eventLatencyMs.count, 0);
  m.destroy();
});

test('measureLatency: true reads `ts` (epoch ms) against the injected clock', async () => {
  const { m, clock, send } = await streamOf({ measureLatency: true });
  send(JSON.stringify({ n: 1, ts: clock.now() - 250 }), 1);
  clock.advance(10);
  send(`{"ts": ${clock.now() - 750}, "n": 2}`, 2);
  send('{"n": 3}', 3); // no timestamp: no sample
  send('plain text "ts": 5', 4); // not JSON: not read
  const s = m.getMetrics().eventLatencyMs;
  assert.equal(s.count, 2);
  assert.ok(Math.abs(s.min - 250) <= 250 * 0.006, `min ${s.min}`);
  assert.ok(Math.abs(s.max - 750) <= 750 * 0.006, `max ${s.max}`);
  m.destroy();
});

test('a field and unit of the app\'s choosing; samples in the wrong unit are ignored', async () => {
  const { m, clock, send } = await streamOf({ measureLatency: { field: 'sentAt', unit: 's' } });
  send(JSON.stringify({ sentAt: (clock.now() - 1500) / 1000 }), 1);
  send(JSON.stringify({ sentAt: clock.now() - 1500 }), 2); // ms where seconds were promised
  send(JSON.stringify({ ts: (clock.now() - 100) / 1000 }), 3); // another field
  const s = m.getMetrics().eventLatencyMs;
  assert.equal(s.count, 1);
  assert.ok(Math.abs(s.max - 1500) <= 1500 * 0.006, `max ${s.max}`);
  m.destroy();

  const ms = await streamOf({ measureLatency: true });
  ms.send(JSON.stringify({ ts: Math.floor(ms.clock.now() / 1000) }), 1); // epoch seconds, unit ms
  assert.equal(ms.m.getMetrics().eventLatencyMs.count, 0, 'seconds read as ms are not decades of latency');
  ms.send(JSON.stringify({ ts: ms.clock.now() + 30 }), 2); // the server's clock is a little ahead
  assert.equal(ms.m.getMetrics().eventLatencyMs.count, 1);
  assert.equal(ms.m.getMetrics().eventLatencyMs.max, 0);
  ms.m.destroy();
});

test('bad measureLatency options are refused clearly', async () => {
  const { fakeManager: make } = await import('./manager-helpers.js');
  await assert.rejects(make({ measureLatency: { unit: 'minutes' } }), /measureLatency\.unit/);
  await assert.rejects(make({ measureLatency: { field: '' } }), /measureLatency\.field/);
});
