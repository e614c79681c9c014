/**
 * The reference SSE server and the mock AI services, for tests, benchmarks and the demo.
 * See docs/servers.md.
 */
import { startSSEServer } from './sse-server.js';
import { startAIServices, aiControlRoutes } from './ai-services.js';

export { startSSEServer, SSEServer, FEED_PATH, ANALYSIS_PATH, PUBLISH_PATH } from './sse-server.js';
export { startAIServices, startAIService, MockAIService, SERVICE_SPECS, MODES, aiControlRoutes } from './ai-services.js';
export { openSSE } from './test-client.js';

/**
 * Starts the SSE server and the three AI services. opts.sse goes to startSSEServer, opts.ai to
 * startAIServices; opts.port / opts.host are shortcuts for the SSE server. When opts.port is a
 * fixed port and opts.ai has no ports, the services try the ports after it. The SSE server also
 * answers the AI control routes (/__ai/...), so one origin can drive every fault.
 * Resolves to {sse, ai, urls, close()}.
 */
export async function startAll(opts = {}) {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? opts.sse?.port ?? 0;
  let group = null;
  const sse = await startSSEServer({
    ...opts.sse, host, port,
    extraRoutes: (req, res, url) => (group ? aiControlRoutes(group)(req, res, url) : false),
  });
  try {
    const aiOpts = { host, ...opts.ai };
    if (port && !aiOpts.ports && aiOpts.basePort === undefined) aiOpts.basePort = sse.port + 1;
    group = await startAIServices(aiOpts);
  } catch (err) {
    await sse.close();
    throw err;
  }
  const urls = {
    sse: sse.url, feed: sse.feedUrl, analysis: sse.analysisUrl, publish: sse.publishUrl,
    status: `${sse.url}/__status`, faults: `${sse.url}/__fault/`, aiControl: group.controlUrl,
    ai: group.urls,
  };
  return {
    sse, ai: group, urls,
    close: async () => { await Promise.all([sse.close(), group.close()]); },
  };
}
