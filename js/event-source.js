/**
 * A drop-in EventSource (the WHATWG interface) driven by Lifeline's manager. The class decides
 * nothing about the stream: the C core (through js/manager.js) opens, classifies answers, backs
 * off, resumes with Last-Event-ID and suppresses duplicates. This file maps the manager's status
 * onto readyState and open/error events, and its events onto MessageEvents. See
 * docs/eventsource.md for what differs from the standard, and why.
 */
import { isReady } from './wasm.js';
import { init } from './init.js';
import { createManager } from './manager.js';
import { ERROR_MESSAGES } from './manager-options.js';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

// The connect() options an EventSource passes on (ConnectOptions in js/manager.d.ts); anything
// else in the init dictionary is ignored, as a browser ignores unknown members.
const PASSED = ['headers', 'method', 'body', 'backoff', 'breaker', 'endpoints', 'heartbeatTimeoutMs',
  'connectTimeoutMs', 'plainRetryMs', 'maxEventBytes', 'dedupWindow', 'initialLastEventId',
  'persistLastEventId', 'onAuthRequired'];

// Waiting states: the connection will try again by itself (readyState CONNECTING).
const WAITING = /* @__PURE__ */ new Set(['reconnecting', 'offline', 'circuit-open']);

// One manager per environment, created lazily on the first EventSource: EventSources with the
// same URL and options share its pooled connection. A custom `fetch` or `environment` gets a
// manager of its own (they are manager options), shared by the EventSources that pass the same.
const DEFAULT = {};
const managers = /* @__PURE__ */ new WeakMap(); // fetch or DEFAULT -> WeakMap(environment or DEFAULT -> manager)

function sharedManager(fetchImpl, environment) {
  const f = fetchImpl ?? DEFAULT;
  const e = environment ?? DEFAULT;
  let byEnv = managers.get(f);
  if (!byEnv) managers.set(f, (byEnv = new WeakMap()));
  let m = byEnv.get(e);
  if (!m) {
    // lingerMs 0: close() of the last EventSource on a stream aborts it at once, as the spec's
    // close() aborts the fetch (the linger exists for React remounts, not for this class).
    m = createManager({ fetch: fetchImpl, environment, lingerMs: 0 });
    byEnv.set(e, m);
  }
  return m;
}

// share: 'origin': one SharedManager per page and shareVia, made after init({ share: 'origin' })
// (docs/sharing.md); every tab's sources with equal URL and options then hold one stream.
const originManagers = /* @__PURE__ */ new Map(); // shareVia -> SharedManager

function originManager(shareVia) {
  let m = originManagers.get(shareVia);
  if (!m) {
    m = createManager({ share: 'origin', shareVia });
    originManagers.set(shareVia, m);
  }
  return m;
}

// What cannot cross to the SharedWorker or leader tab that holds a shared stream: a function
// (fetch, onAuthRequired, headers()), the tab's own environment, or another manager.
function checkShare(o, options) {
  const share = o.share ?? 'tab';
  if (share !== 'tab' && share !== 'origin') throw new TypeError(`Failed to construct 'EventSource': share must be 'tab' or 'origin', got ${JSON.stringify(share)}`);
  if (share === 'tab') return false;
  for (const k of ['manager', 'fetch', 'environment']) {
    if (o[k] !== undefined) throw new TypeError(`Failed to construct 'EventSource': "${k}" cannot be used with share: 'origin' (the stream is held in a SharedWorker or another tab)`);
  }
  for (const [k, v] of Object.entries(options)) {
    if (typeof v === 'function') throw new TypeError(`Failed to construct 'EventSource': the function "${k}" cannot be used with share: 'origin' (it cannot cross to where the stream is held)`);
  }
  return true;
}

function syntaxError(message) {
  return typeof DOMException === 'function' ? new DOMException(message, 'SyntaxError') : new SyntaxError(message);
}

function parseUrl(url) {
  const text = `${url}`; // WebIDL USVString: a Symbol throws TypeError
  const base = globalThis.location?.href;
  try {
    return base ? new URL(text, base) : new URL(text);
  } catch {
    throw syntaxError(`Failed to construct 'EventSource': The URL '${text}' is invalid.`);
  }
}

/** The `error` event: a plain Event with Lifeline's reason, as eventsource v4 adds message/code. */
class EventSourceErrorEvent extends Event {
  #detail;
  constructor(detail) {
    super('error');
    this.#detail = detail;
  }
  /** Why, in plain words (e.g. 'server error'); undefined when not known. */
  get message() { return this.#detail.message; }
  /** The HTTP status that caused it, undefined when none (network error, stall...). */
  get code() { return this.#detail.code; }
  /** The manager's reason ('network', 'http-5xx', 'no-content', 'stall', ...). */
  get reason() { return this.#detail.reason; }
}

let nextId = 1;

export class EventSource extends EventTarget {
  #url;
  #credentials;
  #readyState = CONNECTING;
  #manager;
  #channel = null;
  #offStatus = null;
  #state = null; // the manager's last state for this EventSource's connection
  #origin;
  #handlers = { open: null, message: null, error: null };
  #handlerListeners = {};

  constructor(url, eventSourceInit = {}) {
    super();
    this.#url = parseUrl(url);
    const o = eventSourceInit ?? {};
    this.#credentials = o.credentials ?? (o.withCredentials ? 'include' : 'same-origin');
    this.#origin = this.#url.origin;
    const options = { credentials: this.#credentials, withCredentials: this.#credentials === 'include' };
    for (const k of PASSED) if (o[k] !== undefined) options[k] = o[k];
    // Where the standard is exact, its rule: every answer but 200 text/event-stream fails.
    options.features = { retryHttpErrors: false, ...o.features };
    const origin = checkShare(o, options);
    const start = () => {
      if (this.#readyState === CLOSED) return;
      this.#manager = origin ? originManager(o.shareVia ?? 'auto') : o.manager ?? sharedManager(o.fetch, o.environment);
      this.#start(options);
    };
    const failLoad = (err) => this.#fail({ reason: 'network', message: `Lifeline could not load: ${err?.message ?? err}` });
    // init() is idempotent: under share: 'origin' it resolves at once when the app awaited it.
    // A throw in start (an engine with neither SharedWorker nor Web Locks) fails the source too.
    if (origin) init({ share: 'origin' }).then(start).catch(failLoad);
    else if (o.manager || isReady()) start();
    else init().then(start, failLoad);
  }

  get url() { return this.#url.href; }
  get withCredentials() { return this.#credentials === 'include'; }
  get readyState() { return this.#readyState; }

  get onopen() { return this.#handlers.open; }
  set onopen(fn) { this.#setHandler('open', fn); }
  get onmessage() { return this.#handlers.message; }
  set onmessage(fn) { this.#setHandler('message', fn); }
  get onerror() { return this.#handlers.error; }
  set onerror(fn) { this.#setHandler('error', fn); }

  /** Stops at once: no further event is dispatched, not even from the chunk being read. */
  close() {
    this.#readyState = CLOSED;
    this.#release();
  }

  // ---- the manager's side ----

  #start(options) {
    const m = this.#manager;
    const channel = `lifeline:eventsource:${nextId++}`;
    m.connect(channel, this.#url.href, options);
    this.#channel = channel;
    this.#offStatus = m.onStatus(channel, (s) => this.#onStatus(s));
    m.subscribe(channel, (e) => this.#onEvent(e));
    if (this.#state !== null) return; // the subscription started (or changed) the connection
    // It joined a connection that was already up (another EventSource on the same stream).
    const s = m.getConnectionStatus(channel);
    this.#state = s.state;
    if (s.state === 'open') {
      this.#origin = originOf(s.responseUrl, this.#url);
      setTimeout(() => this.#announceOpen(), 0); // a task, as the spec's open event is
    } else if (s.state === 'failed' || s.state === 'closed') {
      m.retryNow(channel); // another channel of the app holds it failed; a new EventSource tries
    }
  }

  #onStatus(s) {
    if (this.#readyState === CLOSED) return;
    const prev = this.#state;
    this.#state = s.state;
    if (s.state === 'open') {
      this.#origin = originOf(s.responseUrl, this.#url);
      this.#announceOpen();
    } else if (s.state === 'failed' || s.state === 'closed') {
      this.#fail(errorDetail(s));
    } else if (WAITING.has(s.state) && (prev === 'open' || prev === 'connecting')) {
      // The spec's "reestablish the connection": CONNECTING, then error; once per failed attempt.
      this.#readyState = CONNECTING;
      this.#fire(new EventSourceErrorEvent(errorDetail(s)));
    } else if (s.state === 'connecting') {
      this.#readyState = CONNECTING;
    }
  }

  #announceOpen() {
    if (this.#readyState !== CONNECTING || this.#state !== 'open') return;
    this.#readyState = OPEN;
    this.#fire(new Event('open'));
  }

  #onEvent(e) {
    if (this.#readyState === CLOSED) return; // close() in a handler: nothing more, same chunk too
    this.#fire(new MessageEvent(e.type, { data: e.data, origin: this.#origin, lastEventId: e.id }));
  }

  // The spec's "fail the connection": CLOSED, then error, and no reconnection.
  #fail(detail) {
    if (this.#readyState === CLOSED) return;
    this.#readyState = CLOSED;
    this.#release();
    this.#fire(new EventSourceErrorEvent(detail));
  }

  #release() {
    this.#offStatus?.();
    this.#offStatus = null;
    if (this.#channel) this.#manager.disconnect(this.#channel);
    this.#channel = null;
  }

  #fire(event) {
    this.dispatchEvent(event);
  }

  // Event handler attributes: one listener per type, added when first set and kept in place
  // while the value changes, removed when set to null (the HTML rules for onX attributes).
  #setHandler(type, fn) {
    const value = typeof fn === 'function' || (fn !== null && typeof fn === 'object') ? fn : null;
    this.#handlers[type] = value;
    const listener = this.#handlerListeners[type];
    if (value && !listener) {
      this.#handlerListeners[type] = (event) => {
        const h = this.#handlers[type];
        if (typeof h === 'function' && h.call(this, event) === false) event.preventDefault();
      };
      this.addEventListener(type, this.#handlerListeners[type]);
    } else if (!value && listener) {
      this.removeEventListener(type, listener);
      delete this.#handlerListeners[type];
    }
  }
}

function originOf(responseUrl, url) {
  try {
    return responseUrl ? new URL(responseUrl).origin : url.origin;
  } catch {
    return url.origin;
  }
}

function errorDetail(s) {
  return { reason: s.reason, code: s.httpStatus || undefined, message: ERROR_MESSAGES[s.reason] ?? s.reason };
}

for (const [name, value] of Object.entries({ CONNECTING, OPEN, CLOSED })) {
  Object.defineProperty(EventSource, name, { value, enumerable: true });
  Object.defineProperty(EventSource.prototype, name, { value, enumerable: true });
}
// What libraries check for (the eventsource package's marker) before passing `fetch`.
Object.defineProperty(EventSource, Symbol.for('eventsource.supports-fetch-override'), { value: true });
