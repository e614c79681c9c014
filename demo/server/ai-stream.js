/**
 * Streamed answers of the mock AI services (router.stream, issue 16), with switchable faults for
 * the failoverbench catalogue. An answer is `tokens` words "w0 w1 ... " sent every tokenMs in a
 * service's format: 'openai' (`data: {choices:[{delta:{content}}]}` ... finish_reason 'stop',
 * `data: [DONE]`), 'gemini' (candidates[0].content.parts[].text ... finishReason 'STOP') or
 * 'sse' (`id: i` + `data: word`, then `event: end`; resumes after Last-Event-ID).
 *
 * A request whose JSON body has `partial` (a continuation) gets the answer from the word after
 * the partial's last one, so a continued answer reads exactly as a healthy one.
 *
 * Faults ({ kind, ...options, times }: `times` limits it to that many streamed requests, then
 * the service is healthy again):
 *   status {status, retryAfter}   an HTTP error before any byte (429, 500, 503 ...)
 *   context-length                400 with an OpenAI-style context_length_exceeded error
 *   reset                         the socket is destroyed before any response
 *   hang                          the request is held, never answered
 *   slow-first {delayMs}          200 at once, keep-alive comments, the first word after delayMs
 *   cut {at}                      the socket is destroyed after `at` words
 *   stall {at, ms}                after `at` words, silence for ms (default 30000), then the rest
 *   malformed {at}                a chunk that is not JSON after `at` words
 *   in-band {at}                  an `error` object under HTTP 200 after `at` words
 *   no-end                        every word, then the body ends without the end marker
 *   filter {at}                   a content-filter stop after `at` words
 *   reject-partial                a continuation (`partial` in the body) gets 422
 *   flap {periodMs}               503 in the first half of every period, answers in the second
 */
import { corsHeaders } from './http-util.js';

export const STREAM_FAULTS = ['none', 'status', 'context-length', 'reset', 'hang', 'slow-first', 'cut', 'stall',
  'malformed', 'in-band', 'no-end', 'filter', 'reject-partial', 'flap'];
const MAX_TOKENS = 2000;

function num(v, def, min, max) {
  const n = Number(v);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : def;
}

/** A fault from its JSON form (unknown kinds throw, with status 400 for the control API). */
export function streamFault(o = {}) {
  const kind = o.kind ?? 'none';
  if (!STREAM_FAULTS.includes(kind)) throw Object.assign(new Error(`stream fault must be one of ${STREAM_FAULTS.join(', ')}`), { status: 400 });
  return {
    kind,
    status: Math.round(num(o.status, 503, 400, 599)),
    retryAfter: o.retryAfter === undefined ? undefined : Math.round(num(o.retryAfter, 1, 0, 3600)),
    at: Math.round(num(o.at, 20, 0, MAX_TOKENS)),
    ms: num(o.ms, 30000, 0, 600000),
    delayMs: num(o.delayMs, 3000, 0, 600000),
    periodMs: num(o.periodMs, 4000, 100, 600000),
    times: o.times === undefined ? Infinity : Math.round(num(o.times, 1, 0, 1e9)),
    since: Date.now(),
  };
}

const word = (i) => `w${i} `;

/** The `data:` payloads of each format. */
const FORMATS = {
  openai: {
    start: () => ({ choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] }),
    token: (t) => ({ choices: [{ index: 0, delta: { content: t }, finish_reason: null }] }),
    finish: (reason) => ({ choices: [{ index: 0, delta: {}, finish_reason: reason }] }),
    done: '[DONE]',
  },
  gemini: {
    start: null,
    token: (t) => ({ candidates: [{ content: { role: 'model', parts: [{ text: t }] }, index: 0 }] }),
    finish: (reason) => ({ candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: reason === 'stop' ? 'STOP' : 'SAFETY', index: 0 }] }),
    done: null,
  },
  sse: { start: null, token: null, finish: null, done: null },
};

/** The number of words already given in a continuation's partial answer. */
function wordsIn(partial) {
  return typeof partial === 'string' ? partial.split(' ').filter(Boolean).length : 0;
}

export class StreamAnswer {
  /** svc: { name, counters } (counters.stream is created here); format; tokens; tokenMs. */
  constructor(svc, { format = 'openai', tokens = 60, tokenMs = 10 } = {}) {
    this.svc = svc;
    this.format = format;
    this.tokens = tokens;
    this.tokenMs = tokenMs;
    this.fault = streamFault();
    this.resetCounters();
  }

  resetCounters() {
    this.counters = { requests: 0, complete: 0, closedEarly: 0, byFault: {}, continued: 0, resumed: 0 };
  }

  setFault(o) {
    this.fault = streamFault(o);
    return this.fault;
  }

  /** The fault that applies to this request (and uses one of its `times`). */
  #take() {
    const f = this.fault;
    if (f.kind === 'none' || f.times <= 0) return { kind: 'none' };
    f.times--;
    return f;
  }

  /** Answers one streamed request (body: its parsed JSON). */
  serve(req, res, body = {}) {
    const c = this.counters;
    c.requests++;
    let f = this.#take();
    if (f.kind === 'flap') f = (Date.now() - f.since) % f.periodMs < f.periodMs / 2 ? { kind: 'status', status: 503 } : { kind: 'none' };
    c.byFault[f.kind] = (c.byFault[f.kind] ?? 0) + 1;
    if (f.kind === 'reject-partial' && body.partial === undefined) f = { kind: 'none' };
    const cors = corsHeaders(req);
    const json = (status, obj, extra = {}) => {
      res.writeHead(status, { ...cors, 'content-type': 'application/json', 'x-service': this.svc.name, ...extra });
      res.end(JSON.stringify(obj));
    };
    if (f.kind === 'reset') return void req.socket.destroy();
    if (f.kind === 'hang') return undefined;
    if (f.kind === 'status') {
      return json(f.status, { error: { message: `${this.svc.name} is failing (injected ${f.status})`, code: f.status } },
        f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {});
    }
    if (f.kind === 'context-length') {
      return json(400, { error: { message: 'This model\'s maximum context length is 8192 tokens', code: 'context_length_exceeded' } });
    }
    if (f.kind === 'reject-partial') return json(422, { error: { message: `${this.svc.name} cannot continue a partial answer` } });
    const resumeAfter = Number.parseInt(req.headers['last-event-id'], 10);
    let i = Number.isInteger(resumeAfter) && this.format === 'sse' ? resumeAfter + 1 : wordsIn(body.partial);
    if (i > 0) c[body.partial !== undefined ? 'continued' : 'resumed']++;
    res.writeHead(200, { ...cors, 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-service': this.svc.name });
    let ended = false;
    const timers = new Set();
    res.on('close', () => {
      for (const t of timers) clearTimeout(t);
      if (!ended) c.closedEarly++;
    });
    const later = (ms, fn) => {
      const t = setTimeout(() => { timers.delete(t); if (!res.destroyed) fn(); }, ms);
      timers.add(t);
    };
    const fmt = FORMATS[this.format];
    const send = (obj) => res.write(`data: ${typeof obj === 'string' ? obj : JSON.stringify(obj)}\n\n`);
    const sendWord = (k) => (fmt.token ? send(fmt.token(word(k))) : res.write(`id: ${k}\ndata: ${word(k)}\n\n`));
    const finish = (reason) => {
      if (fmt.finish) send(fmt.finish(reason));
      else res.write(reason === 'stop' ? 'event: end\ndata: stop\n\n' : 'event: error\ndata: content filter\n\n');
      if (fmt.done) send(fmt.done);
      ended = true;
      if (reason === 'stop') c.complete++;
      res.end();
    };
    if (fmt.start) send(fmt.start());
    else res.write(': open\n\n');
    const step = () => {
      const sent = i; // words of this answer so far (a continuation counts the partial's)
      if (f.kind === 'cut' && sent === f.at) return void res.destroy();
      if (f.kind === 'malformed' && sent === f.at) send('{"choices": [ {"delta": ');
      if (f.kind === 'in-band' && sent === f.at) return void send({ error: { message: 'internal error in the middle of the answer', code: 500 } });
      if (f.kind === 'filter' && sent === f.at) return finish('content_filter');
      if (f.kind === 'stall' && sent === f.at && !res.stalled) {
        res.stalled = true;
        return later(f.ms, step);
      }
      if (i >= this.tokens) {
        if (f.kind === 'no-end') {
          ended = true;
          return void res.end();
        }
        return finish('stop');
      }
      sendWord(i++);
      return later(this.tokenMs, step);
    };
    if (f.kind === 'slow-first') {
      const beat = () => { res.write(': keep-alive\n\n'); later(250, beat); };
      later(250, beat);
      return later(f.delayMs, () => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        step();
      });
    }
    return later(this.tokenMs, step);
  }
}

/** The full healthy answer of `tokens` words (what a complete stream reads as). */
export function fullAnswer(tokens = 60) {
  let s = '';
  for (let i = 0; i < tokens; i++) s += word(i);
  return s;
}
