/* The names and codes JS reads from the core instead of repeating them (js/core-tables.js):
 * error codes with their names and messages, and the name of every enum value JS shows. Both
 * Wasm modules have this file (CMakeLists.txt): the SSE core (LIFELINE_WASM_MANAGER) answers the
 * manager's tables, the router module (LIFELINE_WASM_ROUTER) the health table; a table a module
 * lacks is empty there. */
#include <stddef.h>

#include "lifeline/backoff.h"
#include "lifeline/breaker.h"
#include "lifeline/error.h"
#include "platform/wasm_export.h"
#ifdef LIFELINE_WASM_MANAGER
#include "lifeline/manager.h"
#endif
#ifdef LIFELINE_WASM_ROUTER
#include "lifeline/router.h"
#endif

LIFELINE_WASM_EXPORT const char *lifeline_wasm_strerror(int code) { return lifeline_strerror(code); }
LIFELINE_WASM_EXPORT const char *lifeline_wasm_errname(int code) { return lifeline_errname(code); }

/* The table numbers js/core-tables.js asks for. */
enum {
  TABLE_MGR_STATE,
  TABLE_MGR_REASON,
  TABLE_BREAKER_STATE,
  TABLE_BREAKER_REASON,
  TABLE_NET_QUALITY,
  TABLE_HEALTH,
  TABLE_BREAKER_MODE
};

/* Name i of a table, or NULL past its end (the counts come from the enums). */
LIFELINE_WASM_EXPORT const char *lifeline_wasm_name(int table, int i) {
  if (i < 0) return NULL;
  switch (table) {
#ifdef LIFELINE_WASM_MANAGER
  case TABLE_MGR_STATE:
    return i <= LIFELINE_MANAGER_CLOSED ? lifeline_manager_state_name((lifeline_manager_state)i) : NULL;
  case TABLE_MGR_REASON:
    return i < LIFELINE_MANAGER_REASON_COUNT_ ? lifeline_manager_reason_name((lifeline_manager_reason)i) : NULL;
#endif
  case TABLE_BREAKER_STATE:
    return i <= LIFELINE_BREAKER_HALF_OPEN ? lifeline_breaker_state_name((lifeline_breaker_state)i) : NULL;
  case TABLE_BREAKER_REASON:
    return i <= LIFELINE_BREAKER_REASON_FORCED ? lifeline_breaker_reason_name((lifeline_breaker_reason)i)
                                               : NULL;
  case TABLE_NET_QUALITY:
    return i <= LIFELINE_NET_POOR ? lifeline_net_quality_name((lifeline_net_quality)i) : NULL;
#ifdef LIFELINE_WASM_ROUTER
  case TABLE_HEALTH:
    return i <= LIFELINE_HEALTH_DOWN ? lifeline_health_name((lifeline_health)i) : NULL;
#endif
  case TABLE_BREAKER_MODE:
    return i <= LIFELINE_BREAKER_DISABLED ? lifeline_breaker_mode_name((lifeline_breaker_mode)i) : NULL;
  default: return NULL;
  }
}

#ifdef LIFELINE_WASM_MANAGER
LIFELINE_WASM_EXPORT int lifeline_wasm_mgr_reason_is_failure(int r) {
  return lifeline_manager_reason_is_failure((lifeline_manager_reason)r);
}
#endif

/* The jitter kind a name stands for ("none", "full", "equal", "decorrelated"), or -1. */
LIFELINE_WASM_EXPORT int lifeline_wasm_jitter_parse(const char *name) { return lifeline_jitter_parse(name); }
