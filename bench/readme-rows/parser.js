// Rows from bench/results/parser.json (bench/parser.bench.js, headless Chromium).
import { versus } from './format.js';

const LABELS = { small: '~110 B events', large: '64 KiB events', multiline: '10 data lines per event', comments: '9 comments per event' };

export function rows(doc) {
  const out = [];
  const w = doc.figures.workloads ?? {};
  for (const [name, x] of Object.entries(w)) {
    const own = x.parsers.lifeline;
    const peer = x.parsers['eventsource-parser'];
    if (!own || !peer) continue;
    out.push({
      what: `parser vs eventsource-parser, \`${name}\` (${LABELS[name] ?? name})`, target: name === 'small' ? '2× faster' : 'not slower',
      result: `${own.mbPerS} vs ${peer.mbPerS} MB/s: ${versus(peer.lifelineX)}; ${peer.lifelineX >= (name === 'small' ? 2 : 1) ? 'met' : '**not met**'}`,
    });
  }
  const node = Object.entries(doc.figures.node?.workloads ?? {}).filter(([, x]) => x.parsers['eventsource-parser'])
    .map(([name, x]) => `${name} ${versus(x.parsers['eventsource-parser'].lifelineX)}`);
  if (node.length) out.push({ what: `parser vs eventsource-parser in Node ${doc.figures.node.node} (same workloads)`, target: '', result: node.join('; ') });
  const fes = Object.entries(w).filter(([, x]) => x.parsers['fetch-event-source']).map(([name, x]) => `${name} ${x.parsers['fetch-event-source'].lifelineX.toFixed(1)}×`);
  if (fes.length) out.push({ what: 'parser vs fetch-event-source\'s parser (times faster)', target: '', result: fes.join(', ') });
  return out;
}
