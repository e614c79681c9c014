/**
 * The fleet e2e's page: the built package (js/ + dist/) holding the instance list itself (the
 * manager's `endpoints`, no balancer): channels on two topics of the shared log (feed: all
 * types, and a channel filtering one type on the same stream; ops: over the EventSource
 * transport), several subscribers each, and a health channel whose service-health events the
 * router takes as hints. Every subscriber keeps the ids it got, so the Node side can compare
 * them with the Redis log; status changes are kept with their times for failover figures.
 */
import { init, createManager, createRouter, followHealthHints } from '/js/index.js';

const page = {
  subs: [], status: [], health: [], hints: [], errors: [],

  /** instances: base URLs; channels: [{name, topic, transport, events, subscribers, first}]; ai: {name: url}. */
  async setup({ instances, channels, ai }) {
    await init({ router: true });
    const onError = (e) => this.errors.push(String(e?.stack ?? e));
    this.manager = createManager({ seed: 11, onError });
    const feed = '/api/v1/strategist/feed';
    for (const c of channels) {
      // each channel starts on another instance, with the others as its failover list
      const order = instances.map((_, k) => instances[(c.first + k) % instances.length]);
      const url = (base) => `${base}${feed}?topic=${c.topic}`;
      this.manager.connect(c.name, url(order[0]), {
        endpoints: order.slice(1).map(url), transport: c.transport, initialLastEventId: '0-0',
        eventTypes: ['tick', 'alert'], // an EventSource hears named events only when it listens to them
        heartbeatTimeoutMs: c.transport === 'eventsource' ? undefined : 3000,
      });
      this.manager.onStatus(c.name, (s) => this.status.push({ channel: c.name, t: Date.now(), state: s.state, reason: s.reason, endpoint: s.endpoint }));
      for (let i = 0; i < c.subscribers; i++) {
        const sub = { channel: c.name, topic: c.topic, events: c.events ?? null, ids: [], types: [] };
        this.manager.subscribe(c.name, (e) => { sub.ids.push(e.id); sub.types.push(e.type); }, c.events ? { events: c.events } : {});
        this.subs.push(sub);
      }
    }
    this.router = createRouter({
      services: Object.entries(ai).map(([name, url], i) => ({ name, baseUrl: url, capabilities: ['analysis'], priority: i + 1, healthPath: '/health' })),
      probeIntervalMs: 60000, // its own probes are rare: what it learns fast comes from the hints
    });
    this.router.onStatus((h) => this.health.push({ t: Date.now(), name: h.name, state: h.state, hint: h.hint?.state ?? null }));
    this.manager.connect('health', `${instances[0]}${feed}?topic=health`, { endpoints: instances.slice(1).map((b) => `${b}${feed}?topic=health`) });
    followHealthHints(this.manager, this.router, 'health', { onHint: (h) => this.hints.push({ t: Date.now(), service: h.service, state: h.state }) });
    return this.subs.length;
  },

  states() {
    return Object.fromEntries([...new Set(this.subs.map((s) => s.channel)), 'health'].map((c) => [c, this.manager.getConnectionStatus(c).state]));
  },

  /** The last id every subscriber of a topic has (the Node side waits for the log's last). */
  lastIds() {
    return this.subs.map((s) => ({ channel: s.channel, topic: s.topic, last: s.ids.at(-1) ?? null, n: s.ids.length }));
  },

  routerState(name) {
    return this.router.getHealth().find((h) => h.name === name)?.state ?? null;
  },

  report() {
    return { subs: this.subs, status: this.status, health: this.health, hints: this.hints, errors: this.errors, metrics: this.manager.getMetrics() };
  },
};

window.fleet = page;
document.getElementById('out').textContent = 'ready';
