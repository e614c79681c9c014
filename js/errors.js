/**
 * Errors from the C core cross the Wasm boundary as negative integer codes. In JS, as in Node
 * and the DOM, an error is told apart by a string `code` (the C name, e.g.
 * 'LIFELINE_ERR_TIMEOUT'); the C integer stays available as `errno` for logs and bug reports.
 */
export class LifelineError extends Error {
  constructor(code, message, errno = -1) {
    super(message);
    this.name = 'LifelineError';
    this.code = code;
    this.errno = errno;
  }
}
