/* How the router says things: durations in seconds with one decimal and outcomes in words,
 * written with the core's one bounded text writer (mbuf.h). */
#ifndef LIFELINE_ROUTER_TEXT_H
#define LIFELINE_ROUTER_TEXT_H

#include "mbuf.h"
#include "router_state.h"

/* "4.2" for 4200 ms (rounded up to the tenth). */
void rt_text_tenths(lifeline_mbuf *t, uint64_t ms);
/* "HTTP 503", "network error", "timeout after 1500 ms", "no answer yet (cancelled)", ... */
void rt_text_outcome(lifeline_mbuf *t, int status, uint32_t ms);

#endif
