// The parser's shared cases (tests/fixtures/parser-cases.json, also run natively by
// tests/c/test_parser.c) against the Wasm build, at every chunk size and at random splits, plus
// the JS API: argument errors, U+FFFD, several parsers, bounded memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { init, createParser, LifelineError } from '../../js/index.js';
import { getCore } from '../../js/wasm.js';

const cases = JSON.parse(readFileSync(new URL('../fixtures/parser-cases.json', import.meta.url), 'utf8'));
const enc = new TextEncoder();

/** The same escaping as tests/c/test_parser.c, applied to the UTF-8 bytes of a string. */
function esc(s) {
  let out = '';
  for (const c of enc.encode(s)) {
    if (c === 0x5c) out += '\\\\';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += String.fromCharCode(c);
  }
  return out;
}

function logger(extra = {}) {
  const log = [];
  const parser = createParser({
    onEvent: (e) => log.push(`event type=${esc(e.type)} data=${esc(e.data)} id=${esc(e.lastEventId)}`),
    onComment: (t) => log.push(`comment ${esc(t)}`),
    onRetry: (ms) => log.push(`retry ${ms}`),
    onError: (err) => {
      assert.ok(err instanceof LifelineError);
      log.push(`error ${err.code}`);
    },
    ...extra,
  });
  return { log, parser };
}

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function runSplit(c, bytes, cuts) {
  const { log, parser } = logger({ maxLineBytes: c.maxLine, maxEventBytes: c.maxEvent });
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    parser.feed(bytes.subarray(prev, cut));
    prev = cut;
  }
  const result = { log, lastId: parser.lastEventId };
  parser.free();
  return result;
}

test('shared cases: whole, every chunk size, random splits', async () => {
  await init();
  const rand = rng(12345);
  assert.ok(cases.length >= 50);
  for (const c of cases) {
    const bytes = enc.encode(c.input);
    const splits = [[]];
    for (let step = 1; step <= bytes.length; step++) {
      const cuts = [];
      for (let off = step; off < bytes.length; off += step) cuts.push(off);
      splits.push(cuts);
    }
    for (let round = 0; round < 16; round++) {
      const cuts = [];
      for (let off = 0; (off += 1 + Math.floor(rand() * (bytes.length / 3 + 1))) < bytes.length;) cuts.push(off);
      splits.push(cuts);
    }
    for (const cuts of splits) {
      const { log, lastId } = runSplit(c, bytes, cuts);
      assert.deepEqual(log, c.expect, `${c.name} (cuts ${cuts.join(',')})`);
      if (c.lastId !== undefined) assert.equal(lastId, c.lastId, c.name);
    }
  }
});

test('strings are fed as UTF-8; invalid UTF-8 becomes U+FFFD', async () => {
  await init();
  const got = [];
  const p = createParser({ onEvent: (e) => got.push(e), onComment: (t) => got.push(t) });
  p.feed('event: é\ndata: 🌍\n\n');
  p.feed(new Uint8Array([0x64, 0x61, 0x74, 0x61, 0x3a, 0x20, 0xff, 0x41, 0xe2, 0x82, 0x0a, 0x0a]));
  p.feed(new Uint8Array([0x69, 0x64, 0x3a, 0xc3, 0x0a, 0x3a, 0xf0, 0x9f, 0x0a]));
  p.feed('data: x\n\n');
  assert.deepEqual(got, [
    { type: 'é', data: '🌍', lastEventId: '' },
    { type: 'message', data: '\ufffdA\ufffd', lastEventId: '' },
    '\ufffd',
    { type: 'message', data: 'x', lastEventId: '\ufffd' },
  ]);
  assert.equal(p.lastEventId, '\ufffd');
  // A multi-byte character split across chunks is decoded whole.
  const bytes = enc.encode('data: ü€🌍\n\n');
  for (let i = 0; i < bytes.length; i++) p.feed(bytes.subarray(i, i + 1));
  assert.deepEqual(got.at(-1), { type: 'message', data: 'ü€🌍', lastEventId: '\ufffd' });
  p.free();
});

test('argument errors are TypeError/RangeError with clear messages', async () => {
  await init();
  assert.throws(() => createParser(null), TypeError);
  assert.throws(() => createParser({ onEvent: 'no' }), /onEvent must be a function/);
  assert.throws(() => createParser({ maxLineBytes: '10' }), TypeError);
  assert.throws(() => createParser({ maxLineBytes: 0 }), RangeError);
  assert.throws(() => createParser({ maxEventBytes: 1.5 }), /maxEventBytes must be an integer/);
  assert.throws(() => createParser({ maxEventBytes: 2 ** 40 }), RangeError);
  const p = createParser({ maxLineBytes: 4 });
  assert.throws(() => p.feed(123), /expected a Uint8Array or a string, got number/);
  assert.throws(() => p.feed(null), TypeError);
  assert.throws(() => p.feed([1, 2]), TypeError);
  assert.throws(() => { p.lastEventId = 5; }, TypeError);
  assert.throws(() => { p.lastEventId = 'a\0b'; }, RangeError);
  assert.throws(() => { p.lastEventId = 'abcde'; }, /longer than maxLineBytes/);
  p.feed(new Uint8Array(0));
  p.feed('');
  p.free();
  p.free();
  assert.throws(() => p.feed('data: x\n\n'), (e) => e instanceof LifelineError && e.code === 'LIFELINE_ERR_STATE');
  assert.throws(() => p.reset(), LifelineError);
  assert.throws(() => p.lastEventId, LifelineError);
});

// An iframe's or a worker bridge's bytes are a Uint8Array of another realm: `instanceof` is false
// for them, and they must still be fed as bytes.
test('a Uint8Array from another realm is fed as bytes; other byte views are refused', async () => {
  await init();
  const got = [];
  const p = createParser({ onEvent: (e) => got.push(e.data) });
  const foreign = runInNewContext('new Uint8Array([100, 97, 116, 97, 58, 32, 104, 105, 10, 10])'); // "data: hi\n\n"
  assert.equal(foreign instanceof Uint8Array, false, 'the test makes a foreign Uint8Array');
  p.feed(foreign);
  assert.deepEqual(got, ['hi']);
  for (const bad of [new Int8Array(2), new Uint8ClampedArray(2), new DataView(new ArrayBuffer(2)), new ArrayBuffer(2), runInNewContext('new Uint16Array(2)')]) {
    assert.throws(() => p.feed(bad), /expected a Uint8Array or a string/, Object.prototype.toString.call(bad));
  }
  p.free();
});

test('reset keeps lastEventId, drops partial state, expects a BOM again', async () => {
  await init();
  const { log, parser } = logger();
  parser.feed('\ufeffid: 1\ndata: a\n\nid: 2\ndata: partial');
  parser.reset();
  parser.feed('\ufeffdata: b\n\n');
  assert.deepEqual(log, ['event type=message data=a id=1', 'event type=message data=b id=1']);
  assert.equal(parser.lastEventId, '1');
  parser.lastEventId = 'restored';
  parser.feed('data: c\n\n');
  assert.equal(log.at(-1), 'event type=message data=c id=restored');
  parser.free();
});

test('callback exceptions: other records still delivered, first one rethrown', async () => {
  await init();
  const seen = [];
  const p = createParser({
    onEvent: (e) => {
      seen.push(e.data);
      if (e.data === 'a') throw new Error('boom');
    },
  });
  assert.throws(() => p.feed('data: a\n\ndata: b\n\n'), /boom/);
  assert.deepEqual(seen, ['a', 'b']);
  const q = createParser({ onEvent: () => q.feed('data: x\n\n') });
  assert.throws(() => q.feed('data: y\n\n'), /own callbacks/);
  const r = createParser({ onEvent: (e) => { seen.push(e.data); r.free(); } });
  r.feed('data: 1\n\ndata: 2\n\n');
  assert.equal(seen.at(-1), '1');
  p.free();
  q.free();
});

test('several parsers side by side keep separate state', async () => {
  await init();
  const a = logger();
  const b = logger();
  a.parser.feed('id: a\ndata: 1');
  b.parser.feed('event: t\ndata: 2\r');
  a.parser.feed('\n\n');
  b.parser.feed('\n\r');
  assert.deepEqual(a.log, ['event type=message data=1 id=a']);
  assert.deepEqual(b.log, ['event type=t data=2 id=']);
  assert.equal(a.parser.lastEventId, 'a');
  assert.equal(b.parser.lastEventId, '');
  a.parser.free();
  b.parser.free();
});

test('memory stays bounded: 32 MiB without a newline', async () => {
  await init();
  const cap = 1 << 20;
  const { log, parser } = logger();
  const chunk = new Uint8Array(1 << 16).fill(0x78);
  chunk.set(enc.encode('data: '));
  parser.feed(chunk);
  // The line buffer doubles up to the cap; the blocks it outgrew stay in the allocator, so the
  // first long line may take up to twice the cap of new memory, and the next one none.
  const longLine = () => {
    const before = getCore().HEAPU8.length;
    for (let i = 0; i < 512; i++) {
      parser.feed(chunk);
      assert.ok(parser.bufferedBytes <= cap + 256, `buffered ${parser.bufferedBytes}`);
    }
    parser.feed('\n\ndata: ok\n\n');
    return getCore().HEAPU8.length - before;
  };
  const first = longLine();
  assert.ok(first <= 2 * cap + (256 << 10), `Wasm memory grew by ${first}`);
  parser.feed(chunk);
  assert.equal(longLine(), 0, 'a second long line takes no new memory');
  assert.deepEqual(log, ['error LIFELINE_ERR_LINE_TOO_LONG', 'event type=message data=ok id=', 'error LIFELINE_ERR_LINE_TOO_LONG', 'event type=message data=ok id=']);
  // One 8 MiB feed is sliced: the input buffer does not grow to 8 MiB.
  const big = new Uint8Array(8 << 20).fill(0x78);
  const beforeBig = getCore().HEAPU8.length;
  parser.feed(big);
  assert.ok(getCore().HEAPU8.length - beforeBig <= cap + (256 << 10));
  parser.free();
});

test('large events and many small events cross one batch intact', async () => {
  await init();
  const got = [];
  const p = createParser({ onEvent: (e) => got.push(e) });
  const big = 'x'.repeat(200000);
  let s = `data: ${big}\n\n`;
  for (let i = 0; i < 5000; i++) s += `id: ${i}\nevent: e${i % 3}\ndata: {"n":${i}}\n\n`;
  p.feed(s);
  assert.equal(got.length, 5001);
  assert.equal(got[0].data, big);
  assert.deepEqual(got[5000], { type: 'e1', data: '{"n":4999}', lastEventId: '4999' });
  p.free();
});
