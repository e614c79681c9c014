/* Streamed-call attempts (router_stream.h) with a fake clock: every rule of commit, deadlines,
 * outcomes, blame and the after-commit decision. */
#include "check.h"
#include "lifeline/error.h"
#include "lifeline/router.h"
#include "lifeline/router_stream.h"

static lifeline_stream_attempt at(uint32_t ttft, uint32_t idle) {
  lifeline_stream_attempt a;
  lifeline_stream_start(&a, ttft, idle, 1000);
  return a;
}

static void test_default_ttft(void) {
  CHECK_EQ_INT(LIFELINE_STREAM_TTFT_COLD_MS, lifeline_stream_default_ttft(-1));
  CHECK_EQ_INT(LIFELINE_STREAM_TTFT_MIN_MS, lifeline_stream_default_ttft(100)); /* 400 -> bound */
  CHECK_EQ_INT(3200, lifeline_stream_default_ttft(800));
  CHECK_EQ_INT(LIFELINE_STREAM_TTFT_MAX_MS, lifeline_stream_default_ttft(60000));
  lifeline_stream_attempt a = at(0, 0);
  CHECK_EQ_INT(LIFELINE_STREAM_TTFT_COLD_MS, a.ttft_ms);
}

/* Keep-alives prove the socket is alive, not that an answer is coming: no commit, and the
 * first-token deadline still runs from the start. */
static void test_commit_at_first_content(void) {
  lifeline_stream_attempt a = at(3000, 0);
  CHECK_EQ_INT(LIFELINE_STREAM_PENDING, lifeline_stream_headers(&a, 200, 0, 1200));
  CHECK_EQ_INT(LIFELINE_STREAM_OPEN, a.state);
  for (uint64_t t = 1500; t < 4000; t += 500)
    CHECK_EQ_INT(LIFELINE_STREAM_PENDING, lifeline_stream_chunk(&a, LIFELINE_CHUNK_KEEPALIVE, t));
  CHECK_EQ_INT(LIFELINE_STREAM_OPEN, a.state);
  CHECK(lifeline_stream_deadline(&a) == 4000);
  CHECK_EQ_INT(LIFELINE_STREAM_FAILOVER, lifeline_stream_tick(&a, 4000));
  CHECK_EQ_INT(LIFELINE_STREAM_WHY_FIRST_TOKEN, a.why);
  CHECK(lifeline_stream_blames(&a));

  a = at(3000, 0);
  lifeline_stream_headers(&a, 200, 0, 1100);
  lifeline_stream_chunk(&a, LIFELINE_CHUNK_KEEPALIVE, 1200);
  CHECK_EQ_INT(LIFELINE_STREAM_PENDING, lifeline_stream_chunk(&a, LIFELINE_CHUNK_CONTENT, 1300));
  CHECK_EQ_INT(LIFELINE_STREAM_COMMITTED, a.state);
  CHECK(a.committed_ms == 1300);
  CHECK(lifeline_stream_deadline(&a) == UINT64_MAX); /* no idle rule: no deadline once committed */
  CHECK_EQ_INT(LIFELINE_STREAM_PENDING, lifeline_stream_tick(&a, 100000));
  CHECK_EQ_INT(LIFELINE_STREAM_COMPLETE, lifeline_stream_chunk(&a, LIFELINE_CHUNK_END, 100001));
  CHECK_EQ_INT(1, (int)a.chunks);
  CHECK(!lifeline_stream_blames(&a));
  /* Later input changes nothing. */
  CHECK_EQ_INT(LIFELINE_STREAM_COMPLETE, lifeline_stream_closed(&a, 1, 100002));
  CHECK_EQ_INT(LIFELINE_STREAM_COMPLETE, lifeline_stream_chunk(&a, LIFELINE_CHUNK_MALFORMED, 100003));
}

/* A first-token deadline also covers a service that never answers at all (no headers). */
static void test_no_response(void) {
  lifeline_stream_attempt a = at(2000, 5000);
  CHECK_EQ_INT(LIFELINE_STREAM_PENDING, lifeline_stream_tick(&a, 2999));
  CHECK_EQ_INT(LIFELINE_STREAM_FAILOVER, lifeline_stream_tick(&a, 3000));
  CHECK(a.ended_ms == 3000);
  /* Headers arriving after the deadline are too late. */
  CHECK_EQ_INT(LIFELINE_STREAM_FAILOVER, lifeline_stream_headers(&a, 200, 0, 3100));
  CHECK_EQ_INT(0, a.status);
}

static void test_statuses_before_commit(void) {
  struct { int status; uint32_t retry; lifeline_stream_outcome want; uint32_t kept; } cases[] = {
      {0, 0, LIFELINE_STREAM_FAILOVER, 0},        /* connect error */
      {500, 0, LIFELINE_STREAM_FAILOVER, 0},
      {503, 7000, LIFELINE_STREAM_FAILOVER, 7000},
      {429, 0, LIFELINE_STREAM_FAILOVER, 0},      /* without Retry-After */
      {429, 30000, LIFELINE_STREAM_FAILOVER, 30000},
      {408, 0, LIFELINE_STREAM_FAILOVER, 0},
      {400, 0, LIFELINE_STREAM_REFUSED, 0},       /* context length: every service would refuse */
      {413, 5, LIFELINE_STREAM_REFUSED, 0},
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    lifeline_stream_attempt a = at(3000, 0);
    CHECK_EQ_INT(cases[i].want, lifeline_stream_headers(&a, cases[i].status, cases[i].retry, 1050));
    CHECK_EQ_INT(cases[i].kept, a.retry_after_ms);
    CHECK_EQ_INT(cases[i].want == LIFELINE_STREAM_FAILOVER, lifeline_stream_blames(&a));
  }
  /* A reset, a malformed chunk or an in-band error before any content: fail over. */
  lifeline_chunk_kind bad[] = {LIFELINE_CHUNK_MALFORMED, LIFELINE_CHUNK_ERROR, LIFELINE_CHUNK_END};
  for (unsigned i = 0; i < 3; i++) {
    lifeline_stream_attempt a = at(3000, 0);
    lifeline_stream_headers(&a, 200, 0, 1050);
    lifeline_stream_chunk(&a, LIFELINE_CHUNK_KEEPALIVE, 1060);
    CHECK_EQ_INT(LIFELINE_STREAM_FAILOVER, lifeline_stream_chunk(&a, bad[i], 1100));
  }
  lifeline_stream_attempt a = at(3000, 0);
  lifeline_stream_headers(&a, 200, 0, 1050);
  CHECK_EQ_INT(LIFELINE_STREAM_FAILOVER, lifeline_stream_closed(&a, 1, 1100));
  CHECK_EQ_INT(LIFELINE_STREAM_WHY_NETWORK, a.why);
}

/* After commit every way of stopping short is BROKEN, never COMPLETE. */
static void test_after_commit_failures(void) {
  /* Cut at token 40 of 60: the body ends cleanly but without the end marker. */
  lifeline_stream_attempt a = at(3000, 0);
  lifeline_stream_headers(&a, 200, 0, 1010);
  for (int k = 0; k < 40; k++) lifeline_stream_chunk(&a, LIFELINE_CHUNK_CONTENT, 1100 + (uint64_t)k * 10);
  CHECK_EQ_INT(LIFELINE_STREAM_BROKEN, lifeline_stream_closed(&a, 0, 1600));
  CHECK_EQ_INT(LIFELINE_STREAM_WHY_CUT, a.why);
  CHECK_EQ_INT(40, (int)a.chunks);
  CHECK(lifeline_stream_blames(&a));
  /* 20 tokens then silence: idle_ms after the last content, keep-alives do not hold it open. */
  a = at(3000, 2000);
  lifeline_stream_headers(&a, 200, 0, 1010);
  for (int k = 0; k < 20; k++) lifeline_stream_chunk(&a, LIFELINE_CHUNK_CONTENT, 1100 + (uint64_t)k * 10);
  CHECK(lifeline_stream_deadline(&a) == 1290 + 2000);
  lifeline_stream_chunk(&a, LIFELINE_CHUNK_KEEPALIVE, 2500);
  CHECK_EQ_INT(LIFELINE_STREAM_PENDING, lifeline_stream_tick(&a, 3289));
  CHECK_EQ_INT(LIFELINE_STREAM_BROKEN, lifeline_stream_tick(&a, 3290));
  CHECK_EQ_INT(LIFELINE_STREAM_WHY_IDLE, a.why);
  /* A chunk arriving after the stall deadline, before a tick, does not save it. */
  a = at(3000, 2000);
  lifeline_stream_chunk(&a, LIFELINE_CHUNK_CONTENT, 1100);
  CHECK_EQ_INT(LIFELINE_STREAM_BROKEN, lifeline_stream_chunk(&a, LIFELINE_CHUNK_CONTENT, 3100));
  /* Malformed chunk, in-band error, reset after commit. */
  lifeline_chunk_kind bad[] = {LIFELINE_CHUNK_MALFORMED, LIFELINE_CHUNK_ERROR};
  for (unsigned i = 0; i < 2; i++) {
    a = at(3000, 0);
    lifeline_stream_chunk(&a, LIFELINE_CHUNK_CONTENT, 1100);
    CHECK_EQ_INT(LIFELINE_STREAM_BROKEN, lifeline_stream_chunk(&a, bad[i], 1200));
  }
  a = at(3000, 0);
  lifeline_stream_chunk(&a, LIFELINE_CHUNK_CONTENT, 1100);
  CHECK_EQ_INT(LIFELINE_STREAM_BROKEN, lifeline_stream_closed(&a, 1, 1200));
}

/* A content-filter stop is the answer (an error to the user), not the service failing. */
static void test_content_filter_and_abort(void) {
  lifeline_stream_attempt a = at(3000, 0);
  lifeline_stream_chunk(&a, LIFELINE_CHUNK_CONTENT, 1100);
  CHECK_EQ_INT(LIFELINE_STREAM_REFUSED, lifeline_stream_chunk(&a, LIFELINE_CHUNK_FILTERED, 1200));
  CHECK_EQ_INT(LIFELINE_STREAM_WHY_FILTERED, a.why);
  CHECK(!lifeline_stream_blames(&a));
  a = at(3000, 1000);
  lifeline_stream_headers(&a, 200, 0, 1010);
  lifeline_stream_abort(&a, 1500);
  CHECK_EQ_INT(LIFELINE_STREAM_REFUSED, a.outcome);
  CHECK_EQ_INT(LIFELINE_STREAM_WHY_ABORTED, a.why);
  CHECK(!lifeline_stream_blames(&a));
  CHECK(lifeline_stream_deadline(&a) == UINT64_MAX);
  CHECK_EQ_INT(LIFELINE_STREAM_REFUSED, lifeline_stream_tick(&a, 100000));
  /* An abort after the end leaves the outcome alone. */
  a = at(3000, 0);
  lifeline_stream_chunk(&a, LIFELINE_CHUNK_CONTENT, 1100);
  lifeline_stream_chunk(&a, LIFELINE_CHUNK_END, 1200);
  lifeline_stream_abort(&a, 1300);
  CHECK_EQ_INT(LIFELINE_STREAM_COMPLETE, a.outcome);
}

static void test_after_commit_decision(void) {
  /* Resumption wins when the service supports it and an event id was seen. */
  for (int p = 0; p < 3; p++) {
    CHECK_EQ_INT(LIFELINE_NEXT_RESUME, lifeline_stream_after_commit((lifeline_after_commit)p, 1, 1, 0));
  }
  /* Resumable but no event id seen yet: the policy decides. */
  CHECK_EQ_INT(LIFELINE_NEXT_FAIL, lifeline_stream_after_commit(LIFELINE_AFTER_COMMIT_FAIL, 1, 0, 1));
  CHECK_EQ_INT(LIFELINE_NEXT_FAIL, lifeline_stream_after_commit(LIFELINE_AFTER_COMMIT_FAIL, 0, 0, 1));
  CHECK_EQ_INT(LIFELINE_NEXT_RESTART, lifeline_stream_after_commit(LIFELINE_AFTER_COMMIT_RESTART, 1, 0, 1));
  CHECK_EQ_INT(LIFELINE_NEXT_CONTINUE, lifeline_stream_after_commit(LIFELINE_AFTER_COMMIT_CONTINUE, 0, 1, 1));
  /* No capable fallback left: an honest failure whatever the policy. */
  CHECK_EQ_INT(LIFELINE_NEXT_FAIL, lifeline_stream_after_commit(LIFELINE_AFTER_COMMIT_RESTART, 0, 0, 0));
  CHECK_EQ_INT(LIFELINE_NEXT_FAIL, lifeline_stream_after_commit(LIFELINE_AFTER_COMMIT_CONTINUE, 0, 0, 0));
  CHECK_EQ_STR("stalled", lifeline_stream_why_name(LIFELINE_STREAM_WHY_IDLE));
  CHECK_EQ_STR("unknown", lifeline_stream_why_name((lifeline_stream_why)99));
}

static lifeline_router *two_services(uint64_t now) {
  lifeline_router_config c;
  lifeline_router_config_default(&c);
  c.probe_interval_ms = 0;
  c.seed = 3;
  lifeline_router *r = lifeline_router_new(&c);
  lifeline_router_service_config a = {"gemini", "http://127.0.0.1:1", "analysis", 1, 10000, ""};
  lifeline_router_service_config b = {"llama", "http://127.0.0.1:2", "analysis", 2, 10000, ""};
  CHECK_EQ_INT(0, lifeline_router_add_service(r, &a, now));
  CHECK_EQ_INT(1, lifeline_router_add_service(r, &b, now));
  return r;
}

/* The service a new request's first CALL goes to (the request is then aborted). */
static int first_choice(lifeline_router *r, uint64_t now) {
  int64_t id = lifeline_router_request(r, "analysis", 0, now);
  lifeline_router_action a;
  int si = -1;
  while (lifeline_router_next_action(r, &a))
    if (a.kind == LIFELINE_ROUTER_CALL && si < 0) si = a.service;
  lifeline_router_abort(r, (uint32_t)id, now);
  while (lifeline_router_next_action(r, &a)) {
  }
  return si;
}

/* Streamed outcomes feed the same breakers and health as requests. */
static void test_outcomes_feed_the_router(void) {
  uint64_t now = 1000;
  lifeline_router *r = two_services(now);
  lifeline_router_service_info info;
  lifeline_stream_attempt a;
  lifeline_stream_start(&a, 2000, 0, now);
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_router_stream_record(r, 0, &a, now)); /* running */
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_router_stream_record(r, 5, &a, now));
  /* Aborts and refusals do not blame the service. */
  lifeline_stream_abort(&a, now + 10);
  CHECK_EQ_INT(0, lifeline_router_stream_record(r, 0, &a, now + 10));
  lifeline_stream_start(&a, 2000, 0, now);
  lifeline_stream_chunk(&a, LIFELINE_CHUNK_CONTENT, now + 100);
  lifeline_stream_chunk(&a, LIFELINE_CHUNK_FILTERED, now + 200);
  CHECK_EQ_INT(0, lifeline_router_stream_record(r, 0, &a, now + 200));
  lifeline_router_service_info_get(r, 0, now + 200, &info);
  CHECK_EQ_INT(1, (int)info.calls);
  CHECK_EQ_INT(0, (int)info.failures);
  /* Five first-token timeouts in a row: the breaker opens, requests go to the fallback. */
  for (int k = 0; k < 5; k++) {
    now += 3000;
    lifeline_stream_start(&a, 2000, 0, now - 2000);
    lifeline_stream_tick(&a, now);
    CHECK_EQ_INT(0, lifeline_router_stream_record(r, 0, &a, now));
  }
  lifeline_router_service_info_get(r, 0, now, &info);
  CHECK_EQ_STR("open", info.breaker);
  CHECK_EQ_INT(LIFELINE_HEALTH_DOWN, info.health);
  CHECK_EQ_INT(6, (int)info.calls);
  CHECK_EQ_INT(5, (int)info.failures);
  CHECK_EQ_INT(1, first_choice(r, now));
  lifeline_router_free(r);

  /* A 429 with Retry-After keeps the service off for that long, then it is tried again. */
  now = 1000;
  r = two_services(now);
  lifeline_stream_start(&a, 2000, 0, now);
  lifeline_stream_headers(&a, 429, 3000, now + 20);
  CHECK_EQ_INT(0, lifeline_router_stream_record(r, 0, &a, now + 20));
  CHECK_EQ_INT(1, first_choice(r, now + 30));
  CHECK_EQ_INT(1, first_choice(r, now + 3000));
  lifeline_router_tick(r, now + 3021);
  CHECK_EQ_INT(0, first_choice(r, now + 3021));
  /* A complete stream is a success. */
  lifeline_stream_start(&a, 2000, 0, now + 4000);
  lifeline_stream_chunk(&a, LIFELINE_CHUNK_CONTENT, now + 4100);
  lifeline_stream_chunk(&a, LIFELINE_CHUNK_END, now + 4500);
  CHECK_EQ_INT(0, lifeline_router_stream_record(r, 0, &a, now + 4500));
  lifeline_router_service_info_get(r, 0, now + 4500, &info);
  CHECK_EQ_INT(2, (int)info.calls);
  CHECK_EQ_INT(1, (int)info.failures);
  CHECK_EQ_INT(500, info.p50_ms);
  lifeline_router_free(r);
}

/* The service of each streamed attempt: the request order, tried services skipped, the
 * fallback flagged degraded, an open breaker skipped, a half-open trial flagged and given back. */
static void test_pick(void) {
  uint64_t now = 1000;
  lifeline_router *r = two_services(now);
  int32_t flags = -1;
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_router_stream_pick(r, "nope", 0, now, &flags));
  CHECK_EQ_INT(LIFELINE_ERR_INVALID_ARGUMENT, lifeline_router_stream_pick(r, "", 0, now, &flags));
  CHECK_EQ_INT(0, lifeline_router_stream_pick(r, "analysis", 0, now, &flags));
  CHECK_EQ_INT(0, flags);
  CHECK_EQ_INT(1, lifeline_router_stream_pick(r, "analysis", 1u, now, &flags));
  CHECK_EQ_INT(LIFELINE_STREAM_PICK_DEGRADED, flags);
  CHECK_EQ_INT(LIFELINE_ERR_UNAVAILABLE, lifeline_router_stream_pick(r, "analysis", 3u, now, &flags));
  lifeline_stream_attempt a;
  for (int k = 0; k < 5; k++) { /* five resets: gemini's breaker opens */
    lifeline_stream_start(&a, 2000, 0, now);
    lifeline_stream_closed(&a, 1, now + 10);
    lifeline_router_stream_record(r, 0, &a, now + 10);
  }
  now += 10;
  CHECK_EQ_INT(1, lifeline_router_stream_pick(r, "analysis", 0, now, &flags));
  /* After the break (5 s +/- 20 %): the half-open trial, flagged; an abort gives it back. */
  now += 7000;
  lifeline_router_tick(r, now);
  lifeline_router_action act;
  while (lifeline_router_next_action(r, &act)) {
  }
  CHECK_EQ_INT(0, lifeline_router_stream_pick(r, "analysis", 0, now, &flags));
  CHECK_EQ_INT(LIFELINE_STREAM_PICK_TRIAL, flags);
  CHECK_EQ_INT(1, lifeline_router_stream_pick(r, "analysis", 0, now, &flags)); /* slot taken */
  CHECK_EQ_INT(0, lifeline_router_stream_release(r, 0, now));
  CHECK_EQ_INT(LIFELINE_ERR_NOT_FOUND, lifeline_router_stream_release(r, 9, now));
  CHECK_EQ_INT(0, lifeline_router_stream_pick(r, "analysis", 0, now, &flags));
  lifeline_router_free(r);
}

int main(void) {
  test_default_ttft();
  test_commit_at_first_content();
  test_no_response();
  test_statuses_before_commit();
  test_after_commit_failures();
  test_content_filter_and_abort();
  test_after_commit_decision();
  test_outcomes_feed_the_router();
  test_pick();
  return check_report("router_stream");
}
