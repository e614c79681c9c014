// The drop-in EventSource against real HTTP servers on 127.0.0.1: the interface (constants,
// readyState, url, handlers, listeners, MessageEvent fields), the HTML standard's exact rules
// (204, other statuses and a wrong content type fail with no reconnect; redirects followed;
// retry:; Last-Event-ID; close() stops at once; SyntaxError) and the scenarios of the
// web-platform-tests eventsource/ directory and of the eventsource package's test suite,
// written anew. Parsing facts (BOM, line ends, ids, data) are in event-source-format.test.js,
// Lifeline's own behaviour (sharing, options, resilience) in event-source-lifeline.test.js.
import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { isReady, EventSource } from '../../js/index.js';
import { startScript, stream, sleep, until } from './event-source-server.js';
import { open, record } from './event-source-helpers.js';

const test = (name, fn) => nodeTest(name, { timeout: 15000 }, fn);

test('works without await init(): the first EventSource loads the core itself', async (t) => {
  assert.equal(isReady(), false, 'this test must run first in its process');
  const srv = await startScript(t, (req, res) => stream(res, 'data: hello\n\n'));
  const es = open(t, srv.url('/first'));
  assert.equal(es.readyState, EventSource.CONNECTING);
  const log = record(es);
  await until(() => log.some((e) => e.kind === 'message'), 'a message');
  assert.equal(isReady(), true);
  assert.deepEqual(log.map((e) => e.kind), ['open', 'message']);
});

test('constants on the class and on instances; readyState starts CONNECTING', async (t) => {
  assert.deepEqual([EventSource.CONNECTING, EventSource.OPEN, EventSource.CLOSED], [0, 1, 2]);
  const srv = await startScript(t, (req, res) => stream(res));
  const es = open(t, srv.url('/c'));
  assert.deepEqual([es.CONNECTING, es.OPEN, es.CLOSED], [0, 1, 2]);
  assert.equal(es.readyState, es.CONNECTING);
  assert.ok(es instanceof EventTarget);
  assert.equal(Object.getOwnPropertyDescriptor(EventSource, 'OPEN').writable, false);
  const marker = Symbol.for('eventsource.supports-fetch-override');
  assert.equal(EventSource[marker], true);
  assert.ok(!Object.keys(EventSource).includes(marker.toString()));
  EventSource.prototype.answer = function answer() { return 42; };
  try {
    assert.equal(es.answer(), 42); // a real prototype chain (WPT eventsource-prototype)
  } finally {
    delete EventSource.prototype.answer;
  }
});

test('url is the parsed absolute URL; the argument is stringified; bad URLs throw SyntaxError', async (t) => {
  const srv = await startScript(t, (req, res) => stream(res, 'data: x\n\n'));
  const es = open(t, new URL(`${srv.url('/a/../u')}?q=1`));
  assert.equal(es.url, srv.url('/u?q=1'));
  const stringified = open(t, { toString: () => srv.url('/s') });
  assert.equal(stringified.url, srv.url('/s'));
  const log = record(stringified);
  await until(() => log.some((e) => e.kind === 'message'), 'the stringified URL is fetched');
  for (const bad of ['http://this is invalid/', 'relative/path', '', 1]) { // no base URL in Node
    assert.throws(() => new EventSource(bad), (err) => {
      assert.ok(err instanceof DOMException, `${bad}: a DOMException`);
      assert.equal(err.name, 'SyntaxError');
      return true;
    });
  }
  assert.throws(() => new EventSource(Symbol('x')), TypeError);
});

test('withCredentials reflects the init dictionary (default false)', async (t) => {
  const srv = await startScript(t, (req, res) => stream(res));
  assert.equal(open(t, srv.url('/w')).withCredentials, false);
  assert.equal(open(t, srv.url('/w'), { withCredentials: true }).withCredentials, true);
  assert.equal(open(t, srv.url('/w'), { withCredentials: false }).withCredentials, false);
});

test('open: a plain Event at readyState OPEN, not bubbling, not cancelable, target the source', async (t) => {
  const srv = await startScript(t, (req, res) => stream(res));
  const es = open(t, srv.url('/o'));
  const event = await new Promise((resolve) => {
    es.onopen = function onopen(e) {
      assert.equal(this, es);
      assert.equal(es.readyState, EventSource.OPEN);
      resolve(e);
    };
  });
  assert.equal(event.type, 'open');
  assert.equal(event.target, es);
  assert.equal(event.bubbles, false);
  assert.equal(event.cancelable, false);
  assert.ok(!('data' in event));
});

test('message: a MessageEvent with data, origin, lastEventId; target the source', async (t) => {
  const srv = await startScript(t, (req, res) => stream(res, 'id: 1\ndata: Counter is at 1\n\n'));
  const es = open(t, srv.url('/m'));
  const event = await new Promise((resolve) => es.addEventListener('message', resolve));
  assert.ok(event instanceof MessageEvent);
  assert.equal(event.type, 'message');
  assert.equal(event.data, 'Counter is at 1');
  assert.equal(event.lastEventId, '1');
  assert.equal(event.origin, srv.origin);
  assert.equal(event.target, es);
  assert.equal(event.cancelable, false);
  assert.equal(event.defaultPrevented, false);
  assert.equal(typeof event.timeStamp, 'number');
});

test('named events reach their listeners only; onmessage sees message events; empty event: is message', async (t) => {
  const body = 'event: welcome\ndata: w\n\ndata: m\n\nevent:\ndata: empty-type\n\nevent: other\ndata: o\n\n'
    + 'event: welcome\ndata: w2\n\n';
  const srv = await startScript(t, (req, res) => stream(res, body));
  const es = open(t, srv.url('/n'));
  const welcome = [];
  const messages = [];
  const fromAll = [];
  const onWelcome = (e) => {
    welcome.push(e.data);
    if (welcome.length === 1) es.removeEventListener('welcome', onWelcome);
  };
  es.addEventListener('welcome', onWelcome);
  es.addEventListener('welcome', (e) => fromAll.push(`${e.type}:${e.data}`));
  es.onmessage = (e) => messages.push(e.data);
  es.addEventListener('other', (e) => fromAll.push(`${e.type}:${e.data}`));
  await until(() => fromAll.length === 3, 'three named events');
  assert.deepEqual(welcome, ['w'], 'removeEventListener stops delivery');
  assert.deepEqual(messages, ['m', 'empty-type']);
  assert.deepEqual(fromAll, ['welcome:w', 'other:o', 'welcome:w2']);
});

test('on* handlers: null unsubscribes, a new value replaces the old one, getters return them', async (t) => {
  const srv = await startScript(t, (req, res) => {
    stream(res, 'retry: 20\ndata: 1\n\n');
    setTimeout(() => res.end(), 30);
  });
  const es = open(t, srv.url('/h'));
  const calls = { first: 0, second: 0, error: 0 };
  const first = () => { calls.first++; };
  es.onmessage = first;
  assert.equal(es.onmessage, first);
  await until(() => calls.first === 1, 'the first handler');
  es.onmessage = () => { calls.second++; };
  es.onerror = () => { calls.error++; };
  await until(() => calls.second === 1 && calls.error >= 1, 'the second handler after a reconnect');
  es.onmessage = null;
  es.onerror = null;
  assert.equal(es.onmessage, null);
  const errorsBefore = calls.error;
  await until(() => srv.count('/h') >= 4, 'two more reconnects');
  assert.equal(calls.first, 1);
  assert.equal(calls.second, 1);
  assert.equal(calls.error, errorsBefore);
  es.onopen = 'not a function';
  assert.equal(es.onopen, null);
});

test('dispatchEvent works as on any EventTarget', async (t) => {
  const srv = await startScript(t, (req, res) => stream(res));
  const es = open(t, srv.url('/d'));
  let got = null;
  es.addEventListener('custom', (e) => { got = e; });
  const e = new Event('custom');
  assert.equal(es.dispatchEvent(e), true);
  assert.equal(got, e);
});

test('a dropped stream: error at CONNECTING, reconnect with Last-Event-ID, lastEventId kept', async (t) => {
  const srv = await startScript(t, (req, res, { n }) => {
    if (n === 1) stream(res, 'retry: 30\nid: 7\ndata: opened\n\n').end();
    else stream(res, 'data: reconnected\n\n');
  });
  const es = open(t, srv.url('/r'));
  const log = record(es);
  await until(() => log.filter((e) => e.kind === 'message').length === 2, 'two messages');
  assert.deepEqual(log.map((e) => `${e.kind}@${e.rs}`), ['open@1', 'message@1', 'error@0', 'open@1', 'message@1']);
  const [, second] = log.filter((e) => e.kind === 'message');
  assert.equal(second.data, 'reconnected');
  assert.equal(second.id, '7', 'the last event ID persists across the reconnect');
  assert.equal(srv.requests[0].headers['last-event-id'], undefined);
  assert.equal(srv.requests[1].headers['last-event-id'], '7');
  assert.equal(log.find((e) => e.kind === 'error').reason, 'server-closed');
});

test('retry: sets the reconnection time (decimal, the floor of the delay); bogus values ignored', async (t) => {
  const ends = [];
  const srv = await startScript(t, (req, res, { n }) => {
    // 0300 is 300 ms (decimal, not octal); "retry: 40x" is not a number and must not replace it.
    stream(res, n === 1 ? 'retry: 0300\ndata: x\n\nretry: 40x\n\n' : 'data: y\n\n');
    if (n === 1) setTimeout(() => { ends.push(Date.now()); res.end(); }, 20);
  });
  const es = open(t, srv.url('/retry'));
  const log = record(es);
  await until(() => srv.count('/retry') === 2, 'the reconnect', 3000);
  const waited = Date.now() - ends[0];
  assert.ok(waited >= 290, `waited ${waited} ms, at least retry:`);
  assert.ok(waited <= 300 * 1.2 + 300, `waited ${waited} ms, at most retry: plus a fifth (and scheduling slack)`);
  await until(() => log.some((e) => e.data === 'y'), 'the second stream');
});

for (const status of [204, 205, 210, 299, 301, 404, 410, 500, 502, 503]) {
  test(`HTTP ${status}: CLOSED with one error event, no message, no reconnect`, async (t) => {
    const srv = await startScript(t, (req, res) => {
      res.writeHead(status, { 'content-type': 'text/event-stream' });
      res.end(status === 204 ? undefined : 'data: not for you\n\n');
    });
    const es = open(t, srv.url('/status'));
    const log = record(es);
    await until(() => log.length > 0, 'an event');
    await sleep(200);
    assert.deepEqual(log.map((e) => `${e.kind}@${e.rs}`), ['error@2']);
    assert.equal(log[0].code, status);
    assert.equal(es.readyState, EventSource.CLOSED);
    assert.equal(srv.count('/status'), 1);
  });
}

test('204 after a first stream: the eventsource package\'s end-after-one scenario', async (t) => {
  const srv = await startScript(t, (req, res, { n }) => {
    if (n > 1) {
      res.writeHead(204);
      res.end();
      return;
    }
    stream(res, 'retry: 20\nevent: progress\nid: prct-100\ndata: 100%\n\n').end();
  });
  const es = open(t, srv.url('/end-after-one'));
  const log = record(es, ['progress']);
  await until(() => log.filter((e) => e.kind === 'error').length === 2, 'two errors');
  assert.deepEqual(log.map((e) => `${e.kind}@${e.rs}`), ['open@1', 'progress@1', 'error@0', 'error@2']);
  assert.equal(log[1].id, 'prct-100');
  assert.equal(log[3].code, 204);
  assert.match(log[3].message, /204/);
  await sleep(100);
  assert.equal(srv.count('/end-after-one'), 2);
});

for (const type of ['text/plain', 'text/x-bogus', 'text/event-streams', '']) {
  test(`content type "${type}": CLOSED with an error, no message, no reconnect`, async (t) => {
    const srv = await startScript(t, (req, res) => {
      res.writeHead(200, type ? { 'content-type': type } : {});
      res.end('data: x\n\n');
    });
    const es = open(t, srv.url('/ct'));
    const log = record(es);
    await until(() => log.length > 0, 'an event');
    await sleep(150);
    assert.deepEqual(log.map((e) => `${e.kind}@${e.rs}`), ['error@2']);
    assert.equal(log[0].reason, 'content-type');
    assert.equal(srv.count('/ct'), 1);
  });
}

test('a charset parameter is accepted and the stream is read as UTF-8 whatever it says', async (t) => {
  const srv = await startScript(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'Text/Event-Stream; charset=windows-1252' });
    res.write(Buffer.from('data: ok\u2026\n\n', 'utf8'));
  });
  const es = open(t, srv.url('/utf8'));
  const log = record(es);
  await until(() => log.some((e) => e.kind === 'message'), 'a message');
  assert.equal(log.find((e) => e.kind === 'message').data, 'ok\u2026');
  assert.ok(!log.some((e) => e.kind === 'error'));
});

for (const status of [301, 302, 303, 307, 308]) {
  test(`redirect ${status} is followed; url stays, origin is the final one`, async (t) => {
    const target = await startScript(t, (req, res) => stream(res, 'data: moved\n\n'));
    const srv = await startScript(t, (req, res, { path }) => {
      if (path === '/final') return stream(res, 'data: here\n\n');
      res.writeHead(status, { location: path === '/same' ? '/final' : target.url('/final') });
      return res.end();
    });
    srv.requests.length = 0;
    const same = open(t, srv.url('/same'));
    const cross = open(t, srv.url('/cross'));
    const a = record(same);
    const b = record(cross);
    await until(() => a.some((e) => e.kind === 'message') && b.some((e) => e.kind === 'message'), 'both messages');
    assert.equal(same.url, srv.url('/same'));
    assert.equal(cross.url, srv.url('/cross'));
    assert.equal(a.find((e) => e.kind === 'message').origin, srv.origin);
    assert.equal(b.find((e) => e.kind === 'message').origin, target.origin, 'the redirected response\'s origin');
    assert.ok(!a.concat(b).some((e) => e.kind === 'error'));
  });
}

test('close(): CLOSED at once, the request is aborted, no reconnect', async (t) => {
  let aborted = false;
  const srv = await startScript(t, (req, res) => {
    stream(res, 'retry: 20\ndata: 1\n\n');
    res.on('close', () => { aborted = true; });
  });
  const es = open(t, srv.url('/close'));
  const log = record(es);
  await until(() => log.some((e) => e.kind === 'message'), 'a message');
  es.close();
  assert.equal(es.readyState, EventSource.CLOSED);
  await until(() => aborted, 'the server sees the stream closed');
  await sleep(150);
  assert.equal(srv.count('/close'), 1);
  assert.deepEqual(log.map((e) => e.kind), ['open', 'message']);
  es.close(); // twice is harmless
});

test('close() in a message handler: no further event, not even from the same chunk', async (t) => {
  const srv = await startScript(t, (req, res) => stream(res, 'data: 1\n\ndata: 2\n\nevent: x\ndata: 3\n\n'));
  const es = open(t, srv.url('/same-chunk'));
  const seen = [];
  es.onmessage = (e) => {
    seen.push(e.data);
    es.close();
  };
  es.addEventListener('x', (e) => seen.push(e.data));
  es.onerror = () => seen.push('error');
  await until(() => seen.length > 0, 'the first message');
  await sleep(100);
  assert.deepEqual(seen, ['1']);
});

test('close() in an error handler: no reconnect (the eventsource package\'s auto-close)', async (t) => {
  const srv = await startScript(t, (req, res) => stream(res, 'retry: 20\ndata: 1\n\n').end());
  const es = open(t, srv.url('/close-in-error'));
  let errors = 0;
  es.onerror = () => {
    errors++;
    assert.equal(es.readyState, EventSource.CONNECTING);
    es.close();
    assert.equal(es.readyState, EventSource.CLOSED);
  };
  await until(() => errors === 1, 'an error');
  await sleep(200);
  assert.equal(srv.count('/close-in-error'), 1);
  assert.equal(errors, 1);
});

test('close() in an open handler and before the connection opens', async (t) => {
  const srv = await startScript(t, (req, res) => stream(res, 'data: never\n\n'));
  const es = open(t, srv.url('/close-in-open'));
  const seen = [];
  es.onopen = () => { seen.push('open'); es.close(); };
  es.onmessage = () => seen.push('message');
  await until(() => seen.length, 'open');
  const early = open(t, srv.url('/close-early'));
  early.onopen = () => seen.push('early open');
  early.close();
  await sleep(150);
  assert.deepEqual(seen, ['open']);
});

test('a refused connection: error at CONNECTING with extended properties, then retries', async (t) => {
  const srv = await startScript(t, () => {});
  const url = srv.url('/gone');
  await srv.close();
  const es = open(t, url, { backoff: { initialMs: 20, maxMs: 40 } });
  const errors = [];
  es.onerror = (e) => errors.push({ rs: es.readyState, reason: e.reason, code: e.code, message: e.message });
  await until(() => errors.length >= 2, 'two errors');
  assert.deepEqual(errors[0], { rs: EventSource.CONNECTING, reason: 'network', code: undefined, message: 'network error' });
});

test('ready states through the lifecycle of a slow connect (the eventsource package)', async (t) => {
  const srv = await startScript(t, async (req, res, { n }) => {
    await sleep(100);
    stream(res, 'retry: 20\ndata: x\n\n');
    if (n === 1) setTimeout(() => res.end(), 50);
  });
  const es = open(t, srv.url('/slow'));
  const log = record(es);
  assert.equal(es.readyState, EventSource.CONNECTING);
  await until(() => log.some((e) => e.kind === 'open'), 'open', 3000);
  assert.equal(es.readyState, EventSource.OPEN);
  await until(() => log.some((e) => e.kind === 'error'), 'the drop', 3000);
  assert.equal(log.find((e) => e.kind === 'error').rs, EventSource.CONNECTING);
  es.close();
  assert.equal(es.readyState, EventSource.CLOSED);
});
