/**
 * router.stream(): a streamed AI call with failover (issue 16). The decisions are the C core's:
 * the router core picks each attempt's service (lifeline_router_stream_pick: priority, latency,
 * health, breakers, Retry-After, retry budget) and hears how it ended (stream_record, shared
 * with router.request's breakers and health); each attempt's state machine (router_stream.h)
 * says when it is committed, when it has failed, and what follows a failure after commit. This
 * driver does the I/O: fetch + ReadableStream, the SSE core's parser (the manager's parser),
 * a format adapter per service, one timer per attempt at the core's deadline.
 */
import { lifelineError } from './core-tables.js';
import { checkStreamOptions } from './stream-options.js';
import { coreError } from './wasm.js';
import { createParser } from './parser.js';
import { isBytes } from './checks.js';
import { parseRetryAfter } from './transports/fetch.js';
import { adapterFor, errorMessageOf } from './stream-adapters.js';
import { EventQueue, Listeners } from './stream-events.js';
import {
  CoreAttempt, defaultTtft, afterCommit, PENDING, COMPLETE, FAILOVER, BROKEN, REFUSED, WHY_STATUS, WHY_FILTERED,
  CHUNK, AFTER_COMMIT, NEXT_RESUME, NEXT_RESTART, NEXT_CONTINUE,
} from './stream-core.js';

/** The stall limit after commit when the request gives none (ms). */
export const DEFAULT_IDLE_MS = 15000;
/** Resumptions (Last-Event-ID on the same service) per call before the after-commit policy applies. */
const MAX_RESUMES = 3;
/** A refused answer's body is read for its message up to this long (ms) and this many bytes. */
const ERROR_BODY_MS = 2000;
const ERROR_BODY_BYTES = 16384;

/** The body of one attempt: the app's function gets { service, mode, partial }; an object body is JSON. */
function bodyFor(opts, ctx, headers) {
  let b = typeof opts.body === 'function' ? opts.body(ctx) : opts.body;
  if (b != null && typeof b === 'object' && !isBytes(b)) {
    if (ctx.mode === 'continue' && typeof opts.body !== 'function') b = { ...b, partial: ctx.partial };
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    return JSON.stringify(b);
  }
  return b ?? null;
}

async function readSome(res, ms) {
  let timer;
  try {
    const text = await Promise.race([res.text(), new Promise((r) => { timer = setTimeout(() => r(''), ms); })]);
    return text.slice(0, ERROR_BODY_BYTES);
  } catch {
    return '';
  } finally {
    clearTimeout(timer);
  }
}

export class AIStream {
  #host;
  #capability;
  #opts;
  #policy;
  #queue;
  #listeners = new Listeners();
  #att = null; // the attempt in flight
  #tried = 0; // bit mask of services tried by this call
  #noContinue = 0; // services that cannot (or would not) continue a partial answer
  #resumes = 0;
  #log = [];
  #started;
  #firstTokenAt = -1;
  #text = '';
  #flags = { continued: false, restarted: false, resumed: false };
  #finishReason = null;
  #ended = false;
  #settle;
  #untrack;
  #unlisten = null;
  /** Resolves with the call's result when the service's own end marker arrived; rejects otherwise. */
  result;

  constructor(host, capability, opts) {
    this.#host = host;
    this.#capability = capability;
    this.#opts = opts;
    this.#policy = AFTER_COMMIT[opts.afterCommit || 'fail'];
    this.#started = host.now();
    this.#queue = new EventQueue(() => this.abort(new DOMException('the stream\'s reader left', 'AbortError')));
    this.result = new Promise((resolve, reject) => { this.#settle = { resolve, reject }; });
    this.result.catch(() => {}); // an app that only iterates must not see an unhandled rejection
    host.services.forEach((s, i) => { if (s.continues === false) this.#noContinue |= 1 << i; });
    if (opts.onStatus) this.onStatus(opts.onStatus);
    if (opts.onSwitch) this.onSwitch(opts.onSwitch);
    this.#untrack = host.track(this);
    const signal = opts.signal;
    if (signal) {
      const onAbort = () => this.abort(signal.reason ?? new DOMException('aborted', 'AbortError'));
      if (signal.aborted) {
        queueMicrotask(onAbort);
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.#unlisten = () => signal.removeEventListener('abort', onAbort);
    }
    queueMicrotask(() => {
      if (!this.#next(0, 'first', '')) this.#fail(this.#error('unavailable', this.#host.explain(this.#capability), null, null, 'LIFELINE_ERR_UNAVAILABLE'));
    });
  }

  [Symbol.asyncIterator]() { return this.#queue.iterator(); }

  /** The answer's text so far (after a restart, the new answer's). */
  get text() { return this.#text; }

  /** cb({ state, service, attempt }): 'connecting', 'streaming', 'switching', 'done', 'failed', 'aborted'. */
  onStatus(cb) { return this.#listeners.add('onStatus', cb); }

  /** cb({ from, to, mode, reason }): another service took over (mode 'failover', 'restart', 'continue', 'resume'). */
  onSwitch(cb) { return this.#listeners.add('onSwitch', cb); }

  /** Ends the call at once: the fetch is aborted (the server sees the socket close), result rejects. */
  abort(reason = new DOMException('aborted', 'AbortError')) {
    if (this.#ended) return;
    const att = this.#att;
    if (att && !att.done) {
      att.core.abort(this.#host.now());
      this.#close(att);
      this.#host.core.streamRecord(att.si, att.core.ptr, this.#host.now()); // records nothing: no blame
      if (att.trial) this.#host.core.streamRelease(att.si, this.#host.now());
      this.#host.changed();
      this.#forget(att);
    }
    this.#status('aborted', att ? att.si : -1);
    this.#finish(reason);
  }

  // ---- attempts -----------------------------------------------------------------------

  /** Picks the service for the next attempt (the core decides) and starts it; false when none. */
  #next(extraMask, mode, reason, from = -1) {
    if (this.#ended) return true;
    const pick = this.#host.core.streamPick(this.#capability, (this.#tried | extraMask) >>> 0, this.#host.now());
    if (pick.code !== undefined) {
      if (pick.code === -10 /* LIFELINE_ERR_UNAVAILABLE */) return false;
      this.#finish(coreError(pick.code, `stream '${this.#capability}'`));
      return true;
    }
    this.#start(pick, mode, reason, from);
    return true;
  }

  #start(pick, mode, reason, from) {
    const host = this.#host;
    const si = pick.service;
    const svc = host.services[si];
    this.#tried |= 1 << si;
    if (from >= 0 || mode !== 'first') {
      const notice = { from: from >= 0 ? host.services[from].name : null, to: svc.name, mode, reason };
      if (mode === 'restart') this.#text = '';
      this.#queue.push({ type: mode === 'failover' ? 'switch' : mode, data: reason, id: '', service: svc.name });
      this.#listeners.emit('onSwitch', notice);
    }
    const now = host.now();
    const ttft = this.#opts.ttftMs ?? defaultTtft(host.p95(si));
    const idle = this.#opts.idleMs ?? DEFAULT_IDLE_MS;
    const att = {
      si, mode, trial: pick.trial, degraded: pick.degraded, core: new CoreAttempt(ttft, idle, now), ctrl: new AbortController(),
      parser: null, timer: null, done: false, lastEventId: mode === 'resume' ? this.#att?.lastEventId ?? '' : '',
      adapter: adapterFor(this.#opts.format ?? svc.format), message: '', started: now,
    };
    this.#att = att;
    this.#status('connecting', si);
    const headers = { accept: 'text/event-stream', ...svc.headers, ...(this.#opts.headers || {}) };
    if (att.lastEventId) headers['last-event-id'] = att.lastEventId;
    let body;
    try {
      body = bodyFor(this.#opts, { service: svc.name, mode, partial: this.#text }, headers);
    } catch (e) {
      att.core.abort(now);
      this.#close(att);
      this.#forget(att);
      return this.#finish(e);
    }
    const path = typeof this.#opts.path === 'function' ? this.#opts.path({ service: svc.name, mode }) : this.#opts.path || '';
    const method = this.#opts.method || 'POST';
    this.#arm(att);
    Promise.resolve()
      .then(() => host.fetch(svc.baseUrl + path, { method, headers, body, signal: att.ctrl.signal }))
      .then((res) => this.#onResponse(att, res), () => this.#onNetworkError(att));
  }

  /** One timer per attempt, at the core's deadline (first token, then idle). */
  #arm(att) {
    if (att.timer) clearTimeout(att.timer);
    att.timer = null;
    const d = att.core.deadline();
    if (d < 0) return;
    att.timer = setTimeout(() => {
      att.timer = null;
      if (att.done) return;
      if (att.core.tick(this.#host.now()) !== PENDING) this.#ended_(att);
      else this.#arm(att);
    }, Math.max(0, d - this.#host.now()) + 1);
  }

  #onNetworkError(att) {
    if (att.done) return;
    if (att.core.headers(0, 0, this.#host.now()) !== PENDING) this.#ended_(att);
  }

  async #onResponse(att, res) {
    if (att.done) return void res.body?.cancel().catch(() => {});
    const ra = Math.max(0, parseRetryAfter(res.headers.get('retry-after')));
    const ctype = (res.headers.get('content-type') || '').toLowerCase();
    if (att.core.headers(res.status, ra, this.#host.now()) !== PENDING) {
      att.message = errorMessageOf(await readSome(res, ERROR_BODY_MS));
      return this.#ended_(att);
    }
    if (!res.body) return this.#closed(att, false);
    // A 2xx that is not an event stream (a JSON answer, an error object under 200) is read as one event.
    if (!ctype.includes('text/event-stream')) {
      const text = await readSome(res, att.core.deadline() < 0 ? ERROR_BODY_MS : Math.max(1, att.core.deadline() - this.#host.now()));
      if (att.done) return undefined;
      if (text) this.#onEvent(att, { type: 'message', data: text, lastEventId: '' });
      return this.#closed(att, false);
    }
    return this.#read(att, res.body.getReader());
  }

  async #read(att, reader) {
    att.parser = createParser({
      onEvent: (e) => this.#onEvent(att, e),
      onComment: () => this.#onChunkKind(att, CHUNK.keepalive),
    });
    for (;;) {
      let r;
      try {
        r = await reader.read();
      } catch {
        return this.#closed(att, true);
      }
      if (att.done) break;
      if (r.done) return this.#closed(att, false);
      att.parser.feed(r.value);
      if (att.done) break; // an event ended the attempt: the rest of the body is not read
    }
    reader.cancel().catch(() => {});
    return this.#freeParser(att);
  }

  #closed(att, network) {
    if (!att.done && att.core.closed(network, this.#host.now()) !== PENDING) this.#ended_(att);
    this.#freeParser(att);
  }

  #onChunkKind(att, kind) {
    if (att.done) return PENDING;
    const o = att.core.chunk(kind, this.#host.now());
    if (o !== PENDING) this.#ended_(att);
    return o;
  }

  #onEvent(att, e) {
    if (att.done) return;
    if (e.lastEventId) att.lastEventId = e.lastEventId;
    for (const part of att.adapter.classify(e)) {
      if (part.kind === CHUNK.error) att.message = part.message;
      if (part.kind === CHUNK.end || part.kind === CHUNK.filtered) this.#finishReason = part.finishReason ?? this.#finishReason;
      const o = this.#onChunkKind(att, part.kind);
      if (part.kind === CHUNK.content && o === PENDING) this.#content(att, part.text, e.lastEventId);
      if (o !== PENDING) return;
    }
    this.#arm(att); // content moved the idle deadline
  }

  #content(att, text, id) {
    if (this.#firstTokenAt < 0) this.#firstTokenAt = this.#host.now();
    if (att.core.info().chunks === 1) this.#status('streaming', att.si);
    this.#text += text;
    this.#queue.push({ type: 'text', data: text, id: id || '', service: this.#host.services[att.si].name });
  }

  #freeParser(att) {
    if (att.parser) att.parser.free();
    att.parser = null;
  }

  /** Stops the attempt's I/O: its timer and its fetch (which closes the socket). */
  #close(att) {
    att.done = true;
    if (att.timer) clearTimeout(att.timer);
    att.timer = null;
    att.ctrl.abort();
  }

  #forget(att) {
    this.#log.push({ service: this.#host.services[att.si].name, mode: att.mode, ...this.#outcomeOf(att), ms: this.#host.now() - att.started });
    att.core.free();
  }

  #outcomeOf(att) {
    const i = att.core.info();
    return { outcome: ['pending', 'complete', 'failover', 'broken', 'refused'][i.outcome], why: i.why, status: i.status, chunks: i.chunks };
  }

  // ---- decisions after an attempt ends ------------------------------------------------------

  /** The core ended the attempt: feed the outcome to the router, then act on it. */
  #ended_(att) {
    if (att.done) return;
    this.#close(att);
    const host = this.#host;
    const info = att.core.info();
    const what = info.whyCode === WHY_STATUS ? `HTTP ${info.status}` : att.core.whyText();
    const whyText = att.message ? `${what}: ${att.message}` : what;
    host.core.streamRecord(att.si, att.core.ptr, host.now());
    host.changed();
    this.#forget(att);
    const shown = this.#text.length > 0; // text from an earlier attempt (resume, continue) is on screen
    switch (info.outcome) {
      case COMPLETE:
        return this.#complete(att);
      case REFUSED:
        // A fallback refusing the partial answer (a 4xx to a continuation) is skipped, not final.
        if (att.mode === 'continue' && info.whyCode === WHY_STATUS) return this.#afterBroken(att, `${host.services[att.si].name} refused the partial answer (${whyText})`);
        return this.#fail(this.#error(info.whyCode === WHY_FILTERED ? 'content-filter' : 'refused', whyText, att, info));
      case FAILOVER:
        if (shown) return this.#afterBroken(att, whyText);
        this.#status('switching', att.si);
        if (!this.#next(0, att.mode === 'first' ? 'failover' : att.mode, whyText, att.si)) this.#unavailable(att, whyText);
        return undefined;
      case BROKEN:
      default:
        return this.#afterBroken(att, whyText);
    }
  }

  /** After commit: resume on the same service, or the request's policy (the core decides). */
  #afterBroken(att, whyText) {
    const svc = this.#host.services[att.si];
    const resumable = svc.resumable === true && this.#resumes < MAX_RESUMES;
    let pick = null;
    if (this.#policy !== AFTER_COMMIT.fail && !(resumable && att.lastEventId)) {
      const mask = (this.#tried | (this.#policy === AFTER_COMMIT.continue ? this.#noContinue : 0)) >>> 0;
      const p = this.#host.core.streamPick(this.#capability, mask, this.#host.now());
      if (p.code === undefined) pick = p;
    }
    const next = afterCommit(this.#policy, resumable, !!att.lastEventId, pick !== null);
    if (next !== NEXT_RESTART && next !== NEXT_CONTINUE && pick && pick.trial) this.#host.core.streamRelease(pick.service, this.#host.now());
    this.#status('switching', att.si);
    if (next === NEXT_RESUME) {
      this.#resumes++;
      this.#flags.resumed = true;
      this.#tried &= ~(1 << att.si);
      return this.#start({ service: att.si, trial: false, degraded: att.degraded }, 'resume', whyText, att.si);
    }
    if (next === NEXT_RESTART) {
      this.#flags.restarted = true;
      this.#flags.continued = false;
      this.#firstTokenAt = -1;
      return this.#start(pick, 'restart', whyText, att.si);
    }
    if (next === NEXT_CONTINUE) {
      this.#flags.continued = true;
      return this.#start(pick, 'continue', whyText, att.si);
    }
    return this.#fail(this.#error('broken', whyText, att));
  }

  #unavailable(att, whyText) {
    const e = this.#error('unavailable', `${this.#host.services[att.si].name}: ${whyText}; ${this.#host.explain(this.#capability)}`, att, null, 'LIFELINE_ERR_UNAVAILABLE');
    this.#fail(e);
  }

  #error(reason, message, att, info = null, code = reason === 'broken' ? 'LIFELINE_ERR_UNAVAILABLE' : 'LIFELINE_ERR_REJECTED') {
    const svc = att ? this.#host.services[att.si].name : null;
    const lead = reason === 'broken' ? `the answer from ${svc} broke off after ${this.#text.length} characters`
      : reason === 'content-filter' ? `${svc} stopped the answer (content filter)`
        : reason === 'refused' ? `${svc} refused the request` : `no service could answer '${this.#capability}'`;
    const e = lifelineError(code, `${lead}: ${message}`);
    Object.assign(e, { reason, partial: this.#text, service: svc, status: info ? info.status : 0, attempts: this.#log.length, result: this.#result(att, false) });
    return e;
  }

  #result(att, complete) {
    const host = this.#host;
    return {
      service: att ? host.services[att.si].name : null, attempts: this.#log.length, degraded: att ? att.degraded : false, ...this.#flags, complete,
      finishReason: this.#finishReason, text: this.#text, elapsedMs: host.now() - this.#started,
      ttftMs: this.#firstTokenAt < 0 ? null : this.#firstTokenAt - this.#started, log: this.#log.slice(),
    };
  }

  #complete(att) {
    this.#status('done', att.si);
    this.#finish(null, this.#result(att, true));
  }

  #fail(e) {
    this.#status('failed', this.#att ? this.#att.si : -1);
    this.#finish(e);
  }

  #status(state, si) {
    this.#listeners.emit('onStatus', { state, service: si >= 0 ? this.#host.services[si].name : null, attempt: this.#log.length + (state === 'connecting' || state === 'streaming' ? 1 : 0) });
  }

  #finish(error, value) {
    if (this.#ended) return;
    this.#ended = true;
    this.#unlisten?.();
    this.#untrack();
    this.#queue.close(error);
    if (error) this.#settle.reject(error);
    else this.#settle.resolve(value);
    this.#listeners.clear();
  }
}

/** Starts a streamed call (see AIStream); option errors are thrown at once. */
export function openStream(host, capability, opts = {}) {
  checkStreamOptions(capability, opts);
  return new AIStream(host, String(capability), opts);
}
