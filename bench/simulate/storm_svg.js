// The storm plot as hand-written SVG: one panel per run (same axes everywhere, so panels compare
// at a glance; six noisy lines on one chart hide each other), attempts per 100 ms slot as a % of
// the clients against the time since the server returned, with the outage shaded, the 3% goal
// and the 35 s goal marked. Values above the y range are clipped and their peak is written out.

const COLORS = {
  none: '#7f7f7f', full: '#1f77b4', equal: '#2ca02c', decorrelated: '#9467bd',
  'full+resume': '#ff7f0e', 'full+online': '#8c564b', 'full+resume-1s': '#e377c2', 'full+online-1s': '#17becf',
};
const Y_MAX = 10; // % of clients; the goal is 3%, and a taller axis would flatten every line
const PANEL_W = 470;
const PANEL_H = 190;
const MARGIN = { left: 56, right: 24, top: 46, bottom: 40 };
const COLS = 2;

const esc = (t) => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const secs = (ms) => (ms / 1000).toFixed(1);

function xRange(doc) {
  const lastBack = Math.max(...doc.runs.map((r) => r.back_max_ms), doc.goal.all_back_ms);
  const end = Math.ceil((lastBack + 2000) / 5000) * 5;
  return { x0: -doc.outage_ms / 1000, x1: Math.min(end, doc.horizon_ms / 1000) };
}

function axes(px, py, x0, x1) {
  const parts = [];
  for (let x = Math.ceil(x0 / 5) * 5; x <= x1; x += 5) {
    parts.push(`<line x1="${px(x)}" y1="${py(0)}" x2="${px(x)}" y2="${py(0) + 4}" stroke="#333"/>`,
      `<text x="${px(x)}" y="${py(0) + 16}" text-anchor="middle">${x}</text>`);
  }
  for (let y = 0; y <= Y_MAX; y += 2) {
    parts.push(`<line x1="${px(x0)}" y1="${py(y)}" x2="${px(x1)}" y2="${py(y)}" stroke="#eee"/>`,
      `<text x="${px(x0) - 6}" y="${py(y) + 4}" text-anchor="end">${y}%</text>`);
  }
  parts.push(`<line x1="${px(x0)}" y1="${py(0)}" x2="${px(x1)}" y2="${py(0)}" stroke="#333"/>`,
    `<line x1="${px(x0)}" y1="${py(0)}" x2="${px(x0)}" y2="${py(Y_MAX)}" stroke="#333"/>`);
  return parts.join('');
}

function marks(doc, px, py, x0, x1) {
  const goalX = doc.goal.all_back_ms / 1000;
  return [
    `<rect x="${px(x0)}" y="${py(Y_MAX)}" width="${px(0) - px(x0)}" height="${py(0) - py(Y_MAX)}" fill="#f1f1f1"/>`,
    `<text x="${(px(x0) + px(0)) / 2}" y="${py(0) - 6}" text-anchor="middle" fill="#666">outage</text>`,
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(0)}" y2="${py(Y_MAX)}" stroke="#333" stroke-dasharray="2 2"/>`,
    goalX <= x1 ? `<line x1="${px(goalX)}" y1="${py(0)}" x2="${px(goalX)}" y2="${py(Y_MAX)}" stroke="#d62728" stroke-dasharray="1 3"/>` : '',
    `<line x1="${px(x0)}" y1="${py(doc.goal.max_slot_pct)}" x2="${px(x1)}" y2="${py(doc.goal.max_slot_pct)}" stroke="#d62728" stroke-dasharray="6 3"/>`,
  ].join('');
}

function series(doc, run, px, py, x1) {
  const slotS = doc.slot_ms / 1000;
  const start = doc.slots_start_ms / 1000;
  const pts = [];
  const n = Math.min(run.slots.length, Math.floor((x1 - start) / slotS));
  for (let k = 0; k <= n; k++) {
    const v = k < run.slots.length ? (100 * run.slots[k]) / doc.clients : 0;
    pts.push(`${px(start + (k + 0.5) * slotS).toFixed(1)},${py(Math.min(v, Y_MAX)).toFixed(1)}`);
  }
  return `<polyline fill="none" stroke="${COLORS[run.name] || '#000'}" stroke-width="1.2" points="${pts.join(' ')}"/>`;
}

function peakNote(doc, run, px, py, x1) {
  if (run.max_slot_all_pct <= Y_MAX) return '';
  const peak = (p, at) => `${p.toFixed(1)}% at ${secs(at)} s`;
  const notes = [peak(run.max_slot_all_pct, run.max_slot_all_at_ms)];
  if (run.max_slot_after_pct > Y_MAX && run.max_slot_after_at_ms !== run.max_slot_all_at_ms)
    notes.push(`${peak(run.max_slot_after_pct, run.max_slot_after_at_ms)} after the return`);
  return `<text x="${px(x1) - 4}" y="${py(Y_MAX) + 14}" text-anchor="end" fill="#d62728">` +
    `off the scale: ${notes.join(', ')}</text>`;
}

function panel(doc, run, i, range) {
  const ox = (i % COLS) * (PANEL_W + MARGIN.left + MARGIN.right);
  const oy = 70 + Math.floor(i / COLS) * (PANEL_H + MARGIN.top + MARGIN.bottom);
  const { x0, x1 } = range;
  const px = (x) => ox + MARGIN.left + ((x - x0) / (x1 - x0)) * PANEL_W;
  const py = (y) => oy + MARGIN.top + PANEL_H - (y / Y_MAX) * PANEL_H;
  const verdict = run.goal_met ? 'goal met' : 'goal missed';
  const title = `${run.name}${run.trigger === 'none' ? '' : ` (every client gets ${run.trigger} at ${secs(run.trigger_at_ms)} s)`}`;
  const sub = `busiest 100 ms after the return ${run.max_slot_after_pct.toFixed(2)}% · ` +
    `all back ${run.back === doc.clients ? `${secs(run.back_max_ms)} s` : `no (${run.back}/${doc.clients})`} · ${verdict}`;
  return `<g>` +
    `<text x="${px(x0)}" y="${oy + 18}" font-weight="bold" font-size="14">${esc(title)}</text>` +
    `<text x="${px(x0)}" y="${oy + 34}" fill="${run.goal_met ? '#2a7a2a' : '#b01c1c'}">${esc(sub)}</text>` +
    marks(doc, px, py, x0, x1) + axes(px, py, x0, x1) + series(doc, run, px, py, x1) +
    peakNote(doc, run, px, py, x1) +
    `<text x="${px((x0 + x1) / 2)}" y="${py(0) + 32}" text-anchor="middle" fill="#444">seconds since the server returned</text>` +
    `</g>`;
}

function legend(doc) {
  return `<g transform="translate(56,50)">` +
    `<line x1="0" y1="0" x2="24" y2="0" stroke="#1f77b4" stroke-width="1.5"/><text x="30" y="4">attempts in a 100 ms slot, % of the clients</text>` +
    `<line x1="300" y1="0" x2="324" y2="0" stroke="#d62728" stroke-dasharray="6 3"/><text x="330" y="4">${doc.goal.max_slot_pct}% goal</text>` +
    `<line x1="410" y1="-6" x2="410" y2="6" stroke="#d62728" stroke-dasharray="1 3"/><text x="418" y="4">${secs(doc.goal.all_back_ms)} s goal (all back)</text>` +
    `<rect x="560" y="-6" width="20" height="12" fill="#f1f1f1" stroke="#ccc"/><text x="586" y="4">server down (${secs(doc.outage_ms)} s, ${esc(doc.outage)})</text>` +
    `</g>`;
}

export function renderStormSvg(doc) {
  const range = xRange(doc);
  const rows = Math.ceil(doc.runs.length / COLS);
  const width = COLS * (PANEL_W + MARGIN.left + MARGIN.right);
  const height = 70 + rows * (PANEL_H + MARGIN.top + MARGIN.bottom) + 10;
  const title = `Reconnection storm: ${doc.clients.toLocaleString('en')} clients (the real C core, virtual time), ` +
    `attempts per ${doc.slot_ms} ms after a ${secs(doc.outage_ms)} s outage`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="12">` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<text x="56" y="26" font-size="16" font-weight="bold">${esc(title)}</text>` +
    legend(doc) + doc.runs.map((r, i) => panel(doc, r, i, range)).join('') + `</svg>\n`;
}
