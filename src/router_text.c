/* The router's wording of outcomes and durations. */
#include "router_text.h"

void rt_text_tenths(lifeline_mbuf *t, uint64_t ms) {
  uint64_t tenths = (ms + 99) / 100;
  lifeline_mbuf_u64(t, tenths / 10);
  char frac[3] = {'.', (char)('0' + tenths % 10), 0};
  lifeline_mbuf_str(t, frac);
}

void rt_text_outcome(lifeline_mbuf *t, int status, uint32_t ms) {
  if (status == RT_STATUS_PENDING) {
    lifeline_mbuf_str(t, "no answer yet (cancelled)");
  } else if (status == RT_STATUS_SLOW) {
    lifeline_mbuf_str(t, "no answer in ");
    lifeline_mbuf_u64(t, ms);
    lifeline_mbuf_str(t, " ms (lost a hedge)");
  } else if (status == LIFELINE_ROUTER_TIMED_OUT) {
    lifeline_mbuf_str(t, "timeout after ");
    lifeline_mbuf_u64(t, ms);
    lifeline_mbuf_str(t, " ms");
  } else if (status == LIFELINE_ROUTER_NETWORK_ERROR) {
    lifeline_mbuf_str(t, "network error");
  } else {
    lifeline_mbuf_str(t, "HTTP ");
    lifeline_mbuf_u64(t, (uint64_t)status);
  }
}
