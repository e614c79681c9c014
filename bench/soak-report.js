#!/usr/bin/env node
/**
 * Writes the soak part of docs/RELIABILITY.md (between `<!-- soak:begin -->` and
 * `<!-- soak:end -->`) from a soak result file; everything else in the doc is left as it is.
 *   node bench/soak-report.js [bench/results/soak.json] [docs/RELIABILITY.md]
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';

const [input = 'bench/results/soak.json', docPath = 'docs/RELIABILITY.md'] = process.argv.slice(2);
const BEGIN = '<!-- soak:begin -->';
const END = '<!-- soak:end -->';

const ms = (v) => (v === null || v === undefined ? '–' : v === Infinity ? 'never' : `${Math.round(v).toLocaleString('en')}`);
const pct = (v) => `${(v * 100).toFixed(2)}%`;
const int = (v) => Math.round(v).toLocaleString('en');
const mb = (v) => `${(v / 1048576).toFixed(2)} MiB`;

function row(cells) {
  return `| ${cells.join(' | ')} |`;
}

function table(head, rows) {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

function soakSection(r) {
  const s = r.soak;
  const ev = s.events;
  const kinds = Object.entries(s.recoveryMsByKind);
  const transports = [...new Set(s.channels.map((c) => c.transport))].join(' and ');
  const out = [];
  out.push(`### Chaos soak (${s.durationS} s, seed ${r.seed})`);
  out.push('');
  out.push(`${s.channels.length} channels (${transports}) × ${s.subscribersPerChannel} subscribers on one page, ` +
    `${int(s.faultsInjected)} faults injected (${s.faultsNeverApplied.length} queued ones never took effect before the end and are not counted), ` +
    `${int(ev.published)} events published, ${int(ev.subscriberEvents)} deliveries checked against the model ` +
    `(${ev.joined} subscriptions, ${ev.left} of them left during the run).`);
  out.push('');
  out.push(table(['figure', 'value', 'goal'], [
    ['recovery success (fault × channel it hit)', `${s.recovery.recovered} / ${s.recovery.hits} = ${pct(s.recovery.rate)}` +
      (s.recovery.otherStream ? ` (and ${s.recovery.otherStream} queued faults taken by a stream the channel had left, not counted)` : ''), '100%'],
    ['events lost / duplicated / reordered', `${ev.lost} / ${ev.duplicated} / ${ev.reordered}`, '0 / 0 / 0'],
    ['id-less notices delivered / lost / duplicated / from a replaced stream', `${int(ev.subscriberNotices)} / ${ev.noticesLost} / ${ev.noticesDuplicated} / ${ev.noticesStale}`, '– / 0 / 0 / 0'],
    ['unexpected events (gap, reset, bad id)', `${ev.unexpected}`, '0'],
    ['status at the end', s.channels.map((c) => c.state).join(', '), 'open'],
    [`JS heap after forced GC, first → last tenth (after ${s.memory.warmupS} s warm-up)`, `${mb(s.memory.js.first)} → ${mb(s.memory.js.last)} (${s.memory.js.growthPct >= 0 ? '+' : ''}${s.memory.js.growthPct}%)`, 'within 10%'],
    ['Wasm heap in use (bytes the core has allocated), first → last tenth', `${mb(s.memory.wasm.first)} → ${mb(s.memory.wasm.last)} (${s.memory.wasm.growthPct >= 0 ? '+' : ''}${s.memory.wasm.growthPct}%)`, s.memory.wasmSecondHalf ? 'shown; the second half is judged' : 'within 10%'],
    ...(s.memory.wasmSecondHalf ? [['Wasm heap in use, middle → last tenth (the judged figure: buffers kept at their largest burst step up early)', `${mb(s.memory.wasmSecondHalf.first)} → ${mb(s.memory.wasmSecondHalf.last)} (${s.memory.wasmSecondHalf.growthPct >= 0 ? '+' : ''}${s.memory.wasmSecondHalf.growthPct}%)`, 'within 10%']] : []),
    ...(s.memory.wasmHeapAfterDestroy ? [['Wasm heap in use after every manager is destroyed', `${s.memory.wasmHeapAfterDestroy.after} B (${s.memory.wasmHeapAfterDestroy.before} B before the first)`, 'as before']] : []),
    ...(s.memory.wasmMemory ? [['Wasm memory (grows to the high-water mark, never shrinks), first → last tenth', `${mb(s.memory.wasmMemory.first)} → ${mb(s.memory.wasmMemory.last)}`, '']] : []),
    [`stall detection (heartbeatTimeoutMs ${s.heartbeatTimeoutMs}), p50 / p95 / max ms`, `${ms(s.stallDetectMs.p50)} / ${ms(s.stallDetectMs.p95)} / ${ms(s.stallDetectMs.max)} (n = ${s.stallDetectMs.n})`, '≈ the timeout'],
  ]));
  out.push('');
  out.push('Time from each fault\'s end to the first resumed event on that channel, ms (a page-wide fault counts once per channel):');
  out.push('');
  out.push(table(['fault', 'injected', 'hits', 'recovered', 'p50', 'p95', 'p99', 'max'], kinds.map(([k, v]) => [
    k, String(s.faultsByKind[k] ?? 0), String(v.hits), String(v.recovered), ms(v.p50), ms(v.p95), ms(v.p99), ms(v.max),
  ])));
  if (s.slowest?.length) {
    out.push('');
    out.push('The five slowest recoveries, with the channel\'s status changes from the fault\'s start (ms: state: reason; every one in `soak.slowest` of the JSON):');
    out.push('');
    out.push(table(['fault', 'transport', 'at s', 'recovery ms', 'what the client did'], s.slowest.slice(0, 5).map((r) => [
      r.kind, r.transport, (r.at / 1000).toFixed(1), ms(r.recoveryMs ?? Infinity), r.trace.map((t) => `\`${t}\``).join(' → '),
    ])));
  }
  return out.join('\n');
}

function healSection(r) {
  const h = r.heal;
  const g = (name, x, bound) => [name, String(x.seeds), ms(x.healMs.p50), ms(x.healMs.p95), ms(x.healMs.p99), ms(x.healMs.max), `${x.withinBound} / ${x.seeds}`, bound, x.p99OverBoundMs <= 0 ? 'met' : `**not met** (p99 ${ms(x.p99OverBoundMs)} ms over)`];
  const out = [];
  out.push(`### Heal after a burst (${h.burstS} s of faults, one every ${h.gapMs[0]}–${h.gapMs[1]} ms, ${h.seedsPerGroup} seeds per group)`);
  out.push('');
  out.push(`Each seed is its own channel, manager and server on one page (both transports alternate). ` +
    `Heal time: from the end of the seed's last fault until it delivers, on a stream opened after its last disrupting fault, an event at least as new as the server's newest 250 ms earlier. ` +
    `${h.faultsInjected} faults (${h.faultsNeverApplied.length} queued ones never took effect).`);
  out.push('');
  out.push(table(['burst', 'seeds', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'within bound', 'bound', 'goal'], [
    g('drops, stalls, truncations, overlaps, drip', h.plain, '5 s'),
    g(`the same with 500 and 503 (Retry-After 1–6 s)${h.statusWindowMs ? `, each a ${h.statusWindowMs[0] / 1000}–${h.statusWindowMs[1] / 1000} s window` : ''}`, h.withStatus, 'max(5 s, Retry-After + 1 s)'),
  ]));
  out.push('');
  const slow = h.seeds.filter((s) => s.healMs === null || s.healMs > s.boundMs);
  if (slow.length) {
    out.push(`Seeds over their bound (\`SOAK_SEED=${r.seed}\` replays every one of them; seed s's schedule is \`buildSchedule({ seed: s, … })\` in demo/server/chaos-schedule.js):`);
    out.push('');
    out.push(table(['seed', 'transport', 'faults', 'last fault', 'heal ms', 'bound ms'], slow.map((s) => [String(s.seed), s.transport, String(s.faults), s.lastFault ?? '–', ms(s.healMs ?? Infinity), ms(s.boundMs)])));
    out.push('');
    out.push('Each of these seeds has, in `heal.seeds` of the JSON, its last faults (`faultTimes`) and its status changes (`trace`), in ms from the end of its last fault.');
  }
  return out.join('\n');
}

function generated(r) {
  const m = r.machine;
  return [
    `_Generated by \`node bench/soak-report.js\` from [bench/results/soak.json](../bench/results/soak.json); do not edit by hand._`,
    '',
    `Command: \`${r.command}\` (seed ${r.seed}, started ${r.startedAt}). ` +
    `Machine: \`${m.uname}\`, ${m.cpus} CPUs (${m.cpuModel}), Node ${m.node}, Chromium ${m.chromium}. ` +
    `Reproduce the same fault schedule with \`SOAK_SEED=${r.seed} npm run soak\`.`,
    '',
    r.soak ? soakSection(r) : '_No soak figures in this file._',
    '',
    r.heal ? healSection(r) : '_No heal figures in this file._',
  ].join('\n');
}

const SKELETON = `# Reliability\n\n${BEGIN}\n${END}\n\n<!-- storm:begin -->\n<!-- storm:end -->\n`;

const result = JSON.parse(readFileSync(input, 'utf8'));
const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : SKELETON;
const a = doc.indexOf(BEGIN);
const b = doc.indexOf(END);
if (a < 0 || b < a) {
  console.error(`${docPath}: the markers ${BEGIN} and ${END} are missing`);
  process.exit(1);
}
writeFileSync(docPath, `${doc.slice(0, a + BEGIN.length)}\n${generated(result)}\n${doc.slice(b)}`);
console.log(`${docPath}: soak figures from ${input}`);
