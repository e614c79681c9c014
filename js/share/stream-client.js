/**
 * router.stream() of a shared router (createRouter({ share: 'origin' })), in the tab: the call
 * runs in the hub's router (js/share/router-hub.js), so failover, breakers and health are the
 * origin's, and its events, statuses and notices arrive here as r:sev messages. This object has
 * the API of a tab's own stream (js/router-stream.js AIStream): async-iterable over the events,
 * `text`, `result`, onStatus, onSwitch, abort(). An abort settles the call here at once and
 * tells the hub, whose fetch is aborted (the service sees the socket close).
 * Internal to js/share/router-client.js.
 */
import { EventQueue, Listeners } from '../stream-events.js';

export class SharedStream {
  #queue;
  #listeners = new Listeners();
  #text = '';
  #last = null; // the last status heard, for the one this tab makes on abort
  #ended = false;
  #settle;
  #cancel; // (): tells the hub, forgets the call's messages
  #unlisten = null;
  /** Resolves with the call's result when the service's own end marker arrived; rejects otherwise. */
  result;

  /** opts: onStatus, onSwitch, signal (the rest went to the hub); cancel(): the hub stops the call. */
  constructor({ onStatus, onSwitch, signal }, cancel) {
    this.#cancel = cancel;
    this.#queue = new EventQueue(() => this.abort(new DOMException('the stream\'s reader left', 'AbortError')));
    this.result = new Promise((resolve, reject) => { this.#settle = { resolve, reject }; });
    this.result.catch(() => {}); // an app that only iterates must not see an unhandled rejection
    if (onStatus) this.onStatus(onStatus);
    if (onSwitch) this.onSwitch(onSwitch);
    if (!signal) return;
    const onAbort = () => this.abort(signal.reason ?? new DOMException('aborted', 'AbortError'));
    if (signal.aborted) {
      queueMicrotask(onAbort);
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    this.#unlisten = () => signal.removeEventListener('abort', onAbort);
  }

  [Symbol.asyncIterator]() { return this.#queue.iterator(); }

  /** The answer's text so far (after a restart, the new answer's). */
  get text() { return this.#text; }

  onStatus(cb) { return this.#listeners.add('onStatus', cb); }

  onSwitch(cb) { return this.#listeners.add('onSwitch', cb); }

  /** Ends the call at once; the hub aborts its fetch. result rejects with reason. */
  abort(reason = new DOMException('aborted', 'AbortError')) {
    if (this.#ended) return;
    this.#cancel();
    this.#listeners.emit('onStatus', { state: 'aborted', service: this.#last?.service ?? null, attempt: this.#last?.attempt ?? 0 });
    this.#finish(reason);
  }

  // ---- what the hub says (router-client.js routes the call's messages here) ----

  /** One r:sev message: k 'e' (an event), 's' (a status), 'w' (a switch notice). */
  heard(k, v) {
    if (this.#ended) return;
    if (k === 's') {
      // The hub stopped the call without this tab asking (the tab went, the hub closes): what
      // follows is an error or the hub's loss, and this tab reports 'failed', not 'aborted'.
      if (v.state === 'aborted') return;
      this.#last = v;
      this.#listeners.emit('onStatus', v);
    } else if (k === 'w') {
      this.#listeners.emit('onSwitch', v);
    } else {
      if (v.type === 'restart') this.#text = '';
      if (v.type === 'text') this.#text += v.data;
      this.#queue.push(v);
    }
  }

  /** The call ended in the hub (r:res): its result. */
  resolve(value) {
    this.#finish(null, value);
  }

  /**
   * The call failed in the hub (r:err, after the hub's 'failed' or 'aborted' status), or the
   * hub was lost (no status came: this tab makes the 'failed' one).
   */
  reject(error) {
    if (this.#ended) return;
    if (this.#last?.state !== 'failed' && this.#last?.state !== 'aborted') {
      this.#listeners.emit('onStatus', { state: 'failed', service: this.#last?.service ?? null, attempt: this.#last?.attempt ?? 0 });
    }
    this.#finish(error);
  }

  #finish(error, value) {
    if (this.#ended) return;
    this.#ended = true;
    this.#unlisten?.();
    this.#queue.close(error);
    if (error) this.#settle.reject(error);
    else this.#settle.resolve(value);
    this.#listeners.clear();
  }
}
