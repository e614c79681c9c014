#include "dedup_window.h"

#include <stdlib.h>
#include <string.h>

#include "lifeline/error.h"

/* 0 marks an empty table slot, so the one id hashing to 0 is stored as 1 (it may then collide
 * with an id hashing to 1, like any other 64-bit collision). */
static uint64_t key(uint64_t h) { return h ? h : 1; }

static uint32_t slot_of(const dedup_window *w, uint64_t k) {
  return (uint32_t)((k * 0x9E3779B97F4A7C15ULL) >> 32) & w->mask;
}

int dedup_window_init(dedup_window *w, uint32_t cap) {
  memset(w, 0, sizeof *w);
  uint32_t size = 2;
  while (size < 2 * cap) size *= 2; /* load factor at most 1/2 keeps probe runs short */
  w->ring = calloc(cap, sizeof *w->ring);
  w->table = calloc(size, sizeof *w->table);
  if (!w->ring || !w->table) {
    dedup_window_free(w);
    return LIFELINE_ERR_NO_MEMORY;
  }
  w->cap = cap;
  w->mask = size - 1;
  return LIFELINE_OK;
}

void dedup_window_free(dedup_window *w) {
  free(w->ring);
  free(w->table);
  memset(w, 0, sizeof *w);
}


int dedup_window_has(const dedup_window *w, uint64_t h) {
  uint64_t k = key(h);
  for (uint32_t i = slot_of(w, k);; i = (i + 1) & w->mask) {
    if (w->table[i] == k) return 1;
    if (w->table[i] == 0) return 0;
  }
}

/* Backward-shift deletion: later entries of the probe run move up, so no tombstones pile up. */
static void table_remove(dedup_window *w, uint64_t k) {
  uint32_t i = slot_of(w, k);
  while (w->table[i] != k) {
    if (w->table[i] == 0) return;
    i = (i + 1) & w->mask;
  }
  for (uint32_t j = (i + 1) & w->mask; w->table[j]; j = (j + 1) & w->mask) {
    uint32_t home = slot_of(w, w->table[j]);
    /* table[j] may fill the hole at i unless its home lies cyclically in (i, j]. */
    int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (stays) continue;
    w->table[i] = w->table[j];
    i = j;
  }
  w->table[i] = 0;
}

static void table_insert(dedup_window *w, uint64_t k) {
  uint32_t i = slot_of(w, k);
  while (w->table[i] && w->table[i] != k) i = (i + 1) & w->mask;
  w->table[i] = k;
}

void dedup_window_add(dedup_window *w, uint64_t h) {
  uint64_t k = key(h);
  if (w->len == w->cap) {
    table_remove(w, w->ring[w->head]);
    w->ring[w->head] = k;
    w->head = (w->head + 1) % w->cap;
  } else {
    w->ring[(w->head + w->len) % w->cap] = k;
    w->len++;
  }
  table_insert(w, k);
}

void dedup_window_clear(dedup_window *w) {
  memset(w->table, 0, ((size_t)w->mask + 1) * sizeof *w->table);
  w->len = w->head = 0;
}

int dedup_window_grow(dedup_window *w, uint32_t cap) {
  if (cap <= w->cap) return LIFELINE_OK;
  dedup_window n;
  if (dedup_window_init(&n, cap) != LIFELINE_OK) return LIFELINE_ERR_NO_MEMORY;
  for (uint32_t i = 0; i < w->len; i++) dedup_window_add(&n, w->ring[(w->head + i) % w->cap]);
  dedup_window_free(w);
  *w = n;
  return LIFELINE_OK;
}
