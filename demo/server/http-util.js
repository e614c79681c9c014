/**
 * Small HTTP helpers shared by the reference SSE server and the mock AI services: CORS, bounded
 * JSON bodies, JSON answers, listening and closing with socket tracking.
 */

export const ALLOW_HEADERS = 'Last-Event-ID, Authorization, Content-Type, Cache-Control, Accept, X-Requested-With, X-Request-Id';
export const EXPOSE_HEADERS = 'Retry-After, Content-Type, X-Request-Id, X-Service, X-Lifeline-Server';
export const MAX_BODY_BYTES = 64 * 1024;

/** CORS headers for a request: echoes its Origin (with credentials allowed) or answers `*`. */
export function corsHeaders(req) {
  const origin = req.headers.origin;
  const h = {
    'access-control-allow-headers': ALLOW_HEADERS,
    'access-control-expose-headers': EXPOSE_HEADERS,
    'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  };
  if (origin) {
    h['access-control-allow-origin'] = origin;
    h['access-control-allow-credentials'] = 'true';
    h.vary = 'Origin';
  } else {
    h['access-control-allow-origin'] = '*';
  }
  return h;
}

/** Answers an OPTIONS preflight with 204. */
export function answerPreflight(req, res) {
  res.writeHead(204, { ...corsHeaders(req), 'access-control-max-age': '600', 'content-length': '0' });
  res.end();
}

export function sendJSON(req, res, status, body, extra = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...corsHeaders(req),
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-cache',
    'content-length': Buffer.byteLength(text),
    ...extra,
  });
  res.end(text);
}

/**
 * Reads a JSON body of at most MAX_BODY_BYTES. Resolves to {} for an empty body; rejects with an
 * Error carrying `status` (413 too large, 400 bad JSON).
 */
export function readJSON(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        const err = new Error('body too large');
        err.status = 413;
        reject(err);
        // Keep draining (and discarding) so that the 413 reaches the client instead of a reset.
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (!text) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        const err = new Error('body is not valid JSON');
        err.status = 400;
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

/** Tracks every socket of a server so that close() can destroy them (keep-alive included). */
export function trackSockets(server) {
  const sockets = new Set();
  server.on('connection', (s) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

/** Listens on host:port (0 = any free port); resolves to the bound port. */
export function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    const onError = (err) => reject(err);
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      resolve(server.address().port);
    });
  });
}

/** Stops listening and destroys every tracked socket; resolves once the listener is closed. */
export function closeServer(server, sockets) {
  return new Promise((resolve) => {
    if (!server.listening) {
      for (const s of sockets) s.destroy();
      resolve();
      return;
    }
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
}

/** Clamps a user-given number into [min, max], with a default for missing or invalid values. */
export function clampNum(v, def, min, max) {
  const n = Number(v);
  if (v === undefined || v === null || v === '' || !Number.isFinite(n)) return def;
  return Math.min(max, Math.max(min, n));
}

/** mulberry32: a tiny seeded PRNG so demo content is reproducible from a seed. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
