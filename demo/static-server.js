/**
 * A small static file server over the repository root, bound to 127.0.0.1. The e2e tests and the
 * demo use it to serve pages that import the package straight from js/ and dist/ (no bundler).
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/** Starts the server; resolves to { url, close() }. port 0 picks a free port. */
export async function startStaticServer({ port = 0, host = '127.0.0.1', dir = root } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? path + 'index.html' : path));
    if (!file.startsWith(normalize(dir + sep)) && file !== normalize(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      // Readable from any origin, an opaque one too (a sandboxed iframe's module scripts and Wasm
      // are CORS requests from origin "null"): the files are public.
      res.writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache',
        'access-control-allow-origin': '*',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const { port: actual } = server.address();
  return {
    url: `http://${host}:${actual}`,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
