// lifeline-sse/server (Node >= 20). See docs/servers.md.
import type { IncomingMessage, ServerResponse, Server } from 'node:http';

/** One logged event as the log returns it: data is the text sent in `data:` lines. */
export interface LogRecord {
  id: string;
  event: string;
  data: string;
}

/** Why a position cannot be resumed: the client gets a `reset` event instead of a gap. */
export type LostReason = 'trimmed' | 'unknown-id' | 'log-replaced' | 'log-empty';

export interface LostPosition {
  reason: LostReason;
  /** The log's last id: where the client continues from (the reset event carries it). */
  lastId: string;
}

export interface LogReadiness {
  ok: boolean;
  latencyMs: number | null;
  /** How far the follower is behind (Redis), ms; 0 for memory. */
  lagMs: number | null;
  error?: string;
}

/** What createSSEHandler needs from a log (memoryLog and redisLog implement it). */
export interface EventLog {
  readonly kind: 'memory' | 'redis' | string;
  /** The id meaning "before the first event" ('0' or '0-0'). */
  readonly zeroId: string;
  /** A connection is being made (redisLog); resolves when the first attempt settled. */
  readonly connected?: Promise<unknown>;
  parseId(raw: string): string | null;
  compare(a: string, b: string): number;
  append(topic: string, events: Array<{ event: string; data: string }>): Promise<LogRecord[]>;
  last(topic: string): Promise<string>;
  locate(topic: string, id: string): Promise<LostPosition | null>;
  read(topic: string, afterId: string, max: number): Promise<{ records: LogRecord[]; lost: LostPosition | null }>;
  watch(topic: string, onRecords: () => void): () => void;
  ready(deadlineMs?: number): Promise<LogReadiness>;
  status?(): Record<string, unknown>;
  close(): Promise<void>;
}

export interface MemoryLogOptions {
  /** Events kept per topic (1000). */
  capacity?: number;
  /** Topics (64). */
  maxTopics?: number;
  /** The first id (1). */
  firstId?: number;
}
export declare class MemoryLog implements EventLog {
  constructor(options?: MemoryLogOptions);
  readonly kind: 'memory';
  readonly zeroId: '0';
  parseId(raw: string): string | null;
  compare(a: string, b: string): number;
  append(topic: string, events: Array<{ event: string; data: string }>): Promise<LogRecord[]>;
  last(topic: string): Promise<string>;
  locate(topic: string, id: string): Promise<LostPosition | null>;
  read(topic: string, afterId: string, max: number): Promise<{ records: LogRecord[]; lost: LostPosition | null }>;
  watch(topic: string, onRecords: () => void): () => void;
  ready(): Promise<LogReadiness>;
  status(): Record<string, unknown>;
  /** Empties every topic (ids go on). */
  clear(): void;
  /** append() at once: the records are in the log when it returns. */
  appendSync(topic: string, events: Array<{ event: string; data: string }>): Array<LogRecord & { ts: number }>;
  /** The records kept for a topic, oldest first (a copy). */
  records(topic: string): Array<LogRecord & { ts: number }>;
  close(): Promise<void>;
}
export declare function memoryLog(options?: MemoryLogOptions): MemoryLog;

export interface RedisLogOptions {
  /** Key prefix ('lifeline:sse:'): a topic's stream is prefix + topic. */
  prefix?: string;
  /** Events kept per topic (10000); trimmed once 5% over, unless exactTrim. */
  maxLen?: number;
  /** Keep events younger than this instead (MINID); 0: by length. */
  maxAgeMs?: number;
  exactTrim?: boolean;
  /** Recent events kept in memory per followed topic, to feed live streams (4096). */
  ringSize?: number;
  /** Events per replay read (1000). */
  pageSize?: number;
  /** Options merged into @redis/client's createClient (disableOfflineQueue stays true). */
  client?: Record<string, unknown>;
}
export declare class RedisLog implements EventLog {
  constructor(url: string, options?: RedisLogOptions);
  readonly kind: 'redis';
  readonly zeroId: '0-0';
  readonly url: string;
  readonly connected: Promise<unknown>;
  /** The client is connected. */
  readonly available: boolean;
  parseId(raw: string): string | null;
  compare(a: string, b: string): number;
  append(topic: string, events: Array<{ event: string; data: string }>): Promise<LogRecord[]>;
  last(topic: string): Promise<string>;
  locate(topic: string, id: string): Promise<LostPosition | null>;
  read(topic: string, afterId: string, max: number): Promise<{ records: LogRecord[]; lost: LostPosition | null }>;
  watch(topic: string, onRecords: () => void): () => void;
  ready(deadlineMs?: number): Promise<LogReadiness>;
  status(): Record<string, unknown>;
  /** A plain command on the log's connection. */
  sendCommand(args: string[]): Promise<unknown>;
  /** The Redis key of a topic's stream. */
  keyOf(topic: string): string;
  close(): Promise<void>;
}
/** The Redis Streams log at url (default REDIS_URL); connects in the background. */
export declare function redisLog(url?: string, options?: RedisLogOptions): RedisLog;
export declare function parseStreamId(raw: string): string | null;
export declare function compareStreamIds(a: string, b: string): number;
export interface StreamFacts {
  exists: boolean; last: string; maxDeleted: string; epoch: string | null; trimmed: string | null;
  first: string | null; added: number; length: number;
}
export declare function lostPosition(after: string, facts: StreamFacts): LostReason | null;

/** redisLog(REDIS_URL) when it is set, else memoryLog(). */
export declare function logFromEnv(env?: Record<string, string | undefined>, options?: { redis?: RedisLogOptions; memory?: MemoryLogOptions }): Promise<EventLog>;

/** One client's stream (given to hooks and onOpen listeners). */
export interface SSEStream {
  readonly id: number;
  readonly topic: string;
  /** The last id the client has been sent (or resumed from). */
  afterId: string;
  /** The Last-Event-ID the client sent, null when none. */
  readonly lastEventId: string | null;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly closed: boolean;
  readonly betweenEvents: boolean;
  /** Free for hooks. */
  data: Record<string, unknown>;
  write(text: string): boolean;
  hold(): void;
  release(): void;
  pump(): void;
  end(): void;
  destroy(): void;
}

/** Extension points for test servers (fault injection); not needed by apps. */
export interface SSEHooks {
  /** True while nothing may be written to the stream (no events, no heartbeats); pump() resumes. */
  paused?(stream: SSEStream): boolean;
  position?(stream: SSEStream, afterId: string): string | void;
  /** Return false to start the stream later (stream.start()). */
  beforeStart?(stream: SSEStream): boolean | void;
  onOpen?(stream: SSEStream): void;
  /** Writes the records its own way; returns how many it took. */
  send?(stream: SSEStream, records: Array<LogRecord & { text?: string }>): number;
}

export interface SSEHandlerOptions {
  /** The event log (memoryLog() by default). */
  log?: EventLog;
  /** A `: heartbeat` comment on every stream this often (15000). */
  heartbeatMs?: number;
  /** When set, `retry: N` opens every stream. */
  retryMs?: number | null;
  paths?: { stream?: string; publish?: string; live?: string; ready?: string };
  /** The topic when a request names none ('feed'); `?topic=` (or the publish body's topic) names one. */
  topic?: string;
  /** The topics allowed (null: any name of 1..64 of [A-Za-z0-9_.:-]). */
  topics?: string[] | null;
  /** The query parameter read when there is no Last-Event-ID header ('lastEventId'). */
  lastEventIdParam?: string;
  /** Open streams; beyond, 503 + Retry-After (1000). */
  maxClients?: number;
  /** Stream connects per second (a token bucket, burst twice that); beyond, 503 + Retry-After (500). */
  connectsPerSecond?: number;
  /** Publish body (256 KiB), one event's data (64 KiB), events per publish (1000): beyond, 413. */
  maxBodyBytes?: number;
  maxEventBytes?: number;
  maxEventsPerPublish?: number;
  /** Events per read of the log (1000). */
  pageSize?: number;
  /** Retry-After seconds on 503 answers (1). */
  retryAfterS?: number;
  /** The drain's spread sent to clients (1000 ms) and how long it waits for them (10000 ms). */
  drain?: { spreadMs?: number; timeoutMs?: number };
  /** Readiness: the log's deadline (500 ms), the follower's largest lag (5000 ms). */
  ready?: { deadlineMs?: number; maxLagMs?: number };
  /** CORS headers and preflight answers (true). */
  cors?: boolean;
  hooks?: SSEHooks | null;
  onError?: ((err: unknown) => void) | null;
}

export interface Readiness {
  ok: boolean;
  status: 'ready' | 'not-ready';
  checks: {
    log: { ok: boolean; kind: string; latencyMs: number | null; error?: string };
    lag: { ok: boolean; lagMs: number | null; maxLagMs: number };
    capacity: { ok: boolean; streams: number; maxClients: number };
    draining: { ok: boolean };
  };
}

export interface SSEHandler {
  (req: IncomingMessage, res: ServerResponse, next?: () => void): Promise<boolean>;
  readonly log: EventLog;
  readonly counters: Record<string, number>;
  readonly draining: boolean;
  readonly options: Required<SSEHandlerOptions>;
  /** Appends events in order; HTTPError (400/413) for bad input, LogUnavailableError when the log cannot take them. */
  publish(topic: string, events: Array<{ event?: string; type?: string; data?: unknown }>): Promise<LogRecord[]>;
  /** Refuses new streams, sends every open one the drain notice, waits for its clients; ends the rest. */
  drain(options?: { spreadMs?: number; timeoutMs?: number }): Promise<{ streams: number; left: number }>;
  ready(): Promise<Readiness>;
  status(): Record<string, unknown>;
  streams(): SSEStream[];
  /** Serves a stream for a route of the app's own. */
  serveStream(req: IncomingMessage, res: ServerResponse, url?: URL, options?: { topic?: string }): Promise<boolean>;
  onOpen(fn: (stream: SSEStream) => void): () => void;
  /** Destroys every stream (no drain); the log stays open. */
  close(): Promise<void>;
}
export declare function createSSEHandler(options?: SSEHandlerOptions): SSEHandler;

export interface HealthMonitorOptions {
  sse: SSEHandler;
  services: Array<{ name: string; url: string; healthPath?: string }> | Record<string, string>;
  /** The topic its `service-health` events go to ('health'). */
  topic?: string;
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  /** Consecutive failed probes that mean down (2). */
  downAfter?: number;
  /** p95 over this is degraded (2000). */
  slowMs?: number;
  /** How long a client keeps a hint (30000); the fleet republishes every ttlMs / 3. */
  ttlMs?: number;
  prefix?: string;
  instance?: string;
  fetch?: typeof fetch;
}
export interface ServiceHealthEvent {
  service: string;
  state: 'healthy' | 'degraded' | 'down';
  p50Ms: number | null; p95Ms: number | null; p99Ms: number | null;
  errorRate: number;
  /** When the shared state changed (epoch ms); detectedAt: when this instance saw it (a change event only). */
  changedAt: number | null;
  detectedAt: number | null;
  updatedAt: number;
  ttlMs: number;
  by: string;
}
export interface HealthMonitor {
  start(): HealthMonitor;
  stop(): void;
  probeNow(name?: string): Promise<void>;
  snapshot(): ServiceHealthEvent[];
  status(): Record<string, { own: string | null; shared: string | null; failStreak: number }>;
  readonly changes: Array<{ service: string; state: string; detectedAt: number }>;
}
export declare function createHealthMonitor(options: HealthMonitorOptions): HealthMonitor;
export declare const HEALTH_EVENT: 'service-health';

/** SIGTERM/SIGINT: close the listener, drain, close the log, exit. Returns the shutdown function. */
export declare function drainOnSignal(server: Server, handler: SSEHandler, options?: {
  signals?: string[]; timeoutMs?: number; spreadMs?: number; exit?: boolean;
  then?: (result: { streams: number; left: number }) => unknown;
}): () => Promise<{ streams: number; left: number }>;

export declare function formatEvent(e: { id?: string | number | null; event?: string; data?: unknown; retry?: number }): string;
export declare function formatComment(text: string): string;

export declare class HTTPError extends Error {
  constructor(status: number, message: string, options?: { retryAfter?: number; extra?: Record<string, unknown> });
  status: number;
  retryAfter?: number;
}
export declare class LogUnavailableError extends Error {
  code: 'LOG_UNAVAILABLE';
  /** false: never sent (nothing lands later); 'unknown': the connection broke in flight. */
  written: false | 'unknown';
}
export declare const DRAIN_EVENT: 'lifeline:drain';
export declare const RESET_EVENT: 'reset';
