/**
 * Errors with the HTTP answer they stand for, so every refusal is a clear status and message.
 */

/** An error answered with `status` (and Retry-After seconds when given). */
export class HTTPError extends Error {
  constructor(status, message, { retryAfter, extra } = {}) {
    super(message);
    this.name = 'HTTPError';
    this.status = status;
    this.retryAfter = retryAfter;
    this.extra = extra;
  }
}

/**
 * The event log cannot answer (Redis unreachable, too slow). `written` says what a failed append
 * did: false when the command was never sent (nothing can land later: the client library's
 * offline queue is off), 'unknown' when the connection broke while it was in flight.
 */
export class LogUnavailableError extends Error {
  constructor(message, { written = false, cause } = {}) {
    super(message, { cause });
    this.name = 'LogUnavailableError';
    this.code = 'LOG_UNAVAILABLE';
    this.written = written;
  }
}
