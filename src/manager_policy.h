/* The manager's failure policy: how a response is classified, which reasons end a connection
 * for good, which say something about the server's health. Pure functions of their arguments;
 * the one place to change when a new kind of answer needs a rule. Internal. */
#ifndef LIFELINE_MANAGER_POLICY_H
#define LIFELINE_MANAGER_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "lifeline/manager.h"

/* 1 when ct (n bytes, may be NULL) is text/event-stream, with or without parameters. */
int mgr_content_type_ok(const char *ct, size_t n);
/* The reason a response of `status` gives (NONE: an accepted stream). retry_after_ms < 0: none. */
lifeline_manager_reason mgr_classify_status(int status, int ct_ok, int64_t retry_after_ms);
/* 1 when r ends the connection with no retry. http_status: the answer's status (0: none);
 * reconnect: the connection has LIFELINE_MANAGER_RECONNECT (a plain EventSource fails on any
 * non-200). */
int mgr_is_fatal(lifeline_manager_reason r, uint32_t http_status, int reconnect);
/* 1 when a failure for r is the breaker's input. was_open: the stream had been accepted (a
 * drop after that says nothing about the server's health). Permanent failures (mgr_is_fatal
 * with the same http_status and reconnect, and auth) never are: they are about the request. */
int mgr_counts_for_breaker(lifeline_manager_reason r, int was_open, uint32_t http_status, int reconnect);
/* 1 when a failed attempt got an HTTP answer: the network works, whatever the answer said. A
 * response the EventSource transport saw refused has no status (0) but REASON_HTTP_STATUS. */
int mgr_got_answer(lifeline_manager_reason r, uint32_t http_status);

#endif
