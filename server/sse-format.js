/**
 * The event-stream wire format (WHATWG HTML, server-sent events): one event or comment as text.
 */

/** One event as SSE text. Multi-line data becomes several `data:` lines. */
export function formatEvent({ id, event, data, retry }) {
  let out = '';
  if (id !== undefined && id !== null) out += `id: ${id}\n`;
  if (event && event !== 'message') out += `event: ${event}\n`;
  if (retry !== undefined && retry !== null) out += `retry: ${retry}\n`;
  const text = typeof data === 'string' ? data : JSON.stringify(data ?? null);
  for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line (a heartbeat): newlines in the text cannot end it early. */
export function formatComment(text) {
  return `: ${String(text).replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** An event type a client can listen to: one line, no field separators, at most 64 bytes. */
export function validEventType(t) {
  return typeof t === 'string' && t.length > 0 && t.length <= 64 && !/[\r\n\0]/.test(t);
}
