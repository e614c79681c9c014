/** An error from the C core: the numeric code, its symbolic name and the core's message. */
export class LifelineError extends Error {
  constructor(code: number, message: string, name?: string);
  readonly name: 'LifelineError';
  /** Negative code from include/lifeline/error.h, e.g. -3. */
  code: number;
  /** Symbolic name, e.g. 'LIFELINE_ERR_LINE_TOO_LONG'. */
  codeName: string;
}
