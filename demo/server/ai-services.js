/**
 * Mock AI services (gemini, perplexity, llama), each its own HTTP server on loopback, with a
 * health endpoint, capability endpoints, switchable failure modes and counters. A small control
 * server switches any of them, which also works while a service refuses connections.
 * See docs/servers.md.
 */
import { createServer } from 'node:http';
import {
  answerPreflight, clampNum, closeServer, listen, prng, readJSON, sendJSON, trackSockets,
} from './http-util.js';
import { StreamAnswer } from './ai-stream.js';

export const SERVICE_SPECS = {
  gemini: { capabilities: ['analysis', 'summary'], latencyMs: 120, model: 'gemini-mock-1.5', streamFormat: 'gemini' },
  perplexity: { capabilities: ['analysis', 'search'], latencyMs: 180, model: 'sonar-mock' },
  llama: { capabilities: ['analysis', 'summary'], latencyMs: 90, model: 'llama-mock-70b' },
};
export const MODES = ['normal', 'recover', 'fail', 'hang', 'slow', 'refuse'];
const ENDPOINTS = { '/v1/analyze': 'analysis', '/v1/summary': 'summary', '/v1/search': 'search' };
// Streamed answers (router.stream): POST /v1/stream/<capability>, in the service's format.
const STREAM_PATH = /^\/v1\/stream\/([a-z]+)$/;
const MAX_MODE_MS = 10 * 60 * 1000;
const MAX_HANGING = 1000;

/** Starts one mock service; resolves to a listening MockAIService. */
export async function startAIService(opts) {
  const s = new MockAIService(opts);
  await s.start();
  return s;
}

export class MockAIService {
  /**
   * opts: name (required), port (0), host ('127.0.0.1'), latencyMs (base latency of capability
   * calls), jitterMs (uniform ± jitter, default 20), capabilities, model, seed.
   */
  constructor({ name, port = 0, host = '127.0.0.1', latencyMs, jitterMs = 20, capabilities, model, seed = 1 } = {}) {
    const spec = SERVICE_SPECS[name] ?? { capabilities: ['analysis'], latencyMs: 100, model: `${name}-mock` };
    if (!name) throw new Error('MockAIService needs a name');
    this.name = name;
    this.host = host;
    this.requestedPort = port;
    this.latencyMs = latencyMs ?? spec.latencyMs;
    this.jitterMs = jitterMs;
    this.capabilities = capabilities ?? spec.capabilities;
    this.model = model ?? spec.model;
    this.rnd = prng(seed + name.length * 7919);
    this.mode = { mode: 'normal' };
    this.hanging = new Set();
    this.pending = new Set(); // {timer, res}
    this.nextRequestId = 1;
    this.closed = false;
    // Streams: streamFormat (the spec's, else 'openai'), streamTokens words every streamTokenMs.
    this.streamAnswer = new StreamAnswer(this, { format: spec.streamFormat ?? 'openai', tokens: 60, tokenMs: 10 });
    this.resetCounters();
    this.http = createServer((req, res) => this.route(req, res));
    this.sockets = trackSockets(this.http);
  }

  resetCounters() {
    this.counters = { requests: 0, byStatus: {}, byPath: {}, hangsTotal: 0, modeChanges: 0, refusedPeriods: 0 };
    this.streamAnswer?.resetCounters();
    this.streamAnswer?.setFault({ kind: 'none' });
  }

  async start() {
    this.port = await listen(this.http, this.requestedPort, this.host);
    this.url = `http://${this.host}:${this.port}`;
    return this;
  }

  get listening() { return this.http.listening; }

  /**
   * Switches the mode: 'normal' | 'recover' (same as normal) | 'fail' {status: 500, retryAfter} |
   * 'hang' | 'slow' {latencyMs: 3000} | 'refuse'. Options for all: ms (revert to normal after ms),
   * includeHealth (default true: the mode applies to GET /health too). Leaving 'hang' destroys the
   * hanging requests; 'refuse' closes the listener and reopens it on the same port when left.
   * Resolves to status() once the listener is in the right state.
   */
  async setMode(mode, o = {}) {
    if (!MODES.includes(mode)) throw Object.assign(new Error(`mode must be one of ${MODES.join(', ')}`), { status: 400 });
    if (mode === 'recover') mode = 'normal';
    const prev = this.mode.mode;
    clearTimeout(this.mode.timer);
    const next = { mode, includeHealth: o.includeHealth !== false };
    if (mode === 'fail') {
      next.status = Math.round(clampNum(o.status, 500, 400, 599));
      if (o.retryAfter !== undefined) next.retryAfter = Math.round(clampNum(o.retryAfter, 1, 0, 3600));
    }
    if (mode === 'slow') next.latencyMs = clampNum(o.latencyMs, 3000, 0, MAX_MODE_MS);
    if (o.ms !== undefined && mode !== 'normal') {
      next.until = Date.now() + clampNum(o.ms, 1000, 1, MAX_MODE_MS);
      next.timer = setTimeout(() => this.setMode('normal').catch(() => {}), next.until - Date.now());
    }
    this.mode = next;
    this.counters.modeChanges++;
    if (prev === 'hang' && mode !== 'hang') this.releaseHanging();
    if (mode === 'refuse' && prev !== 'refuse') {
      this.counters.refusedPeriods++;
      this.releaseHanging();
      await closeServer(this.http, this.sockets);
    } else if (mode !== 'refuse' && !this.http.listening && !this.closed) {
      await listen(this.http, this.port, this.host);
    }
    return this.status();
  }

  releaseHanging() {
    for (const res of this.hanging) res.socket?.destroy();
    this.hanging.clear();
  }

  count(path, status) {
    this.counters.byStatus[status] = (this.counters.byStatus[status] ?? 0) + 1;
    this.counters.byPath[path] = (this.counters.byPath[path] ?? 0) + 1;
  }

  async route(req, res) {
    const path = new URL(req.url, 'http://localhost').pathname;
    res.setHeader('x-service', this.name);
    try {
      if (req.method === 'OPTIONS') return answerPreflight(req, res);
      if (path === '/__status' && req.method === 'GET') return sendJSON(req, res, 200, this.status());
      if (path === '/__mode' && req.method === 'POST') return await this.httpMode(req, res);
      if (path === '/__reset' && req.method === 'POST') {
        this.resetCounters();
        return sendJSON(req, res, 200, await this.setMode('normal'));
      }
      if (path === '/__stream' && req.method === 'POST') return sendJSON(req, res, 200, this.setStreamFault(await readJSON(req)));
      if (path === '/health' && req.method === 'GET') return await this.serve(req, res, path, null);
      const sm = STREAM_PATH.exec(path);
      if (sm && req.method === 'POST') return await this.serveStream(req, res, sm[1]);
      const cap = ENDPOINTS[path];
      if (cap && req.method === 'POST') return await this.serve(req, res, path, cap);
      return sendJSON(req, res, 404, { error: 'not found', service: this.name, path });
    } catch (err) {
      if (!res.headersSent) sendJSON(req, res, err.status ?? 500, { error: err.message, service: this.name });
    }
  }

  async httpMode(req, res) {
    const body = await readJSON(req);
    if (body.mode === 'refuse') {
      // Answer first: closing the listener also destroys this request's socket.
      res.once('finish', () => setImmediate(() => this.setMode('refuse', body).catch(() => {})));
      return sendJSON(req, res, 202, { service: this.name, mode: 'refuse', port: this.port }, { connection: 'close' });
    }
    return sendJSON(req, res, 200, await this.setMode(body.mode, body));
  }

  /** Health (cap null) or a capability call, under the current mode. */
  async serve(req, res, path, cap) {
    this.counters.requests++;
    const body = cap ? await readJSON(req) : {};
    const m = this.mode;
    const applies = cap !== null || m.includeHealth;
    if (applies && m.mode === 'hang') {
      this.counters.hangsTotal++;
      if (this.hanging.size >= MAX_HANGING) return res.socket?.destroy();
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (applies && m.mode === 'fail') {
      this.count(path, m.status);
      const extra = m.retryAfter !== undefined ? { 'retry-after': String(m.retryAfter) } : {};
      return sendJSON(req, res, m.status, { error: `${this.name} is failing (injected)`, service: this.name }, extra);
    }
    if (cap && !this.capabilities.includes(cap)) {
      this.count(path, 404);
      return sendJSON(req, res, 404, { error: `${this.name} has no ${cap} capability`, service: this.name, capabilities: this.capabilities });
    }
    const base = applies && m.mode === 'slow' ? m.latencyMs : cap ? this.latencyMs : 0;
    const jitter = cap ? (this.rnd() * 2 - 1) * this.jitterMs : 0;
    const delay = Math.max(0, Math.round(base + jitter));
    const requestId = req.headers['x-request-id'] ?? `${this.name}-${this.nextRequestId++}`;
    const started = Date.now();
    const p = { res };
    p.timer = setTimeout(() => {
      this.pending.delete(p);
      if (res.destroyed) return;
      this.count(path, 200);
      const answer = cap
        ? { service: this.name, model: this.model, capability: cap, requestId, latencyMs: Date.now() - started, ts: Date.now(), result: this.answer(cap, body) }
        : { status: 'ok', service: this.name, capabilities: this.capabilities, mode: m.mode };
      sendJSON(req, res, 200, answer, { 'x-request-id': requestId });
    }, delay);
    this.pending.add(p);
    res.on('close', () => { clearTimeout(p.timer); this.pending.delete(p); });
  }

  /** A streamed answer for `cap` under the stream fault (see ai-stream.js); 404 without the capability. */
  async serveStream(req, res, cap) {
    const body = await readJSON(req);
    if (!this.capabilities.includes(cap)) return sendJSON(req, res, 404, { error: `${this.name} has no ${cap} capability` });
    return this.streamAnswer.serve(req, res, body);
  }

  /**
   * The fault of streamed answers: { kind, ...options, times } (ai-stream.js lists them), plus
   * tokens and tokenMs to change the answer's length and pace. Returns the stream status.
   */
  setStreamFault(o = {}) {
    if (o.tokens !== undefined) this.streamAnswer.tokens = Math.round(clampNum(o.tokens, 60, 1, 2000));
    if (o.tokenMs !== undefined) this.streamAnswer.tokenMs = clampNum(o.tokenMs, 10, 0, 10000);
    const f = this.streamAnswer.setFault(o);
    return { service: this.name, fault: f.kind, times: Number.isFinite(f.times) ? f.times : null, ...this.streamStatus() };
  }

  streamStatus() {
    const a = this.streamAnswer;
    return { format: a.format, tokens: a.tokens, tokenMs: a.tokenMs, counters: { ...a.counters, byFault: { ...a.counters.byFault } } };
  }

  answer(cap, body) {
    const topic = String(body.ward ?? body.topic ?? body.query ?? body.prompt ?? 'the campaign').slice(0, 120);
    if (cap === 'search') {
      return {
        results: [1, 2, 3].map((i) => ({
          title: `${topic}: local coverage ${i}`,
          url: `https://news.example/${encodeURIComponent(topic.toLowerCase().replace(/\s+/g, '-'))}/${i}`,
          snippet: `Report ${i} on ${topic}, indexed by ${this.name}.`,
        })),
      };
    }
    if (cap === 'summary') return { summary: `${this.name} summary of ${topic}: steady support, turnout is the main risk.` };
    // A stage of the demo's ward analysis names what it wants looked at (`focus`).
    const focus = typeof body.focus === 'string' ? body.focus.slice(0, 80) : null;
    return {
      summary: focus ? `${this.name} on ${focus.toLowerCase()} in ${topic}` : `${this.name} analysis of ${topic}`,
      insights: [`Sentiment in ${topic} is stable`, 'Opposition activity rising on housing', 'Canvass coverage below target'],
      confidence: Math.round((0.6 + this.rnd() * 0.35) * 100) / 100,
    };
  }

  status() {
    return {
      service: this.name, url: this.url, port: this.port, listening: this.http.listening,
      mode: this.mode.mode, modeStatus: this.mode.status, modeLatencyMs: this.mode.latencyMs,
      modeRemainingMs: this.mode.until ? Math.max(0, this.mode.until - Date.now()) : undefined,
      includeHealth: this.mode.includeHealth ?? true,
      capabilities: this.capabilities, latencyMs: this.latencyMs, jitterMs: this.jitterMs,
      hanging: this.hanging.size, inFlight: this.pending.size, ...this.counters, stream: this.streamStatus(),
      byStatus: { ...this.counters.byStatus }, byPath: { ...this.counters.byPath },
    };
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.mode.timer);
    for (const p of this.pending) clearTimeout(p.timer);
    this.pending.clear();
    this.releaseHanging();
    await closeServer(this.http, this.sockets);
  }
}

/** Routes of the group control API, usable on any server: returns true when it answered. */
export function aiControlRoutes(group) {
  return async (req, res, url) => {
    const m = /^\/__ai\/(?:([a-z0-9_-]+)\/)?(mode|status|reset|stream)$/.exec(url.pathname);
    if (!m) return false;
    const [, name, action] = m;
    const svc = name ? group.services[name] : null;
    if (name && !svc) { sendJSON(req, res, 404, { error: `no service ${name}` }); return true; }
    if (action === 'status' && req.method === 'GET') { sendJSON(req, res, 200, svc ? svc.status() : group.status()); return true; }
    if (req.method !== 'POST') { sendJSON(req, res, 405, { error: 'use POST' }); return true; }
    const body = await readJSON(req);
    if (action === 'stream') {
      const targets = svc ? [svc] : Object.values(group.services);
      const out = targets.map((s) => s.setStreamFault(body));
      sendJSON(req, res, 200, svc ? out[0] : out);
    } else if (action === 'mode') {
      const targets = svc ? [svc] : Object.values(group.services);
      const out = await Promise.all(targets.map((s) => s.setMode(body.mode, body)));
      sendJSON(req, res, 200, svc ? out[0] : group.status());
    } else {
      for (const s of svc ? [svc] : Object.values(group.services)) {
        s.resetCounters();
        await s.setMode('normal');
      }
      sendJSON(req, res, 200, svc ? svc.status() : group.status());
    }
    return true;
  };
}

/**
 * Starts gemini, perplexity and llama (or opts.names). opts: host, ports ({name: port}, default 0
 * each), basePort (try basePort, basePort+1, ... for services without a given port), latencyMs
 * (number or {name: ms}), jitterMs, seed, control (default true: start the control server on
 * controlPort, default 0). Resolves to {services, urls, controlUrl, setMode, status, close}.
 */
export async function startAIServices(opts = {}) {
  const { host = '127.0.0.1', ports = {}, basePort, latencyMs, jitterMs = 20, seed = 1, names = Object.keys(SERVICE_SPECS) } = opts;
  const services = {};
  let tryPort = basePort;
  try {
    for (const name of names) {
      const lat = typeof latencyMs === 'object' && latencyMs ? latencyMs[name] : latencyMs;
      const o = { name, host, latencyMs: lat, jitterMs, seed };
      if (ports[name] !== undefined) services[name] = await startAIService({ ...o, port: ports[name] });
      else if (tryPort) ({ svc: services[name], next: tryPort } = await startOnNextFree(o, tryPort));
      else services[name] = await startAIService({ ...o, port: 0 });
    }
  } catch (err) {
    await Promise.all(Object.values(services).map((s) => s.close()));
    throw err;
  }
  const group = {
    services,
    urls: Object.fromEntries(Object.entries(services).map(([n, s]) => [n, s.url])),
    controlUrl: null,
    setMode: (name, mode, o) => {
      const s = services[name];
      if (!s) return Promise.reject(new Error(`no service ${name}`));
      return s.setMode(mode, o);
    },
    status: () => Object.fromEntries(Object.entries(services).map(([n, s]) => [n, s.status()])),
    close: async () => {
      await Promise.all(Object.values(services).map((s) => s.close()));
      if (control) await closeServer(control, controlSockets);
    },
  };
  let control = null;
  let controlSockets = null;
  if (opts.control !== false) {
    const routes = aiControlRoutes(group);
    control = createServer(async (req, res) => {
      const url = new URL(req.url, 'http://localhost');
      try {
        if (req.method === 'OPTIONS') return answerPreflight(req, res);
        if (!(await routes(req, res, url))) sendJSON(req, res, 404, { error: 'not found' });
      } catch (err) {
        if (!res.headersSent) sendJSON(req, res, err.status ?? 500, { error: err.message });
      }
    });
    controlSockets = trackSockets(control);
    let port = null;
    // With a basePort the control server takes the next free port after the services.
    for (let p = tryPort; opts.controlPort === undefined && p && p < tryPort + 50 && port === null; p++) {
      port = await listen(control, p, host).catch((err) => {
        if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') throw err;
        return null;
      });
    }
    if (port === null) port = await listen(control, opts.controlPort ?? 0, host);
    group.controlUrl = `http://${host}:${port}`;
  }
  return group;
}

async function startOnNextFree(o, from) {
  for (let port = from; port < from + 50 && port < 65536; port++) {
    try {
      return { svc: await startAIService({ ...o, port }), next: port + 1 };
    } catch (err) {
      if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') throw err;
    }
  }
  return { svc: await startAIService({ ...o, port: 0 }), next: from };
}
