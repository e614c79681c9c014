// Loading the Wasm: the SSE core once, with clear errors; the SIMD build or the fallback (checked
// with binaryen's validator and by running the parser tests on the fallback); memory growth; the
// router module only when asked for (init({ router: true })), plain Wasm 1.0 like the fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { init, isReady, createParser, createManager, createRouter, createBreaker, LifelineError } from '../../js/index.js';
import { coreError, getCore, getRouterCore, hasWasmSimd, SIMD_PROBE } from '../../js/wasm.js';

test('init loads the Wasm core once in Node', async () => {
  const a = init();
  const b = init();
  await Promise.all([a, b]);
  assert.equal(isReady(), true);
});

test('core error codes become LifelineError with the C message', async () => {
  await init();
  const err = coreError(-3, 'feed');
  assert.ok(err instanceof LifelineError);
  assert.equal(err.code, 'LIFELINE_ERR_LINE_TOO_LONG');
  assert.equal(err.errno, -3);
  assert.match(err.message, /^feed: line longer than/);
});

// ---- the two builds: SIMD where the engine has it, the fallback elsewhere -------------------

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const wasmOpt = spawnSync('wasm-opt', ['--version']).status === 0;
const NO_WASM_OPT = 'needs binaryen\'s wasm-opt (it comes with Emscripten)';

/** Whether binaryen validates `file` with every Wasm feature on, every one but SIMD, or none
 * beyond Wasm 1.0 (`mvp`: what engines without SIMD are sure to run). */
function validates(file, { simd, mvp = false }) {
  const features = mvp ? ['--mvp-features'] : ['--all-features', ...(simd ? [] : ['--disable-simd', '--disable-relaxed-simd'])];
  return spawnSync('wasm-opt', [file, ...features, '-o', '/dev/null'], { encoding: 'utf8' }).status === 0;
}

test('an engine with Wasm SIMD gets the SIMD build, made by a supported Emscripten', async () => {
  await init();
  assert.equal(hasWasmSimd(), true); // Node 20's V8 has SIMD
  assert.equal(getCore()._lifeline_wasm_simd(), 1);
  assert.ok(getCore()._lifeline_wasm_emscripten_version() >= 30106, 'Emscripten 3.1.6 or later');
});

test('the SIMD probe is a SIMD module: valid with SIMD, invalid without', { skip: !wasmOpt && NO_WASM_OPT }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-probe-'));
  try {
    const file = join(dir, 'probe.wasm');
    writeFileSync(file, SIMD_PROBE);
    assert.equal(validates(file, { simd: true }), true);
    assert.equal(validates(file, { simd: false }), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the fallback build has no SIMD instruction (the main build has)', { skip: !wasmOpt && NO_WASM_OPT }, () => {
  assert.equal(validates(here('../../dist/lifeline-core-nosimd.wasm'), { simd: false }), true);
  assert.equal(validates(here('../../dist/lifeline-core.wasm'), { simd: false }), false);
});

test('the fallback core and the router module are plain Wasm 1.0 (engines without SIMD lack later features too)', { skip: !wasmOpt && NO_WASM_OPT }, () => {
  assert.equal(validates(here('../../dist/lifeline-core-nosimd.wasm'), { mvp: true }), true);
  assert.equal(validates(here('../../dist/lifeline-router.wasm'), { mvp: true }), true);
});

// The SSE core has no Emscripten glue (js/wasm.js instantiates it): it may import nothing but the
// memory-growth notice, and its exports take and return numbers JS passes as Numbers (an i64
// would need a BigInt there).
test('the SSE core imports only the memory-growth notice; no export takes or returns an i64', () => {
  for (const file of ['lifeline-core.wasm', 'lifeline-core-nosimd.wasm']) {
    const mod = new WebAssembly.Module(readFileSync(here(`../../dist/${file}`)));
    assert.deepEqual(WebAssembly.Module.imports(mod), [{ module: 'env', name: 'emscripten_notify_memory_growth', kind: 'function' }], file);
    const names = WebAssembly.Module.exports(mod).filter((e) => e.kind === 'function').map((e) => e.name);
    assert.ok(names.includes('lifeline_wasm_mgr_new') && names.includes('lifeline_wasm_parser_feed') && names.includes('_initialize'), file);
    assert.ok(!names.some((n) => n.startsWith('lifeline_wasm_router_')), `${file} has no router`);
    assert.deepEqual(i64Exports(readFileSync(here(`../../dist/${file}`))), [], file);
  }
});

// What a page reserves before its first event (issue 12: what a user pays): Emscripten's default
// is 16 MiB of linear memory per module, reserved whether used or not; the modules start small
// and grow on demand (the growth tests below).
const MAX_INITIAL_MEMORY = 256 * 1024;
test('each Wasm module starts with at most 256 KiB of linear memory', () => {
  for (const file of ['lifeline-core.wasm', 'lifeline-core-nosimd.wasm', 'lifeline-router.wasm']) {
    const bytes = initialMemoryBytes(readFileSync(here(`../../dist/${file}`)));
    assert.ok(bytes > 0 && bytes <= MAX_INITIAL_MEMORY, `${file}: ${bytes} B of initial memory`);
  }
});

// V8 reads a property of an object in dictionary mode through a hash lookup: the core object's
// views and exports are read on the per-event path (HEAPU32 once per action), and built one by one
// under computed names its 67 properties were in dictionary mode (bench/manager.bench.js did not
// show the difference above its run-to-run spread). Also after memory growth replaced the views.
test('the core object keeps fast properties, also after its memory grew', () => {
  const script = `
    const { init } = await import(${JSON.stringify(here('../../js/index.js'))});
    const { getCore } = await import(${JSON.stringify(here('../../js/wasm.js'))});
    await init();
    const m = getCore();
    const before = m.HEAPU8.byteLength;
    const p = m._lifeline_wasm_mgr_new(0, 0, 0, 1000, 0, 1);
    const buffer = m._lifeline_wasm_mgr_buffer(p, 8 << 20);
    const grew = m.HEAPU8.byteLength > before && buffer !== 0;
    m._lifeline_wasm_mgr_free(p);
    console.log(JSON.stringify({ fast: %HasFastProperties(m), grew }));`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()), { fast: true, grew: true });
});

// The core's heap in use (src/platform/wasm_heap.c), the figure the chaos soak checks: a parser
// and a manager that received events give back every byte when freed.
test('every byte a parser and a manager allocate in the core is freed by free() / destroy()', async () => {
  await init();
  const m = getCore();
  m._free(m._malloc(1)); // the allocator's first allocation keeps its region header
  const before = m._lifeline_wasm_heap_in_use();
  const p = createParser({ onEvent() {} });
  p.feed('id: 1\ndata: x\n\n');
  assert.ok(m._lifeline_wasm_heap_in_use() > before, 'a parser allocates');
  p.free();
  let sink = null;
  const manager = createManager({ storage: null, environment: { subscribe: () => () => {} }, transports: { fetch: { name: 'fetch', open(req, s) { sink = s; return { abort() {} }; } } } });
  manager.connect('c', 'http://127.0.0.1:1/feed');
  const got = [];
  manager.subscribe('c', (e) => got.push(e.id));
  sink.opened(200, 'text/event-stream', -1);
  sink.bytes(new TextEncoder().encode('id: 1\ndata: a\n\nid: 2\ndata: b\n\n'));
  assert.deepEqual(got, ['1', '2']);
  manager.destroy();
  assert.equal(m._lifeline_wasm_heap_in_use(), before);
});

/** The initial size of the module's own memory (its memory section), in bytes. */
function initialMemoryBytes(bytes) {
  let p = 8;
  const leb = () => { let r = 0; let sh = 0; let b; do { b = bytes[p++]; r |= (b & 0x7f) << sh; sh += 7; } while (b & 0x80); return r >>> 0; };
  while (p < bytes.length) {
    const id = bytes[p++];
    const end = leb() + p;
    if (id === 5) {
      leb(); // count: one memory
      p++; // limits flags
      return leb() * 65536;
    }
    p = end;
  }
  return 0;
}

/** Names of the exported functions whose signature has an i64 (0x7e), read from the binary. */
function i64Exports(bytes) {
  let p = 8;
  const leb = () => { let r = 0; let sh = 0; let b; do { b = bytes[p++]; r |= (b & 0x7f) << sh; sh += 7; } while (b & 0x80); return r >>> 0; };
  const skip = () => { const len = leb(); p += len; }; // a name
  const types = [];
  const funcs = [];
  let imported = 0;
  const out = [];
  while (p < bytes.length) {
    const id = bytes[p++];
    const end = leb() + p;
    if (id === 1) {
      for (let n = leb(); n--;) { p++; const params = []; for (let k = leb(); k--;) params.push(bytes[p++]); const res = []; for (let k = leb(); k--;) res.push(bytes[p++]); types.push([...params, ...res]); }
    } else if (id === 2) {
      for (let n = leb(); n--;) { skip(); skip(); const kind = bytes[p++]; if (kind === 0) { leb(); imported++; } else if (kind === 1) { p++; if (bytes[p++] & 1) leb(); leb(); } else if (kind === 2) { if (bytes[p++] & 1) leb(); leb(); } else p += 2; }
    } else if (id === 3) {
      for (let n = leb(); n--;) funcs.push(leb());
    } else if (id === 7) {
      for (let n = leb(); n--;) {
        const len = leb(); const name = new TextDecoder().decode(bytes.subarray(p, p + len)); p += len;
        const kind = bytes[p++]; const index = leb();
        if (kind === 0 && index >= imported && types[funcs[index - imported]].includes(0x7e)) out.push(name);
      }
    }
    p = end;
  }
  return out;
}

test('init() loads the SSE core only; the router module loads with { router: true }, once', async () => {
  // A fresh process: this file's other tests load the router module.
  const script = `const w = await import(${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)});
    const core = await import(${JSON.stringify(new URL('../../js/wasm.js', import.meta.url).href)});
    await w.init();
    const out = { core: w.isReady(), router: w.isReady({ router: true }) };
    for (const f of [() => w.createRouter({ services: [{ name: 'a', baseUrl: 'http://127.0.0.1:9' }] }), () => w.createBreaker(), () => core.getRouterCore()]) {
      try { f(); out.error = 'none'; } catch (e) { (out.errors ??= []).push([e.code, e.message]); }
    }
    const a = w.init({ router: true });
    const b = w.init({ router: true });
    await Promise.all([a, b]);
    out.after = w.isReady({ router: true });
    out.same = core.getRouterCore() === core.getRouterCore() && core.getRouterCore() !== core.getCore();
    console.log(JSON.stringify(out));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout.trim());
  assert.equal(out.core, true);
  assert.equal(out.router, false);
  assert.equal(out.error, undefined);
  assert.deepEqual(out.errors, [
    ['LIFELINE_ERR_STATE', 'createRouter needs the router module: call `await init({ router: true })` first'],
    ['LIFELINE_ERR_STATE', 'createBreaker needs the router module: call `await init({ router: true })` first'],
    ['LIFELINE_ERR_STATE', 'createRouter needs the router module: call `await init({ router: true })` first'],
  ]);
  assert.equal(out.after, true);
  assert.equal(out.same, true);
});

test('the router module: no SIMD in it (one build for every engine), the runtime names the shim reads', async () => {
  await init({ router: true });
  const r = getRouterCore();
  assert.equal(r._lifeline_wasm_simd(), 0);
  assert.ok(r._lifeline_wasm_emscripten_version() >= 30106);
  for (const name of ['HEAPU8', 'HEAPU32', 'HEAP32', 'HEAPF64', 'UTF8ToString', 'stringToUTF8', 'lengthBytesUTF8', '_malloc', '_free']) {
    assert.notEqual(r[name], undefined, name);
  }
  assert.ok(createRouter && createBreaker().allow());
});

test('on an engine without SIMD init() loads the fallback, and the parser tests pass on it', () => {
  // Each test file runs in a fresh process whose WebAssembly.validate says no to SIMD
  // (tests/js/engine-without-simd.js); the preload fails the run unless the fallback is loaded.
  // Without node --test's context variable the child reports in TAP, as when run by hand.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  for (const file of ['parser.test.js', 'parser-diff.test.js']) {
    const run = spawnSync(process.execPath, ['--import', here('./engine-without-simd.js'), here(`./${file}`)],
      { encoding: 'utf8', timeout: 120_000, env });
    assert.equal(run.status, 0, `${file} on the fallback:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stderr, /engine without SIMD: lifeline-core-nosimd loaded/);
    assert.match(run.stdout, /^# fail 0$/m);
    assert.ok(Number(/^# pass (\d+)$/m.exec(run.stdout)?.[1]) > 0, `${file} ran tests`);
  }
});

test('an engine without WebAssembly gets a clear LifelineError from init()', () => {
  const script = `delete globalThis.WebAssembly;
    const { init } = await import(${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)});
    await init().then(() => console.log('loaded'), (e) => console.log(JSON.stringify([e.name, e.code, e.message])));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout.trim()), ['LifelineError', 'LIFELINE_ERR_STATE', 'Lifeline cannot start: this engine has no WebAssembly']);
});

// ---- memory growth: the glue refreshes the exported views, the shim re-reads them ------------

/** A data value of n bytes that is not one repeated byte, so a wrong offset shows. */
function pattern(n, tag) {
  const unit = `${tag}0123456789abcdefghijklmnopqrstuvwxyz`;
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

function sameBuffer(m) {
  return [m.HEAPU32, m.HEAP32, m.HEAPF64].every((v) => v.buffer === m.HEAPU8.buffer);
}

test('memory grown inside a callback: the rest of the batch is still read correctly', async () => {
  await init();
  const m = getCore();
  const big = createParser({ maxLineBytes: 1 << 28, maxEventBytes: 1 << 28, onEvent: (e) => bigEvents.push(e.data.length) });
  const bigEvents = [];
  const got = [];
  let grewInCallback = false;
  const p = createParser({
    onEvent: (e) => {
      got.push(`${e.lastEventId} ${e.data}`);
      if (got.length !== 1) return;
      const buffer = m.HEAPU8.buffer;
      big.feed(`data: ${pattern(buffer.byteLength + (4 << 20), 'g')}\n\n`); // more than the memory has
      grewInCallback = m.HEAPU8.buffer !== buffer && m.HEAPU8.length > buffer.byteLength;
    },
  });
  // Non-ASCII data: each field is decoded from the heap view on its own, after the growth.
  let chunk = '';
  const want = [];
  for (let i = 0; i < 300; i++) {
    chunk += `id: ${i}\ndata: é ${i} ✓\n\n`;
    want.push(`${i} é ${i} ✓`);
  }
  p.feed(chunk);
  assert.equal(grewInCallback, true, 'the callback grew Wasm memory');
  assert.deepEqual(got, want);
  assert.equal(bigEvents.length, 1);
  assert.ok(sameBuffer(m), 'every exported view is over the grown memory');
  p.free();
  big.free();
});

test('a feed that grows Wasm memory reads correct results', async () => {
  await init();
  const m = getCore();
  const oldView = m.HEAPU8;
  const size = oldView.buffer.byteLength;
  const data = pattern(size + (8 << 20), 'f'); // one event larger than the whole memory
  const got = [];
  const p = createParser({ maxLineBytes: 1 << 28, maxEventBytes: 1 << 28, onEvent: (e) => got.push(e) });
  p.feed(new TextEncoder().encode(`id: big\ndata: ${data}\n\ndata: after\n\n`));
  assert.ok(m.HEAPU8.length > size, `memory grew from ${size}`);
  assert.equal(oldView.length === 0 || oldView.buffer.resizable === true, true, 'the old view was detached (or tracks a resizable buffer)');
  assert.ok(sameBuffer(m));
  assert.equal(got.length, 2);
  assert.equal(got[0].data.length, data.length);
  assert.ok(got[0].data === data, 'the large event is intact');
  assert.deepEqual([got[0].lastEventId, got[1].data, got[1].lastEventId], ['big', 'after', 'big']);
  p.free();
});
