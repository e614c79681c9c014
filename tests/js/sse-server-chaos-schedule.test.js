// The soak's seeded schedules and the figures computed from its records (pure functions).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchedule, FAULT_KINDS, HEAL_WEIGHTS, HEAL_STATUS_WEIGHTS } from '../../demo/server/chaos-schedule.js';
import { recoveries, healTime, healBoundMs, percentile, lastIdAt, serialAt, hitChannel } from '../../demo/server/chaos-analysis.js';

describe('chaos schedule', () => {
  test('the same seed gives the same schedule; another seed another one', () => {
    const a = buildSchedule({ seed: 7, durationMs: 60000, channels: 4, churnMs: 2500 });
    assert.deepEqual(buildSchedule({ seed: 7, durationMs: 60000, channels: 4, churnMs: 2500 }), a);
    assert.notDeepEqual(buildSchedule({ seed: 8, durationMs: 60000, channels: 4, churnMs: 2500 }), a);
    assert.ok(a.churn.length >= 12);
  });

  test('a full-length soak has more than 500 faults, of every kind, and lasting faults never overlap on a channel', () => {
    const { faults } = buildSchedule({ seed: 1, durationMs: 720000, channels: 4, gapMs: [600, 1800] });
    assert.ok(faults.length > 500, `${faults.length} faults`);
    assert.deepEqual(new Set(faults.map((f) => f.kind)), new Set(Object.keys(FAULT_KINDS)));
    const until = Array(4).fill(0);
    for (const f of faults) {
      const def = FAULT_KINDS[f.kind];
      const hit = f.channel < 0 ? [0, 1, 2, 3] : [f.channel];
      if (def.lasts) {
        for (const c of hit) assert.ok(until[c] <= f.at, `fault ${f.id} (${f.kind}) starts inside a lasting fault on channel ${c}`);
        for (const c of hit) until[c] = f.at + f.params.ms;
      }
    }
  });

  test('heal schedules skip a slot rather than add a notice while a fault lasts', () => {
    const { faults } = buildSchedule({ seed: 3, durationMs: 60000, channels: 1, weights: HEAL_WEIGHTS, gapMs: [500, 1500], quietWhenBusy: false });
    assert.ok(faults.every((f) => f.kind in HEAL_WEIGHTS));
    assert.throws(() => buildSchedule({ seed: 1, durationMs: 1000, channels: 1, weights: { nope: 1 } }), /unknown fault kind/);
    assert.throws(() => buildSchedule({ seed: 1.5, durationMs: 1000, channels: 1 }), /seed must be an integer/);
  });

  test('statusWindowMs makes every 500 and 503 a window of that length instead of a count of answers', () => {
    const o = { durationMs: 60000, channels: 1, weights: HEAL_STATUS_WEIGHTS, gapMs: [500, 1500], quietWhenBusy: false };
    const of = (extra) => [...Array(10).keys()].flatMap((seed) => buildSchedule({ ...o, seed, ...extra }).faults).filter((f) => f.kind === '500' || f.kind === '503');
    const counted = of({});
    const windows = of({ statusWindowMs: [300, 1500] });
    assert.ok(windows.filter((f) => f.kind === '503').length > 3 && counted.filter((f) => f.kind === '500').length > 3);
    assert.ok(counted.every((f) => f.params.ms === undefined && (f.kind === '503' || (f.params.count >= 1 && f.params.count <= 3))));
    assert.ok(windows.every((f) => f.params.ms >= 300 && f.params.ms <= 1500 && f.params.count === undefined));
    assert.ok(windows.filter((f) => f.kind === '503').every((f) => f.params.retryAfter >= 1));
  });
});

describe('chaos analysis', () => {
  // A channel: open (serial 1) at 0, delivers 1..3, dropped at 100, open again (serial 2) at 900.
  const track = {
    status: [[0, 'open', 'none', 1], [100, 'reconnecting', 'network', 1], [900, 'open', 'none', 2]],
    progress: [[10, 1, 1], [50, 2, 1], [120, 3, 1], [905, 4, 2], [1000, 5, 2]],
  };

  test('a disrupting fault recovers on a newer stream; a quiet one at the next event', () => {
    const [drop, notice] = recoveries([
      { id: 0, kind: 'drop', channel: 0, start: 100, end: 100 },
      { id: 1, kind: 'notice', channel: 0, start: 100, end: 100 },
    ], [track]);
    assert.equal(drop.recoveryMs, 805, 'event 3 came from the old stream: not a recovery');
    assert.equal(notice.recoveryMs, 20);
    assert.equal(serialAt(track, 899), 1);
    assert.equal(recoveries([{ id: 2, kind: 'truncate', channel: 0, start: 950, end: 950 }], [track])[0].recoveryMs, null);
    assert.deepEqual(recoveries([{ id: 3, kind: 'overlap', channel: 0, start: 1, end: null }], [track]), [], 'never took effect');
  });

  test('a queued fault taken by a stream the channel had left (after a rebind) is told apart', () => {
    const t = { ...track, streams: [[5, 11], [902, 12]] };
    assert.equal(hitChannel({ kind: 'truncate', end: 100, clientId: 11 }, t), true);
    assert.equal(hitChannel({ kind: 'truncate', end: 950, clientId: 11 }, t), false, 'the channel reads stream 12 by then');
    assert.equal(hitChannel({ kind: 'overlap', end: 850, clientId: 12 }, t), true);
    assert.equal(hitChannel({ kind: 'overlap', end: 850, clientId: 13 }, t), false);
    const [r] = recoveries([{ id: 4, kind: 'truncate', channel: 0, start: 940, end: 950, clientId: 11 }], [t]);
    assert.equal(r.otherStream, true);
  });

  test('heal: caught up on a stream newer than the last disrupting fault; the Retry-After bound', () => {
    const log = [[1, 0], [2, 40], [3, 110], [4, 500], [5, 990]];
    assert.equal(lastIdAt(log, 499), 3);
    assert.equal(lastIdAt(log, -1), 0);
    const h = healTime([{ kind: 'drop', start: 100, end: 100, params: {} }], track, log);
    assert.deepEqual(h, { lastEnd: 100, healedAt: 905, healMs: 805 });
    assert.equal(healBoundMs([{ kind: '503', end: 0, params: { retryAfter: 6 } }], 100), 6900);
    assert.equal(healBoundMs([{ kind: '503', end: 0, params: { retryAfter: 2 } }], 100), 5000);
    assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
    assert.equal(percentile(Array.from({ length: 20 }, (_, i) => i), 99), 19, 'p99 of 20 is the max');
  });
});
