// js/share/positions.js: where a rebuilt hub resumes a stream (earliest) and what a tab that
// rebuilds onto an open stream is owed from the hub's ring (catchUp). Ids are opaque strings:
// the order is known only from each tab's recent ids.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { catchUp, earliest } from '../../js/share/positions.js';

/** A tab's position after receiving ids from..to (its last `keep` of them as recent). */
const at = (to, from = 1, keep = 64) => {
  const recent = [];
  for (let i = Math.max(from, to - keep + 1); i <= to; i++) recent.push(`e${i}`);
  return { last: `e${to}`, recent };
};
/** A ring of [type, data, id] for ids from..to. */
const ring = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => ['message', `d${from + i}`, `e${from + i}`]);
const ids = (events) => events.map((r) => r[2]);

describe('earliest(positions)', () => {
  test('tabs at the same id resume from it', () => {
    assert.equal(earliest([at(10), at(10), at(10)]), 'e10');
  });

  test('one tab one event behind: resume from the one behind, whichever order the tabs came in', () => {
    assert.equal(earliest([at(10), at(9)]), 'e9');
    assert.equal(earliest([at(9), at(10)]), 'e9');
    assert.equal(earliest([at(10), at(10), at(9), at(10)]), 'e9');
  });

  test('one tab ahead of the rest: resume from the others, who it has seen', () => {
    assert.equal(earliest([at(20), at(20), at(25)]), 'e20');
    assert.equal(earliest([at(25), at(20), at(20)]), 'e20');
  });

  test('disjoint tabs (no tab has the other among its recent ids): the id the most tabs have seen', () => {
    // Two tabs at e100 and one at e5 far behind: e100 covers two, e5 covers one.
    assert.equal(earliest([at(5), at(100), at(100)]), 'e100');
    // Two tabs with nothing in common and equal cover: the first one's (a stable choice).
    assert.equal(earliest([at(5, 1, 3), at(100, 98, 3)]), 'e5');
    assert.equal(earliest([at(100, 98, 3), at(5, 1, 3)]), 'e100');
  });

  test('no positions: null (the stream starts at the server\'s now)', () => {
    assert.equal(earliest([]), null);
  });

  test('a tab whose recent ids are empty still counts itself', () => {
    assert.equal(earliest([{ last: 'x', recent: [] }]), 'x');
  });
});

describe('catchUp(shared, after, recent)', () => {
  test('after is in the ring: the events after it', () => {
    const r = catchUp({ ring: ring(11, 20), from: 'e10' }, 'e15', at(15).recent);
    assert.deepEqual(ids(r.events), ['e16', 'e17', 'e18', 'e19', 'e20']);
    assert.equal(r.gap, false);
  });

  test('after is the ring\'s last: nothing owed', () => {
    const r = catchUp({ ring: ring(11, 20), from: 'e10' }, 'e20', at(20).recent);
    assert.deepEqual(r.events, []);
    assert.equal(r.gap, false);
  });

  test('after === from (the id just before the ring): the whole ring', () => {
    const r = catchUp({ ring: ring(11, 20), from: 'e10' }, 'e10', at(10).recent);
    assert.deepEqual(ids(r.events), ids(ring(11, 20)));
    assert.equal(r.gap, false);
  });

  test('from among the tab\'s recent ids (it is ahead of from but not in the ring): the whole ring, no gap', () => {
    // The tab's last is an id the ring never held, but it saw `from`: everything after from is owed.
    const r = catchUp({ ring: ring(11, 20), from: 'e10' }, 'zz', ['e9', 'e10', 'zz']);
    assert.deepEqual(ids(r.events), ids(ring(11, 20)));
    assert.equal(r.gap, false);
  });

  test('ahead of the ring\'s start by an id it has not (its last unknown): from its latest known id on', () => {
    const r = catchUp({ ring: ring(11, 20), from: 'e10' }, 'x', ['e12', 'e13', 'x']);
    assert.deepEqual(ids(r.events), ['e14', 'e15', 'e16', 'e17', 'e18', 'e19', 'e20']);
    assert.equal(r.gap, false);
  });

  test('behind the ring\'s start with nothing in common: the whole ring, and a gap', () => {
    const r = catchUp({ ring: ring(600, 700), from: 'e599' }, 'e10', at(10).recent);
    assert.deepEqual(ids(r.events), ids(ring(600, 700)));
    assert.equal(r.gap, true);
  });

  test('a stream opened at the server\'s now (from null) and a tab not in its ring: a gap', () => {
    const r = catchUp({ ring: ring(1, 3), from: null }, 'old', ['old']);
    assert.equal(r.gap, true);
  });

  test('an empty ring and after === from: nothing owed, no gap', () => {
    const r = catchUp({ ring: [], from: 'e10' }, 'e10', at(10).recent);
    assert.deepEqual(r.events, []);
    assert.equal(r.gap, false);
  });
});
