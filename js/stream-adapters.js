/**
 * Format adapters for streamed AI answers: what one parsed SSE event means for the call. Each
 * adapter turns an event { type, data, lastEventId } into a list of parts
 * { kind, text?, finishReason?, message? } with kind one of CHUNK (stream-core.js): content (text
 * for the user), keepalive (no content: role-only or empty deltas), end (the service's own end
 * marker), malformed, error (an in-band error such as an `error` field under HTTP 200),
 * filtered (a content-filter stop). The C core decides what each kind means for the attempt.
 *
 * Built in: 'openai' (OpenAI-compatible: llama.cpp's server, Perplexity: `data: {...}` chunks
 * with choices[0].delta.content and finish_reason, then `data: [DONE]`), 'gemini'
 * (streamGenerateContent?alt=sse: candidates[0].content.parts[].text, finishReason) and 'sse'
 * (plain SSE: each event's data is text; `event: end` or `event: done` ends, `event: error` is
 * an in-band error). An app passes its own as { text(data, event), isEnd(data, event),
 * error(data, event), filtered?(data, event) } (typed in js/router-stream.d.ts). Internal to js/router-stream.js.
 */
import { CHUNK } from './stream-core.js';

const KEEPALIVE = Object.freeze([{ kind: CHUNK.keepalive }]);
const MALFORMED = Object.freeze([{ kind: CHUNK.malformed }]);

// Finish reasons that mean the service refused to go on for content reasons.
const OPENAI_FILTERED = new Set(['content_filter']);
const GEMINI_FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']);

function parseJson(data) {
  try {
    const v = JSON.parse(data);
    return v !== null && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

function errorPart(err) {
  const message = typeof err === 'string' ? err : (err && (err.message || err.code || err.status)) || 'error in the stream';
  return { kind: CHUNK.error, message: String(message) };
}

/** Content (if any) then the end or filter part a finish reason means. */
function withFinish(text, finishReason, filtered) {
  const parts = [];
  if (text) parts.push({ kind: CHUNK.content, text });
  if (finishReason) parts.push({ kind: filtered.has(finishReason) ? CHUNK.filtered : CHUNK.end, finishReason });
  return parts.length ? parts : KEEPALIVE;
}

const openai = Object.freeze({
  name: 'openai',
  classify({ data }) {
    if (data.trim() === '[DONE]') return [{ kind: CHUNK.end, finishReason: null, marker: true }];
    const v = parseJson(data);
    if (!v) return MALFORMED;
    if (v.error) return [errorPart(v.error)];
    const c = Array.isArray(v.choices) ? v.choices[0] : undefined;
    if (!c) return v.object || v.usage ? KEEPALIVE : MALFORMED; // a usage-only chunk is fine
    const text = c.delta && typeof c.delta.content === 'string' ? c.delta.content : typeof c.text === 'string' ? c.text : '';
    return withFinish(text, c.finish_reason || null, OPENAI_FILTERED);
  },
});

const gemini = Object.freeze({
  name: 'gemini',
  classify({ data }) {
    const v = parseJson(data);
    if (!v) return MALFORMED;
    if (v.error) return [errorPart(v.error)];
    if (v.promptFeedback && v.promptFeedback.blockReason) return [{ kind: CHUNK.filtered, finishReason: v.promptFeedback.blockReason }];
    const c = Array.isArray(v.candidates) ? v.candidates[0] : undefined;
    if (!c) return v.usageMetadata ? KEEPALIVE : MALFORMED;
    const parts = c.content && Array.isArray(c.content.parts) ? c.content.parts : [];
    const text = parts.map((p) => (p && typeof p.text === 'string' ? p.text : '')).join('');
    const fr = c.finishReason && c.finishReason !== 'FINISH_REASON_UNSPECIFIED' ? c.finishReason : null;
    return withFinish(text, fr, GEMINI_FILTERED);
  },
});

const sse = Object.freeze({
  name: 'sse',
  classify({ type, data }) {
    if (type === 'end' || type === 'done') return [{ kind: CHUNK.end, finishReason: data || null }];
    if (type === 'error') return [errorPart(data || 'error in the stream')];
    return data ? [{ kind: CHUNK.content, text: data }] : KEEPALIVE;
  },
});

/** An app's adapter: its callbacks see the event's data (a string) and the whole event. */
function custom(spec) {
  for (const k of ['text', 'isEnd', 'error']) {
    if (typeof spec[k] !== 'function') throw new TypeError(`router.stream: a custom format needs a function ${k}(data, event)`);
  }
  return Object.freeze({
    name: spec.name || 'custom',
    classify(event) {
      try {
        const err = spec.error(event.data, event);
        if (err) return [errorPart(err)];
        if (spec.filtered && spec.filtered(event.data, event)) return [{ kind: CHUNK.filtered, finishReason: 'filtered' }];
        const text = spec.text(event.data, event);
        const end = spec.isEnd(event.data, event);
        const parts = [];
        if (typeof text === 'string' && text) parts.push({ kind: CHUNK.content, text });
        if (end) parts.push({ kind: CHUNK.end, finishReason: typeof end === 'string' ? end : null });
        return parts.length ? parts : KEEPALIVE;
      } catch {
        return MALFORMED; // the app's parser could not read it: the chunk is malformed
      }
    },
  });
}

const BUILT_IN = { openai, gemini, sse };

/** The adapter for a format name or an app's spec; throws a TypeError for anything else. */
export function adapterFor(format = 'openai') {
  if (typeof format === 'string') {
    const a = BUILT_IN[format];
    if (!a) throw new TypeError(`router.stream: unknown format '${format}' (openai, gemini, sse, or { text, isEnd, error })`);
    return a;
  }
  if (format && typeof format === 'object') return format.classify ? format : custom(format);
  throw new TypeError('router.stream: format must be a name or { text, isEnd, error }');
}

/** The text of an in-band error in a non-stream body (a JSON error answer), or ''. */
export function errorMessageOf(bodyText) {
  const v = parseJson(bodyText);
  const e = v && (v.error ?? v.message);
  if (!e) return bodyText ? bodyText.slice(0, 300) : '';
  return typeof e === 'string' ? e : String(e.message || e.code || JSON.stringify(e)).slice(0, 300);
}
