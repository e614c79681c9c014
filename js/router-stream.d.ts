import type { LifelineError } from './errors.js';

/** An app's format adapter: each callback gets one SSE event's data (a string) and the event. A throw marks the chunk malformed. */
export interface StreamFormatSpec {
  name?: string;
  /** The text for the user in this event, or '' / null for none (a keep-alive). */
  text(data: string, event: { type: string; data: string; lastEventId: string }): string | null | undefined;
  /** Truthy when this event is the service's end marker (a string is kept as the finish reason). */
  isEnd(data: string, event: { type: string; data: string; lastEventId: string }): boolean | string | null | undefined;
  /** An in-band error (e.g. an `error` field under HTTP 200): its message, or falsy. */
  error(data: string, event: { type: string; data: string; lastEventId: string }): unknown;
  /** Truthy for a content-filter stop (an error for the user, never a failover). */
  filtered?(data: string, event: { type: string; data: string; lastEventId: string }): unknown;
}

/** 'openai' (default: `data: {choices:[{delta}]}` ... `data: [DONE]`), 'gemini' (alt=sse chunks), 'sse' (plain: data is text, `event: end`). */
export type StreamFormat = 'openai' | 'gemini' | 'sse' | StreamFormatSpec;

export type AfterCommit = 'fail' | 'restart' | 'continue';

export interface StreamBodyContext {
  service: string;
  /** 'first' | 'failover' | 'restart' | 'continue' | 'resume' */
  mode: string;
  /** The answer so far (what a 'continue' fallback is given). */
  partial: string;
}

export interface StreamNotice {
  /** The service that failed (null for none). */
  from: string | null;
  to: string;
  mode: 'failover' | 'restart' | 'continue' | 'resume';
  /** Why, in the core's words ("HTTP 503", "no first token in time", "stalled", ...). */
  reason: string;
}

export interface StreamStatus {
  state: 'connecting' | 'streaming' | 'switching' | 'done' | 'failed' | 'aborted';
  service: string | null;
  attempt: number;
}

export interface StreamOptions {
  /** Joined with the service's baseUrl; a function for per-service paths. */
  path?: string | ((ctx: { service: string; mode: string }) => string);
  /** Default 'POST'. */
  method?: string;
  /** An object is sent as JSON (with `partial` added for a 'continue' fallback); a function builds each attempt's body. */
  body?: ((ctx: StreamBodyContext) => unknown) | Record<string, unknown> | unknown[] | string | Uint8Array | null;
  headers?: Record<string, string>;
  /** Aborts the call: the fetch is aborted for real (the server sees the socket close). */
  signal?: AbortSignal;
  /** First-token deadline per attempt, ms (keep-alives do not count). Default: 4 x the service's p95, within 2000..20000; 10000 unmeasured. */
  ttftMs?: number;
  /** Longest silence after the first content, ms (default 15000). */
  idleMs?: number;
  /** When a committed answer breaks and the service cannot resume it: 'fail' (default), 'restart' on a fallback, 'continue' on a fallback given the partial answer. */
  afterCommit?: AfterCommit;
  /** Overrides every service's `format` for this call. */
  format?: StreamFormat;
  onStatus?: (status: StreamStatus) => void;
  onSwitch?: (notice: StreamNotice) => void;
}

export interface StreamEvent {
  /** 'text' (data: the new text), 'switch' (a failover before any text), 'restart' (clear the text shown), 'continue', 'resume'. */
  type: 'text' | 'switch' | 'restart' | 'continue' | 'resume';
  data: string;
  /** The SSE event id ('' when none). */
  id: string;
  service: string;
}

export interface StreamAttemptLog {
  service: string;
  mode: string;
  outcome: 'complete' | 'failover' | 'broken' | 'refused' | 'pending';
  /** 'network', 'status', 'first-token', 'idle', 'cut', 'malformed', 'in-band-error', 'content-filter', 'aborted', 'end'. */
  why: string;
  status: number;
  chunks: number;
  ms: number;
}

export interface StreamResult {
  /** The service whose answer this is. */
  service: string | null;
  attempts: number;
  /** Answered by a service of worse priority than the capability's best. */
  degraded: boolean;
  continued: boolean;
  restarted: boolean;
  resumed: boolean;
  /** True only when the service's own end marker arrived. */
  complete: boolean;
  finishReason: string | null;
  text: string;
  /** From stream() to the end, ms. */
  elapsedMs: number;
  /** From stream() to the first content, ms (null: none). */
  ttftMs: number | null;
  log: StreamAttemptLog[];
}

/** A failed call: reason 'broken' (after commit, policy 'fail' or no fallback), 'refused' (4xx), 'content-filter', 'unavailable'. */
export interface StreamError extends LifelineError {
  reason: 'broken' | 'refused' | 'content-filter' | 'unavailable';
  /** The text received before the failure. */
  partial: string;
  service: string | null;
  status: number;
  attempts: number;
  result: StreamResult;
}

export declare class AIStream implements AsyncIterable<StreamEvent> {
  [Symbol.asyncIterator](): AsyncIterator<StreamEvent>;
  /** Resolves when complete; rejects with a StreamError, or the abort reason. */
  readonly result: Promise<StreamResult>;
  readonly text: string;
  onStatus(cb: (status: StreamStatus) => void): () => void;
  onSwitch(cb: (notice: StreamNotice) => void): () => void;
  abort(reason?: unknown): void;
}
