// The drop-in EventSource in Chromium, from the package as pages load it (js/ + the built
// dist/): the core facts of tests/js/event-source*.test.js (events and their fields, the exact
// rules for statuses, content type, redirects, retry:, Last-Event-ID, close(), SyntaxError) and
// a side-by-side run with Chromium's own EventSource on the same tricky stream. The streams come
// from scripted servers on other ports (cross-origin: CORS, preflights answered).
import { test, expect } from './fixtures.js';
import { startScript, stream } from '../tests/js/event-source-server.js';

const closers = [];
test.afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A scripted server that answers CORS (and preflights) for any origin, with credentials. */
async function corsServer(handler) {
  const gets = new Map(); // requests per path, preflights not counted
  return startScript({ after: (fn) => closers.push(fn) }, (req, res, info) => {
    const origin = req.headers.origin ?? '*';
    const cors = { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
        'access-control-allow-methods': 'GET, POST' });
      return res.end();
    }
    for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
    gets.set(info.path, (gets.get(info.path) ?? 0) + 1);
    return handler(req, res, { ...info, n: gets.get(info.path) });
  });
}

const gets = (srv, path) => srv.requests.filter((r) => r.path === path && r.method !== 'OPTIONS');

async function ready(page, site) {
  await page.goto(`${site.url}/e2e/pages/event-source.html`);
  await expect(page.locator('#out')).toHaveText('ready');
}

const watch = (page, url, init = {}, types = [], opts = {}) => page.evaluate(
  ([u, i, t, o]) => window.watch(u, i, t, o), [url, init, types, opts]);
const state = (page, id) => page.evaluate((i) => window.state(i), id);
const kinds = async (page, id) => (await state(page, id)).log.map((e) => `${e.kind}@${e.rs}`);

test.afterEach(async ({ page }) => {
  await page.evaluate(() => window.closeAll?.()).catch(() => {});
});

test('open and MessageEvents with data, origin and lastEventId; constants; SyntaxError', async ({ page, site }) => {
  const srv = await corsServer((req, res) => stream(res, 'id: 1\ndata: hello\n\nevent: named\ndata: n\n\n'));
  await ready(page, site);
  const id = await watch(page, srv.url('/s'), {}, ['named']);
  await expect.poll(() => kinds(page, id)).toEqual(['open@1', 'message@1', 'named@1']);
  const { log, url } = await state(page, id);
  expect(url).toBe(srv.url('/s'));
  expect(log[0].plain).toBe(true);
  expect(log[1]).toMatchObject({ data: 'hello', id: '1', origin: srv.origin, isMessageEvent: true });
  expect(log[2]).toMatchObject({ data: 'n', id: '1' });
  const facts = await page.evaluate(() => {
    const ES = window.LifelineEventSource;
    let thrown = null;
    try {
      new ES('http://[::1/');
    } catch (e) {
      thrown = { domException: e instanceof DOMException, name: e.name };
    }
    const relative = new ES('relative/feed');
    const out = { thrown, relative: relative.url, constants: [ES.CONNECTING, ES.OPEN, ES.CLOSED, relative.CLOSED], rs: relative.readyState };
    relative.close();
    return out;
  });
  expect(facts).toEqual({
    thrown: { domException: true, name: 'SyntaxError' }, relative: `${site.url}/e2e/pages/relative/feed`,
    constants: [0, 1, 2, 2], rs: 0,
  });
});

test('204, 500 and a wrong content type: CLOSED with one error, no reconnect', async ({ page, site }) => {
  const srv = await corsServer((req, res, { path }) => {
    if (path === '/ctype') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('data: x\n\n');
    }
    res.writeHead(Number(path.slice(1)), { 'content-type': 'text/event-stream' });
    return res.end();
  });
  await ready(page, site);
  const ids = [];
  for (const path of ['/204', '/500', '/ctype']) ids.push([path, await watch(page, srv.url(path))]);
  for (const [, id] of ids) await expect.poll(() => kinds(page, id)).toEqual(['error@2']);
  await page.waitForTimeout(300);
  for (const [path, id] of ids) {
    expect(await kinds(page, id)).toEqual(['error@2']);
    expect(gets(srv, path).length).toBe(1);
  }
  expect((await state(page, ids[0][1])).log[0].code).toBe(204);
  expect((await state(page, ids[2][1])).log[0].reason).toBe('content-type');
});

test('a redirect to another origin is followed; origin is the final one, url the given one', async ({ page, site }) => {
  const target = await corsServer((req, res) => stream(res, 'data: moved\n\n'));
  const srv = await corsServer((req, res) => {
    res.writeHead(307, { location: target.url('/final') });
    res.end();
  });
  await ready(page, site);
  const id = await watch(page, srv.url('/from'));
  await expect.poll(() => kinds(page, id)).toEqual(['open@1', 'message@1']);
  const { log, url } = await state(page, id);
  expect(url).toBe(srv.url('/from'));
  expect(log[1].origin).toBe(target.origin);
});

test('a dropped stream: error at CONNECTING, retry: waited, Last-Event-ID sent', async ({ page, site }) => {
  const ends = [];
  const starts = [];
  const srv = await corsServer((req, res, { n }) => {
    starts.push(Date.now());
    if (n === 1) {
      stream(res, 'retry: 400\nid: 41\ndata: first\n\n');
      setTimeout(() => { ends.push(Date.now()); res.end(); }, 50);
    } else stream(res, `data: resumed ${req.headers['last-event-id']}\n\n`);
  });
  await ready(page, site);
  const id = await watch(page, srv.url('/drop'));
  await expect.poll(() => kinds(page, id), { timeout: 5000 }).toEqual(['open@1', 'message@1', 'error@0', 'open@1', 'message@1']);
  const { log } = await state(page, id);
  expect(log[4]).toMatchObject({ data: 'resumed 41', id: '41' });
  const streams = gets(srv, '/drop');
  expect(streams.length).toBe(2);
  const waited = starts[starts.length - 1] - ends[0];
  expect(waited).toBeGreaterThanOrEqual(390);
  expect(waited).toBeLessThan(400 * 1.2 + 300);
});

test('close() in a message handler: nothing more from the same chunk; two sources share one connection', async ({ page, site }) => {
  const srv = await corsServer((req, res) => stream(res, 'data: 1\n\ndata: 2\n\ndata: 3\n\n'));
  await ready(page, site);
  const closing = await watch(page, srv.url('/chunk'), {}, [], { closeOnMessage: true });
  await expect.poll(() => kinds(page, closing)).toEqual(['open@1', 'message@1']);
  const a = await watch(page, srv.url('/shared'));
  await expect.poll(() => kinds(page, a)).toEqual(['open@1', 'message@1', 'message@1', 'message@1']);
  const b = await watch(page, srv.url('/shared'));
  await expect.poll(() => kinds(page, b)).toEqual(['open@1']);
  await page.waitForTimeout(200);
  expect(await kinds(page, closing)).toEqual(['open@1', 'message@1']);
  expect((await state(page, closing)).readyState).toBe(2);
  expect(gets(srv, '/shared').length).toBe(1);
});

test('the same stream read by Chromium\'s EventSource and by Lifeline\'s dispatches the same', async ({ page, site }) => {
  const body = '\uFEFFdata: bom\r\n\r\nid: 1\ndata: a\rdata: b\r\rid: 2\u00003\ndata: nul id\n\n'
    + 'event: t\ndata:  spaced\n\ndata\n\nid\ndata: reset\n\n: comment\nretry: x\ndata: last\n\n';
  const srv = await corsServer((req, res) => stream(res, body));
  await ready(page, site);
  const ours = await watch(page, srv.url('/same'), {}, ['t']);
  const native = await watch(page, srv.url('/same-native'), {}, ['t'], { native: true });
  const view = async (id) => (await state(page, id)).log.filter((e) => e.kind !== 'open')
    .map((e) => `${e.kind}|${e.data}|${e.id}|${e.origin}|${e.rs}`);
  await expect.poll(async () => (await view(native)).length).toBe(7);
  await expect.poll(() => view(ours)).toEqual(await view(native));
  expect((await view(ours))[2]).toBe(`message|nul id|1|${srv.origin}|1`);
});
