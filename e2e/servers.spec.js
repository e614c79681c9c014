// The reference servers seen from Chromium, cross-origin (page on the static site, servers on
// their own ports): native EventSource with Last-Event-ID resumption, CORS for JSON POSTs and
// readable fault answers.
import { test, expect } from './fixtures.js';
import { startAll } from '../demo/server/index.js';

let all;
test.beforeAll(async () => {
  all = await startAll({ sse: { intervalMs: 0, heartbeatMs: 60000, retryMs: 200 }, ai: { latencyMs: 5 } });
});
test.afterAll(async () => {
  await all?.close();
});

test('native EventSource resumes with Last-Event-ID after a dropped connection', async ({ page, site }) => {
  await page.goto(`${site.url}/e2e/pages/load.html`);
  await page.evaluate((url) => {
    window.got = [];
    window.opens = 0;
    const es = new EventSource(url);
    window.es = es;
    es.onopen = () => { window.opens++; };
    es.addEventListener('poll', (e) => window.got.push([e.lastEventId, JSON.parse(e.data).n]));
  }, all.urls.feed);
  await expect.poll(() => page.evaluate(() => window.opens)).toBe(1);
  for (let n = 1; n <= 3; n++) all.sse.publish('poll', { n });
  await expect.poll(() => page.evaluate(() => window.got.length)).toBe(3);
  all.sse.drop();
  all.sse.publish('poll', { n: 4 });
  all.sse.publish('poll', { n: 5 });
  await expect.poll(() => page.evaluate(() => window.got.length)).toBe(5);
  expect(await page.evaluate(() => window.got)).toEqual([['1', 1], ['2', 2], ['3', 3], ['4', 4], ['5', 5]]);
  const connects = all.sse.status().connects;
  expect(connects.map((c) => [c.lastEventId, c.via])).toEqual([[null, null], [3, 'header']]);
  await page.evaluate(() => window.es.close());
});

test('JSON POST to a mock AI service passes the preflight; fault statuses are readable', async ({ page, site }) => {
  await page.goto(`${site.url}/e2e/pages/load.html`);
  const answer = await page.evaluate(async (url) => {
    const r = await fetch(`${url}/v1/analyze`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ward: 'Riverside' }) });
    return { status: r.status, body: await r.json() };
  }, all.urls.ai.gemini);
  expect(answer.status).toBe(200);
  expect(answer.body.service).toBe('gemini');

  all.sse.fault('503', { retryAfter: 3 });
  const fault = await page.evaluate(async (url) => {
    const r = await fetch(url, { headers: { 'last-event-id': '1' } });
    return { status: r.status, retryAfter: r.headers.get('retry-after') };
  }, all.urls.feed);
  expect(fault).toEqual({ status: 503, retryAfter: '3' });

  const mode = await page.evaluate(async (url) => {
    const r = await fetch(`${url}/__ai/llama/mode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'fail' }) });
    return (await r.json()).mode;
  }, all.urls.sse);
  expect(mode).toBe('fail');
  expect(all.ai.services.llama.status().mode).toBe('fail');
});
