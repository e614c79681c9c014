// The names, codes and defaults the shim reads from the core (js/core-tables.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, getCore, getRouterCore, NOT_READY_CODE } from '../../js/wasm.js';
import { coreTables, lifelineError } from '../../js/core-tables.js';
import { LifelineError } from '../../js/errors.js';

test('the core names its error codes, enums and states', async () => {
  await init();
  const t = coreTables();
  assert.equal(t, coreTables(), 'read once per core');
  assert.equal(t.codes.LIFELINE_OK, 0);
  assert.equal(t.codes.LIFELINE_ERR_INVALID_ARGUMENT, -1);
  assert.equal(t.codes.LIFELINE_ERR_EXHAUSTED, -12);
  assert.equal(t.codes.LIFELINE_ERR_STATE, NOT_READY_CODE, 'the code known before the core loads');
  assert.deepEqual(t.mgrState, ['idle', 'connecting', 'open', 'reconnecting', 'offline', 'circuit-open', 'failed', 'closed']);
  assert.equal(t.mgrReason.length, 20);
  assert.equal(t.mgrReason[0], 'none');
  assert.deepEqual(t.breakerState, ['closed', 'open', 'half-open']);
  assert.equal(t.breakerReason.at(-1), 'forced');
  assert.deepEqual(t.netQuality, ['good', 'moderate', 'poor']);
  assert.deepEqual(t.health, [], 'the SSE core has no router');
  const quiet = t.mgrReason.filter((_, r) => !t.mgrFailure[r]);
  assert.deepEqual(quiet, ['none', 'aborted', 'offline', 'circuit-open', 'linger', 'drain'], 'the reasons whose status is not a failure');
  const err = lifelineError('LIFELINE_ERR_NOT_FOUND', 'nothing here');
  assert.ok(err instanceof LifelineError);
  assert.equal(err.code, 'LIFELINE_ERR_NOT_FOUND');
  assert.equal(err.message, 'nothing here');
  assert.throws(() => lifelineError('LIFELINE_ERR_NOPE', 'x'), /no error named/);
});

test('the router module names its tables too, with the same error codes', async () => {
  await init({ router: true });
  const r = coreTables(getRouterCore());
  assert.notEqual(r, coreTables(), 'a table per module');
  assert.deepEqual(r.health, ['healthy', 'degraded', 'down']);
  assert.deepEqual(r.breakerState, ['closed', 'open', 'half-open']);
  assert.deepEqual(r.netQuality, ['good', 'moderate', 'poor']);
  assert.deepEqual(r.mgrState, [], 'the router module has no manager');
  assert.deepEqual(r.codes, coreTables().codes);
});

test('the manager defaults come from the core', async () => {
  await init();
  const m = getCore();
  const p = m._lifeline_wasm_mgr_defaults() >> 2;
  assert.deepEqual([...m.HEAPU32.subarray(p, p + 5)], [45000, 30000, 3000, 1000, 4000]);
});
