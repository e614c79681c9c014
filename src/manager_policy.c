/* Which answers are fatal, retriable, or the breaker's business (docs/manager.md's table). */
#include "manager_policy.h"

int mgr_content_type_ok(const char *ct, size_t n) {
  static const char want[] = "text/event-stream";
  size_t i = 0, w = sizeof want - 1;
  if (!ct) return 0;
  while (i < n && (ct[i] == ' ' || ct[i] == '\t')) i++;
  if (n - i < w) return 0;
  for (size_t k = 0; k < w; k++) {
    char ch = ct[i + k];
    if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
    if (ch != want[k]) return 0;
  }
  i += w;
  return i == n || ct[i] == ';' || ct[i] == ' ' || ct[i] == '\t';
}

lifeline_manager_reason mgr_classify_status(int status, int ct_ok, int64_t retry_after) {
  if (status == 200) return ct_ok ? LIFELINE_MANAGER_REASON_NONE : LIFELINE_MANAGER_REASON_CONTENT_TYPE;
  if (status == 204) return LIFELINE_MANAGER_REASON_NO_CONTENT;
  if (status == 401 || status == 403) return LIFELINE_MANAGER_REASON_AUTH;
  if (status == 404 || status == 410) return LIFELINE_MANAGER_REASON_NOT_FOUND;
  if (status == 408) return LIFELINE_MANAGER_REASON_TIMEOUT;
  if (status == 429 || status == 503) {
    if (retry_after >= 0) return LIFELINE_MANAGER_REASON_RETRY_AFTER;
    return status == 429 ? LIFELINE_MANAGER_REASON_RATE_LIMITED : LIFELINE_MANAGER_REASON_HTTP_5XX;
  }
  if (status >= 500 && status <= 599) return LIFELINE_MANAGER_REASON_HTTP_5XX;
  return LIFELINE_MANAGER_REASON_HTTP_STATUS;
}

int mgr_is_fatal(lifeline_manager_reason r, uint32_t http_status, int reconnect) {
  switch (r) {
  case LIFELINE_MANAGER_REASON_NO_CONTENT:
  case LIFELINE_MANAGER_REASON_NOT_FOUND:
  case LIFELINE_MANAGER_REASON_CONTENT_TYPE:
    return 1;
  case LIFELINE_MANAGER_REASON_HTTP_STATUS:
    return http_status != 0 || !reconnect;
  case LIFELINE_MANAGER_REASON_HTTP_5XX:
  case LIFELINE_MANAGER_REASON_RATE_LIMITED:
  case LIFELINE_MANAGER_REASON_RETRY_AFTER:
    return !reconnect; /* a plain EventSource fails on any non-200 */
  case LIFELINE_MANAGER_REASON_TIMEOUT:
    return http_status != 0 && !reconnect;
  default:
    return 0;
  }
}

int mgr_counts_for_breaker(lifeline_manager_reason r, int was_open, uint32_t http_status, int reconnect) {
  /* A permanent answer (404, 400, a wrong content type...) is about the request, not the
   * server's health; it fails the connection anyway, and left in the window it would pause the
   * stream again at the next blip after the app fixed the request. */
  if (mgr_is_fatal(r, http_status, reconnect)) return 0;
  switch (r) {
  case LIFELINE_MANAGER_REASON_STALL:
  case LIFELINE_MANAGER_REASON_HTTP_5XX:
  case LIFELINE_MANAGER_REASON_RATE_LIMITED:
  case LIFELINE_MANAGER_REASON_RETRY_AFTER:
  case LIFELINE_MANAGER_REASON_TIMEOUT:
  case LIFELINE_MANAGER_REASON_HTTP_STATUS:
    return 1;
  case LIFELINE_MANAGER_REASON_NETWORK:
    return !was_open;
  default:
    return 0;
  }
}

int lifeline_manager_reason_is_failure(lifeline_manager_reason r) {
  /* OFFLINE and CIRCUIT_OPEN pause for a failure reported before: that one stays the last error
   * (what the user is told the cause is), not the pause itself. */
  return r != LIFELINE_MANAGER_REASON_NONE && r != LIFELINE_MANAGER_REASON_ABORTED &&
         r != LIFELINE_MANAGER_REASON_LINGER && r != LIFELINE_MANAGER_REASON_DRAIN &&
         r != LIFELINE_MANAGER_REASON_OFFLINE && r != LIFELINE_MANAGER_REASON_CIRCUIT_OPEN;
}

int mgr_got_answer(lifeline_manager_reason r, uint32_t http_status) {
  return http_status != 0 || r == LIFELINE_MANAGER_REASON_HTTP_STATUS;
}
