/**
 * The one way the shim decodes text. Stream text (event fields, ids) is UTF-8 with any BOM kept
 * (the parser already dealt with the stream's BOM): a region the core says is ASCII is decoded
 * once and sliced, anything else per span. HTTP bodies are decoded as fetch()'s text() does
 * (BOM removed). NUL-terminated C strings (names, messages) go through Emscripten's UTF8ToString.
 */
const streamDecoder = /* @__PURE__ */ new TextDecoder('utf-8', { ignoreBOM: true });
const bodyDecoder = /* @__PURE__ */ new TextDecoder('utf-8');

/** Bytes [ptr, ptr + len) of `heap` as stream text. */
export function decodeSpan(heap, ptr, len) {
  return len === 0 ? '' : streamDecoder.decode(heap.subarray(ptr, ptr + len));
}

/** A region decoded at once when the core found it ASCII (then spans are slices of it), else null. */
export function decodeRegion(heap, ptr, len, ascii) {
  return ascii ? decodeSpan(heap, ptr, len) : null;
}

/** Span [off, off + len) of the region at `base`: a slice of its decoded text, or decoded alone. */
export function regionSpan(text, heap, base, off, len) {
  if (len === 0) return '';
  return text !== null ? text.slice(off, off + len) : streamDecoder.decode(heap.subarray(base + off, base + off + len));
}

/** An HTTP response body as text. */
export function decodeBody(bytes) {
  return bodyDecoder.decode(bytes);
}
