// The mock AI services over real loopback HTTP: endpoints, modes, counters, control API, CLI.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startAIServices, startAll } from '../../demo/server/index.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const post = (url, body, extra = {}) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}), ...extra });

const T = { timeout: 20000 }; // per test: a server bug must fail a test, not hang the run
// Closed here too, so that a test that timed out cannot keep the process alive.
const live = new Set();
after(async () => { await Promise.all([...live].map((s) => s.close())); });

async function withServices(opts, fn) {
  const ai = await startAIServices({ latencyMs: 5, jitterMs: 2, ...opts });
  live.add(ai);
  try {
    await fn(ai);
  } finally {
    await ai.close();
  }
}

describe('mock AI services', T, () => {
  test('three services on their own ports, health and capabilities', async () => {
    await withServices({}, async (ai) => {
      const ports = new Set(Object.values(ai.services).map((s) => s.port));
      assert.equal(ports.size, 3);
      const caps = { gemini: ['analysis', 'summary'], perplexity: ['analysis', 'search'], llama: ['analysis', 'summary'] };
      for (const [name, svc] of Object.entries(ai.services)) {
        const r = await fetch(`${svc.url}/health`);
        assert.equal(r.status, 200);
        const body = await r.json();
        assert.equal(body.status, 'ok');
        assert.equal(body.service, name);
        assert.deepEqual(body.capabilities, caps[name]);
        assert.equal(ai.urls[name], svc.url);
      }
    });
  });

  test('analyze names the service; summary and search where supported, 404 elsewhere', async () => {
    await withServices({}, async (ai) => {
      for (const name of ['gemini', 'perplexity', 'llama']) {
        const r = await post(`${ai.urls[name]}/v1/analyze`, { ward: 'Riverside' });
        assert.equal(r.status, 200);
        const body = await r.json();
        assert.equal(body.service, name);
        assert.equal(body.capability, 'analysis');
        assert.match(body.result.summary, /Riverside/);
        assert.equal(r.headers.get('x-service'), name);
        // A stage of the demo's ward analysis names its focus; the answer is about it.
        const staged = await (await post(`${ai.urls[name]}/v1/analyze`, { ward: 'Riverside', focus: 'Polling position' })).json();
        assert.equal(staged.result.summary, `${name} on polling position in Riverside`);
      }
      assert.equal((await post(`${ai.urls.gemini}/v1/summary`, { topic: 'x' })).status, 200);
      assert.equal((await post(`${ai.urls.llama}/v1/summary`, { topic: 'x' })).status, 200);
      const search = await (await post(`${ai.urls.perplexity}/v1/search`, { query: 'Old Town' })).json();
      assert.equal(search.result.results.length, 3);
      assert.equal((await post(`${ai.urls.gemini}/v1/search`, {})).status, 404);
      assert.equal((await post(`${ai.urls.perplexity}/v1/summary`, {})).status, 404);
    });
  });

  test('base latency plus jitter', async () => {
    await withServices({ latencyMs: 80, jitterMs: 10 }, async (ai) => {
      const t0 = Date.now();
      const r = await post(`${ai.urls.llama}/v1/analyze`, {});
      const took = Date.now() - t0;
      assert.equal(r.status, 200);
      assert.ok(took >= 68 && took < 3000, `took ${took} ms`);
      const body = await r.json();
      assert.ok(body.latencyMs >= 68);
    });
  });

  test('CORS preflight for JSON POSTs, origin echoed on answers', async () => {
    await withServices({}, async (ai) => {
      const pre = await fetch(`${ai.urls.gemini}/v1/analyze`, {
        method: 'OPTIONS',
        headers: { origin: 'http://127.0.0.1:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), 'http://127.0.0.1:5173');
      assert.match(pre.headers.get('access-control-allow-headers'), /Content-Type/);
      const r = await post(`${ai.urls.gemini}/v1/analyze`, {}, { headers: { 'content-type': 'application/json', origin: 'http://x.test' } });
      assert.equal(r.headers.get('access-control-allow-origin'), 'http://x.test');
      await r.body.cancel();
    });
  });

  test('fail mode answers 500 (or a chosen status with Retry-After), health included unless excluded', async () => {
    await withServices({}, async (ai) => {
      await ai.setMode('gemini', 'fail');
      assert.equal((await post(`${ai.urls.gemini}/v1/analyze`, {})).status, 500);
      assert.equal((await fetch(`${ai.urls.gemini}/health`)).status, 500);
      assert.equal((await post(`${ai.urls.llama}/v1/analyze`, {})).status, 200, 'other services unaffected');
      const r = await post(`${ai.urls.gemini}/__mode`, { mode: 'fail', status: 503, retryAfter: 4, includeHealth: false });
      assert.equal((await r.json()).mode, 'fail');
      const f = await post(`${ai.urls.gemini}/v1/analyze`, {});
      assert.equal(f.status, 503);
      assert.equal(f.headers.get('retry-after'), '4');
      assert.equal((await fetch(`${ai.urls.gemini}/health`)).status, 200);
      await post(`${ai.urls.gemini}/__mode`, { mode: 'recover' });
      assert.equal((await post(`${ai.urls.gemini}/v1/analyze`, {})).status, 200);
    });
  });

  test('hang accepts and never answers; switching back destroys the hanging requests', async () => {
    await withServices({}, async (ai) => {
      await ai.setMode('perplexity', 'hang');
      let settled = false;
      const pending = post(`${ai.urls.perplexity}/v1/analyze`, {}).finally(() => { settled = true; });
      await sleep(200);
      assert.equal(settled, false);
      const st = await (await fetch(`${ai.urls.perplexity}/__status`)).json();
      assert.equal(st.hanging, 1);
      assert.equal(st.mode, 'hang');
      await ai.setMode('perplexity', 'normal');
      await assert.rejects(pending);
      assert.equal((await post(`${ai.urls.perplexity}/v1/analyze`, {})).status, 200);
    });
  });

  test('slow mode adds the given latency', async () => {
    await withServices({}, async (ai) => {
      await post(`${ai.urls.llama}/__mode`, { mode: 'slow', latencyMs: 300 });
      const t0 = Date.now();
      assert.equal((await post(`${ai.urls.llama}/v1/analyze`, {})).status, 200);
      assert.ok(Date.now() - t0 >= 280);
    });
  });

  test('refuse closes the listener (ECONNREFUSED); recover reopens the same port', async () => {
    await withServices({}, async (ai) => {
      const port = ai.services.gemini.port;
      const r = await post(`${ai.urls.gemini}/__mode`, { mode: 'refuse' });
      assert.equal(r.status, 202);
      await sleep(50);
      await assert.rejects(fetch(`${ai.urls.gemini}/health`), (err) => err.cause?.code === 'ECONNREFUSED');
      assert.equal(ai.services.gemini.listening, false);
      // The group control server still reaches it.
      const c = await post(`${ai.controlUrl}/__ai/gemini/mode`, { mode: 'recover' });
      assert.equal((await c.json()).mode, 'normal');
      assert.equal(ai.services.gemini.port, port);
      assert.equal((await fetch(`${ai.urls.gemini}/health`)).status, 200);
    });
  });

  test('modes with ms revert to normal by themselves', async () => {
    await withServices({}, async (ai) => {
      await ai.setMode('llama', 'refuse', { ms: 150 });
      await assert.rejects(fetch(`${ai.urls.llama}/health`));
      await ai.setMode('gemini', 'fail', { ms: 150 });
      assert.equal((await post(`${ai.urls.gemini}/v1/analyze`, {})).status, 500);
      await sleep(300);
      assert.equal((await fetch(`${ai.urls.llama}/health`)).status, 200);
      assert.equal((await post(`${ai.urls.gemini}/v1/analyze`, {})).status, 200);
    });
  });

  test('counters by status and path; reset; bad mode rejected', async () => {
    await withServices({}, async (ai) => {
      await post(`${ai.urls.gemini}/v1/analyze`, {});
      await fetch(`${ai.urls.gemini}/health`);
      await ai.setMode('gemini', 'fail');
      await post(`${ai.urls.gemini}/v1/analyze`, {});
      await post(`${ai.urls.gemini}/v1/search`, {});
      let st = await (await fetch(`${ai.urls.gemini}/__status`)).json();
      assert.equal(st.requests, 4);
      assert.deepEqual(st.byStatus, { 200: 2, 500: 2 });
      assert.deepEqual(st.byPath, { '/v1/analyze': 2, '/health': 1, '/v1/search': 1 });
      assert.equal((await post(`${ai.urls.gemini}/__mode`, { mode: 'explode' })).status, 400);
      const all = await (await fetch(`${ai.controlUrl}/__ai/status`)).json();
      assert.deepEqual(Object.keys(all), ['gemini', 'perplexity', 'llama']);
      await post(`${ai.controlUrl}/__ai/reset`);
      st = await (await fetch(`${ai.urls.gemini}/__status`)).json();
      assert.equal(st.requests, 0);
      assert.equal(st.mode, 'normal');
    });
  });

  test('close() ends hanging requests and refused services cleanly', async () => {
    const ai = await startAIServices({ latencyMs: 5 });
    live.add(ai);
    await ai.setMode('gemini', 'hang');
    await ai.setMode('llama', 'refuse');
    const pending = post(`${ai.urls.gemini}/v1/analyze`, {});
    await sleep(50);
    await ai.close();
    await assert.rejects(pending);
  });
});

describe('startAll and the CLI', T, () => {
  test('startAll gives every URL; the SSE server answers /__ai control routes', async () => {
    const all = await startAll({ sse: { intervalMs: 0 }, ai: { latencyMs: 5 } });
    live.add(all);
    try {
      assert.equal(all.urls.feed, `${all.sse.url}/api/v1/strategist/feed`);
      assert.deepEqual(Object.keys(all.urls.ai), ['gemini', 'perplexity', 'llama']);
      const r = await post(`${all.sse.url}/__ai/perplexity/mode`, { mode: 'fail' });
      assert.equal((await r.json()).mode, 'fail');
      assert.equal((await post(`${all.urls.ai.perplexity}/v1/search`, {})).status, 500);
      assert.equal((await fetch(`${all.sse.url}/__ai/status`)).status, 200);
    } finally {
      await all.close();
    }
  });

  test('cli.js prints one JSON line of URLs and stops on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('../../demo/server/cli.js', import.meta.url));
    const child = spawn(process.execPath, [cli, '--port', '0', '--interval', '50', '--ai-latency', '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
    live.add({ close: async () => { if (child.exitCode === null) child.kill('SIGKILL'); } });
    try {
      let out = '';
      for await (const chunk of child.stdout) {
        out += chunk;
        if (out.includes('\n')) break;
      }
      const urls = JSON.parse(out.split('\n')[0]);
      assert.equal((await fetch(`${urls.sse}/health`)).status, 200);
      assert.equal((await fetch(`${urls.ai.llama}/health`)).status, 200);
      const st = await (await fetch(urls.status)).json();
      assert.equal(st.intervalMs, 50);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
