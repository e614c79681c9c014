// Writes a benchmark's figures to a JSON result file with what is needed to judge them later:
// the command, the date, the machine (load included: ratios on a loaded 2-core machine are not
// the ratios on a quiet one), the core that was measured and the run's parameters.
// Full runs write bench/results/<name>.json (committed; README's measured table is generated from
// them by bench/readme-table.js); BENCH_QUICK=1 runs write bench/results/quick/<name>.json
// (gitignored), so the short CI run never replaces a committed full result. A full run moves the
// full result it replaces to bench/results/history/<name>-<its date>.json, so that the spread
// between runs on a shared machine stays on record (docs may quote it; README quotes the latest).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const ROOT = new URL('..', import.meta.url);
export const QUICK = process.env.BENCH_QUICK === '1';

function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 10000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** The Chromium that the browser benches and e2e use, as `chromium --version` names it. */
export function chromiumVersion() {
  const out = run(process.env.CHROMIUM_PATH || '/usr/bin/chromium', ['--version']);
  const m = out && /Chromium [0-9.]+/.exec(out);
  return m ? m[0] : out;
}

/** uname, CPU model and count, Node and Chromium versions, load averages when the run started. */
export function machine({ chromium } = {}) {
  const c = cpus();
  return {
    uname: run('uname', ['-srmo']),
    cpuModel: c[0]?.model ?? null,
    cpus: c.length,
    node: process.version,
    chromium: chromium ?? chromiumVersion(),
    loadAvg: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** The commit, whether the measured code differs from it, and the Wasm that ran. */
export function core() {
  let wasm = null;
  try {
    wasm = createHash('sha256').update(readFileSync(new URL('dist/lifeline-core.wasm', ROOT))).digest('hex').slice(0, 16);
  } catch {}
  const dirty = run('git', ['status', '--porcelain', '--', 'src', 'include', 'js', 'bench']);
  return { commit: run('git', ['rev-parse', '--short', 'HEAD']), uncommittedChanges: dirty ? dirty.split('\n').length : 0, wasmSha256: wasm };
}

/** Moves the full result at `file` (a URL; if any) to history/ beside it, named by its date. */
export function keepPrevious(file, name) {
  if (!existsSync(file)) return;
  let prev;
  try {
    prev = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return; // not a result (a half-written file): overwritten
  }
  if (prev.quick || !prev.date) return;
  const dir = new URL('history/', file);
  mkdirSync(dir, { recursive: true });
  renameSync(file, new URL(`${name}-${prev.date.slice(0, 19).replace(/:/g, '')}.json`, dir));
}

/**
 * Starts a result for bench `name` (made by `bash scripts/bench.sh <name>`); call write() when
 * the figures are in. `params` are the run's length and settings.
 */
export function startResult(name, params, opts = {}) {
  const doc = {
    bench: name,
    command: `${QUICK ? 'BENCH_QUICK=1 ' : ''}bash scripts/bench.sh ${name}`,
    quick: QUICK,
    date: new Date().toISOString(),
    machine: machine(opts),
    core: core(),
    params,
    figures: {},
  };
  return {
    doc,
    write() {
      doc.finishedAt = new Date().toISOString();
      doc.loadAvgAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
      const dir = new URL(QUICK ? 'bench/results/quick/' : 'bench/results/', ROOT);
      mkdirSync(dir, { recursive: true });
      const file = new URL(`${name}.json`, dir);
      if (!QUICK) keepPrevious(file, name);
      writeFileSync(file, JSON.stringify(doc, null, 1) + '\n');
      console.log(`results: ${file.pathname.slice(ROOT.pathname.length)}`);
      return file;
    },
  };
}
