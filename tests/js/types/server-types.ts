// Usage of lifeline-sse/server as an app writes it; compiled with tsc --strict (server-types.test.js).
import { createServer } from 'node:http';
import {
  createSSEHandler, memoryLog, redisLog, createHealthMonitor, drainOnSignal, logFromEnv, lostPosition, parseStreamId,
  HTTPError, LogUnavailableError, DRAIN_EVENT, RESET_EVENT, HEALTH_EVENT,
  type EventLog, type SSEHandler, type Readiness, type LogRecord, type LostReason, type ServiceHealthEvent,
} from '../../../server/index.js';

const log: EventLog = process.env.REDIS_URL ? redisLog(process.env.REDIS_URL, { maxLen: 5000 }) : memoryLog({ capacity: 100 });
const sse: SSEHandler = createSSEHandler({ log, heartbeatMs: 15000, retryMs: 2000, paths: { stream: '/events' }, drain: { spreadMs: 500 } });
const server = createServer((req, res) => { void sse(req, res); });
const shutdown: () => Promise<{ streams: number; left: number }> = drainOnSignal(server, sse, { timeoutMs: 5000 });
void shutdown;

async function use(): Promise<void> {
  const recs: LogRecord[] = await sse.publish('feed', [{ event: 'poll', data: { share: 41 } }]);
  const id: string = recs[0].id;
  const r: Readiness = await sse.ready();
  const ok: boolean = r.checks.log.ok && r.checks.draining.ok;
  const reason: LostReason | null = lostPosition(id, { exists: true, last: id, maxDeleted: '0-0', epoch: null, trimmed: null, first: null, added: 1, length: 1 });
  const parsed: string | null = parseStreamId('41');
  const d = await sse.drain();
  const n: number = d.streams - d.left;
  const monitor = createHealthMonitor({ sse, services: { gemini: 'http://127.0.0.1:1' }, probeIntervalMs: 500 }).start();
  const snap: ServiceHealthEvent[] = monitor.snapshot();
  monitor.stop();
  const env: EventLog = await logFromEnv();
  const names: string[] = [DRAIN_EVENT, RESET_EVENT, HEALTH_EVENT];
  try {
    await sse.publish('feed', [{ event: 'x' }]);
  } catch (err) {
    if (err instanceof HTTPError) console.log(err.status);
    if (err instanceof LogUnavailableError) console.log(err.written === 'unknown');
  }
  // @ts-expect-error: an unknown option is refused by the types too
  createSSEHandler({ heartbeat: 5 });
  console.log(ok, reason, parsed, n, snap, env, names, sse.draining, sse.streams().length);
}
void use();
