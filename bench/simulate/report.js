// Turns bench/results/storm.json (written by lifeline_storm) into docs/img/storm.svg and the part
// of docs/RELIABILITY.md between `<!-- storm:begin -->` and `<!-- storm:end -->`. Every number
// in that part comes from the JSON; nothing else in the document is touched.
//   node bench/simulate/report.js [storm.json] [storm.svg] [RELIABILITY.md] [storm-what-if.json]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { renderStormSvg } from './storm_svg.js';

const BEGIN = '<!-- storm:begin -->';
const END = '<!-- storm:end -->';

const TABLE_HEAD = '| run | jitter | trigger | busiest 100 ms after the return | busiest from the drop ' +
  '| back p50 / p99 / max after the return | attempts (outage + after) | most by one client ' +
  '| reported circuit-open / back from circuit-open | goal |\n' +
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |';

const s = (ms) => (ms / 1000).toFixed(1);
const pct = (x) => `${x.toFixed(2)}%`;
const signed = (ms) => `${ms >= 0 ? '+' : '−'}${s(Math.abs(ms))} s`;

function runRow(r, n) {
  const back = r.back === n ? `${s(r.back_p50_ms)} / ${s(r.back_p99_ms)} / **${s(r.back_max_ms)}** s`
    : `${r.back} of ${n} back; last at ${s(r.back_max_ms)} s`;
  return `| ${r.name} | ${r.jitter} | ${r.trigger} | **${pct(r.max_slot_after_pct)}** at ${signed(r.max_slot_after_at_ms)} ` +
    `| ${pct(r.max_slot_all_pct)} at ${signed(r.max_slot_all_at_ms)} | ${back} ` +
    `| ${r.attempts_total} (${r.attempts_outage} + ${r.attempts_after}) | ${r.max_client_attempts} ` +
    `| ${r.breaker_opened} / ${r.back_by_probe} | ${r.goal_met ? 'met' : '**missed**'} |`;
}

function breakerNote(r) {
  if (!r.breaker_opened) return 'No client went circuit-open.';
  const n = r.breaker_opened === 1 ? '1 client' : `${r.breaker_opened} clients`;
  return `${n} reported circuit-open after the drop; ${r.back_by_probe} came back from ` +
    `circuit-open (a half-open probe; the last at ${s(r.back_max_probe_ms)} s), the others from reconnecting ` +
    `(the last at ${s(r.back_max_backoff_ms)} s).`;
}

// Plain statements about the shipped configuration, each carrying its numbers from the JSON.
function findings(doc) {
  const { goal, runs, clients } = doc;
  const out = [];
  for (const r of runs.filter((x) => x.jitter === doc.defaults.backoff.jitter)) {
    const slotOk = r.max_slot_after_pct <= goal.max_slot_pct;
    const backOk = r.back === clients && r.back_max_ms <= goal.all_back_ms;
    const what = r.trigger === 'none' ? 'timers only' : `every client gets \`${r.trigger}\` at ${signed(r.trigger_at_ms)}`;
    const drop = r.trigger === 'none' ? ` Right after the drop the busiest 100 ms holds ${pct(r.max_slot_all_pct)} ` +
      `(at ${signed(r.max_slot_all_at_ms)}), against a server that is still down.` : '';
    const early = r.trigger === 'online' && r.trigger_at_ms < 0 && !slotOk
      ? ` The ${r.attempts_outage} attempts made between the event and the return all failed; \`set_online\` had reset ` +
        `the backoff, so the first retry of each came within 0..${doc.defaults.backoff.initial_ms} ms, and these retries ` +
        'pile onto the spread attempts around the return.' : '';
    out.push(`- **${r.name}** (${what}): the busiest 100 ms after the return holds ${pct(r.max_slot_after_pct)} ` +
      `of the clients (goal ≤ ${goal.max_slot_pct}%: ${slotOk ? 'met' : `missed by ${(r.max_slot_after_pct / goal.max_slot_pct).toFixed(1)}×`}); ` +
      `the last client is back ${s(r.back_max_ms)} s after the return (goal ≤ ${s(goal.all_back_ms)} s: ${backOk ? 'met' : 'missed'}). ` +
      `${breakerNote(r)}${drop}${early}`);
  }
  return out.join('\n');
}

// A run with one shipped default changed, to show which default would meet the goal. Its numbers
// come from its own result file; it is never mixed into the table of shipped defaults.
function whatIfSection(w) {
  const rows = w.runs.map((r) => runRow(r, w.clients)).join('\n');
  return `
**What if** \`online_spread_ms\` were ${w.what_if.online_spread_ms} (not the shipped default; \`bench/results/storm-what-if.json\`,
same clients, outage and seed): the same triggers, spread over ${w.what_if.online_spread_ms} ms instead of
${w.defaults.online_spread_ms} ms.

${TABLE_HEAD}
${rows}

The spread needed follows from the goal: clients woken together and spread uniformly over S land
about 100 ms / S of them in each 100 ms slot, so ${w.goal.max_slot_pct}% needs S above ${s(100 / (w.goal.max_slot_pct / 100))} s
plus a margin for the randomness of ${w.clients.toLocaleString('en')} draws. The cost is the wait of a lone client after
\`online\` or \`resume\` (up to S), which must stay inside the 5 s healing goal.
`;
}

export function renderSection(doc, svgPath, whatIf) {
  const d = doc.defaults;
  const rows = doc.runs.map((r) => runRow(r, doc.clients)).join('\n');
  return `## Reconnection storm

${doc.clients.toLocaleString('en')} clients, each one \`lifeline_manager\` of the real C core (native, virtual time,
\`lifeline_manager_conn_config_default\` as shipped, \`metrics = 0\`, a distinct seed each), all connected
and streaming, are cut by a ${s(doc.outage_ms)} s server outage (outage kind \`${doc.outage}\`: ${doc.outage === 'refused'
    ? 'every attempt fails at once with a network error, as when nothing listens on the port'
    : 'every attempt is answered 503 without Retry-After'}; answers come ${doc.rtt_ms} ms after each attempt). After the
return the server accepts and sends one event with an id: the client is *back* when it is delivered.
An attempt is an OPEN action of the core. Shipped defaults: backoff ${d.backoff.initial_ms} ms × ${d.backoff.multiplier}
up to ${s(d.backoff.max_ms)} s, ${d.backoff.jitter} jitter, adaptive ${d.backoff.adaptive ? 'on' : 'off'};
breaker ${d.breaker.features_breaker ? 'on' : 'off'} (opens after ${d.breaker.consecutive_failures} consecutive failures for
${s(d.breaker.open_ms)} s ±${d.breaker.open_jitter * 100}%, doubling to ${s(d.breaker.max_open_ms)} s);
\`online_spread_ms\` ${d.online_spread_ms}. The runs \`none\`, \`equal\` and \`decorrelated\` change only the jitter mode;
\`+resume\` calls \`lifeline_manager_resume\` and \`+online\` \`lifeline_manager_set_online(m, 1)\` on every client at the
same moment: when the server returns, or (\`-1s\`) a second before, while it is still coming back. For \`+online\` the
outage is the clients' network: they were set offline at the drop and make no attempt until the event.

Goal with the defaults: no 100 ms slot after the return holds more than ${doc.goal.max_slot_pct}% of the clients, and every
client is back within ${s(doc.goal.all_back_ms)} s of the return.

${TABLE_HEAD}
${rows}

![Attempts per 100 ms as a share of the clients, from the drop to after the return, one panel per run](${svgPath})

${findings(doc)}
${whatIf ? whatIfSection(whatIf) : ''}
Made by \`${doc.command}\` (bench/simulate/, seed ${doc.seed}, core at ${doc.core || 'an unknown commit'}; results in
\`bench/results/storm.json\`) on ${doc.machine || 'an unnamed machine'}. Virtual time: the numbers do not depend on the
machine's speed or load, only on the core and the seed.
`;
}

export function replaceSection(text, section) {
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  if (b < 0 || e < b) throw new Error(`RELIABILITY.md lacks the lines ${BEGIN} ... ${END}`);
  return `${text.slice(0, b + BEGIN.length)}\n${section}${text.slice(e)}`;
}

function main() {
  const [jsonPath = 'bench/results/storm.json', svgOut = 'docs/img/storm.svg', mdPath = 'docs/RELIABILITY.md',
    whatIfPath = 'bench/results/storm-what-if.json'] = process.argv.slice(2);
  const doc = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const whatIf = existsSync(whatIfPath) ? JSON.parse(readFileSync(whatIfPath, 'utf8')) : null;
  if (whatIf && (whatIf.clients !== doc.clients || whatIf.seed !== doc.seed || whatIf.core !== doc.core))
    throw new Error(`${whatIfPath} is not from the same clients, seed and core as ${jsonPath}: run them together`);
  writeFileSync(svgOut, renderStormSvg(doc));
  if (!existsSync(mdPath)) writeFileSync(mdPath, `# Reliability\n\n${BEGIN}\n${END}\n`);
  let text = readFileSync(mdPath, 'utf8');
  // The document's owner places the markers; until then the section goes at its end.
  if (!text.includes(BEGIN) && !text.includes(END)) text = `${text.replace(/\n*$/, '\n\n')}${BEGIN}\n${END}\n`;
  writeFileSync(mdPath, replaceSection(text, renderSection(doc, 'img/storm.svg', whatIf)));
  console.log(`storm: wrote ${svgOut} and the storm section of ${mdPath}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
