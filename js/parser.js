/**
 * The Server-Sent Events parser (C core, src/parser.c) for JavaScript. Each feed copies the bytes
 * into Wasm memory once per slice and reads back a batch of records; text is decoded once per
 * batch when it is ASCII and per field otherwise (invalid UTF-8 becomes U+FFFD).
 */
import { getCore, coreError } from './wasm.js';
import { errorNamed, lifelineError } from './core-tables.js';
import { decodeRegion, decodeSpan, regionSpan } from './text.js';
import { isBytes } from './checks.js';

const SLICE = 64 * 1024; // bounds the input buffer and the record table per C call
const NONE = 0xffffffff;
const SAME = 0xfffffffe;
const REC_EVENT = 1;
const REC_COMMENT = 2;
const REC_RETRY = 3;
const REC_ERROR = 4;
const MAX_CAP = 0x7fffffff;

// ignoreBOM: a U+FEFF inside a field is data; the stream's own BOM is already dropped in C.
const encoder = /* @__PURE__ */ new TextEncoder();

const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ core, handle }) => { if (handle.h) core._lifeline_wasm_parser_free(handle.h); })
  : null;

function checkCallback(name, fn) {
  if (fn !== undefined && fn !== null && typeof fn !== 'function') {
    throw new TypeError(`createParser: ${name} must be a function, got ${typeof fn}`);
  }
  return fn || null;
}

function checkCap(name, v) {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number') throw new TypeError(`createParser: ${name} must be a number of bytes, got ${typeof v}`);
  if (!Number.isInteger(v) || v < 1 || v > MAX_CAP) {
    throw new RangeError(`createParser: ${name} must be an integer from 1 to ${MAX_CAP}, got ${v}`);
  }
  return v;
}

class Parser {
  #core;
  #handle; // { h }: shared with the finalizer so free() and GC agree
  #header;
  #cb;
  #state = { id: '', type: 'message' };
  #busy = false;
  #at = 0; // the record being delivered, to resume after one whose callback threw

  constructor(core, handle, cb) {
    this.#core = core;
    this.#handle = handle;
    this.#header = core._lifeline_wasm_parser_header(handle.h);
    this.#cb = cb;
  }

  #live(what) {
    if (!this.#handle.h) {
      throw lifelineError('LIFELINE_ERR_STATE', `parser.${what}: the parser was freed`);
    }
    return this.#handle.h;
  }

  /** Feeds a chunk: a Uint8Array of UTF-8 bytes, or a string (UTF-8 encoded first). */
  feed(chunk) {
    const h = this.#live('feed');
    let bytes;
    if (typeof chunk === 'string') bytes = encoder.encode(chunk);
    else if (isBytes(chunk)) bytes = chunk;
    else throw new TypeError(`parser.feed: expected a Uint8Array or a string, got ${chunk === null ? 'null' : typeof chunk}`);
    if (this.#busy) {
      throw lifelineError('LIFELINE_ERR_STATE', 'parser.feed: called from one of this parser\'s own callbacks');
    }
    const m = this.#core;
    let firstError = null;
    for (let off = 0; off < bytes.length; off += SLICE) {
      const n = Math.min(SLICE, bytes.length - off);
      const ptr = m._lifeline_wasm_parser_input(h, n);
      if (!ptr) throw errorNamed('LIFELINE_ERR_NO_MEMORY', 'parser.feed');
      m.HEAPU8.set(off === 0 && n === bytes.length ? bytes : bytes.subarray(off, off + n), ptr);
      const rc = m._lifeline_wasm_parser_feed(h, n);
      firstError = this.#deliver(m, rc, firstError);
      if (!this.#handle.h) break; // freed by a callback
    }
    if (firstError) throw firstError.error;
  }

  /**
   * Delivers the batch the last feed left in Wasm memory, once per record. Text is decoded before
   * any callback runs where it is ASCII (a region at once, then slices). A callback that throws
   * does not stop the batch: the walk resumes after its record and feed() rethrows the first
   * exception at the end. The try sits outside the walk so that each kind of record keeps a call
   * site of its own (monomorphic: V8 inlines the app's callback there).
   */
  #deliver(m, rc, firstError) {
    const h32 = m.HEAPU32;
    const hp = this.#header >>> 2;
    const recs = h32[hp] >>> 2;
    const count = h32[hp + 1];
    const arena = h32[hp + 2];
    const input = h32[hp + 8];
    const heap = m.HEAPU8;
    const arenaText = decodeRegion(heap, arena, h32[hp + 3], h32[hp + 4] === 1);
    const inputText = decodeRegion(heap, input, h32[hp + 9], h32[hp + 10] === 1);
    const handle = this.#handle;
    const cb = this.#cb;
    this.#busy = true;
    try {
      let i = 0;
      while (i < count && handle.h) {
        try {
          i = this.#walk(m, i, recs, count, arena, input, arenaText, inputText);
        } catch (error) {
          if (!firstError) firstError = { error };
          i = this.#at + 1;
        }
      }
      if (rc < 0 && cb.onError && handle.h) {
        try {
          cb.onError(coreError(rc, 'parser.feed'));
        } catch (error) {
          if (!firstError) firstError = { error };
        }
      }
    } finally {
      this.#busy = false;
    }
    return firstError;
  }

  /** Records [i, count) of the batch; returns where it stopped (count, or after a free()). The
   * views are re-read when a callback grew the memory (e.g. by feeding another parser). */
  #walk(m, i, recs, count, arena, input, arenaText, inputText) {
    const cb = this.#cb;
    const state = this.#state;
    const handle = this.#handle;
    let h32 = m.HEAPU32;
    let heap = m.HEAPU8;
    for (; i < count; i++) {
      const r = recs + i * 8;
      const kind = h32[r];
      this.#at = i;
      if (kind === REC_EVENT) {
        const flags = h32[r + 7];
        if (h32[r + 5] !== SAME) state.id = flags & 2 ? regionSpan(inputText, heap, input, h32[r + 5], h32[r + 6]) : regionSpan(arenaText, heap, arena, h32[r + 5], h32[r + 6]);
        const t = h32[r + 3];
        if (t !== NONE && t !== SAME) state.type = regionSpan(arenaText, heap, arena, t, h32[r + 4]);
        const fn = cb.onEvent;
        if (fn === null) continue;
        const data = flags & 1 ? regionSpan(inputText, heap, input, h32[r + 1], h32[r + 2]) : regionSpan(arenaText, heap, arena, h32[r + 1], h32[r + 2]);
        fn({ type: t === NONE ? 'message' : state.type, data, lastEventId: state.id });
      } else if (kind === REC_COMMENT) {
        const fn = cb.onComment;
        if (fn === null) continue;
        fn(h32[r + 7] & 1 ? regionSpan(inputText, heap, input, h32[r + 1], h32[r + 2]) : regionSpan(arenaText, heap, arena, h32[r + 1], h32[r + 2]));
      } else if (kind === REC_RETRY) {
        const fn = cb.onRetry;
        if (fn === null) continue;
        fn(h32[r + 1] + h32[r + 2] * 4294967296);
      } else {
        const fn = cb.onError;
        if (fn === null) continue;
        fn(coreError(h32[r + 1] | 0, 'parser'));
      }
      if (!handle.h) return i + 1; // freed by the callback
      if (h32.length === 0) { // detached by memory growth inside the callback
        h32 = m.HEAPU32;
        heap = m.HEAPU8;
      }
    }
    return count;
  }

  /** New connection: drops partial line/event state, expects a BOM again, keeps lastEventId. */
  reset() {
    this.#core._lifeline_wasm_parser_reset(this.#live('reset'));
  }

  /** What a reconnection sends as Last-Event-ID. */
  get lastEventId() {
    const h = this.#live('lastEventId');
    const m = this.#core;
    m._lifeline_wasm_parser_query(h);
    const hp = this.#header >>> 2;
    const ptr = m.HEAPU32[hp + 6];
    const len = m.HEAPU32[hp + 7];
    return decodeSpan(m.HEAPU8, ptr, len);
  }

  set lastEventId(value) {
    const h = this.#live('lastEventId');
    if (typeof value !== 'string') throw new TypeError(`parser.lastEventId: expected a string, got ${typeof value}`);
    if (value.includes('\0')) throw new RangeError('parser.lastEventId: must not contain U+0000');
    const bytes = encoder.encode(value);
    const m = this.#core;
    const ptr = m._malloc(bytes.length || 1);
    if (!ptr) throw errorNamed('LIFELINE_ERR_NO_MEMORY', 'parser.lastEventId');
    m.HEAPU8.set(bytes, ptr);
    const rc = m._lifeline_wasm_parser_set_last_event_id(h, ptr, bytes.length);
    m._free(ptr);
    if (rc === -1) throw new RangeError('parser.lastEventId: longer than maxLineBytes');
    if (rc < 0) throw coreError(rc, 'parser.lastEventId');
  }

  /** Bytes the parser's buffers hold in Wasm memory (for tests and diagnostics). */
  get bufferedBytes() {
    return this.#core._lifeline_wasm_parser_buffered_bytes(this.#live('bufferedBytes'));
  }

  /** Releases the Wasm memory. Idempotent; any later feed/reset/lastEventId throws. */
  free() {
    const h = this.#handle.h;
    if (!h) return;
    this.#handle.h = 0;
    registry?.unregister(this.#handle);
    this.#core._lifeline_wasm_parser_free(h);
  }
}

/**
 * Creates a parser. Options: onEvent({type, data, lastEventId}), onComment(text), onRetry(ms),
 * onError(LifelineError), maxLineBytes, maxEventBytes (default 1 MiB each).
 */
export function createParser(options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('createParser: options must be an object');
  }
  const cb = {
    onEvent: checkCallback('onEvent', options.onEvent),
    onComment: checkCallback('onComment', options.onComment),
    onRetry: checkCallback('onRetry', options.onRetry),
    onError: checkCallback('onError', options.onError),
  };
  const maxLine = checkCap('maxLineBytes', options.maxLineBytes);
  const maxEvent = checkCap('maxEventBytes', options.maxEventBytes);
  const core = getCore();
  const h = core._lifeline_wasm_parser_new(maxLine, maxEvent);
  if (!h) throw errorNamed('LIFELINE_ERR_NO_MEMORY', 'createParser');
  const handle = { h };
  const parser = new Parser(core, handle, cb);
  registry?.register(parser, { core, handle }, handle);
  return parser;
}
