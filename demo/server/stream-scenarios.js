/**
 * The 16 failoverbench scenarios for streamed calls (router.stream, issue 16) as data, shared by
 * e2e/router-stream.spec.js and bench/router-stream.bench.js. Services: gemini (priority 1,
 * Gemini format), perplexity (2) and llama (3) (OpenAI-compatible), all with 'analysis'.
 * `faults`: the stream fault per service (demo/server/ai-stream.js); `request`: router.stream
 * options besides path and body; `expect`: 'complete' from `service`, or an error with `reason`.
 * `calls` > 1 runs that many calls one after another (`gapMs` apart): the flapping primary.
 * Time limits are short on purpose (ttftMs 800, idleMs 500) so the catalogue runs in seconds.
 */
export const STREAM_REQUEST = Object.freeze({ ttftMs: 800, idleMs: 500 });
export const STREAM_TOKENS = 60;

export const STREAM_SCENARIOS = Object.freeze([
  { name: 'accounting (healthy)', faults: {}, expect: { outcome: 'complete', service: 'gemini', attempts: 1 } },
  { name: '429 with Retry-After', faults: { gemini: { kind: 'status', status: 429, retryAfter: 30 } }, expect: { outcome: 'complete', service: 'perplexity', attempts: 2 } },
  { name: '429 without Retry-After', faults: { gemini: { kind: 'status', status: 429 } }, expect: { outcome: 'complete', service: 'perplexity', attempts: 2 } },
  { name: '500 once', faults: { gemini: { kind: 'status', status: 500, times: 1 } }, expect: { outcome: 'complete', service: 'perplexity', attempts: 2 } },
  { name: '503 persistent', faults: { gemini: { kind: 'status', status: 503 } }, expect: { outcome: 'complete', service: 'perplexity', attempts: 2 } },
  { name: 'connection reset', faults: { gemini: { kind: 'reset' } }, expect: { outcome: 'complete', service: 'perplexity', attempts: 2 } },
  { name: 'no response', faults: { gemini: { kind: 'hang' } }, expect: { outcome: 'complete', service: 'perplexity', attempts: 2 } },
  { name: 'slow first token', faults: { gemini: { kind: 'slow-first', delayMs: 5000 } }, expect: { outcome: 'complete', service: 'perplexity', attempts: 2 } },
  { name: 'cut at token 40 of 60', faults: { gemini: { kind: 'cut', at: 40 } }, request: { afterCommit: 'continue' }, expect: { outcome: 'complete', service: 'perplexity', attempts: 2, continued: true } },
  { name: '20 tokens then 30 s silence', faults: { gemini: { kind: 'stall', at: 20, ms: 30000 } }, request: { afterCommit: 'restart' }, expect: { outcome: 'complete', service: 'perplexity', attempts: 2, restarted: true } },
  { name: 'malformed chunk', faults: { gemini: { kind: 'malformed', at: 10 } }, request: { afterCommit: 'restart' }, expect: { outcome: 'complete', service: 'perplexity', attempts: 2, restarted: true } },
  { name: 'no end marker', faults: { gemini: { kind: 'no-end' } }, request: { afterCommit: 'fail' }, expect: { outcome: 'error', reason: 'broken', partialTokens: 60 } },
  { name: 'context length', faults: { gemini: { kind: 'context-length' } }, expect: { outcome: 'error', reason: 'refused', attempts: 1 } },
  { name: 'content filter', faults: { gemini: { kind: 'filter', at: 5 } }, expect: { outcome: 'error', reason: 'content-filter', attempts: 1, partialTokens: 5 } },
  { name: 'fallback rejects partial', faults: { gemini: { kind: 'cut', at: 40 }, perplexity: { kind: 'reject-partial' } }, request: { afterCommit: 'continue' }, expect: { outcome: 'complete', service: 'llama', attempts: 3, continued: true } },
  // Five 503s open gemini's breaker (the sixth call goes straight to perplexity); after the break
  // (breakerOpenMs 1000 +/- 20 %) the half-open trial answers and closes it: gemini again.
  { name: 'flapping primary', faults: { gemini: { kind: 'status', status: 503, times: 5 } }, calls: 7, gapMs: 0, lastGapMs: 1400,
    expect: { outcome: 'complete', service: 'gemini', services: ['perplexity', 'perplexity', 'perplexity', 'perplexity', 'perplexity', 'perplexity', 'gemini'], attemptsOf6: 1 } },
]);

/** Router options for the scenarios: no probes (faults are for streams only), a short break. */
export const STREAM_ROUTER_OPTIONS = Object.freeze({ probeIntervalMs: 0, breakerOpenMs: 1000, seed: 7 });
