// Shared by the reference server's tests: a fresh server per test, always closed (and every
// stream the test opened), also when a test timed out, so that nothing keeps the process alive.
import { after } from 'node:test';
import { startSSEServer } from '../../demo/server/sse-server.js';
import { openSSE } from '../../demo/server/test-client.js';

/** Returns withServer(opts, fn): fn(server, open) runs with a server started with base + opts. */
export function serverRunner(base) {
  const live = new Set();
  after(async () => { await Promise.all([...live].map((s) => s.close())); });
  return async function withServer(opts, fn) {
    const server = await startSSEServer({ ...base, ...opts });
    live.add(server);
    const streams = [];
    const open = async (url, o) => {
      const s = await openSSE(url, o);
      streams.push(s);
      return s;
    };
    try {
      await fn(server, open);
    } finally {
      await Promise.all(streams.map((s) => s.close()));
      await server.close();
      live.delete(server);
    }
  };
}
