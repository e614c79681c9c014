/** The C names of the core's errors (include/lifeline/error.h). */
export type LifelineErrorCode =
  | 'LIFELINE_ERR_INVALID_ARGUMENT' | 'LIFELINE_ERR_NO_MEMORY' | 'LIFELINE_ERR_LINE_TOO_LONG'
  | 'LIFELINE_ERR_EVENT_TOO_LARGE' | 'LIFELINE_ERR_STOPPED' | 'LIFELINE_ERR_NOT_FOUND'
  | 'LIFELINE_ERR_FULL' | 'LIFELINE_ERR_STATE' | 'LIFELINE_ERR_REJECTED' | 'LIFELINE_ERR_UNAVAILABLE'
  | 'LIFELINE_ERR_TIMEOUT' | 'LIFELINE_ERR_EXHAUSTED' | 'LIFELINE_ERR_UNKNOWN';

/** An error from the C core, or an argument the shim refused before calling it. */
export class LifelineError extends Error {
  constructor(code: LifelineErrorCode, message: string, errno?: number);
  readonly name: 'LifelineError';
  /** What went wrong, to branch on: the C name, e.g. 'LIFELINE_ERR_LINE_TOO_LONG'. */
  code: LifelineErrorCode;
  /** The C core's negative integer for the same error, e.g. -3 (for logs). */
  errno: number;
}
