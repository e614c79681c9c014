// The parser benchmark's workloads and contenders, for bench/parser.bench.js in Chromium (through
// bench/pages/parser-page.js) and in Node: builds the workloads and times each parser on the same
// 16 KiB Uint8Array chunks, each decoding to JS strings with one callback per event. The parsers
// come in through bind() (the page imports them by URL, Node by package name).
let createParser;
let createEsParser;
let getLines;
let getMessages;
let getCore;

/** Hands in the parsers: { createParser, getCore } of lifeline, eventsource-parser's
 * createParser as createEsParser, fetch-event-source's getLines and getMessages. */
export function bind(deps) {
  ({ createParser, createEsParser, getLines, getMessages, getCore } = deps);
}

const enc = new TextEncoder();
const workloads = new Map();
let sink = 0;

function rng(seed) {
  let s = seed >>> 0;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

function word(r) {
  const a = 'abcdefghijklmnopqrstuvwxyz';
  let w = '';
  for (let n = 3 + (r() % 6); n > 0; n--) w += a[r() % 26];
  return w;
}

// ~100 B JSON events with an id, like a chat or token stream.
function small(r, i) {
  return `id: ${i}\ndata: {"id":${i},"user":"${word(r)}","text":"${word(r)} ${word(r)} ${word(r)}","ts":${1700000000000 + i}}\n\n`;
}
// One 64 KiB data line per event.
function large(r, i) {
  let body = '';
  while (body.length < 65536 - 40) body += `"${word(r)}":${r() % 100000},`;
  return `event: snapshot\ndata: {"seq":${i},${body}"end":1}\n\n`;
}
// Ten data lines per event.
function multiline(r, i) {
  let s = `event: log\n`;
  for (let k = 0; k < 10; k++) s += `data: ${i}.${k} ${word(r)} ${word(r)} ${word(r)} ${word(r)}\n`;
  return s + '\n';
}
// Nine heartbeat comments per event.
function comments(r, i) {
  let s = '';
  for (let k = 0; k < 9; k++) s += `: heartbeat ${i}.${k}\n`;
  return s + `data: {"tick":${i}}\n\n`;
}
const makers = { small, large, multiline, comments };

function build(name, totalBytes, chunkBytes) {
  const r = rng(42);
  const parts = [];
  let len = 0;
  let events = 0;
  while (len < totalBytes) {
    const s = makers[name](r, events++);
    parts.push(s);
    len += s.length;
  }
  const bytes = enc.encode(parts.join(''));
  const chunks = [];
  for (let off = 0; off < bytes.length; off += chunkBytes) chunks.push(bytes.slice(off, off + chunkBytes));
  return { bytes: bytes.length, events, chunks };
}

export function prepare(totalBytes, chunkBytes) {
  for (const name of Object.keys(makers)) workloads.set(name, build(name, totalBytes, chunkBytes));
  return Object.fromEntries([...workloads].map(([k, w]) => [k, { bytes: w.bytes, events: w.events }]));
}

// Not a contender: the C core alone (copy in + parse + batch, no decoding or callbacks), to show
// where the time goes.
const coreOnly = (chunks) => {
  const m = getCore();
  const h = m._lifeline_wasm_parser_new(0, 0);
  let n = 0;
  for (const c of chunks) {
    const ptr = m._lifeline_wasm_parser_input(h, c.length);
    m.HEAPU8.set(c, ptr);
    m._lifeline_wasm_parser_feed(h, c.length);
    n += m.HEAPU32[(m._lifeline_wasm_parser_header(h) >>> 2) + 1];
  }
  m._lifeline_wasm_parser_free(h);
  return n;
};

const contenders = {
  lifeline(chunks) {
    let n = 0;
    const p = createParser({
      onEvent: (e) => { n++; sink ^= e.data.length ^ e.type.length ^ e.lastEventId.length; },
      onComment: (c) => { sink ^= c.length; },
    });
    for (const c of chunks) p.feed(c);
    p.free();
    return n;
  },
  'eventsource-parser'(chunks) {
    let n = 0;
    const dec = new TextDecoder();
    const p = createEsParser({
      onEvent: (e) => { n++; sink ^= e.data.length ^ (e.event ?? 'message').length ^ (e.id ?? '').length; },
      onComment: (c) => { sink ^= c.length; },
    });
    for (const c of chunks) p.feed(dec.decode(c, { stream: true }));
    return n;
  },
  'fetch-event-source'(chunks) {
    let n = 0;
    const onChunk = getLines(getMessages(() => {}, () => {}, (m) => {
      n++; sink ^= m.data.length ^ (m.event || 'message').length ^ m.id.length;
    }));
    for (const c of chunks) onChunk(c);
    return n;
  },
};

/** Runs one contender on one workload, repeating until minMs of wall time passed; returns the
 * number of passes and the wall time per pass. */
export function run(contender, workload, minMs = 0) {
  const w = workloads.get(workload);
  let passes = 0;
  let events = 0;
  const t0 = performance.now();
  let ms;
  do {
    events = (contenders[contender] ?? coreOnly)(w.chunks);
    passes++;
    ms = performance.now() - t0;
  } while (ms < minMs);
  return { ms: ms / passes, passes, events, sink };
}

export const contenderNames = Object.keys(contenders);
