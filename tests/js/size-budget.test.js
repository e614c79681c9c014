// What the package costs a page (issue 12), checked in the test command: the SSE-only app and
// the everything app of bench/size-apps.js are built with `vite build`, opened in Chromium, and
// the gzip bytes (level 9) of lifeline's .js/.wasm are held against limits. Bytes are
// deterministic for a given build, so these are not timings. Also: no printf-family code in the
// Wasm modules.
//   BUDGET     the goal: SSE-only <= 20 KB, whole package <= 40 KB (a `todo` while not met)
//   CEILING    what this tree achieves, with a little room: a change that makes a page heavier
//              than this fails (lower it when the bytes come down)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUDGET, REPO, launchChromium, measureApp, workDir } from '../../bench/size-apps.js';

// Measured 39,957 and 76,916 B (bench/results/size.json, 2026-12-02); about 5% of room. Raise it
// only with a reason in the commit. Whole package raised to 86 KB for router.stream (issue 16:
// js/router-stream.js, stream-adapters.js, stream-events.js, stream-core.js, src/platform/
// wasm_stream.c): 83,270 B measured after it, the SSE-only app unchanged.
// Whole package raised to 116 KB for share: 'origin' (issue 15): its tab chunk (5.2 KB) and the
// SharedWorker's own bundle (22.9 KB: a worker is a bundle of its own, so it carries a second copy
// of the manager driver and the core's loader); 112,346 B measured, no page fetches them unless it
// shares, the SSE-only app unchanged.
// Whole package raised to 128 KB for shared routers (createRouter({ share: 'origin' }), issue
// 15): Vite inlines the worker's dynamic imports, so the worker bundle carries the router's driver
// and glue (22.9 -> 35.5 KB), and the tab chunk the router's tab side (5.2 -> 7.6 KB); 127,427 B
// measured, only a worker that a tab asks for a router runs them, the SSE-only app unchanged.
export const CEILING = { sseOnly: 41 * 1024, wholePackage: 128 * 1024 };

const results = {};
let browser;
let work;

test.before(async () => {
  browser = await launchChromium();
  work = await workDir();
  results.sse = await measureApp(browser, work.dir, 'sse-only');
  results.everything = await measureApp(browser, work.dir, 'everything');
}, { timeout: 120_000 });

test.after(async () => {
  await browser?.close();
  await work?.remove();
});

const kb = (n) => `${n} B (${(n / 1024).toFixed(1)} KB)`;
const listing = (app) => Object.entries(app.files).map(([p, f]) => `${p} ${f.gzip}${f.loaded ? ' fetched' : ''} ${f.kind}`).join('\n  ');

test('SSE-only app: the page fetches neither the router module nor the fallback, and stays under the ceiling', () => {
  const app = results.sse;
  const fetched = Object.entries(app.files).filter(([, f]) => f.loaded).map(([p]) => p);
  assert.ok(fetched.some((p) => /lifeline-core-.*\.wasm$/.test(p)), `the SSE core was fetched:\n  ${listing(app)}`);
  assert.deepEqual(fetched.filter((p) => /router|nosimd/.test(p)), [], 'neither the router module nor the fallback');
  assert.ok(app.loaded.gzip <= CEILING.sseOnly, `SSE-only app: ${kb(app.loaded.gzip)} gzip > ceiling ${kb(CEILING.sseOnly)}:\n  ${listing(app)}`);
});

test('whole package: under the ceiling; the everything app fetches the router module', () => {
  const app = results.everything;
  assert.ok(Object.entries(app.files).some(([p, f]) => /lifeline-router-.*\.wasm$/.test(p) && f.loaded), `router fetched:\n  ${listing(app)}`);
  assert.ok(app.emitted.gzip <= CEILING.wholePackage, `whole package: ${kb(app.emitted.gzip)} gzip > ceiling ${kb(CEILING.wholePackage)}:\n  ${listing(app)}`);
});

test('issue 12 budget: SSE-only app <= 20 KB gzip, whole package <= 40 KB', { todo: 'not met yet: docs/PERFORMANCE.md has the figures and what is left' }, () => {
  assert.ok(results.sse.loaded.gzip <= BUDGET.sseOnly, `SSE-only app: ${kb(results.sse.loaded.gzip)} > ${kb(BUDGET.sseOnly)}`);
  assert.ok(results.everything.emitted.gzip <= BUDGET.wholePackage, `whole package: ${kb(results.everything.emitted.gzip)} > ${kb(BUDGET.wholePackage)}`);
});

// printf-family code costs several KB of Wasm: none of the core's objects may call it. The
// objects are those of the last `scripts/build.sh wasm` (build/wasm); llvm-nm lists what each
// needs from elsewhere.
const OBJECTS = join(REPO, 'build/wasm/CMakeFiles');
const llvmNm = spawnSync('llvm-nm', ['--version']).status === 0;
test('no printf-family call in the Wasm modules', { skip: (!llvmNm || !existsSync(OBJECTS)) && 'needs llvm-nm and build/wasm' }, () => {
  const objects = readdirSync(OBJECTS, { recursive: true }).filter((p) => p.endsWith('.o')).map((p) => join(OBJECTS, p));
  assert.ok(objects.length > 20, 'the Wasm objects are there');
  const nm = spawnSync('llvm-nm', ['--undefined-only', ...objects], { encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(nm.status, 0, nm.stderr);
  assert.deepEqual(nm.stdout.split('\n').filter((l) => /printf|puts|fwrite|fputs/.test(l)), []);
  // Linked code that prints would import WASI's fd_write (the SSE core imports only the memory
  // notice: tests/js/wasm-load.test.js checks) or carry the glue's printer (the router module).
  const glue = readFileSync(join(REPO, 'dist/lifeline-router.mjs'), 'utf8');
  assert.doesNotMatch(glue, /fd_write|printChar/);
});
