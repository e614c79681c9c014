// README's measured table is what bench/readme-table.js makes from the committed result files
// in bench/results/ (as git's index holds them): it fails when a figure in README drifts from its file (or a file from README),
// and checks that the generator keeps losing comparisons, names each row's source and skips
// absent or quick results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOURCES, NOT_IN_TABLE, loadResults, committedResults, renderSection, currentSection, replaceSection, BEGIN, END } from '../../bench/readme-table.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = join(ROOT, 'bench/results');

test('README.md measured table equals the one generated from bench/results/ (run node bench/readme-table.js)', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.equal(currentSection(readme), renderSection(loadResults(RESULTS)));
});

test('every committed result file is one the table reads (or one it says why not), and says how and where it was made', () => {
  const known = new Set(SOURCES.map((s) => s.file));
  const committed = committedResults() ?? Object.fromEntries(readdirSync(RESULTS).filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(join(RESULTS, f), 'utf8'))]));
  assert.ok(Object.keys(committed).length > 0, 'bench/results/ holds committed result files');
  for (const [f, doc] of Object.entries(committed)) {
    assert.ok(known.has(f) || NOT_IN_TABLE[f], `${f} is read by bench/readme-table.js or listed in NOT_IN_TABLE`);
    assert.equal(doc.quick ?? false, false, `${f} is a full run`);
    assert.ok(doc.command, `${f} names its command`);
    assert.ok(doc.machine, `${f} names its machine`);
  }
});

test('every row names its result file and command; a row per figure', () => {
  const section = renderSection(loadResults(RESULTS));
  const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| what') && !l.startsWith('| ---'));
  assert.ok(rows.length > 0);
  for (const r of rows) assert.match(r, /\[`bench\/results\/[a-z0-9-]+\.json`\]\(bench\/results\/[a-z0-9-]+\.json\), `[^`]+`/, r);
});

function withResults(docs, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'readme-table-'));
  try {
    for (const [file, doc] of Object.entries(docs)) writeFileSync(join(dir, file), JSON.stringify(doc));
    return fn(loadResults(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const parserDoc = (x, quick = false) => ({
  bench: 'parser', command: 'bash scripts/bench.sh parser', quick, date: '2026-01-02T00:00:00Z', machine: { loadAvg: [0.4] },
  figures: { workloads: { large: { parsers: { lifeline: { mbPerS: 100, lifelineX: null }, 'eventsource-parser': { mbPerS: 120, lifelineX: x } } } } },
});

test('a losing comparison is a row that says "slower" and "not met"', () => {
  const section = withResults({ 'parser.json': parserDoc(0.83) }, renderSection);
  const row = section.split('\n').find((l) => l.includes('eventsource-parser, `large`'));
  assert.ok(row, section);
  assert.match(row, /lifeline slower: 0\.83×/);
  assert.match(row, /\*\*not met\*\*/);
  assert.match(row, /`bash scripts\/bench\.sh parser`, 2026-01-02, load 0\.4/);
});

test('quick results and absent files give no rows; soak.json and storm.json give rows when present', () => {
  assert.doesNotMatch(withResults({ 'parser.json': parserDoc(2.5, true) }, renderSection), /eventsource-parser/);
  const none = withResults({}, renderSection);
  assert.doesNotMatch(none, /chaos soak|reconnection storm/);
  const soak = {
    seed: 3, command: 'npm run soak', startedAt: '2026-01-03T00:00:00Z', machine: { cpus: 2 },
    soak: { durationS: 900, faultsInjected: 612, recovery: { hits: 700, recovered: 700, rate: 1 }, events: { subscriberEvents: 9000, lost: 0, duplicated: 1, reordered: 0 } },
    heal: {
      burstS: 60, gapMs: [500, 1500], plain: { seeds: 20, healMs: { p50: 800, p99: 4100, max: 4100 }, p99OverBoundMs: -900, withinBound: 20 },
      withStatus: { seeds: 20, healMs: { p50: 900, p99: null, max: null }, p99OverBoundMs: null, withinBound: 19 },
    },
  };
  const storm = {
    command: 'npm run simulate', machine: 'x', clients: 10000, outage_ms: 10000, goal: { max_slot_pct: 3, all_back_ms: 35000 },
    defaults: { backoff: { jitter: 'full' } },
    runs: [
      { jitter: 'full', trigger: 'none', max_slot_after_pct: 1.2, back: 10000, back_max_ms: 20000 },
      { jitter: 'none', trigger: 'none', max_slot_after_pct: 100, back: 10000, back_max_ms: 30000 },
    ],
  };
  const section = withResults({ 'soak.json': soak, 'storm.json': storm }, renderSection);
  assert.match(section, /faults injected \(900 s run, seed 3\) \| ≥ 500 over the full run \| 612: met \| \[`bench\/results\/soak\.json`\]\(bench\/results\/soak\.json\), `npm run soak`, 2026-01-03 \|/);
  assert.match(section, /lost \/ duplicated \/ reordered .*\| 0 \/ 1 \/ 0: \*\*not met\*\*/);
  assert.match(section, /within 5 s of the last fault \(p99\) \| p50 800 ms, p99 4\.1 s, max 4\.1 s; 20 of 20 within the bound: met/);
  assert.match(section, /Retry-After \+ 1 s\) \(p99\) \| p50 900 ms, p99 never, max never; 19 of 20 within the bound: \*\*not met\*\*/);
  assert.match(section, /busiest 100 ms after the return \| ≤ 3% of the clients \| 1\.20%: met/);
  assert.match(section, /other jitter modes .*none 100\.00% \(\*\*not met\*\*\)/);
});

test('the section between the markers is replaced and nothing else', () => {
  const text = `# T\n\nbefore\n${BEGIN}\nold\n${END}\nafter\n`;
  assert.equal(replaceSection(text, 'new\n'), `# T\n\nbefore\n${BEGIN}\nnew\n${END}\nafter\n`);
  assert.equal(currentSection(replaceSection(text, 'new\n')), 'new\n');
  assert.throws(() => replaceSection('no markers', 'x'), /lacks the lines/);
});
