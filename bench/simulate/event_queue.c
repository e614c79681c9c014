#include "event_queue.h"

#include <stdlib.h>

static int before(const sim_event *a, const sim_event *b) {
  return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void swap(sim_event *a, sim_event *b) {
  sim_event t = *a;
  *a = *b;
  *b = t;
}

void eq_init(event_queue *q) {
  q->v = NULL;
  q->len = q->cap = 0;
  q->next_seq = 0;
}

void eq_free(event_queue *q) {
  free(q->v);
  eq_init(q);
}

int eq_push(event_queue *q, uint64_t t, sim_event_kind kind, uint32_t client, uint32_t stream) {
  if (q->len == q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 1024;
    sim_event *n = realloc(q->v, cap * sizeof *n);
    if (!n) return -1;
    q->v = n;
    q->cap = cap;
  }
  size_t i = q->len++;
  q->v[i] = (sim_event){t, q->next_seq++, client, stream, kind};
  while (i > 0 && before(&q->v[i], &q->v[(i - 1) / 2])) {
    swap(&q->v[i], &q->v[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  return 0;
}

int eq_pop(event_queue *q, sim_event *out) {
  if (q->len == 0) return 0;
  *out = q->v[0];
  q->v[0] = q->v[--q->len];
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < q->len && before(&q->v[l], &q->v[m])) m = l;
    if (r < q->len && before(&q->v[r], &q->v[m])) m = r;
    if (m == i) break;
    swap(&q->v[i], &q->v[m]);
    i = m;
  }
  return 1;
}
