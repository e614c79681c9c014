/* Error codes cross the boundary as integers; JS asks for the message once per error. */
#include "lifeline/error.h"
#include "platform/wasm_export.h"

LIFELINE_WASM_EXPORT const char *lifeline_wasm_strerror(int code) { return lifeline_strerror(code); }
LIFELINE_WASM_EXPORT const char *lifeline_wasm_errname(int code) { return lifeline_errname(code); }
