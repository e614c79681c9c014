// The drop-in EventSource reads the event-stream format as the HTML standard says (the C parser
// underneath): the facts checked by the web-platform-tests eventsource/format-*.htm files and
// event-data, written anew against a real server on 127.0.0.1.
import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { startScript, sleep, until } from './event-source-server.js';
import { open } from './event-source-helpers.js';

const test = (name, fn) => nodeTest(name, { timeout: 15000 }, fn);

/**
 * Serves `parts` (strings or Buffers, written one by one with a pause between them, so the
 * parser sees those chunk boundaries) as one stream, then keeps it open (or ends it: `end`).
 * Returns what the source dispatched as `type|data|lastEventId` once `count` events arrived and
 * a short quiet period passed.
 */
async function dispatched(t, parts, count, { types = [], end = false } = {}) {
  const srv = await startScript(t, async (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    for (const p of [].concat(parts)) {
      res.write(typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
      await sleep(5);
    }
    if (end) res.end();
  });
  const es = open(t, srv.url('/stream'), { features: { reconnect: false }, plainRetryMs: 60000 });
  const got = [];
  for (const type of ['message', ...types]) {
    es.addEventListener(type, (e) => got.push(`${e.type}|${e.data}|${e.lastEventId}`));
  }
  await until(() => got.length >= count, `${count} events (got ${JSON.stringify(got)})`);
  await sleep(60);
  return got;
}

test('one leading BOM is dropped', async (t) => {
  assert.deepEqual(await dispatched(t, '\uFEFFdata: 1\n\ndata: 2\n\n', 2), ['message|1|', 'message|2|']);
});

test('a second BOM is not: "\\uFEFFdata" is an unknown field, so the first block dispatches nothing', async (t) => {
  const got = await dispatched(t, '\uFEFF\uFEFFdata: 1\n\ndata: 2\n\ndata: 3\n\n', 2);
  assert.deepEqual(got, ['message|2|', 'message|3|']);
});

test('a BOM split across chunks is still the leading BOM', async (t) => {
  const bom = Buffer.from('\uFEFF', 'utf8');
  const got = await dispatched(t, [bom.subarray(0, 1), bom.subarray(1), 'data: x\n\n'], 1);
  assert.deepEqual(got, ['message|x|']);
});

test('CR, LF and CRLF all end lines, also a CRLF split across chunks', async (t) => {
  const got = await dispatched(t, ['data: a\r\rdata: b\r\n\r\ndata: c\n\ndata: d\r', '\ndata: e\n\r\n'], 4);
  assert.deepEqual(got, ['message|a|', 'message|b|', 'message|c|', 'message|d\ne|']);
});

test('data lines join with LF; one leading space is removed, not two; no colon means an empty value', async (t) => {
  const got = await dispatched(t, 'data:  two\ndata:none\n\ndata\n\ndata:\n\ndata:\ndata:\n\n', 4);
  assert.deepEqual(got, ['message| two\nnone|', 'message||', 'message||', 'message|\n|']);
});

test('a block without data dispatches nothing; comments and unknown fields are ignored; names are case-sensitive', async (t) => {
  const got = await dispatched(t, 'event: x\n\n: a comment\nfoo: bar\nDATA: no\nData: no\n\ndata: after\n\n', 1, { types: ['x'] });
  assert.deepEqual(got, ['message|after|']);
});

test('lastEventId: persists, changes, an empty id: resets it; an id-only block sets it', async (t) => {
  const body = 'id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\nid\ndata: d\n\ndata: e\n\nid: 9\n\ndata: f\n\n';
  const got = await dispatched(t, body, 6);
  assert.deepEqual(got, ['message|a|1', 'message|b|1', 'message|c|2', 'message|d|', 'message|e|', 'message|f|9']);
});

test('an id containing U+0000 is ignored: the last event ID stays', async (t) => {
  const got = await dispatched(t, 'id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\nid: \u0000\ndata: c\n\n', 3);
  assert.deepEqual(got, ['message|a|1', 'message|b|1', 'message|c|1']);
});

test('U+0000 in data is kept; UTF-8 split byte by byte decodes whole', async (t) => {
  const text = Buffer.from('data: \u00e9\u20ac\u{1F600}\n\n', 'utf8');
  const bytes = [...text].map((b) => Buffer.from([b]));
  const got = await dispatched(t, ['data:\u0000\n\n', ...bytes], 2);
  assert.deepEqual(got, ['message|\u0000|', 'message|\u00e9\u20ac\u{1F600}|']);
});

test('invalid UTF-8 becomes U+FFFD', async (t) => {
  const got = await dispatched(t, [Buffer.from([0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0x41, 0x0a, 0x0a])], 1);
  assert.deepEqual(got, ['message|\uFFFDA|']);
});

test('event: names the type (the last one in a block wins); types go to their own listeners', async (t) => {
  const got = await dispatched(t, 'event: a\ndata: 1\n\nevent: a\nevent: b\ndata: 2\n\ndata: 3\n\n', 3, { types: ['a', 'b'] });
  assert.deepEqual(got, ['a|1|', 'b|2|', 'message|3|']);
});

test('an unterminated block at the end of the stream is not dispatched', async (t) => {
  const got = await dispatched(t, 'data: 1\n\ndata: 2', 1, { end: true });
  assert.deepEqual(got, ['message|1|']);
});

test('events of a type nobody listens to are dropped but still move the last event ID', async (t) => {
  const got = await dispatched(t, 'event: nobody\nid: 5\ndata: x\n\ndata: y\n\n', 1);
  assert.deepEqual(got, ['message|y|5']);
});
