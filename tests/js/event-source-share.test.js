// new EventSource(url, { share: 'origin' }) in Node: what cannot cross to the hub throws from
// the constructor, and an engine with neither SharedWorker nor Web Locks (Node has no
// SharedWorker) fails the source with CLOSED and an error that says so. The sharing itself runs
// in Chromium: e2e/share-react.spec.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from '../../js/index.js';

const URL_ = 'http://127.0.0.1:9/feed';

test("share: 'origin' refuses manager, fetch, environment and function options by name", () => {
  for (const [k, v] of [['manager', {}], ['fetch', () => {}], ['environment', { isOnline: () => true, subscribe: () => () => {} }]]) {
    assert.throws(() => new EventSource(URL_, { share: 'origin', [k]: v }), new RegExp(`"${k}" cannot be used with share: 'origin'`));
  }
  assert.throws(() => new EventSource(URL_, { share: 'origin', onAuthRequired: () => {} }), /the function "onAuthRequired"/);
  assert.throws(() => new EventSource(URL_, { share: 'window' }), /share must be 'tab' or 'origin', got "window"/);
});

test("share: 'origin' without SharedWorker or Web Locks: CLOSED, then an error naming what is missing", async () => {
  assert.equal(typeof SharedWorker, 'undefined');
  assert.equal(globalThis.navigator?.locks, undefined, 'this test needs an engine without navigator.locks');
  const es = new EventSource(URL_, { share: 'origin' });
  const error = await new Promise((resolve) => es.addEventListener('error', resolve));
  assert.equal(es.readyState, EventSource.CLOSED);
  assert.match(error.message, /needs SharedWorker or Web Locks/);
});
