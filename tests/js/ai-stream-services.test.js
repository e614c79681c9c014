// The mock AI services' streamed answers (demo/server/ai-stream.js through ai-services.js): the
// endpoint in each service's format, stream faults switched through the control API, counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAIServices } from '../../demo/server/index.js';
import { fullAnswer } from '../../demo/server/ai-stream.js';
import { STREAM_SCENARIOS } from '../../demo/server/stream-scenarios.js';

const post = (url, body) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('streams in the service format; faults set through /__ai/<name>/stream; continuation resumes the words', async () => {
  const ai = await startAIServices({ names: ['gemini', 'llama'], seed: 3 });
  try {
    let res = await post(`${ai.urls.gemini}/v1/stream/analysis`, { prompt: 'x' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /text\/event-stream/);
    const g = await res.text();
    assert.match(g, /"candidates"/);
    assert.match(g, /"finishReason":"STOP"/);
    res = await post(`${ai.urls.llama}/v1/stream/analysis`, { partial: fullAnswer(58) });
    const l = await res.text();
    assert.match(l, /"content":"w58 "/);
    assert.doesNotMatch(l, /"content":"w57 "/);
    assert.match(l, /data: \[DONE\]/);
    res = await post(`${ai.controlUrl}/__ai/llama/stream`, { kind: 'status', status: 429, retryAfter: 3, times: 1 });
    assert.equal((await res.json()).fault, 'status');
    res = await post(`${ai.urls.llama}/v1/stream/analysis`, {});
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '3');
    await res.text();
    res = await post(`${ai.urls.llama}/v1/stream/analysis`, {}); // times: 1, healthy again
    assert.equal(res.status, 200);
    await res.text();
    res = await post(`${ai.controlUrl}/__ai/llama/stream`, { kind: 'bogus' });
    assert.equal(res.status, 400);
    await res.text();
    const st = ai.services.llama.status().stream.counters;
    assert.equal(st.requests, 3);
    assert.equal(st.complete, 2);
    assert.equal(st.continued, 1);
    assert.equal((await post(`${ai.urls.gemini}/v1/stream/search`, {})).status, 404);
  } finally {
    await ai.close();
  }
});

test('the scenario table has the 16 failoverbench scenarios, each with an expected outcome', () => {
  assert.equal(STREAM_SCENARIOS.length, 16);
  assert.equal(new Set(STREAM_SCENARIOS.map((s) => s.name)).size, 16);
  for (const s of STREAM_SCENARIOS) assert.ok(['complete', 'error'].includes(s.expect.outcome), s.name);
});
