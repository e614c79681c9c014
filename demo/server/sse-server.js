/**
 * The reference SSE server: the strategist feed with ids, heartbeats and Last-Event-ID replay, the
 * 6-stage analysis stream, a publish API, and a fault-injection API (HTTP and in-process).
 * The feed is lifeline-sse/server's handler over its memory log (feed-log.js); the faults are
 * hooks on its streams (test tooling, as are the analysis protocol and the mock AI services).
 * See docs/servers.md for the endpoints. Binds 127.0.0.1; port 0 picks a free port.
 */
import { createServer } from 'node:http';
import { createSSEHandler } from '../../server/index.js';
import { formatEvent, formatComment, parseLastEventId } from './event-log.js';
import { FeedLog, FEED_TOPIC } from './feed-log.js';
import { AnalysisRuns } from './analysis.js';
import { createFeedGenerator, WARDS } from './content.js';
import { FaultState, STATUS_FAULTS, FAULT_NAMES } from './sse-faults.js';
import {
  answerPreflight, clampNum, closeServer, corsHeaders, listen, readJSON, sendJSON, trackSockets,
} from './http-util.js';

export const FEED_PATH = '/api/v1/strategist/feed';
export const ANALYSIS_PATH = '/api/v1/strategist/analysis';
export const PUBLISH_PATH = '/api/v1/strategist/publish';

const DEFAULTS = {
  host: '127.0.0.1', port: 0, heartbeatMs: 30000, intervalMs: 2000, logSize: 1000,
  lastEventIdParam: 'lastEventId', retryMs: null, analysisStepMs: 600, maxRuns: 32,
  maxActiveRuns: 256, historySize: 200, seed: 1, authToken: null, maxClients: 1000,
  generator: null, extraRoutes: null, helloNotice: false, log: null,
};
const MAX_RESUME_KEYS = 10000;

/** Starts a server; resolves to an SSEServer that is listening. */
export async function startSSEServer(opts = {}) {
  const server = new SSEServer(opts);
  await server.start();
  return server;
}

export class SSEServer {
  constructor(opts = {}) {
    this.opts = { ...DEFAULTS, ...opts };
    // A log handed in outlives the server that used it, as a persisted log outlives a process.
    this.log = this.opts.log ?? new FeedLog(this.opts.logSize);
    this.resumeKeys = new Set(); // stream URLs (without the last id) that had a stream: resumes
    this.connecting = new WeakMap(); // req -> {entry, resumed}: what the feed hooks need
    this.heldStarts = new Set(); // feed streams held before their headers by a stall
    this.sse = createSSEHandler({
      log: this.log, topic: FEED_TOPIC, heartbeatMs: this.opts.heartbeatMs, retryMs: this.opts.retryMs,
      lastEventIdParam: this.opts.lastEventIdParam, maxClients: Infinity, connectsPerSecond: 0,
      hooks: this.feedHooks(), onError: () => {},
    });
    this.nextEvent = this.opts.generator ?? createFeedGenerator(this.opts.seed);
    this.runs = new AnalysisRuns({
      stepMs: this.opts.analysisStepMs, maxRuns: this.opts.maxRuns, seed: this.opts.seed + 1,
      onAppend: (run) => this.pumpAll(run.clients),
    });
    this.faults = new FaultState({
      onStallEnd: () => this.afterStall(),
      onDripEnd: () => this.pumpAll(this.clients),
    });
    this.clients = new Set();
    this.history = [];
    this.applied = []; // when queued faults took effect: {t, fault, clientId} (truncate, overlap)
    this.nextClientId = 1;
    this.restarting = null;
    this.closed = false;
    this.resetCounters();
    this.newHttpServer();
  }

  newHttpServer() {
    this.http = createServer((req, res) => this.route(req, res));
    this.sockets = trackSockets(this.http);
  }

  resetCounters() {
    if (this.sse) for (const k of Object.keys(this.sse.counters)) this.sse.counters[k] = 0;
    this.counters = {
      connectsTotal: 0, eventsSent: 0, eventsPublished: 0, heartbeatsSent: 0, bytesSent: 0,
      restarts: 0, dropped: 0, truncated: 0, faultAnswers: 0, gapsSent: 0,
      noticesSent: 0, idOnlySent: 0, retrySent: 0, overlaps: 0,
    };
  }

  async start() {
    this.port = await listen(this.http, this.opts.port, this.opts.host);
    this.url = `http://${this.opts.host}:${this.port}`;
    this.feedUrl = this.url + FEED_PATH;
    this.analysisUrl = this.url + ANALYSIS_PATH;
    this.publishUrl = this.url + PUBLISH_PATH;
    this.setIntervalMs(this.opts.intervalMs);
    return this;
  }

  /** Sets the generator's pace; 0 (or null) stops automatic events. */
  setIntervalMs(ms) {
    clearInterval(this.genTimer);
    this.genTimer = null;
    this.opts.intervalMs = ms ? clampNum(ms, 2000, 10, 3600000) : 0;
    if (this.opts.intervalMs && !this.closed) {
      this.genTimer = setInterval(() => {
        const { event, data } = this.nextEvent();
        this.publish(event, data);
      }, this.opts.intervalMs);
    }
  }

  /**
   * Appends an event to the feed log and sends it to every feed client. Object data gets a `ts`
   * (server time, ms since epoch) unless it has one. Returns the record {id, event, data, ts}.
   */
  publish(event = 'message', data = {}) {
    if (event && typeof event === 'object') {
      data = event.data ?? {};
      event = event.event ?? event.type ?? 'message';
    }
    if (data && typeof data === 'object' && !Array.isArray(data) && data.ts === undefined) data = { ...data, ts: Date.now() };
    const rec = this.log.add(String(event), typeof data === 'string' ? data : JSON.stringify(data));
    this.counters.eventsPublished++;
    return { id: Number(rec.id), event: rec.event, data, ts: rec.ts };
  }

  /** Writes text verbatim to every open feed stream (not logged, no id): for parser edge cases. */
  publishRaw(text) {
    let n = 0;
    for (const s of this.sse.streams()) {
      if (!s.open || s.closed || this.stalled(s) || s.res.writableNeedDrain) continue;
      s.write(String(text));
      n++;
    }
    return n;
  }

  /** The feed's streams (lifeline-sse/server streams, `kind` 'feed' in their data). */
  feedStreams() {
    return this.sse.streams();
  }

  // ---- routing ----

  async route(req, res) {
    const url = new URL(req.url, 'http://localhost');
    const path = url.pathname;
    res.setHeader('x-lifeline-server', 'reference');
    try {
      if (req.method === 'OPTIONS') return answerPreflight(req, res);
      if (path === FEED_PATH && req.method === 'GET') return await this.openFeed(req, res, url);
      if (path === ANALYSIS_PATH && (req.method === 'GET' || req.method === 'POST')) {
        const body = req.method === 'POST' ? await readJSON(req) : {};
        return this.openStream(req, res, url, 'analysis', body);
      }
      if (path === PUBLISH_PATH && req.method === 'POST') return await this.httpPublish(req, res);
      if (path === '/health' && req.method === 'GET') return sendJSON(req, res, 200, { status: 'ok', service: 'sse', lastId: this.log.lastId });
      if (path === '/__status' && req.method === 'GET') return sendJSON(req, res, 200, this.status({ connects: url.searchParams.get('connects') }));
      if (path === '/__reset' && req.method === 'POST') return sendJSON(req, res, 200, this.reset(await readJSON(req)));
      if (path === '/__generator' && req.method === 'POST') {
        const body = await readJSON(req);
        this.setIntervalMs(body.intervalMs);
        return sendJSON(req, res, 200, { intervalMs: this.opts.intervalMs });
      }
      if (path.startsWith('/__fault/')) return await this.httpFault(req, res, decodeURIComponent(path.slice(9)));
      if (this.opts.extraRoutes && (await this.opts.extraRoutes(req, res, url))) return;
      return sendJSON(req, res, 404, { error: 'not found', path });
    } catch (err) {
      if (!res.headersSent) sendJSON(req, res, err.status ?? 500, { error: err.message });
      else res.destroy();
    }
  }

  async httpPublish(req, res) {
    const body = await readJSON(req);
    if (body.raw !== undefined) return sendJSON(req, res, 200, { raw: true, clients: this.publishRaw(body.raw) });
    const list = Array.isArray(body) ? body : Array.isArray(body.events) ? body.events : [body];
    if (list.length > 1000) return sendJSON(req, res, 413, { error: 'at most 1000 events per call' });
    const out = list.map((e) => this.publish(e.event ?? e.type ?? 'message', e.data ?? {}));
    return sendJSON(req, res, 200, list.length === 1 && !Array.isArray(body) && !body.events ? out[0] : { events: out });
  }

  async httpFault(req, res, name) {
    if (req.method === 'DELETE') {
      this.clearFaults(name);
      return sendJSON(req, res, 200, { cleared: name, active: this.faults.describe() });
    }
    if (req.method !== 'POST') return sendJSON(req, res, 405, { error: 'use POST or DELETE' });
    if (!FAULT_NAMES.includes(name)) return sendJSON(req, res, 404, { error: `unknown fault ${name}`, faults: FAULT_NAMES });
    const body = await readJSON(req);
    if (name === 'restart') {
      const downMs = clampNum(body.downMs, 500, 0, 60000);
      res.once('finish', () => setImmediate(() => this.restart({ downMs }).catch(() => {})));
      return sendJSON(req, res, 202, { fault: 'restart', downMs, port: this.port }, { connection: 'close' });
    }
    const info = this.fault(name, body);
    return sendJSON(req, res, 200, { fault: name, ...info, active: this.faults.describe() });
  }

  // ---- streams ----

  lastEventIdOf(req, url) {
    const header = req.headers['last-event-id'];
    if (header !== undefined) return { raw: header, value: parseLastEventId(header), via: 'header' };
    const q = url.searchParams.get(this.opts.lastEventIdParam);
    if (q !== null) return { raw: q, value: parseLastEventId(q), via: 'query' };
    return { raw: null, value: null, via: null };
  }

  recordApplied(fault, client) {
    this.applied.push({ t: Date.now(), fault, clientId: client.id });
    if (this.applied.length > this.opts.historySize) this.applied.splice(0, this.applied.length - this.opts.historySize);
  }

  recordConnect(entry) {
    this.counters.connectsTotal++;
    this.history.push(entry);
    if (this.history.length > this.opts.historySize) this.history.splice(0, this.history.length - this.opts.historySize);
  }

  /**
   * A feed connect: recorded, then the faults that answer before a stream (auth, status answers,
   * capacity), then lifeline-sse/server's handler serves it with the fault hooks below.
   */
  async openFeed(req, res, url) {
    const last = this.lastEventIdOf(req, url);
    const entry = { t: Date.now(), path: 'feed', lastEventId: last.value, lastEventIdRaw: last.raw, via: last.via, status: 200, fault: null, clientId: null };
    this.recordConnect(entry);
    if (this.opts.authToken && req.headers.authorization !== `Bearer ${this.opts.authToken}`) {
      entry.status = 401;
      entry.fault = 'auth';
      return sendJSON(req, res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
    }
    const answer = this.faults.takeAnswer('feed');
    if (answer) return this.answerFault(req, res, answer, entry);
    if (this.clients.size + this.sse.streams().length >= this.opts.maxClients) {
      entry.status = 503;
      entry.fault = 'capacity';
      return sendJSON(req, res, 503, { error: 'server at capacity' }, { 'retry-after': '5' });
    }
    const key = this.resumeKey(url);
    const resumed = this.resumeKeys.has(key);
    if (!resumed) {
      if (this.resumeKeys.size >= MAX_RESUME_KEYS) this.resumeKeys.clear();
      this.resumeKeys.add(key);
    }
    this.connecting.set(req, { entry, resumed });
    await this.sse.serveStream(req, res, url);
    if (res.statusCode !== 200) entry.status = res.statusCode; // the handler refused it (400: a bad id)
  }

  /** The fault hooks on the feed's streams (lifeline-sse/server SSEHooks). */
  feedHooks() {
    return {
      paused: (st) => this.stalled(st),
      // Only a resume of a URL that had a stream overlaps: the first stream of a new URL is
      // another stream, whose events a client must not take for the old one's.
      position: (st, afterId) => {
        const ctx = this.connecting.get(st.req);
        if (!ctx?.resumed || st.lastEventId === null || st.pendingReset) return afterId;
        const overlap = this.faults.takeOverlap();
        if (!overlap) return afterId;
        ctx.entry.overlap = overlap;
        this.counters.overlaps++;
        this.recordApplied('overlap', st);
        const want = Number(st.lastEventId);
        return String(Math.max(want - overlap, Math.min(want, this.log.oldestId - 1), 0));
      },
      beforeStart: (st) => {
        const ctx = this.connecting.get(st.req);
        st.kind = 'feed';
        st.data.noticeSeq = 0;
        st.data.skip = 0;
        st.data.closeAfter = this.faults.takeCloseAfter('feed');
        if (ctx) {
          ctx.entry.clientId = st.id;
          if (st.data.closeAfter) ctx.entry.fault = 'close-after-event';
          ctx.entry.overlap ??= 0;
        }
        if (!this.stalled(st)) return true;
        if (ctx) ctx.entry.fault = 'stall';
        if (this.faults.stall.headers) return true;
        this.heldStarts.add(st); // no headers until the stall ends
        st.res.on('close', () => this.heldStarts.delete(st));
        return false;
      },
      onOpen: (st) => {
        if (this.opts.helloNotice) this.writeNotice(st, { hello: true });
        if (st.data.closeAfter?.publish) {
          const { event, data } = this.nextEvent();
          this.publish(event, data);
        }
      },
      send: (st, records) => this.sendFeed(st, records),
    };
  }

  /** Writes feed records under the faults (skip, truncate, drip, close-after-event); returns how many it took. */
  sendFeed(st, records) {
    for (let i = 0; i < records.length; i++) {
      const rec = records[i];
      if (st.closed || st.data.ended) return i;
      if (i > 0 && st.res.writableNeedDrain) return i; // the rest waits in the log
      const text = rec.text ??= formatEvent({ id: rec.id, event: rec.event, data: rec.data });
      if (st.data.skip > 0) {
        // An event this stream is not to get (as a server filtering per client would): only its
        // id goes out, so the client resumes past it.
        st.data.skip--;
        this.writeIdOnly(st, rec.id);
        continue;
      }
      if (this.faults.takeTruncate('feed')) {
        this.truncate(st, text);
        return i + 1;
      }
      this.counters.eventsSent++;
      if (FaultState.matches(this.faults.drip, 'feed')) {
        st.hold(); // nothing else goes out until this event has dripped out
        this.startDrip(st, text, () => {
          if (st.data.closeAfter) this.end(st);
          else st.release();
        });
        return i + 1;
      }
      this.write(st, text);
      if (st.data.closeAfter) {
        this.end(st);
        return i + 1;
      }
    }
    return records.length;
  }

  openStream(req, res, url, kind, body) {
    const last = this.lastEventIdOf(req, url);
    const entry = { t: Date.now(), path: kind, lastEventId: last.value, lastEventIdRaw: last.raw, via: last.via, status: 200, fault: null, clientId: null };
    this.recordConnect(entry);
    if (this.opts.authToken && req.headers.authorization !== `Bearer ${this.opts.authToken}`) {
      entry.status = 401;
      entry.fault = 'auth';
      return sendJSON(req, res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
    }
    const answer = this.faults.takeAnswer(kind);
    if (answer) return this.answerFault(req, res, answer, entry);
    if (this.clients.size + this.sse.streams().length >= this.opts.maxClients || (kind === 'analysis' && !last.value && this.runs.active >= this.opts.maxActiveRuns)) {
      entry.status = 503;
      entry.fault = 'capacity';
      return sendJSON(req, res, 503, { error: 'server at capacity' }, { 'retry-after': '5' });
    }
    const client = { id: this.nextClientId++, kind, req, res, open: false, closed: false, closeAfter: null, drip: null, notices: [], noticeSeq: 0 };
    entry.clientId = client.id;
    if (!this.attachAnalysis(client, last, url.searchParams.get('ward') ?? body.ward, url.searchParams.get('stepMs') ?? body.stepMs, entry)) return;
    client.closeAfter = this.faults.takeCloseAfter(kind);
    if (client.closeAfter) entry.fault = 'close-after-event';
    this.clients.add(client);
    client.source.clients.add(client);
    res.on('close', () => this.detach(client));
    if (this.stalled(client)) {
      entry.fault = 'stall';
      if (!this.faults.stall.headers) return; // held: no headers until the stall ends
    }
    this.startStream(client);
  }

  /** The stream's URL without the last-id parameter: equal keys are one client's resumes. */
  resumeKey(url) {
    const q = new URLSearchParams(url.search);
    q.delete(this.opts.lastEventIdParam);
    q.sort();
    return `${url.pathname}?${q}`;
  }

  /** Returns false when the request was answered (204: the run is over and fully delivered). */
  attachAnalysis(client, last, ward, stepMs, entry) {
    let run = last.value !== null ? this.runs.findById(last.value) : undefined;
    if (run && run.done && last.value >= run.log.lastId) {
      entry.status = 204;
      client.res.writeHead(204, corsHeaders(client.req)).end();
      return false;
    }
    if (run) {
      client.lastSentId = Math.max(last.value, run.log.oldestId - 1);
    } else {
      if (last.value !== null) {
        client.notices.push(formatEvent({ event: 'gap', data: { lastEventId: last.value, reason: 'unknown-run', firstAvailableId: null } }));
      }
      const name = typeof ward === 'string' && ward.length > 0 && ward.length <= 80 ? ward : WARDS[0];
      run = this.runs.start(name, clampNum(stepMs, this.opts.analysisStepMs, 1, 60000));
      client.lastSentId = run.log.oldestId - 1;
    }
    client.run = run;
    client.source = run.log;
    entry.runId = run.runId;
    return true;
  }

  startStream(client) {
    const { res } = client;
    res.writeHead(200, {
      ...corsHeaders(client.req),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    client.open = true;
    if (this.opts.retryMs !== null && this.opts.retryMs !== undefined) this.write(client, `retry: ${this.opts.retryMs}\n\n`);
    for (const n of client.notices.splice(0)) {
      this.write(client, n);
      this.counters.gapsSent++;
    }
    client.heartbeat = setInterval(() => this.heartbeat(client), this.opts.heartbeatMs);
    this.pump(client);
  }

  stalled(client) { return FaultState.matches(this.faults.stall, client.kind); }

  /** True when a block can go between two events of a feed stream now (not inside a dripping event, not held). */
  betweenEvents(st) {
    return st.betweenEvents && !st.data.ended && !this.stalled(st);
  }

  /**
   * An id-less `notice` event numbered per stream: {stream: client id, n: 0, 1, ...}, so a client
   * can tell that it got every notice of a stream it read, once.
   */
  writeNotice(client, extra = {}) {
    this.write(client, formatEvent({ event: 'notice', data: { stream: client.id, n: client.data.noticeSeq++, ...extra } }));
    this.counters.noticesSent++;
  }

  writeIdOnly(client, id) {
    this.write(client, `id: ${id}\n\n`);
    this.counters.idOnlySent++;
  }

  /** Writes `make(client)` to every feed stream between events; returns how many got it. */
  writeBetween(make) {
    let n = 0;
    for (const c of this.sse.streams()) {
      if (!this.betweenEvents(c)) continue;
      make(c);
      n++;
    }
    return n;
  }

  heartbeat(client) {
    if (client.closed || !client.open || this.stalled(client) || client.drip || client.res.writableNeedDrain) return;
    this.write(client, formatComment(`heartbeat ${Date.now()}`));
    this.counters.heartbeatsSent++;
  }

  write(client, text) {
    this.counters.bytesSent += Buffer.byteLength(text);
    client.res.write(text);
  }

  pumpAll(set) {
    for (const c of [...set]) this.pump(c);
  }

  /**
   * Sends a client every logged event after the last one it got, unless stalled, dripping or the
   * socket is full (then 'drain' calls back): the log is the only buffer, so a slow client costs
   * no memory beyond it and learns about dropped events through a `gap` event.
   */
  pump(client) {
    if (client.closed || !client.open || this.stalled(client)) return;
    const src = client.source;
    while (!client.closed && !client.drip) {
      if (client.res.writableNeedDrain) {
        if (!client.waitingDrain) {
          client.waitingDrain = true;
          client.res.once('drain', () => { client.waitingDrain = false; this.pump(client); });
        }
        return;
      }
      if (src.hasGapAfter(client.lastSentId)) {
        this.write(client, formatEvent({ event: 'gap', data: { lastEventId: client.lastSentId, firstAvailableId: src.oldestId, missed: src.oldestId - client.lastSentId - 1 } }));
        this.counters.gapsSent++;
        client.lastSentId = src.oldestId - 1;
      }
      const rec = src.nextAfter(client.lastSentId);
      if (!rec) {
        if (src.done) this.end(client);
        return;
      }
      client.lastSentId = rec.id;
      if (client.skip > 0) {
        // An event this stream is not to get (as a server filtering per client would): only its
        // id goes out, so the client resumes past it.
        client.skip--;
        this.writeIdOnly(client, rec.id);
        continue;
      }
      if (this.faults.takeTruncate(client.kind)) return this.truncate(client, rec.text);
      this.counters.eventsSent++;
      if (FaultState.matches(this.faults.drip, client.kind)) {
        this.startDrip(client, rec.text, () => {
          if (client.closeAfter) this.end(client);
          else this.pump(client);
        });
      } else this.write(client, rec.text);
      if (client.closeAfter) return this.end(client);
    }
  }

  truncate(client, text) {
    const buf = Buffer.from(text);
    const half = buf.subarray(0, Math.max(1, Math.floor(buf.length / 2)));
    if (client.data) client.data.ended = true;
    else client.closed = true;
    this.counters.truncated++;
    this.recordApplied('truncate', client);
    this.counters.bytesSent += half.length;
    client.res.write(half, () => client.res.socket?.destroy());
  }

  /** Sends `text` one byte per byteMs while the drip lasts; then the rest at once; then done(). */
  startDrip(client, text, done) {
    const bytes = Buffer.from(text);
    let off = 0;
    const tick = () => {
      if (client.closed) return;
      if (!FaultState.matches(this.faults.drip, client.kind)) {
        this.counters.bytesSent += bytes.length - off;
        client.res.write(bytes.subarray(off));
        off = bytes.length;
      } else {
        this.counters.bytesSent++;
        client.res.write(bytes.subarray(off, off + 1));
        off++;
      }
      if (off < bytes.length) return;
      clearInterval(client.drip);
      client.drip = null;
      done();
    };
    client.drip = setInterval(tick, this.faults.drip.byteMs);
    if (client.data && !client.data.dripStopOnClose) { // a feed stream: its drip ends with it
      client.data.dripStopOnClose = true;
      client.res.once('close', () => { clearInterval(client.drip); client.drip = null; });
    }
  }

  end(client) {
    if (client.data) { // a feed stream (lifeline-sse/server's)
      client.data.ended = true;
      client.end();
      return;
    }
    if (client.closed) return;
    client.closed = true;
    client.res.end();
  }

  detach(client) {
    client.closed = true;
    clearInterval(client.heartbeat);
    clearInterval(client.drip);
    client.drip = null;
    this.clients.delete(client);
    client.source?.clients.delete(client);
  }

  afterStall() {
    for (const c of [...this.clients]) {
      if (c.closed) continue;
      if (!c.open) this.startStream(c);
      else this.pump(c);
    }
    const held = [...this.heldStarts];
    this.heldStarts.clear();
    for (const st of held) if (!st.closed) st.start();
    for (const st of this.sse.streams()) if (st.open && !st.closed) st.pump();
  }

  // ---- faults (in-process API; the HTTP API calls these) ----

  /** Applies a fault by name (see docs/servers.md); returns a JSON description. */
  fault(name, o = {}) {
    switch (name) {
      case 'drop': return { dropped: this.drop(o) };
      case 'stall': return this.faults.setStall(o);
      case 'status': {
        const kind = String(o.status ?? o.code ?? 500);
        if (STATUS_FAULTS[kind] === undefined) throw Object.assign(new Error(`status must be one of ${Object.keys(STATUS_FAULTS)}`), { status: 400 });
        return this.faults.addAnswer(kind, o);
      }
      case '500': case '503': case '204': case '401': case '404': case 'html':
        return this.faults.addAnswer(name, o);
      case 'truncate': return this.faults.setTruncate(o);
      case 'drip': return this.faults.setDrip(o);
      case 'close-after-event': return this.faults.setCloseAfter(o);
      case 'analysis-error':
        this.runs.failRuns({ count: Math.round(clampNum(o.count, 1, 1, 10000)), atStage: Math.round(clampNum(o.atStage, 3, 1, 6)), message: o.message ? String(o.message).slice(0, 200) : undefined });
        return { count: o.count ?? 1, atStage: o.atStage ?? 3 };
      case 'restart': this.restart(o).catch(() => {}); return { downMs: o.downMs ?? 500 };
      case 'notice': {
        const text = o.text === undefined ? undefined : String(o.text).slice(0, 200);
        return { streams: this.writeBetween((c) => this.writeNotice(c, text === undefined ? {} : { text })) };
      }
      case 'id-only': { // a checkpoint now; `skip`: the next events go as id:-only blocks
        const skip = Math.round(clampNum(o.skip, 0, 0, 1000));
        return {
          skip,
          streams: this.writeBetween((c) => {
            if (skip) c.data.skip = skip;
            else this.writeIdOnly(c, c.afterId);
          }),
        };
      }
      case 'retry': {
        const ms = Math.round(clampNum(o.ms, 1000, 0, 3600000));
        return { ms, streams: this.writeBetween((c) => { this.write(c, `retry: ${ms}\n\n`); this.counters.retrySent++; }) };
      }
      case 'overlap': return this.faults.setOverlap(o);
      case 'clear': this.clearFaults(o.name); return { cleared: o.name ?? 'all' };
      default: throw Object.assign(new Error(`unknown fault ${name}`), { status: 404 });
    }
  }

  /** Destroys every open stream socket (held ones too); returns how many. */
  drop(o = {}) {
    let n = 0;
    for (const c of [...this.clients]) {
      if (!FaultState.matches({ target: o.target ?? 'all' }, c.kind)) continue;
      c.closed = true;
      c.res.socket?.destroy();
      n++;
    }
    for (const st of this.sse.streams()) {
      if (!FaultState.matches({ target: o.target ?? 'all' }, 'feed')) continue;
      st.data.ended = true;
      st.res.socket?.destroy();
      n++;
    }
    this.counters.dropped += n;
    return n;
  }

  answerFault(req, res, a, entry) {
    entry.status = a.status;
    entry.fault = a.kind;
    this.counters.faultAnswers++;
    const h = corsHeaders(req);
    if (a.kind === '204') return res.writeHead(204, h).end();
    if (a.kind === 'html') {
      return res.writeHead(200, { ...h, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' })
        .end('<!doctype html><html><head><title>Sign in</title></head><body><h1>Please sign in</h1><p>(a captive portal or login page, not an event stream)</p></body></html>\n');
    }
    const extra = a.kind === '503' ? { 'retry-after': String(a.retryAfter) } : {};
    if (a.kind === '401') extra['www-authenticate'] = 'Bearer';
    return sendJSON(req, res, a.status, { error: `injected ${a.kind}` }, extra);
  }

  /** Clears one fault (by name) or all of them. */
  clearFaults(name) {
    this.faults.clear(name);
    if (!name || name === 'all' || name === 'analysis-error') this.runs.clearFaults();
  }

  /**
   * Closes the listener and every socket, waits downMs, listens again on the same port with a new
   * http.Server (as a restarted process would). The event log, counters and connect history are
   * kept. Resolves once listening again.
   */
  async restart({ downMs = 500 } = {}) {
    if (this.restarting || this.closed) return this.restarting;
    const d = clampNum(downMs, 500, 0, 60000);
    this.restarting = (async () => {
      this.counters.restarts++;
      this.drop();
      await closeServer(this.http, this.sockets);
      await new Promise((r) => {
        this.restartWake = r;
        this.restartTimer = setTimeout(r, d);
      });
      if (this.closed) return;
      this.newHttpServer();
      await listen(this.http, this.port, this.opts.host);
    })().finally(() => { this.restarting = null; });
    return this.restarting;
  }

  /** Clears faults, counters and the connect history; {log: true} also empties the event log. */
  reset(o = {}) {
    this.clearFaults();
    this.resetCounters();
    this.history = [];
    this.applied = [];
    if (o.log) this.log.clear();
    return { reset: true, log: !!o.log };
  }

  /** Analysis clients and feed streams. */
  allStreams() {
    return [...this.clients, ...this.sse.streams()];
  }

  /** Counters and state as JSON; `connects` limits how many recent connects are listed. */
  status({ connects } = {}) {
    const n = clampNum(connects, this.opts.historySize, 0, this.opts.historySize);
    return {
      url: this.url, port: this.port, listening: this.http.listening, restarting: !!this.restarting,
      connectionsOpen: this.allStreams().filter((c) => !c.closed).length,
      connectionsHeld: this.allStreams().filter((c) => !c.closed && !c.open).length,
      bufferedBytes: this.allStreams().reduce((n, c) => n + (c.res.writableLength ?? 0), 0),
      ...this.counters,
      // the feed's own writes (heartbeats, retry:, resets) are counted by lifeline-sse/server
      heartbeatsSent: this.counters.heartbeatsSent + this.sse.counters.heartbeatsSent,
      bytesSent: this.counters.bytesSent + this.sse.counters.bytesSent,
      gapsSent: this.counters.gapsSent + this.sse.counters.resetsSent,
      lastId: this.log.lastId, oldestId: this.log.oldestId, logSize: this.log.size, logCapacity: this.log.capacity,
      intervalMs: this.opts.intervalMs, heartbeatMs: this.opts.heartbeatMs,
      faultsActive: this.faults.describe().concat(this.runs.failNext.map((f) => ({ name: 'analysis-error', remaining: f.remaining, atStage: f.atStage }))),
      analysis: { runs: this.runs.runs.size, active: this.runs.active },
      connects: n ? this.history.slice(-n) : [],
    };
  }

  /** Stops everything: generator, fault timers, analysis runs, streams and the listener. */
  async close() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.genTimer);
    clearTimeout(this.restartTimer);
    this.restartWake?.();
    this.faults.clearStall(false);
    this.faults.clearDrip(false);
    this.faults.clearCloseAfter();
    this.runs.close();
    for (const c of [...this.clients]) this.detach(c);
    this.heldStarts.clear();
    await this.sse.close();
    await closeServer(this.http, this.sockets);
    await this.restarting?.catch(() => {});
  }
}
