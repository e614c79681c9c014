/* A connection's lifecycle: reference counting and linger, deadlines and the watchdog,
 * online/offline, page resume, retry-now and close. */
#include "lifeline/error.h"
#include "manager_internal.h"

#define HAS(c, f) (((c)->cfg.features & (f)) != 0)

/* ---- lifecycle, environment, time ---- */

static int is_stopped(const mgr_conn *c) {
  return c->state == LIFELINE_MGR_IDLE || c->state == LIFELINE_MGR_CLOSED ||
         c->state == LIFELINE_MGR_FAILED;
}

static void restart(mgr_conn *c, uint64_t now) {
  c->attempt = 0;
  c->auth_used = 0;
  c->http_status = 0;
  lifeline_backoff_reset(&c->backoff);
  c->reason = LIFELINE_MGR_REASON_NONE;
}

void mgr_conn_ref(mgr_conn *c, int delta, uint64_t now) {
  if (!c) return;
  uint32_t old = c->subs;
  c->subs = (uint32_t)((int64_t)c->subs + delta);
  if (old == 0 && c->subs > 0) {
    c->linger_at = LIFELINE_NEVER;
    if (is_stopped(c)) {
      restart(c, now);
      mgr_conn_try_open(c, 0, now);
    }
  } else if (old > 0 && c->subs == 0 && !is_stopped(c)) {
    if (c->m->cfg.linger_ms == 0)
      mgr_conn_close(c, LIFELINE_MGR_REASON_LINGER, now);
    else
      c->linger_at = now + c->m->cfg.linger_ms;
  }
}

void mgr_conn_close(mgr_conn *c, lifeline_mgr_reason reason, uint64_t now) {
  mgr_conn_abandon(c, 1, reason, now);
  c->retry_at = c->linger_at = c->drop_at = LIFELINE_NEVER;
  c->attempt = 0;
  mgr_conn_set_state(c, LIFELINE_MGR_CLOSED, reason, now);
}

uint64_t mgr_conn_deadline(const mgr_conn *c) {
  uint64_t t = c->linger_at < c->retry_at ? c->linger_at : c->retry_at;
  if (c->stream && HAS(c, LIFELINE_MGR_WATCHDOG)) {
    uint64_t d = LIFELINE_NEVER;
    if (c->stream_open)
      d = c->last_byte_at + c->cfg.heartbeat_timeout_ms;
    else if (c->cfg.connect_timeout_ms)
      d = c->open_at + c->cfg.connect_timeout_ms;
    if (d < t) t = d;
  }
  return t;
}

void mgr_conn_tick(mgr_conn *c, uint64_t now) {
  if (c->linger_at <= now) {
    mgr_conn_close(c, LIFELINE_MGR_REASON_LINGER, now);
    return;
  }
  if (c->stream && HAS(c, LIFELINE_MGR_WATCHDOG)) {
    if (c->stream_open && now >= c->last_byte_at + c->cfg.heartbeat_timeout_ms) {
      c->m->stats.stalls++;
      mgr_count(c->m, MGR_M_STALLS, now);
      mgr_conn_fail(c, LIFELINE_MGR_REASON_STALL, -1, 1, now);
    } else if (!c->stream_open && c->cfg.connect_timeout_ms &&
               now >= c->open_at + c->cfg.connect_timeout_ms) {
      c->http_status = 0;
      mgr_conn_fail(c, LIFELINE_MGR_REASON_TIMEOUT, -1, 1, now);
    }
  }
  if (c->retry_at <= now) mgr_conn_try_open(c, 0, now);
}

void mgr_conn_set_online(mgr_conn *c, int online, uint64_t now) {
  if (!online) {
    if (c->state == LIFELINE_MGR_RECONNECTING || c->state == LIFELINE_MGR_CIRCUIT_OPEN) {
      c->retry_at = LIFELINE_NEVER;
      mgr_conn_set_state(c, LIFELINE_MGR_OFFLINE, LIFELINE_MGR_REASON_OFFLINE, now);
    }
    return;
  }
  if (c->state != LIFELINE_MGR_OFFLINE && c->state != LIFELINE_MGR_RECONNECTING) return;
  lifeline_backoff_reset(&c->backoff);
  uint32_t spread = lifeline_rng_bounded(&c->m->rng, c->m->cfg.online_spread_ms + 1);
  uint64_t at = now + spread;
  if (c->state == LIFELINE_MGR_RECONNECTING && c->retry_at < at) at = c->retry_at;
  c->retry_at = at;
  mgr_conn_set_state(c, LIFELINE_MGR_RECONNECTING, c->reason, now);
  if (at <= now) mgr_conn_try_open(c, 0, now);
}

/* Page shown again: the watchdog and other overdue deadlines run now; a pending retry moves
 * up to within online_spread_ms, at a random point so that tabs and clients woken together do
 * not return in lockstep. The attempt still goes through the breaker. */
void mgr_conn_resume(mgr_conn *c, uint64_t now) {
  mgr_conn_tick(c, now);
  if (c->state != LIFELINE_MGR_RECONNECTING) return;
  uint64_t at = now + lifeline_rng_bounded(&c->m->rng, c->m->cfg.online_spread_ms + 1);
  if (c->retry_at <= at) return;
  c->retry_at = at;
  mgr_conn_set_state(c, LIFELINE_MGR_RECONNECTING, c->reason, now);
  if (at <= now) mgr_conn_try_open(c, 0, now);
}

void mgr_conn_retry_now(mgr_conn *c, uint64_t now) {
  switch (c->state) {
  case LIFELINE_MGR_FAILED:
  case LIFELINE_MGR_RECONNECTING:
  case LIFELINE_MGR_CIRCUIT_OPEN:
  case LIFELINE_MGR_OFFLINE:
    break;
  case LIFELINE_MGR_CLOSED:
  case LIFELINE_MGR_IDLE:
    if (c->subs) break;
    return;
  default:
    return;
  }
  restart(c, now);
  c->linger_at = LIFELINE_NEVER;
  mgr_conn_try_open(c, 1, now);
}
