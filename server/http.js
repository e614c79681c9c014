/**
 * Small HTTP helpers of the server module: CORS, JSON answers, a bounded body reader.
 */
import { HTTPError } from './errors.js';

/** CORS headers: the request's Origin echoed (with credentials), or `*`. */
export function corsHeaders(req) {
  const origin = req.headers.origin;
  const h = {
    'access-control-allow-headers': 'Last-Event-ID, Authorization, Content-Type, Cache-Control',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-expose-headers': 'Retry-After',
    'access-control-max-age': '600',
  };
  if (origin) {
    h['access-control-allow-origin'] = origin;
    h['access-control-allow-credentials'] = 'true';
    h.vary = 'Origin';
  } else h['access-control-allow-origin'] = '*';
  return h;
}

export function sendJSON(req, res, status, body, extra = {}) {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...corsHeaders(req), 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text), ...extra,
  });
  res.end(text);
}

/** Answers an HTTPError (or any error as 500) without throwing. */
export function sendError(req, res, err) {
  const status = err.status ?? 500;
  const extra = err.retryAfter !== undefined ? { 'retry-after': String(err.retryAfter) } : {};
  sendJSON(req, res, status, { error: err.message, ...err.extra }, extra);
}

/** Reads a JSON body of at most maxBytes (413 beyond, 400 when it does not parse). */
export function readJSON(req, maxBytes) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > maxBytes) {
      req.resume();
      return reject(new HTTPError(413, `body over ${maxBytes} bytes`));
    }
    const chunks = [];
    let n = 0;
    let done = false;
    req.on('data', (c) => {
      if (done) return;
      n += c.length;
      if (n > maxBytes) {
        done = true;
        req.resume();
        return reject(new HTTPError(413, `body over ${maxBytes} bytes`));
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text.trim()) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HTTPError(400, 'body is not JSON'));
      }
    });
    req.on('error', (err) => { if (!done) { done = true; reject(err); } });
  });
}

/** A token bucket: `take()` is true while at most `perSecond` (with `burst`) are taken. */
export function rateLimiter(perSecond, burst = perSecond * 2) {
  let tokens = burst;
  let at = Date.now();
  return {
    take() {
      if (!(perSecond > 0)) return true;
      const now = Date.now();
      tokens = Math.min(burst, tokens + ((now - at) / 1000) * perSecond);
      at = now;
      if (tokens < 1) return false;
      tokens--;
      return true;
    },
  };
}
