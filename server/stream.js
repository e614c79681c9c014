/**
 * One client's event stream: headers, `retry:`, heartbeats, and the pump that copies the log
 * after the client's position onto the socket, a page at a time, only while the socket takes it
 * (the log is the only buffer: a slow client costs one socket buffer, then resumes from the log).
 * A position the log lost becomes a `reset` event; a log that cannot answer (Redis down) leaves
 * the stream open with its heartbeats and is read again when it answers.
 */
import { formatComment, formatEvent } from './sse-format.js';
import { LogUnavailableError } from './errors.js';
import { corsHeaders } from './http.js';

export const DRAIN_EVENT = 'lifeline:drain';
export const RESET_EVENT = 'reset';
const RETRY_LOG_MS = 250;
const CHUNK = 16 * 1024; // characters per socket write

export class SSEStream {
  /**
   * handler: { log, opts, counters, hooks, forget(stream) }; topic; afterId: the last id the
   * client has; reset: {lastEventId, reason, lastId} when its position was lost; lastEventId:
   * what it sent (null when nothing).
   */
  constructor(handler, req, res, { id, topic, afterId, reset, lastEventId }) {
    this.handler = handler;
    this.req = req;
    this.res = res;
    this.id = id;
    this.topic = topic;
    this.afterId = afterId;
    this.lastEventId = lastEventId;
    this.pendingReset = reset ?? null;
    this.closed = false;
    this.open = false;
    this.held = 0; // hold() count: nothing but what the holder writes goes out meanwhile
    this.draining = false;
    this.waitingLog = false;
    this.sent = 0;
    this.data = {}; // free for hooks
    this.pumping = false;
    this.again = false;
    this.idle = Promise.resolve();
    res.on('close', () => this.#closed());
  }

  start() {
    const { res, handler } = this;
    res.writeHead(200, {
      ...corsHeaders(this.req),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    this.open = true;
    if (handler.opts.retryMs !== null && handler.opts.retryMs !== undefined) this.write(`retry: ${handler.opts.retryMs}\n\n`);
    if (this.pendingReset) this.#writeReset(this.pendingReset);
    this.pendingReset = null;
    handler.hooks.onOpen?.(this);
    for (const f of handler.openListeners) f(this);
    this.heartbeat = setInterval(() => this.#heartbeat(), handler.opts.heartbeatMs);
    this.unwatch = handler.log.watch(this.topic, () => this.pump());
    this.pump();
  }

  /** Writes text verbatim (counted); false when the socket wants a pause. */
  write(text) {
    if (this.closed) return false;
    this.handler.counters.bytesSent += Buffer.byteLength(text);
    return this.res.write(text);
  }

  /** Pauses the pump and the heartbeats (a fault holding the stream); release() resumes. */
  hold() { this.held++; }

  release() {
    if (this.held > 0) this.held--;
    if (!this.held) this.pump();
  }

  /** True between events: nothing of an event is half written and nothing holds the stream. */
  get betweenEvents() {
    return this.open && !this.closed && !this.paused && !this.pumping && !this.res.writableNeedDrain;
  }

  /** Nothing goes out now: held, or a hook pauses it (a test server's stall fault). */
  get paused() {
    return this.held > 0 || !!this.handler.hooks.paused?.(this);
  }

  #heartbeat() {
    if (this.closed || this.paused || this.res.writableNeedDrain) return;
    this.write(formatComment(`heartbeat ${Date.now()}`));
    this.handler.counters.heartbeatsSent++;
  }

  #writeReset(r) {
    // The id moves the client to the position it continues from, so a drop right after the
    // reset resumes from there instead of being reset again.
    this.write(formatEvent({ id: r.lastId, event: RESET_EVENT, data: { lastEventId: r.lastEventId, reason: r.reason, lastId: r.lastId } }));
    this.handler.counters.resetsSent++;
    this.afterId = r.lastId;
  }

  /** Sends the log after afterId until the socket is full or the log has no more. */
  pump() {
    if (this.closed || !this.open) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    this.idle = this.#loop().catch((err) => this.handler.onError(err)).finally(() => {
      this.pumping = false;
      if (this.again && !this.closed) {
        this.again = false;
        this.pump();
      }
    });
  }

  async #loop() {
    const { handler } = this;
    for (;;) {
      this.again = false;
      if (this.closed || this.paused || this.draining || this.res.writableEnded) return;
      if (this.res.writableNeedDrain) {
        await new Promise((r) => {
          const done = () => { this.res.off('drain', done); this.res.off('close', done); r(); };
          this.res.on('drain', done);
          this.res.on('close', done);
        });
        continue;
      }
      let page;
      try {
        page = await handler.log.read(this.topic, this.afterId, handler.opts.pageSize);
      } catch (err) {
        if (!(err instanceof LogUnavailableError)) throw err;
        this.#waitForLog();
        return;
      }
      this.waitingLog = false;
      if (this.closed || this.paused) return;
      if (page.lost) {
        this.#writeReset({ lastEventId: this.afterId, ...page.lost });
        continue;
      }
      if (!page.records.length) {
        if (!this.again) return;
        continue;
      }
      if (this.#send(page.records) === 0) return; // a hook holds the stream: it pumps again
    }
  }

  /** Writes records; returns how many went (all, unless a hook took fewer). */
  #send(records) {
    const { handler } = this;
    if (handler.hooks.send) {
      // A test server's faults (drip, truncate, skip...) write the records their own way; the
      // position moves past what the hook says it took.
      const took = handler.hooks.send(this, records);
      for (let i = 0; i < took; i++) this.afterId = records[i].id;
      return took;
    }
    // In writes of about CHUNK bytes, stopping when the socket is full: a slow client holds at
    // most one chunk beyond its socket buffers, and the rest stays in the log.
    let text = '';
    let n = 0;
    for (const r of records) {
      text += r.text ??= formatEvent(r);
      n++;
      if (text.length >= CHUNK || n === records.length) {
        const more = this.write(text);
        this.afterId = r.id;
        text = '';
        if (!more) break;
      }
    }
    this.sent += n;
    handler.counters.eventsSent += n;
    return n;
  }

  #waitForLog() {
    if (this.waitingLog && this.logTimer) return;
    this.waitingLog = true;
    this.logTimer = setTimeout(() => {
      this.logTimer = null;
      this.pump();
    }, RETRY_LOG_MS);
  }

  /**
   * Tells the client to reconnect elsewhere (after the events already read are out), then
   * waits for it to leave; resolves when the stream is closed.
   */
  async drain(spreadMs) {
    if (this.closed) return;
    this.draining = true;
    await this.idle;
    if (!this.closed) this.write(formatEvent({ event: DRAIN_EVENT, data: String(spreadMs) }));
    this.handler.counters.drainsSent++;
    if (!this.closed) await new Promise((r) => this.res.once('close', r));
  }

  /** Ends the response cleanly (the client sees the end of the stream). */
  end() {
    if (this.closed) return;
    this.res.end();
  }

  /** Destroys the socket (the client sees a network error). */
  destroy() {
    this.res.socket?.destroy();
    this.#closed();
  }

  #closed() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.logTimer);
    this.unwatch?.();
    this.handler.forget(this);
  }
}
