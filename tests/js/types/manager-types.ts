// Compiled by tests/js/manager-types.test.js with tsc --strict: the manager's declarations.
import {
  init, createManager, createFetchTransport, browserEnvironment, parseRetryAfter,
  type ConnectionStatus, type SSEEvent, type ManagerMetrics, type ConnectOptions,
} from '../../../js/index.js';

export async function demo(): Promise<number> {
  await init();
  const m = createManager({ lingerMs: 0, environment: browserEnvironment(), transports: { fetch: createFetchTransport() } });
  const opts: ConnectOptions = {
    transport: 'fetch', headers: async () => ({ authorization: 'Bearer x' }), backoff: { jitter: 'full', initialMs: 500 },
    breaker: { consecutiveFailures: 3 }, endpoints: ['http://b/feed'], features: { watchdog: false }, replay: 10,
    onAuthRequired: async ({ status }) => (status === 401 ? { authorization: 'Bearer y' } : undefined),
  };
  const disconnect = m.connect('feed', 'http://a/feed', opts);
  const off = m.subscribe('feed', (e: SSEEvent) => console.log(e.type, e.data, e.id, e.channel, e.replayed === true), { events: ['poll'], priority: 1, replay: 5 });
  const status: ConnectionStatus = m.statusStore('feed').getSnapshot();
  const unsub = m.onStatus('feed', (s) => console.log(s.state, s.reconnectInMs, s.lastError?.reason));
  const metrics: ManagerMetrics = m.getMetrics();
  m.retryNow('feed');
  off();
  unsub();
  disconnect();
  m.closeAll();
  m.destroy();
  return status.attempt + (metrics.recoveryMs?.count ?? 0) + parseRetryAfter('5') + (m.getPrometheusMetrics()?.length ?? 0);
}
