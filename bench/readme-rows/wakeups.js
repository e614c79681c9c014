// Rows from bench/results/wakeups.json (bench/wakeups.bench.js, headless Chromium).
import { met } from './format.js';

export function rows(doc) {
  const f = doc.figures;
  return Object.entries(f.clients ?? {}).map(([name, x]) => ({
    what: `timer wakeups on an idle open connection (a comment every ${doc.params.heartbeatCommentMs / 1000} s), ${name}`,
    target: name.startsWith('lifeline') ? `none but the watchdog's deadline (at most ${f.allowedWakeups} in ${doc.params.idleMs / 1000} s)` : '',
    result: `${x.wakeups} in ${(x.windowMs / 1000).toFixed(0)} s (${x.perMinute}/min)` + (x.goalMet === undefined ? '' : `; ${met(x.goalMet)}`),
  }));
}
