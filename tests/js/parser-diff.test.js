// Differential test: random event streams through the Wasm parser and through a plain reference
// written from the spec's text ("Interpreting an event stream": decode, split into lines, process
// each line), which must agree record for record. Fixed seeds; caps are exercised too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, createParser } from '../../js/index.js';

const enc = new TextEncoder();
const RETRY_MAX = 2n ** 53n - 1n;

/** Byte lines (for the caps, which count bytes) and the unterminated tail, after the BOM. */
function byteLines(bytes) {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const lines = [];
  let start = i;
  for (; i < bytes.length; i++) {
    if (bytes[i] !== 10 && bytes[i] !== 13) continue;
    lines.push(bytes.subarray(start, i));
    if (bytes[i] === 13 && bytes[i + 1] === 10) i++;
    start = i + 1;
  }
  return { lines, tail: bytes.subarray(start) };
}

function reference(bytes, { maxLine = 1 << 20, maxEvent = 1 << 20 } = {}) {
  // The spec decodes first (UTF-8 decode drops one leading BOM, errors become U+FFFD) ...
  const text = new TextDecoder().decode(bytes);
  const parts = text.split(/\r\n|\r|\n/);
  const tail = parts.pop();
  // ... our caps count bytes, so the same lines are also cut from the bytes.
  const raw = byteLines(bytes);
  assert.equal(raw.lines.length, parts.length, 'reference: line split mismatch');
  const out = [];
  let data = null; // array of values, null when no data line yet
  let dataBytes = 0;
  let type = '';
  let idBuffer = '';
  let lastId = '';
  let skipping = false;
  const skip = (code) => { out.push(['error', code]); data = null; dataBytes = 0; type = ''; skipping = true; };
  for (let k = 0; k < parts.length; k++) {
    const line = parts[k];
    const lineBytes = raw.lines[k].length;
    if (skipping) {
      if (line === '') { skipping = false; } else continue;
    } else if (lineBytes > maxLine) {
      skip('LIFELINE_ERR_LINE_TOO_LONG');
      continue;
    }
    if (line === '') {
      lastId = idBuffer;
      if (data !== null) out.push(['event', type || 'message', data.join('\n'), lastId]);
      data = null;
      dataBytes = 0;
      type = '';
      continue;
    }
    if (line[0] === ':') {
      out.push(['comment', line.slice(1).replace(/^ /, '')]);
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'data') {
      const rawLine = raw.lines[k]; // bytes after "data:" and one space (U+FFFD has 3 bytes)
      let off = 5;
      if (rawLine[5] === 0x20) off = 6;
      const n = rawLine.length >= off ? rawLine.length - off : 0;
      const need = dataBytes + (data !== null ? 1 : 0) + n;
      if (need >= maxEvent) { skip('LIFELINE_ERR_EVENT_TOO_LARGE'); continue; }
      (data ??= []).push(value);
      dataBytes = need;
    } else if (name === 'event') {
      type = value;
    } else if (name === 'id') {
      if (!value.includes('\0')) idBuffer = value;
    } else if (name === 'retry') {
      if (/^[0-9]+$/.test(value)) {
        const v = BigInt(value);
        out.push(['retry', Number(v > RETRY_MAX ? RETRY_MAX : v)]);
      }
    }
  }
  if (!skipping && raw.tail.length > maxLine) out.push(['error', 'LIFELINE_ERR_LINE_TOO_LONG']);
  void tail;
  return { out, lastId };
}

function rng(seed) {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s % n;
  };
}

const TEXTS = ['hello', 'a b', ' lead', 'x:y', '', '{"k":1}', 'é', '🌍', '中文', '\t', ' ', ':', '\0'];
const BAD = [[0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x8c], [0xed, 0xa0, 0x80], [0xef, 0xbb, 0xbf]];
const EOLS = ['\n', '\r', '\r\n'];

function randomText(r, maxLen) {
  const parts = [];
  for (let n = r(4); n > 0; n--) {
    const k = r(10);
    if (k < 6) parts.push(enc.encode(TEXTS[r(TEXTS.length)]));
    else if (k < 8) parts.push(new Uint8Array(BAD[r(BAD.length)]));
    else parts.push(enc.encode('z'.repeat(r(maxLen))));
  }
  return parts;
}

function randomStream(r, maxLen) {
  const parts = [];
  const push = (s) => parts.push(typeof s === 'string' ? enc.encode(s) : s);
  const k0 = r(8);
  if (k0 === 0) push('\ufeff');
  if (k0 === 1) push('\ufeff\ufeff');
  for (let n = 1 + r(24); n > 0; n--) {
    const k = r(16);
    const eol = EOLS[r(3)];
    if (k < 5) { push(['data: ', 'data:', 'data:  ', 'data'][r(4)]); parts.push(...randomText(r, maxLen)); }
    else if (k === 5) { push(['event: ', 'event:'][r(2)]); parts.push(...randomText(r, 8)); }
    else if (k === 6) { push('id: '); parts.push(...randomText(r, 8)); }
    else if (k === 7) push(['retry: ', 'retry:'][r(2)] + ['100', '0', '12a', '-1', ' 5', '99999999999999999999', ''][r(7)]);
    else if (k === 8) { push([':', ': '][r(2)]); parts.push(...randomText(r, maxLen)); }
    else if (k === 9) push(['foo: bar', 'Data: x', 'DATA:y', 'data :x', 'id', 'event', '\ufeffdata: x'][r(7)]);
    else if (k === 10) push('z'.repeat(r(3 * maxLen)));
    // else: a blank line (dispatch)
    push(eol);
  }
  if (r(4) === 0) push('data: unterminated'); // never dispatched
  const len = parts.reduce((a, p) => a + p.length, 0);
  const bytes = new Uint8Array(len);
  let off = 0;
  for (const p of parts) { bytes.set(p, off); off += p.length; }
  return bytes;
}

function throughWasm(bytes, caps, r) {
  const out = [];
  const p = createParser({
    ...caps,
    onEvent: (e) => out.push(['event', e.type, e.data, e.lastEventId]),
    onComment: (t) => out.push(['comment', t]),
    onRetry: (ms) => out.push(['retry', ms]),
    onError: (err) => out.push(['error', err.code]),
  });
  for (let off = 0; off < bytes.length;) {
    const n = 1 + r(r(2) ? 8 : 200);
    p.feed(bytes.subarray(off, off + n));
    off += n;
  }
  const lastId = p.lastEventId;
  p.free();
  return { out, lastId };
}

test('random streams: Wasm parser and spec reference agree record for record', async () => {
  await init();
  let events = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const r = rng(seed * 2654435761);
    const capped = seed % 3 === 0;
    const caps = capped ? { maxLineBytes: 16 + r(48), maxEventBytes: 16 + r(96) } : {};
    const bytes = randomStream(r, capped ? 40 : 300);
    const want = reference(bytes, { maxLine: caps.maxLineBytes, maxEvent: caps.maxEventBytes });
    const got = throughWasm(bytes, caps, r);
    assert.deepEqual(got, want, `seed ${seed}, caps ${JSON.stringify(caps)}, stream ${JSON.stringify(new TextDecoder().decode(bytes))}`);
    events += want.out.filter((x) => x[0] === 'event').length;
  }
  assert.ok(events > 3000, `only ${events} events: the generator lost its variety`);
});
