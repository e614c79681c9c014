/**
 * SIGTERM (and SIGINT) as a graceful drain: stop accepting connections, tell every client to
 * move (the handler's drain notice), wait for them within the bound, close the log, exit.
 */

/**
 * server: the node:http server; handler: createSSEHandler's; then: extra cleanup (async).
 * Returns a function that runs the same shutdown (for tests and other triggers).
 */
export function drainOnSignal(server, handler, { signals = ['SIGTERM', 'SIGINT'], timeoutMs, spreadMs, then, exit = true } = {}) {
  let running = null;
  const shutdown = () => {
    running ??= (async () => {
      server.close(); // no new connections: a client that tries this instance fails over at once
      server.closeIdleConnections?.();
      const result = await handler.drain({ timeoutMs, spreadMs });
      await then?.(result);
      await handler.log.close?.();
      server.closeAllConnections?.();
      if (exit) process.exit(0);
      return result;
    })();
    return running;
  };
  for (const s of signals) process.once(s, shutdown);
  return shutdown;
}
