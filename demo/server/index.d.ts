// Types of the reference SSE server and the mock AI services (see docs/servers.md).
// node:http's IncomingMessage / ServerResponse (kept loose: no @types/node in this repo).
type IncomingMessage = any;
type ServerResponse = any;

export const FEED_PATH: '/api/v1/strategist/feed';
export const ANALYSIS_PATH: '/api/v1/strategist/analysis';
export const PUBLISH_PATH: '/api/v1/strategist/publish';

export interface SSEServerOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Generated events every intervalMs; 0 = none. Default 2000. */
  intervalMs?: number;
  /** Default 30000. */
  heartbeatMs?: number;
  /** Events kept for replay. Default 1000. */
  logSize?: number;
  /** Query parameter accepted instead of the Last-Event-ID header. Default 'lastEventId'. */
  lastEventIdParam?: string;
  /** Sends `retry: N` on connect when set. */
  retryMs?: number | null;
  /** Default 600. */
  analysisStepMs?: number;
  maxRuns?: number;
  maxActiveRuns?: number;
  /** Recent connects kept for /__status. Default 200. */
  historySize?: number;
  maxClients?: number;
  /** When set, streams need `Authorization: Bearer <token>`. */
  authToken?: string | null;
  seed?: number;
  generator?: (() => { event: string; data: unknown }) | null;
  extraRoutes?: ((req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean) | null;
  /** Every feed stream starts with an id-less `notice` event {stream, n: 0, hello: true}. */
  helloNotice?: boolean;
  /** A log to serve (e.g. a previous server's): it outlives the server, as a persisted log would. */
  log?: EventLog | null;
}

export interface EventLog {
  readonly lastId: number;
  readonly oldestId: number;
  readonly size: number;
  readonly capacity: number;
}

export type FaultName =
  | 'drop' | 'stall' | 'status' | '500' | '503' | '204' | '401' | '404' | 'html' | 'truncate'
  | 'drip' | 'close-after-event' | 'restart' | 'analysis-error' | 'clear'
  | 'notice' | 'id-only' | 'retry' | 'overlap';

export interface FaultOptions {
  target?: 'all' | 'feed' | 'analysis';
  ms?: number;
  count?: number;
  /** 503: Retry-After seconds. */
  retryAfter?: number;
  /** 'status' fault: 500 | 503 | 204 | 401 | 404 | 'html'. */
  status?: number | string;
  /** stall: send 200 headers to new connects. */
  headers?: boolean;
  /** drip: ms between bytes. */
  byteMs?: number;
  /** close-after-event: publish a fresh event for each connect. */
  publish?: boolean;
  /** restart: ms before listening again. */
  downMs?: number;
  /** analysis-error: stage 1..6. */
  atStage?: number;
  message?: string;
  /** clear: which fault. */
  name?: string;
  /** notice: a text for the notice's data. */
  text?: string;
  /** id-only: each stream's next `skip` events go as id:-only blocks (events it is not to get). */
  skip?: number;
  /** overlap: how many events before the Last-Event-ID the next `count` resumes re-send. */
  events?: number;
}

export interface ConnectRecord {
  t: number;
  path: 'feed' | 'analysis';
  lastEventId: number | null;
  lastEventIdRaw: string | null;
  via: 'header' | 'query' | null;
  status: number;
  fault: string | null;
  clientId: number | null;
  runId?: number;
  /** feed: events re-sent before the Last-Event-ID (the overlap fault). */
  overlap?: number;
}

export interface SSEStatus {
  url: string; port: number; listening: boolean; restarting: boolean;
  connectionsOpen: number; connectionsHeld: number; bufferedBytes: number; connectsTotal: number;
  eventsSent: number; eventsPublished: number; heartbeatsSent: number; bytesSent: number;
  restarts: number; dropped: number; truncated: number; faultAnswers: number; gapsSent: number;
  noticesSent: number; idOnlySent: number; retrySent: number; overlaps: number;
  lastId: number; oldestId: number; logSize: number; logCapacity: number;
  intervalMs: number; heartbeatMs: number;
  faultsActive: Array<{ name: string; [k: string]: unknown }>;
  analysis: { runs: number; active: number };
  connects: ConnectRecord[];
}

export interface PublishedEvent { id: number; event: string; data: unknown; ts: number }

export class SSEServer {
  readonly url: string;
  readonly port: number;
  readonly feedUrl: string;
  readonly analysisUrl: string;
  readonly publishUrl: string;
  readonly log: EventLog;
  /** Connect history (bounded by historySize). */
  readonly history: ConnectRecord[];
  /** When queued faults took effect (bounded by historySize). */
  readonly applied: Array<{ t: number; fault: 'truncate' | 'overlap'; clientId: number }>;
  publish(event: string, data?: unknown): PublishedEvent;
  publish(e: { event?: string; type?: string; data?: unknown }): PublishedEvent;
  publishRaw(text: string): number;
  fault(name: FaultName, opts?: FaultOptions): Record<string, unknown>;
  clearFaults(name?: string): void;
  drop(opts?: { target?: 'all' | 'feed' | 'analysis' }): number;
  restart(opts?: { downMs?: number }): Promise<void>;
  setIntervalMs(ms: number): void;
  reset(opts?: { log?: boolean }): { reset: true; log: boolean };
  status(opts?: { connects?: number }): SSEStatus;
  close(): Promise<void>;
}
export function startSSEServer(opts?: SSEServerOptions): Promise<SSEServer>;

export type AIServiceName = 'gemini' | 'perplexity' | 'llama';
export type AIMode = 'normal' | 'recover' | 'fail' | 'hang' | 'slow' | 'refuse';
export interface AIModeOptions {
  /** fail: HTTP status (default 500). */
  status?: number;
  /** fail: Retry-After seconds. */
  retryAfter?: number;
  /** slow: latency (default 3000). */
  latencyMs?: number;
  /** Revert to normal after ms. */
  ms?: number;
  /** Default true: /health follows the mode. */
  includeHealth?: boolean;
}
export interface AIServiceStatus {
  service: string; url: string; port: number; listening: boolean; mode: Exclude<AIMode, 'recover'>;
  capabilities: string[]; latencyMs: number; jitterMs: number; hanging: number; inFlight: number;
  requests: number; byStatus: Record<string, number>; byPath: Record<string, number>;
  hangsTotal: number; modeChanges: number; refusedPeriods: number; [k: string]: unknown;
}
export class MockAIService {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly capabilities: string[];
  readonly listening: boolean;
  setMode(mode: AIMode, opts?: AIModeOptions): Promise<AIServiceStatus>;
  status(): AIServiceStatus;
  close(): Promise<void>;
}
export interface AIServicesOptions {
  host?: string;
  ports?: Partial<Record<AIServiceName, number>>;
  basePort?: number;
  latencyMs?: number | Partial<Record<AIServiceName, number>>;
  jitterMs?: number;
  seed?: number;
  names?: string[];
  control?: boolean;
  controlPort?: number;
}
export interface AIGroup {
  services: Record<AIServiceName, MockAIService>;
  urls: Record<AIServiceName, string>;
  controlUrl: string | null;
  setMode(name: AIServiceName, mode: AIMode, opts?: AIModeOptions): Promise<AIServiceStatus>;
  status(): Record<AIServiceName, AIServiceStatus>;
  close(): Promise<void>;
}
export const SERVICE_SPECS: Record<AIServiceName, { capabilities: string[]; latencyMs: number; model: string }>;
export const MODES: AIMode[];
export function startAIService(opts: { name: string; port?: number; host?: string; latencyMs?: number; jitterMs?: number; capabilities?: string[]; model?: string; seed?: number }): Promise<MockAIService>;
export function startAIServices(opts?: AIServicesOptions): Promise<AIGroup>;
export function aiControlRoutes(group: AIGroup): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export interface AllUrls {
  sse: string; feed: string; analysis: string; publish: string; status: string; faults: string;
  aiControl: string | null; ai: Record<AIServiceName, string>;
}
export function startAll(opts?: { host?: string; port?: number; sse?: SSEServerOptions; ai?: AIServicesOptions }): Promise<{ sse: SSEServer; ai: AIGroup; urls: AllUrls; close(): Promise<void> }>;

export interface SSEStreamEvent { id: string; event: string; data: string; lastEventId: string }
export interface SSEStream {
  status: number;
  headers: Headers;
  events: SSEStreamEvent[];
  comments: string[];
  retry: number | undefined;
  raw: string;
  chunks: number[];
  ended: boolean;
  error: Error | null;
  lastEventId: string;
  done: Promise<void>;
  waitFor(pred: (s: SSEStream) => boolean, timeoutMs?: number): Promise<SSEStream>;
  waitForEvents(n: number, timeoutMs?: number): Promise<SSEStream>;
  close(): Promise<void>;
}
export function openSSE(url: string, opts?: { headers?: Record<string, string>; method?: string; body?: string; signal?: AbortSignal }): Promise<SSEStream>;
