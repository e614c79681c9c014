/**
 * createSSEHandler: the request handler of lifeline-sse/server. Mount it in node:http
 * (`createServer(sse)`), Express (`app.use(sse)`: paths it does not serve go to next()) or
 * Fastify (`reply.hijack(); sse(request.raw, reply.raw)`). It serves event streams with ids,
 * heartbeats, `retry:` and replay from Last-Event-ID, a publish API, deep health, and drains.
 * See docs/servers.md.
 */
import { memoryLog } from './memory-log.js';
import { SSEStream } from './stream.js';
import { HTTPError, LogUnavailableError } from './errors.js';
import { corsHeaders, rateLimiter, readJSON, sendError, sendJSON } from './http.js';
import { validEventType } from './sse-format.js';
import { readiness } from './health.js';

const TOPIC_RE = /^[\w.:-]{1,64}$/;
const MAX_ID_BYTES = 256;

const DEFAULTS = {
  heartbeatMs: 15000,
  retryMs: null,
  paths: { stream: '/events', publish: '/publish', live: '/health/live', ready: '/health/ready' },
  topic: 'feed',
  topics: null, // null: any name matching TOPIC_RE; else the allowed list
  lastEventIdParam: 'lastEventId',
  maxClients: 1000,
  connectsPerSecond: 500,
  maxBodyBytes: 256 * 1024,
  maxEventBytes: 64 * 1024,
  maxEventsPerPublish: 1000,
  pageSize: 1000,
  retryAfterS: 1,
  drain: { spreadMs: 1000, timeoutMs: 10000 },
  ready: { deadlineMs: 500, maxLagMs: 5000 },
  cors: true,
  hooks: null,
  onError: null,
};
const OPTION_NAMES = ['log', ...Object.keys(DEFAULTS)];

/** The handler function (req, res, next?) with its methods: publish, drain, close, status... */
export function createSSEHandler(options = {}) {
  for (const k of Object.keys(options)) {
    if (!OPTION_NAMES.includes(k)) throw new TypeError(`createSSEHandler: unknown option "${k}" (known: ${OPTION_NAMES.join(', ')})`);
  }
  const core = new Handler(options);
  const handler = (req, res, next) => core.handle(req, res, next);
  for (const name of ['publish', 'drain', 'close', 'status', 'streams', 'ready', 'serveStream', 'onOpen']) {
    handler[name] = (...a) => core[name](...a);
  }
  Object.defineProperties(handler, {
    log: { get: () => core.log },
    counters: { get: () => core.counters },
    draining: { get: () => core.draining },
    options: { get: () => core.opts },
  });
  return handler;
}

class Handler {
  constructor(o) {
    this.opts = {
      ...DEFAULTS, ...o,
      paths: { ...DEFAULTS.paths, ...o.paths },
      drain: { ...DEFAULTS.drain, ...o.drain },
      ready: { ...DEFAULTS.ready, ...o.ready },
    };
    this.log = o.log ?? memoryLog();
    this.hooks = o.hooks ?? {};
    this.onError = o.onError ?? ((err) => console.error('lifeline-sse/server:', err));
    this.live = new Set();
    this.openListeners = new Set();
    this.nextId = 1;
    this.draining = false;
    this.closed = false;
    this.connects = rateLimiter(this.opts.connectsPerSecond);
    this.startedAt = Date.now();
    this.counters = {
      connects: 0, refused: 0, badRequests: 0, eventsPublished: 0, publishRefused: 0, eventsSent: 0,
      heartbeatsSent: 0, bytesSent: 0, resetsSent: 0, drainsSent: 0,
    };
  }

  async handle(req, res, next) {
    const url = new URL(req.url, 'http://localhost');
    const p = this.opts.paths;
    try {
      if (req.method === 'OPTIONS' && this.opts.cors && [p.stream, p.publish, p.live, p.ready].includes(url.pathname)) {
        res.writeHead(204, corsHeaders(req)).end();
        return true;
      }
      if (url.pathname === p.stream && req.method === 'GET') return await this.serveStream(req, res, url);
      if (url.pathname === p.publish && req.method === 'POST') return await this.#httpPublish(req, res, url);
      if (url.pathname === p.live && req.method === 'GET') {
        sendJSON(req, res, 200, { status: 'live', uptimeMs: Date.now() - this.startedAt });
        return true;
      }
      if (url.pathname === p.ready && req.method === 'GET') {
        const r = await this.ready();
        sendJSON(req, res, r.ok ? 200 : 503, r, r.ok ? {} : { 'retry-after': String(this.opts.retryAfterS) });
        return true;
      }
    } catch (err) {
      if (err instanceof HTTPError) this.counters.badRequests++;
      else if (!(err instanceof LogUnavailableError)) this.onError(err);
      if (!res.headersSent) sendError(req, res, err instanceof LogUnavailableError ? toHTTP(err, this.opts.retryAfterS) : err);
      else res.destroy();
      return true;
    }
    if (typeof next === 'function') next();
    else if (!res.headersSent) sendJSON(req, res, 404, { error: 'not found', path: url.pathname });
    return false;
  }

  /** The Last-Event-ID the request resumes from (header first, then the query), or null. */
  #lastEventId(req, url) {
    const raw = req.headers['last-event-id'] ?? url.searchParams.get(this.opts.lastEventIdParam);
    if (raw === null || raw === undefined || raw === '') return null;
    if (Buffer.byteLength(raw) > MAX_ID_BYTES) throw new HTTPError(400, `Last-Event-ID over ${MAX_ID_BYTES} bytes`);
    const id = this.log.parseId(raw);
    if (id === null) throw new HTTPError(400, `Last-Event-ID ${JSON.stringify(raw.slice(0, 64))} is not an id of this ${this.log.kind} log`);
    return id;
  }

  #topic(name) {
    const t = name ?? this.opts.topic;
    if (typeof t !== 'string' || !TOPIC_RE.test(t)) throw new HTTPError(400, `bad topic ${JSON.stringify(String(t).slice(0, 64))}`);
    if (this.opts.topics && !this.opts.topics.includes(t)) throw new HTTPError(404, `no topic ${t}`);
    return t;
  }

  /** Answers one stream request (the stream path, or a route of the app's own). */
  async serveStream(req, res, url = new URL(req.url, 'http://localhost'), { topic } = {}) {
    this.counters.connects++;
    const busy = (why) => {
      this.counters.refused++;
      sendJSON(req, res, 503, { error: why }, { 'retry-after': String(this.opts.retryAfterS), ...(this.draining ? { connection: 'close' } : {}) });
      return true;
    };
    if (this.draining || this.closed) return busy('server is draining: use another instance');
    if (this.live.size >= this.opts.maxClients) return busy('server at capacity');
    if (!this.connects.take()) return busy('too many connects: retry later');
    const t = this.#topic(topic ?? url.searchParams.get('topic') ?? undefined);
    const lastEventId = this.#lastEventId(req, url);
    let afterId;
    let reset = null;
    if (lastEventId === null) afterId = await this.log.last(t);
    else {
      const lost = await this.log.locate(t, lastEventId);
      if (lost) reset = { lastEventId, ...lost };
      afterId = reset ? lost.lastId : lastEventId;
    }
    if (res.destroyed || req.destroyed) return true;
    const s = new SSEStream(this, req, res, { id: this.nextId++, topic: t, afterId, reset, lastEventId });
    if (this.hooks.position) s.afterId = this.hooks.position(s, s.afterId) ?? s.afterId;
    this.live.add(s);
    if (this.hooks.beforeStart?.(s) === false) return true; // the hook starts it later
    s.start();
    return true;
  }

  /** fn(stream) when a stream has sent its headers (before any event): returns off(). */
  onOpen(fn) {
    this.openListeners.add(fn);
    return () => this.openListeners.delete(fn);
  }

  forget(stream) {
    this.live.delete(stream);
  }

  streams() {
    return [...this.live];
  }

  async #httpPublish(req, res, url) {
    const body = await readJSON(req, this.opts.maxBodyBytes);
    const list = Array.isArray(body) ? body : Array.isArray(body?.events) ? body.events : [body];
    const topic = this.#topic(url.searchParams.get('topic') ?? (Array.isArray(body) ? undefined : body?.topic));
    if (!list.length) throw new HTTPError(400, 'no events');
    const recs = await this.publish(topic, list);
    this.#answerPublish(req, res, body, recs);
    return true;
  }

  #answerPublish(req, res, body, recs) {
    const out = recs.map((r) => ({ id: r.id, event: r.event }));
    const single = !Array.isArray(body) && !Array.isArray(body?.events);
    sendJSON(req, res, 200, single ? out[0] : { events: out });
  }

  /**
   * Appends events ({event|type, data}) to the topic's log, in order; resolves to the records.
   * Refuses bad or oversized input (HTTPError 400/413), and rejects with LogUnavailableError
   * (503 over HTTP) when the log cannot take them: a refusal never lands later.
   */
  async publish(topic, events) {
    const t = this.#topic(topic);
    const list = [].concat(events);
    if (list.length > this.opts.maxEventsPerPublish) throw new HTTPError(413, `at most ${this.opts.maxEventsPerPublish} events per publish`);
    const prepared = list.map((e) => this.#prepare(e));
    try {
      const recs = await this.log.append(t, prepared);
      this.counters.eventsPublished += recs.length;
      return recs;
    } catch (err) {
      this.counters.publishRefused += prepared.length;
      throw err;
    }
  }

  #prepare(e) {
    if (!e || typeof e !== 'object') throw new HTTPError(400, 'an event is an object {event, data}');
    const event = e.event ?? e.type ?? 'message';
    if (!validEventType(event)) throw new HTTPError(400, 'event type: one line of 1..64 characters');
    let data = e.data ?? null;
    if (typeof data !== 'string') {
      if (data && typeof data === 'object' && !Array.isArray(data) && data.ts === undefined) data = { ...data, ts: Date.now() };
      data = JSON.stringify(data);
    }
    if (Buffer.byteLength(data) > this.opts.maxEventBytes) throw new HTTPError(413, `event data over ${this.opts.maxEventBytes} bytes`);
    return { event, data };
  }

  /** The readiness judgement (see health.js). */
  ready() {
    return readiness(this);
  }

  /**
   * Graceful drain: new streams are refused (503 + Retry-After), every open stream gets the
   * drain notice after what it already read, and the streams whose clients have not left
   * after timeoutMs are ended. Resolves once no stream is open.
   */
  async drain({ spreadMs = this.opts.drain.spreadMs, timeoutMs = this.opts.drain.timeoutMs } = {}) {
    this.draining = true;
    const all = [...this.live];
    let timer;
    const bound = new Promise((r) => { timer = setTimeout(r, timeoutMs); });
    await Promise.race([Promise.all(all.map((s) => s.drain(spreadMs))), bound]);
    clearTimeout(timer);
    for (const s of [...this.live]) s.end();
    return { streams: all.length, left: all.filter((s) => s.closed).length };
  }

  status() {
    return {
      draining: this.draining, streams: this.live.size, maxClients: this.opts.maxClients,
      counters: { ...this.counters }, log: this.log.status?.() ?? { kind: this.log.kind },
    };
  }

  /** Ends every stream at once (no drain) and stops; the log is the caller's to close. */
  async close() {
    this.closed = true;
    for (const s of [...this.live]) s.destroy();
  }
}

function toHTTP(err, retryAfter) {
  return new HTTPError(503, err.message, { retryAfter, extra: { published: err.written === 'unknown' ? 'unknown' : false } });
}
