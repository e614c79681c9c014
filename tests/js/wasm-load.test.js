import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, isReady, LifelineError } from '../../js/index.js';
import { coreError } from '../../js/wasm.js';

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
  assert.equal(err.code, -3);
  assert.equal(err.codeName, 'LIFELINE_ERR_LINE_TOO_LONG');
  assert.match(err.message, /^feed: line longer than/);
});
