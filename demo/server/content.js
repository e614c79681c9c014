/**
 * Realistic, seeded demo content for the "Strategist live" feed and the 6-stage analysis: polling
 * updates, ward-level sentiment, opposition moves, alerts. All names are fictional.
 */
import { prng } from './http-util.js';

export const WARDS = [
  'Riverside', 'Old Town', 'Millbrook', 'Harbour East', 'Northgate', 'Ashford Park',
  'Canal Quarter', 'Westfield', 'St. Anne\'s', 'Kingsmead', 'Elm Hill', 'Station Road',
];
const POLLSTERS = ['Civic Pulse', 'Meridian Research', 'Northline Polling', 'Tally & Co.'];
const CANDIDATES = ['Okafor (ours)', 'Lindqvist', 'Moreau', 'Independents'];
const ISSUES = ['housing costs', 'bus routes', 'school places', 'flood defences', 'night-time safety', 'small-business rates'];
const OPPOSITION = [
  'Lindqvist campaign booked three town-hall events in {ward}',
  'Moreau released a leaflet attacking our record on {issue}',
  'Opposition volunteers canvassing door-to-door in {ward}',
  'Lindqvist endorsed by the {ward} residents\' association',
  'Moreau pledged a review of {issue} at a rally in {ward}',
  'Paid social ads on {issue} targeting {ward} spotted',
];
const ALERTS = [
  'Turnout model: {ward} under target by {n} points',
  'Negative press spike on {issue}',
  'Canvass coverage in {ward} below 40%',
];

export const STAGES = [
  'Initializing Analysis', 'Gathering Intelligence', 'Processing Data',
  'Analyzing Patterns', 'Generating Insights', 'Finalizing Report',
];

/** Returns next() → {event, data} producing the feed's demo events from a seed. */
export function createFeedGenerator(seed = 1) {
  const rnd = prng(seed);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const round1 = (x) => Math.round(x * 10) / 10;
  const shares = [34, 31, 22, 13];
  const fill = (s) => s.replace('{ward}', pick(WARDS)).replace('{issue}', pick(ISSUES)).replace('{n}', String(2 + Math.floor(rnd() * 7)));
  return function next() {
    const r = rnd();
    const ts = Date.now();
    if (r < 0.3) {
      const i = Math.floor(rnd() * shares.length);
      const change = round1((rnd() - 0.5) * 2);
      shares[i] = round1(Math.max(1, shares[i] + change));
      return { event: 'poll', data: { ts, pollster: pick(POLLSTERS), candidate: CANDIDATES[i], share: shares[i], change, sample: 400 + Math.floor(rnd() * 1200) } };
    }
    if (r < 0.65) {
      return { event: 'sentiment', data: { ts, ward: pick(WARDS), score: round1(rnd() * 2 - 1), mentions: 20 + Math.floor(rnd() * 500), topIssue: pick(ISSUES) } };
    }
    if (r < 0.92) {
      return { event: 'intel', data: { ts, kind: 'opposition', text: fill(pick(OPPOSITION)), confidence: round1(0.5 + rnd() * 0.5) } };
    }
    return { event: 'alert', data: { ts, severity: rnd() < 0.3 ? 'high' : 'medium', text: fill(pick(ALERTS)) } };
  };
}

/** The sections produced after stages 2..5 and at the end, for one ward. */
export function analysisSection(stage, ward, rnd) {
  const pct = (a, b) => Math.round(a + rnd() * (b - a));
  switch (stage) {
    case 2: return { title: 'Intelligence summary', content: `${pct(40, 300)} new mentions of ${ward} in local media; top issue: ${ISSUES[pct(0, ISSUES.length - 1)]}.` };
    case 3: return { title: 'Polling position', content: `Our share in ${ward}: ${pct(28, 41)}% (±${pct(3, 5)}), lead over Lindqvist ${pct(-4, 8)} points.` };
    case 4: return { title: 'Patterns', content: `Sentiment in ${ward} moved ${pct(-12, 15)}% week on week; younger voters drive the change.` };
    case 5: return { title: 'Recommendations', content: `Prioritise door-knocking in ${ward}; answer on ${ISSUES[pct(0, ISSUES.length - 1)]} within 48 h.` };
    default: return null;
  }
}
