/**
 * The event side of a streamed AI call: a single-consumer async queue (for await ... of) and
 * listener sets, with no knowledge of the call itself. Events are buffered until read (one
 * answer's worth); the queue ends with done or throws the call's error after the buffered ones.
 * Internal to js/router-stream.js.
 */
export class EventQueue {
  #items = [];
  #waiters = [];
  #end = null; // { error } once the call ended (error null: ended well)
  #onReturn;

  /** onReturn(): the consumer left the loop early (break, return, a throw in its body). */
  constructor(onReturn) {
    this.#onReturn = onReturn;
  }

  push(event) {
    if (this.#end) return;
    const w = this.#waiters.shift();
    if (w) w.resolve({ value: event, done: false });
    else this.#items.push(event);
  }

  /** Ends the queue; error (or null) is thrown to the reader after the buffered events. */
  close(error = null) {
    if (this.#end) return;
    this.#end = { error };
    for (const w of this.#waiters.splice(0)) (error ? w.reject(error) : w.resolve({ value: undefined, done: true }));
  }

  next() {
    if (this.#items.length) return Promise.resolve({ value: this.#items.shift(), done: false });
    if (this.#end) return this.#end.error ? Promise.reject(this.#end.error) : Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  iterator() {
    return {
      next: () => this.next(),
      return: () => {
        if (!this.#end) this.#onReturn();
        this.#items.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() { return this; },
    };
  }
}

/** Listener sets by name; a listener's exception is rethrown asynchronously, never into the call. */
export class Listeners {
  #sets = new Map();

  add(type, cb) {
    if (typeof cb !== 'function') throw new TypeError(`${type}: callback must be a function`);
    if (!this.#sets.has(type)) this.#sets.set(type, new Set());
    this.#sets.get(type).add(cb);
    return () => this.#sets.get(type).delete(cb);
  }

  emit(type, value) {
    for (const cb of [...(this.#sets.get(type) || [])]) {
      try {
        cb(value);
      } catch (e) {
        setTimeout(() => { throw e; });
      }
    }
  }

  clear() { this.#sets.clear(); }
}
