// Runs inside Chromium for bench/parser-build.bench.js: two builds of the same SSE core (the
// shipped one and a reference), each instantiated on its own, timed with parser-bench.js's
// workloads and its `core-only` contender (copy in, parse, batch table; no strings, no
// callbacks: the part build flags change).
import { bind, prepare, run as runContender } from './parser-bench.js';

const builds = {};
let current = null;
bind({ getCore: () => current });

/** A standalone SSE core from `url`, with the views its exports need (js/wasm.js does the same). */
async function instantiate(url) {
  const bytes = await (await fetch(url)).arrayBuffer();
  const m = {};
  const refresh = () => { m.HEAPU8 = new Uint8Array(m.memory.buffer); m.HEAPU32 = new Uint32Array(m.memory.buffer); };
  const { instance } = await WebAssembly.instantiate(bytes, { env: { emscripten_notify_memory_growth: refresh } });
  m.memory = instance.exports.memory;
  for (const [k, v] of Object.entries(instance.exports)) if (typeof v === 'function') m[`_${k}`] = v;
  instance.exports._initialize();
  refresh();
  return m;
}

export async function setup() {}

/** Loads the builds ({ name: url }) and the workloads; returns each workload's bytes and events. */
export async function load(urls, totalBytes, chunkBytes) {
  for (const [name, url] of Object.entries(urls)) builds[name] = await instantiate(url);
  return prepare(totalBytes, chunkBytes);
}

/** Times build `name` on workload `w` for at least minMs: { ms per pass, passes, events }. */
export function run(name, w, minMs = 0) {
  current = builds[name];
  return runContender('core-only', w, minMs);
}
