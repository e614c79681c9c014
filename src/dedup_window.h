/* The duplicate window of a stream: the hashes of the last `cap` event ids, with O(1) lookup.
 *
 * A ring keeps the arrival order (for eviction) and an open-addressing table keeps membership,
 * so a check costs one probe sequence whatever the window size (the ring alone cost a scan of
 * up to 4096 entries per event). A hash is stored only when it is not present yet, so the table
 * and the ring always hold the same set. Internal to the manager; owns its memory. */
#ifndef LIFELINE_DEDUP_WINDOW_H
#define LIFELINE_DEDUP_WINDOW_H

#include <stdint.h>

typedef struct {
  uint64_t *ring;  /* cap hashes, oldest at head */
  uint64_t *table; /* mask + 1 slots, 0 = empty */
  uint32_t cap, len, head, mask;
} dedup_window;

/* cap >= 1. Returns 0 or LIFELINE_ERR_NO_MEMORY (then *w holds nothing to free). */
int dedup_window_init(dedup_window *w, uint32_t cap);
void dedup_window_free(dedup_window *w);
/* Widens the window to at least cap ids, keeping the ids it holds (never narrows). 0 or
 * LIFELINE_ERR_NO_MEMORY (then the window is unchanged). */
int dedup_window_grow(dedup_window *w, uint32_t cap);
/* 1 when h is in the window. */
int dedup_window_has(const dedup_window *w, uint64_t h);
/* Adds h (not present yet), evicting the oldest hash when the window is full. */
void dedup_window_add(dedup_window *w, uint64_t h);
/* Forgets every id (the capacity stays): the stream's ids started over (a server `reset`). */
void dedup_window_clear(dedup_window *w);

#endif
