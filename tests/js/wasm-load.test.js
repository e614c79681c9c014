// Loading the core: once, with clear errors; the SIMD build or the fallback (checked with
// binaryen's validator and by running the parser tests on the fallback); memory growth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, isReady, createParser, LifelineError } from '../../js/index.js';
import { coreError, getCore, hasWasmSimd, SIMD_PROBE } from '../../js/wasm.js';

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

/** Whether binaryen validates `file` with every Wasm feature on, or every one but SIMD. */
function validates(file, { simd }) {
  const args = [file, '--all-features', ...(simd ? [] : ['--disable-simd', '--disable-relaxed-simd']), '-o', '/dev/null'];
  return spawnSync('wasm-opt', args, { encoding: 'utf8' }).status === 0;
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
