/**
 * One instance of the demo as a fleet over Redis: a thin program over lifeline-sse/server. The
 * strategist feed and its publish API are the module's handler over the Redis Streams log
 * (REDIS_URL), so every instance resumes every client and all deliver one order; AI-service
 * health is probed, kept in Redis and published on the `health` topic
 * (GET /api/v1/strategist/feed?topic=health); /health/live and /health/ready; SIGTERM drains.
 * The demo's fault injection stays with the single-process reference server (sse-server.js).
 * See docs/servers.md ("A fleet over Redis").
 */
import { createServer } from 'node:http';
import { createSSEHandler, createHealthMonitor, redisLog } from '../../server/index.js';
import { createFeedGenerator } from './content.js';
import { startAIServices, aiControlRoutes } from './ai-services.js';
import { listen, sendJSON, trackSockets, closeServer } from './http-util.js';
import { FEED_PATH, PUBLISH_PATH } from './sse-server.js';

export const HEALTH_TOPIC = 'health';

/**
 * opts: redisUrl (REDIS_URL), host, port (0), intervalMs (generated events; 0: none), seed,
 * heartbeatMs (15000), retryMs, maxLen (10000), drain {spreadMs, timeoutMs}, ai (start the mock
 * AI services: {ports, latencyMs, seed} or false), probe ({name: url}: services to monitor;
 * default the ones started here), probeIntervalMs (1000), healthTtlMs (30000), name, topics (the
 * topics streams and publishes may name, besides `health`; default ['feed']).
 * Resolves to {urls, sse, log, monitor, ai, close(), drain()}.
 */
export async function startFleetInstance(opts = {}) {
  const host = opts.host ?? '127.0.0.1';
  const log = redisLog(opts.redisUrl ?? process.env.REDIS_URL, { maxLen: opts.maxLen ?? 10000 });
  const sse = createSSEHandler({
    log,
    heartbeatMs: opts.heartbeatMs ?? 15000,
    retryMs: opts.retryMs ?? null,
    paths: { stream: FEED_PATH, publish: PUBLISH_PATH },
    topics: [...new Set([...(opts.topics ?? ['feed']), HEALTH_TOPIC])],
    drain: opts.drain,
    onError: (err) => console.error('fleet instance:', err),
  });
  let ai = null;
  if (opts.ai !== false) ai = await startAIServices({ host, ...(opts.ai ?? {}) });
  const probe = opts.probe ?? ai?.urls ?? {};
  const name = opts.name ?? `instance-${process.pid}`;
  const monitor = createHealthMonitor({
    sse, services: probe, topic: HEALTH_TOPIC, instance: name,
    probeIntervalMs: opts.probeIntervalMs ?? 1000, ttlMs: opts.healthTtlMs ?? 30000,
  });
  const control = ai ? aiControlRoutes(ai) : null;
  const http = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/__status' && req.method === 'GET') {
      return sendJSON(req, res, 200, { name, ...sse.status(), health: monitor.status(), changes: monitor.changes });
    }
    if (control && (await control(req, res, url))) return;
    await sse(req, res);
  });
  const sockets = trackSockets(http);
  const port = await listen(http, opts.port ?? 0, host);
  const base = `http://${host}:${port}`;
  monitor.start();
  const gen = createFeedGenerator(opts.seed ?? 1);
  let genTimer = null;
  if (opts.intervalMs) {
    genTimer = setInterval(() => {
      const { event, data } = gen();
      sse.publish('feed', [{ event, data }]).catch(() => {}); // refused while Redis is down
    }, opts.intervalMs);
  }
  const urls = {
    sse: base, feed: base + FEED_PATH, publish: base + PUBLISH_PATH, health: `${base + FEED_PATH}?topic=${HEALTH_TOPIC}`,
    live: `${base}/health/live`, ready: `${base}/health/ready`, status: `${base}/__status`,
    ai: ai?.urls ?? {}, aiControl: ai ? base : null, redis: log.url,
  };
  let closing = null;
  const stopTimers = () => {
    clearInterval(genTimer);
    monitor.stop();
  };
  return {
    urls, sse, log, monitor, ai, http, name,
    /** SIGTERM's work: refuse connections, drain the streams within the bound, close. */
    drain: () => (closing ??= (async () => {
      stopTimers();
      http.close();
      http.closeIdleConnections?.();
      const r = await sse.drain();
      await closeServer(http, sockets);
      await ai?.close();
      await log.close();
      return r;
    })()),
    /** Stops at once (no drain). */
    close: () => (closing ??= (async () => {
      stopTimers();
      await sse.close();
      await closeServer(http, sockets);
      await ai?.close();
      await log.close();
    })()),
  };
}
