/* Lifeline error codes.
 *
 * Every fallible function in the core returns 0 (LIFELINE_OK) or one of these negative codes.
 * The codes are stable across releases and cross the Wasm boundary as plain integers; the JS
 * shim turns them into a LifelineError carrying the code and lifeline_strerror()'s message.
 * The table below generates both the enum and the messages, so they cannot drift apart.
 */
#ifndef LIFELINE_ERROR_H
#define LIFELINE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, value, message) */
#define LIFELINE_ERRNO_MAP(X)                                                              \
  X(OK, 0, "ok")                                                                           \
  X(ERR_INVALID_ARGUMENT, -1, "invalid argument")                                          \
  X(ERR_NO_MEMORY, -2, "out of memory")                                                    \
  X(ERR_LINE_TOO_LONG, -3, "line longer than the configured maximum; skipped to the next event") \
  X(ERR_EVENT_TOO_LARGE, -4, "event larger than the configured maximum; skipped to the next event") \
  X(ERR_STOPPED, -5, "a callback asked to stop")                                           \
  X(ERR_NOT_FOUND, -6, "no such object")                                                   \
  X(ERR_FULL, -7, "capacity reached")                                                      \
  X(ERR_STATE, -8, "operation not allowed in the current state")                           \
  X(ERR_REJECTED, -9, "call rejected: circuit open or no capacity")                        \
  X(ERR_UNAVAILABLE, -10, "no service or endpoint is available")                           \
  X(ERR_TIMEOUT, -11, "deadline exceeded")                                                \
  X(ERR_EXHAUSTED, -12, "retry attempts exhausted")

typedef enum {
#define LIFELINE_ERR_ENUM_(name, value, msg) LIFELINE_##name = (value),
  LIFELINE_ERRNO_MAP(LIFELINE_ERR_ENUM_)
#undef LIFELINE_ERR_ENUM_
} lifeline_error;

/* A static, human-readable message for a code; never NULL ("unknown error" for unknown codes). */
const char *lifeline_strerror(int code);

/* The symbolic name of a code, e.g. "LIFELINE_ERR_LINE_TOO_LONG"; never NULL. */
const char *lifeline_errname(int code);

#ifdef __cplusplus
}
#endif
#endif
