/**
 * lifeline-sse/server (Node >= 20): the server half of Lifeline's no-loss promise. An SSE
 * handler for node:http, Express or Fastify over an event log kept in memory (one process) or
 * in Redis Streams (a fleet); graceful drain; deep health; AI-service health shared in Redis.
 * Nothing here is imported by the browser entry points. See docs/servers.md.
 */
export { createSSEHandler } from './handler.js';
export { memoryLog, MemoryLog } from './memory-log.js';
export { redisLog, RedisLog, parseStreamId, compareStreamIds, lostPosition } from './redis-log.js';
export { createHealthMonitor, HEALTH_EVENT } from './ai-health.js';
export { formatEvent, formatComment } from './sse-format.js';
export { HTTPError, LogUnavailableError } from './errors.js';
export { DRAIN_EVENT, RESET_EVENT } from './stream.js';
export { drainOnSignal } from './drain.js';

/** The log named by the environment: redisLog(REDIS_URL) when it is set, else memoryLog(). */
export async function logFromEnv(env = process.env, opts = {}) {
  if (env.REDIS_URL) {
    const { redisLog } = await import('./redis-log.js');
    return redisLog(env.REDIS_URL, opts.redis);
  }
  const { memoryLog } = await import('./memory-log.js');
  return memoryLog(opts.memory);
}
