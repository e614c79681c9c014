// The fleet's command-line contract (docs/servers.md): `REDIS_URL=redis://127.0.0.1:P node
// demo/server/cli.js --port N --interval 0` is one instance; POST /api/v1/strategist/publish
// through one, GET /api/v1/strategist/feed from another (one shared log); /health/live and
// /health/ready; SIGTERM drains (the open stream gets lifeline:drain, the process exits 0 within
// its bound) and kill -9 leaves the log to the others. Real processes and a real redis-server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, freePort } from '../../demo/server/redis-process.js';
import { startFleetProcess, waitForStatus } from '../../demo/server/fleet-launcher.js';
import { openSSE } from '../../demo/server/test-client.js';

let redis;
before(async () => { redis = await startRedis(); });
after(async () => { await redis?.close(); });

async function fleetOf(t, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const inst = await startFleetProcess({ redisUrl: redis.url, port: await freePort(), args: ['--no-ai', '--drain-spread', '200', '--drain-timeout', '3000'] });
    t.after(() => inst.kill('SIGKILL'));
    out.push(inst);
  }
  return out;
}

const publish = (inst, body) => fetch(inst.urls.publish, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));

test('instances share the log; SIGTERM drains; kill -9 loses nothing the others have', async (t) => {
  const [a, b] = await fleetOf(t, 2);
  assert.equal(a.urls.fleet, true);
  await waitForStatus(a.urls.ready);
  assert.equal((await fetch(b.urls.live)).status, 200);
  const s = await openSSE(b.urls.feed, { headers: { 'last-event-id': '0-0' } });
  t.after(() => s.close());
  for (let i = 1; i <= 3; i++) assert.equal((await publish(a, { event: 'tick', data: { seq: i } })).status, 200);
  await s.waitForEvents(3);
  assert.deepEqual(s.events.map((e) => JSON.parse(e.data).seq), [1, 2, 3]);
  const t0 = Date.now();
  b.proc.kill('SIGTERM');
  await s.waitFor((x) => x.events.some((e) => e.event === 'lifeline:drain'), 3000);
  assert.equal(s.events.at(-1).data, '200');
  await s.close(); // the client leaves: the instance exits at once
  const { code } = await b.exited;
  assert.equal(code, 0);
  assert.ok(Date.now() - t0 < 3000, `exited after ${Date.now() - t0} ms`);
  // the other instance resumes the client from the id it had, with what came meanwhile
  await publish(a, { event: 'tick', data: { seq: 4 } });
  const r = await openSSE(a.urls.feed, { headers: { 'last-event-id': s.events[2].id } });
  t.after(() => r.close());
  await r.waitForEvents(1);
  assert.deepEqual(r.events.map((e) => JSON.parse(e.data).seq), [4]);
  await a.kill('SIGKILL');
  const [c] = await fleetOf(t, 1);
  const again = await openSSE(c.urls.feed, { headers: { 'last-event-id': '0-0' } });
  t.after(() => again.close());
  await again.waitForEvents(4);
  assert.deepEqual(again.events.map((e) => JSON.parse(e.data).seq), [1, 2, 3, 4]);
});
