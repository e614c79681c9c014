/**
 * Errors from the C core cross the Wasm boundary as negative integer codes; this class carries
 * the code, its symbolic name and the core's message so callers can branch on `code`.
 */
export class LifelineError extends Error {
  constructor(code, message, name = 'LIFELINE_ERR_UNKNOWN') {
    super(message);
    this.name = 'LifelineError';
    this.code = code;
    this.codeName = name;
  }
}
