/**
 * Health hints from a server fleet into a router: lifeline-sse/server's health monitor publishes
 * a `service-health` event ({service, state, ttlMs, ...}) on its health topic whenever the first
 * instance sees a service change state (and again before the hint would lapse); every client
 * subscribed to that topic hands it to its router, so every tab learns of an outage within a
 * second instead of each finding out on its own. The router's own probes and breakers still
 * decide (js/router.js hint(), include/lifeline/router.h lifeline_router_hint).
 */

export const HEALTH_EVENT = 'service-health';

/**
 * Subscribes to `channel` of `manager` (already connected to the health stream, e.g.
 * `${server}/api/v1/strategist/feed?topic=health`) and hints `router` with every
 * service-health event. Returns the unsubscribe function.
 * options: event (the type, 'service-health'), maxTtlMs (a cap on what the server asks, 60000),
 * onHint({service, state, ttlMs, data, applied}) for every hint taken.
 */
export function followHealthHints(manager, router, channel, { event = HEALTH_EVENT, maxTtlMs = 60000, onHint } = {}) {
  return manager.subscribe(channel, (e) => {
    let d;
    try {
      d = JSON.parse(e.data);
    } catch {
      return; // not a hint: ignored, never a crash
    }
    if (!d || typeof d.service !== 'string' || typeof d.state !== 'string') return;
    const ttlMs = Math.min(maxTtlMs, Math.max(0, Number(d.ttlMs) || 30000));
    let applied = false;
    try {
      applied = router.hint(d.service, { state: d.state, ttlMs });
    } catch {
      applied = false; // an unknown state
    }
    onHint?.({ service: d.service, state: d.state, ttlMs, data: d, applied });
  }, { events: [event] });
}
