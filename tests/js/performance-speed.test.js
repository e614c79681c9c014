// docs/PERFORMANCE.md's "Parser throughput" and "What a user pays" sections are what
// bench/performance-speed.js makes from the committed result files (git's index): the test fails
// when a figure drifts from its file. The generator judges goals from the figures and keeps the
// comparisons Lifeline loses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { render, replaceSection, PAGE, BEGIN, END } from '../../bench/performance-speed.js';

test('docs/PERFORMANCE.md speed sections equal the ones generated from bench/results/ (run node bench/performance-speed.js)', () => {
  const text = readFileSync(PAGE, 'utf8');
  assert.ok(text.includes(BEGIN) && text.includes(END), 'the page has the speed markers');
  assert.equal(replaceSection(text, render()), text);
});

const machine = { chromium: 'Chromium 1', node: 'v20', loadAvg: [0.5] };
const parserDoc = (x) => ({
  command: 'bash scripts/bench.sh parser', date: '2026-01-02T00:00:00Z', machine, core: { commit: 'abc' },
  figures: { workloads: {
    small: { parsers: { lifeline: { mbPerS: 150 }, 'eventsource-parser': { mbPerS: 100, lifelineX: 1.5 } } },
    large: { parsers: { lifeline: { mbPerS: 80 }, 'eventsource-parser': { mbPerS: 100, lifelineX: x } } },
  } },
});

test('a parser workload where lifeline is slower is a row marked not met; 1.5x on small misses the 2x goal', () => {
  const out = render((f) => (f.endsWith('parser.json') || f.includes('history/parser') ? parserDoc(0.8) : null));
  const large = out.split('\n').find((l) => l.startsWith('| `large`'));
  assert.match(large, /\| 0\.80× \| 0\.80× \| 80 MB\/s \| 100 MB\/s \| not slower \| \*\*not met\*\* \|/);
  const small = out.split('\n').find((l) => l.startsWith('| `small`'));
  assert.match(small, /\| 1\.50× \| 150 MB\/s \| 100 MB\/s \| 2× faster \| \*\*not met\*\* \|/);
  assert.match(out, /Source: \[`bench\/results\/parser\.json`\]\(\.\.\/bench\/results\/parser\.json\) \(`bash scripts\/bench\.sh parser`/);
});

test('latency rows: every client, the Lifeline ones judged against 0.2 ms over native', () => {
  const latency = {
    command: 'bash scripts/bench.sh latency', date: '2026-01-02T00:00:00Z', machine,
    params: { rounds: 1, eventsPerConnection: 10, warmupEventsSkipped: 2, everyMs: 5 },
    figures: { clockRttMs: 0.3, clients: {
      'native EventSource': { p50Ms: 0.5, p90Ms: 0.6, p99Ms: 0.9, maxMs: 1, p50OverNativeMs: 0, p99OverNativeMs: 0 },
      'eventsource v4': { p50Ms: 0.4, p90Ms: 0.6, p99Ms: 0.9, maxMs: 1, p50OverNativeMs: -0.1, p99OverNativeMs: 0 },
      'lifeline manager (fetch)': { p50Ms: 0.9, p90Ms: 1, p99Ms: 1.2, maxMs: 2, p50OverNativeMs: 0.4, p99OverNativeMs: 0.3, goalMet: false },
    } },
  };
  const out = render((f) => (f.endsWith('latency.json') ? latency : null));
  assert.match(out, /\| lifeline manager \(fetch\) \| 0\.900 ms .*\+0\.400 ms .*\*\*not met\*\* \|/);
  assert.match(out, /\| eventsource v4 \| 0\.400 ms .*-0\.100 ms/);
});
