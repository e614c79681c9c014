// lifeline-sse/server is its own subpath: Node resolves it by the package name, the tarball ships
// server/, and nothing the browser entry points import reaches it (no server code in a bundle).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('lifeline-sse/server resolves by name to server/index.js, with its types', async () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.deepEqual(pkg.exports['./server'], { types: './server/index.d.ts', default: './server/index.js' });
  const mod = await import('lifeline-sse/server');
  for (const name of ['createSSEHandler', 'memoryLog', 'redisLog', 'createHealthMonitor', 'drainOnSignal']) assert.equal(typeof mod[name], 'function', name);
  assert.ok(pkg.peerDependenciesMeta['@redis/client']?.optional, 'the Redis client is an optional peer');
});

test('no file of js/ imports the server, and the server imports nothing of js/', () => {
  const files = (dir) => readdirSync(join(root, dir), { recursive: true }).filter((f) => /\.(js|ts)$/.test(f)).map((f) => join(dir, f));
  const imports = (f) => [...readFileSync(join(root, f), 'utf8').matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
  for (const f of files('js')) assert.ok(!imports(f).some((s) => /(^|\/)server(\/|$)|lifeline-sse\/server/.test(s)), `${f} imports no server code`);
  for (const f of files('server')) assert.ok(!imports(f).some((s) => s.includes('/js/') || s.startsWith('../js')), `${f} imports nothing of js/`);
});

test('the tarball ships server/ (npm pack --dry-run)', () => {
  const out = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const paths = out[0].files.map((f) => f.path);
  for (const f of ['server/index.js', 'server/index.d.ts', 'server/handler.js', 'server/redis-log.js', 'server/memory-log.js']) assert.ok(paths.includes(f), f);
  assert.ok(!paths.some((p) => p.startsWith('demo/') || p.startsWith('tests/')), 'no demo or test files');
});
