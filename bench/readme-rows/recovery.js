// Rows from bench/results/recovery.json (bench/recovery.bench.js).
import { ms, s, met } from './format.js';

const p = (st) => `p50 ${ms(st.p50Ms)}, p99 ${ms(st.p99Ms)}, max ${ms(st.maxMs)}`;

export function rows(doc) {
  const f = doc.figures;
  const out = [];
  const iso = f.isolatedDrops;
  if (iso) {
    const n = `${iso.drops} drops, each after ${iso.streamingBeforeEachDropMs} ms of streaming, default backoff`;
    out.push({ what: `SSE drop → first reconnect attempt (${n})`, target: 'recovery starts < 2 s', result: `${p(iso.dropToAttempt)}: ${met(iso.dropToAttempt.p99Ms <= 2000)}` });
    out.push({ what: `SSE drop → first resumed event (${n})`, target: 'self-heals < 5 s', result: `${p(iso.dropToEvent)}: ${met(iso.dropToEvent.p99Ms <= 5000)}` });
  }
  const flap = f.flappingLink;
  if (flap) {
    out.push({
      what: `SSE drop → first resumed event, flapping link (${flap.drops} drops, one after every ${flap.streamingBeforeEachDropMs} ms of streaming)`,
      target: 'self-heals < 5 s', result: `${p(flap.dropToEvent)}: ${met(flap.dropToEvent.p99Ms <= 5000)}`,
    });
  }
  const fes = f.fetchEventSource;
  if (fes?.dropToEvent && iso) {
    out.push({
      what: `drop → first resumed event vs @microsoft/fetch-event-source (${fes.retry}, ${fes.drops} drops)`, target: '',
      result: `p50 ${ms(iso.dropToEvent.p50Ms)} vs ${ms(fes.dropToEvent.p50Ms)}, p99 ${ms(iso.dropToEvent.p99Ms)} vs ${ms(fes.dropToEvent.p99Ms)} (lifeline's p50 is ${fes.ratioP50DropToEvent}× its)`,
    });
  }
  const st = f.stall;
  if (st) {
    const over = st.detectedAfterTimeout;
    out.push({
      what: `stall detection beyond the watchdog timeout, measured with \`heartbeatTimeoutMs\` ${st.heartbeatTimeoutMs} (${st.stalls} stalls)`, target: '',
      result: `p50 +${ms(over.p50Ms)}, p99 +${ms(over.p99Ms)}, max +${ms(over.maxMs)}`,
    });
    const d = st.atDefault;
    const [lo, hi] = d.detectedAfterStallBeginsMs;
    out.push({
      what: `stall detection at the default \`heartbeatTimeoutMs\` ${s(d.heartbeatTimeoutMs, 0)}, server heartbeat every ${s(d.serverHeartbeatMs, 0)} (arithmetic: the default + the overhead above)`,
      target: 'failures detected < 30 s with a 15 s heartbeat',
      result: `${s(lo, 0)} to ${s(d.heartbeatTimeoutMs, 0)} + ${ms(over.p99Ms)} after the stall begins: ${met(hi < 30000)} by the default; \`heartbeatTimeoutMs\` below 30 s − ${ms(over.p99Ms)} meets it`,
    });
  }
  return out;
}
