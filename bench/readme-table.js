// README's measured table, generated from the committed result files in bench/results/ (and
// nothing else): one row per figure, with its target, the result and the file and command that
// made it. Comparisons that lifeline loses are rows like the ones it wins. Rewrites only the
// part of README.md between `<!-- measured:begin -->` and `<!-- measured:end -->`; a result file
// that is absent (soak.json, storm.json before their first full run) gives no rows.
//   node bench/readme-table.js          rewrite README.md
//   node bench/readme-table.js --check  exit 1 when README.md differs from the results
// tests/js/readme-table.test.js fails when README.md is not what this makes.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rows as recoveryRows } from './readme-rows/recovery.js';
import { rows as soakRows } from './readme-rows/soak.js';
import { rows as stormRows } from './readme-rows/storm.js';
import { rows as routerRows } from './readme-rows/router.js';
import { rows as parserRows } from './readme-rows/parser.js';
import { rows as resilienceRows } from './readme-rows/resilience.js';
import { rows as managerRows } from './readme-rows/manager.js';
import { rows as sizeRows } from './readme-rows/size.js';
import { rows as parserBuildRows } from './readme-rows/parser-build.js';
import { rows as fleetRows } from './readme-rows/fleet.js';
import { rows as latencyRows } from './readme-rows/latency.js';
import { rows as heapRows } from './readme-rows/heap.js';
import { rows as wakeupsRows } from './readme-rows/wakeups.js';
import { rows as initRows } from './readme-rows/init.js';

export const BEGIN = '<!-- measured:begin -->';
export const END = '<!-- measured:end -->';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Result files in the table's order, each with the function that turns it into rows. */
export const SOURCES = [
  { file: 'recovery.json', rows: recoveryRows },
  { file: 'soak.json', rows: soakRows },
  { file: 'storm.json', rows: stormRows },
  { file: 'router-e2e.json', rows: routerRows },
  { file: 'router.json', rows: routerRows },
  { file: 'parser.json', rows: parserRows },
  { file: 'resilience.json', rows: resilienceRows },
  { file: 'manager.json', rows: managerRows },
  { file: 'latency.json', rows: latencyRows },
  { file: 'heap.json', rows: heapRows },
  { file: 'wakeups.json', rows: wakeupsRows },
  { file: 'init.json', rows: initRows },
  { file: 'size.json', rows: sizeRows },
  { file: 'parser-build.json', rows: parserBuildRows },
  { file: 'fleet.json', rows: fleetRows },
];

/** Result files that are not in the table, and why. */
export const NOT_IN_TABLE = {
  'storm-what-if.json': 'what-if runs with settings that are not shipped (docs/RELIABILITY.md reports them)',
};

export const RESULTS_DIR = `${ROOT}bench/results`;

/**
 * The result files as git's index holds them (null without git): { file: doc }. The index, not
 * the working tree, so that a run still writing its file (or one that removed it to start again)
 * changes nothing until its result is added; `git add` a new result before generating.
 */
export function committedResults() {
  const git = (args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  let listing;
  try {
    listing = git(['ls-files', '-s', '--', 'bench/results/*.json']);
  } catch {
    return null;
  }
  const out = {};
  for (const line of listing.split('\n').filter(Boolean)) {
    const [meta, path] = line.split('\t');
    const file = path.slice('bench/results/'.length);
    if (file.includes('/')) continue; // history/: earlier runs, which docs may quote
    const blob = meta.split(' ')[1];
    out[file] = JSON.parse(git(['cat-file', 'blob', blob]));
  }
  return out;
}

/**
 * The result files the table reads: { 'recovery.json': doc, ... }. From bench/results/ the
 * committed ones (git's index; every file there when there is no git), from another `dir` (tests)
 * every file in it.
 */
export function loadResults(dir = RESULTS_DIR) {
  const committed = dir === RESULTS_DIR ? committedResults() : null;
  const out = {};
  for (const { file } of SOURCES) {
    if (committed) {
      if (committed[file]) out[file] = committed[file];
    } else if (existsSync(`${dir}/${file}`)) {
      out[file] = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));
    }
  }
  return out;
}

const cell = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The source cell: file, command, date, and the load when the file recorded it. */
function source(file, doc) {
  const date = (doc.date ?? doc.startedAt ?? '').slice(0, 10);
  const load = doc.machine?.loadAvg ? `load ${doc.machine.loadAvg[0]}` : null;
  const parts = [`[\`bench/results/${file}\`](bench/results/${file})`, doc.command ? `\`${doc.command}\`` : null, date || null, load];
  return parts.filter(Boolean).join(', ');
}

/** The machines the results were measured on, as the files name them. */
function machines(results) {
  const names = new Set();
  for (const { file } of SOURCES) {
    const m = results[file]?.machine;
    if (m && typeof m === 'object' && m.cpus) names.add(`${m.cpus} × ${m.cpuModel ?? 'unknown CPU'}${m.uname ? `, ${m.uname}` : ''}`);
    else if (typeof m === 'string') names.add(m);
  }
  return [...names];
}

/** The markdown between the markers, from loaded results. */
export function renderSection(results) {
  const on = machines(results);
  const lines = [
    '',
    'Generated by `node bench/readme-table.js` from the result files in `bench/results/` (each',
    'file holds the command, the date, the machine with its load average, and every figure); each',
    'page above has the method and the full tables. "not met" and "slower" rows are kept.',
    ...(on.length ? [`Measured on ${on.join('; ')}, shared with other jobs: the load average each file recorded (at the start of a bench, at the last test of the router e2e) is in its source.`] : []),
    '',
    '| what | target | result | source |',
    '| --- | --- | --- | --- |',
  ];
  for (const { file, rows } of SOURCES) {
    const doc = results[file];
    if (!doc || doc.quick) continue;
    for (const r of rows(doc, file)) lines.push(`| ${cell(r.what)} | ${cell(r.target)} | ${cell(r.result)} | ${source(file, doc)} |`);
  }
  return lines.join('\n') + '\n';
}

/** README text with the part between the markers replaced. */
export function replaceSection(text, section) {
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  if (b < 0 || e < b) throw new Error(`README.md lacks the lines ${BEGIN} ... ${END}`);
  return `${text.slice(0, b + BEGIN.length)}\n${section}${text.slice(e)}`;
}

/** The part of README text between the markers, as renderSection makes it. */
export function currentSection(text) {
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  if (b < 0 || e < b) throw new Error(`README.md lacks the lines ${BEGIN} ... ${END}`);
  return text.slice(b + BEGIN.length + 1, e);
}

function main() {
  const readme = `${ROOT}README.md`;
  const text = readFileSync(readme, 'utf8');
  const next = replaceSection(text, renderSection(loadResults()));
  if (process.argv.includes('--check')) {
    if (next !== text) {
      console.error('README.md: the measured table differs from bench/results/; run node bench/readme-table.js');
      process.exit(1);
    }
    return;
  }
  if (next !== text) writeFileSync(readme, next);
  console.log(`readme-table: README.md ${next === text ? 'already up to date' : 'rewritten'}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
