// Rows from bench/results/fleet.json (bench/fleet.bench.js: three instance processes over Redis).
import { int, met, ms } from './format.js';

const p = (st) => `p50 ${ms(st.p50Ms)}, p99 ${ms(st.p99Ms)}, max ${ms(st.maxMs)}`;

export function rows(doc) {
  const f = doc.figures;
  const out = [];
  const k = f.killFailover;
  if (k) {
    out.push({
      what: `fleet failover after kill -9 of an instance: stream open on another (${k.clients} client streams, ${k.rounds} kills, no balancer)`,
      target: '', result: p(k.toOpen),
    });
  }
  const d = f.drainFailover;
  if (d) {
    out.push({
      what: `fleet failover after SIGTERM (drain, spread ${ms(d.spreadMs)}): stream open on another (${d.clients} client streams)`,
      target: 'within the spread + 250 ms to connect', result: `${p(d.toOpen)}: ${met(d.toOpen.p99Ms <= d.spreadMs + 250)}`,
    });
  }
  const del = f.delivery;
  if (del) {
    out.push({
      what: `fleet events lost across the kills and drains (${int(del.logged)} logged, ${del.clients} clients)`,
      target: '0', result: `${del.lost} lost, ${del.duplicated} duplicated, ${del.misordered} out of order: ${met(del.lost === 0 && del.duplicated === 0 && del.misordered === 0)}`,
    });
  }
  const r = f.replay;
  if (r) {
    out.push({
      what: `replay from Redis to a client ${int(r.behind)} events behind (Lifeline manager, Node fetch; bare socket reader in brackets)`,
      target: '≥ 100,000 events/s', result: `${int(r.manager.eventsPerS)} events/s (${int(r.raw.eventsPerS)}): ${met(r.manager.eventsPerS >= 100000)}`,
    });
  }
  const h = f.aiHealth;
  if (h) {
    out.push({
      what: `dead AI service: first instance's detection → every client's router shows it down (${h.clients} clients, ${h.services.length} services in turn)`,
      target: '≈ 1 s', result: `worst ${ms(h.worstToEveryRouterMs)}: ${met(h.worstToEveryRouterMs <= 1000)}`,
    });
  }
  return out;
}
