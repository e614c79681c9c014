/**
 * Deep health. Liveness is the process answering at all: it never looks at Redis, so a Redis
 * blip cannot make an orchestrator restart the whole fleet into a reconnect storm. Readiness
 * fails fast and says why: the log answers a real command within a deadline, the follower is
 * not lagging, the instance has room and is not draining.
 */

/** {ok, status, checks: {log, lag, capacity, draining}} for the handler `h`. */
export async function readiness(h) {
  const { deadlineMs, maxLagMs } = h.opts.ready;
  let log;
  try {
    log = await withDeadline(h.log.ready(deadlineMs), deadlineMs);
  } catch (err) {
    log = { ok: false, error: err.message };
  }
  const lagOk = log.lagMs === null || log.lagMs === undefined || log.lagMs <= maxLagMs;
  const checks = {
    log: { ok: !!log.ok, kind: h.log.kind, latencyMs: log.latencyMs ?? null, ...(log.error ? { error: log.error } : {}) },
    lag: { ok: lagOk, lagMs: log.lagMs ?? null, maxLagMs },
    capacity: { ok: h.live.size < h.opts.maxClients, streams: h.live.size, maxClients: h.opts.maxClients },
    draining: { ok: !h.draining },
  };
  const ok = Object.values(checks).every((c) => c.ok);
  return { ok, status: ok ? 'ready' : 'not-ready', checks };
}

function withDeadline(p, ms) {
  let t;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); }),
  ]);
}
