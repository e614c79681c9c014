import type { LifelineError } from './errors.js';

/** An event as the WHATWG EventSource would dispatch it. */
export interface ParsedEvent {
  /** The `event:` field, or 'message' when the block had none (or an empty one). */
  type: string;
  /** `data:` lines joined with '\n' (invalid UTF-8 replaced by U+FFFD). */
  data: string;
  /** The last event ID after this event (it persists across events until changed). */
  lastEventId: string;
}

export interface ParserOptions {
  onEvent?: (event: ParsedEvent) => void;
  /** A comment line without ':' and one following space (servers send them as heartbeats). */
  onComment?: (text: string) => void;
  /** A valid `retry:` value in milliseconds (ASCII digits only; clamped to 2^53 - 1). */
  onRetry?: (ms: number) => void;
  /** LIFELINE_ERR_LINE_TOO_LONG / LIFELINE_ERR_EVENT_TOO_LARGE / LIFELINE_ERR_NO_MEMORY; the
   * parser has already skipped to the next blank line and goes on. */
  onError?: (error: LifelineError) => void;
  /** Longest line in bytes (without its line end). Default 1 MiB. Integer 1..2^31-1. */
  maxLineBytes?: number;
  /** Largest event data in bytes (values plus one LF per data line). Default 1 MiB. */
  maxEventBytes?: number;
}

export interface Parser {
  /** Feeds a chunk of the stream: UTF-8 bytes, or a string (UTF-8 encoded first). Callbacks run
   * before it returns; an exception thrown by a callback is rethrown after the chunk's other
   * records were delivered. Throws TypeError for other argument types, LifelineError after
   * free() or when called from this parser's own callback. */
  feed(chunk: Uint8Array | string): void;
  /** New connection: clears partial line/event state and BOM handling; keeps lastEventId. */
  reset(): void;
  /** What a reconnection sends as Last-Event-ID. Settable (no U+0000, at most maxLineBytes). */
  lastEventId: string;
  /** Bytes the parser's buffers hold in Wasm memory (bounded by the caps). */
  readonly bufferedBytes: number;
  /** Releases the Wasm memory; idempotent. */
  free(): void;
}

/** Creates a parser; `await init()` first. Throws TypeError/RangeError for bad options. */
export function createParser(options?: ParserOptions): Parser;
