/**
 * Starts the demo: the reference SSE server and mock AI services (demo/server startAll) and
 * Vite's dev server for demo/app, which answers GET /demo-config.json with the servers' URLs.
 * Used by demo/start.js (CLI) and by e2e tests. Everything binds 127.0.0.1.
 */
import { createServer } from 'vite';
import { fileURLToPath } from 'node:url';

const configFile = fileURLToPath(new URL('./app/vite.config.js', import.meta.url));

/**
 * opts: startAll (from demo/server), port (Vite, default 5173; 0 = a free port), sse/ai (passed
 * to startAll), plugins (extra Vite plugins), hmr (default true; tests turn it off, so an edit
 * of the working tree during a run cannot reload or hot-swap the page under test). Resolves to
 * { url, urls, servers, vite, close() }.
 */
export async function launchDemo({ startAll, port = 5173, sse = {}, ai = {}, plugins = [], hmr = true } = {}) {
  const servers = await startAll({ sse: { intervalMs: 1500, heartbeatMs: 5000, analysisStepMs: 900, ...sse }, ai });
  const config = { ...servers.urls, startedAt: Date.now() };
  let vite;
  try {
    vite = await createServer({
      configFile,
      server: { port, host: '127.0.0.1', strictPort: port !== 5173 && port !== 0, ...(hmr ? {} : { hmr: false, watch: null }) },
      plugins: [{
        name: 'lifeline-demo-config',
        configureServer(server) {
          server.middlewares.use('/demo-config.json', (req, res) => {
            res.setHeader('content-type', 'application/json');
            res.setHeader('cache-control', 'no-store');
            res.end(JSON.stringify(config));
          });
        },
      }, ...plugins],
    });
    await vite.listen();
  } catch (err) {
    await servers.close();
    throw err;
  }
  const address = vite.httpServer.address();
  const url = `http://127.0.0.1:${address.port}/`;
  return {
    url, urls: servers.urls, servers, vite,
    close: async () => { await vite.close(); await servers.close(); },
  };
}
