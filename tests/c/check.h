/* A minimal test harness: CHECK* macros count failures and keep going, so that one run shows
 * every broken rule; main returns check_report(), non-zero when anything failed. */
#ifndef LIFELINE_TEST_CHECK_H
#define LIFELINE_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures_;
static int check_count_;

#define CHECK(cond)                                                          \
  do {                                                                       \
    check_count_++;                                                          \
    if (!(cond)) {                                                           \
      check_failures_++;                                                     \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                        \
  } while (0)

#define CHECK_EQ_INT(want, got)                                                          \
  do {                                                                                   \
    long long w_ = (long long)(want), g_ = (long long)(got);                             \
    check_count_++;                                                                      \
    if (w_ != g_) {                                                                      \
      check_failures_++;                                                                 \
      fprintf(stderr, "%s:%d: %s: want %lld, got %lld\n", __FILE__, __LINE__, #got, w_, g_); \
    }                                                                                    \
  } while (0)

#define CHECK_EQ_STR(want, got)                                                            \
  do {                                                                                     \
    const char *w_ = (want), *g_ = (got);                                                  \
    check_count_++;                                                                        \
    if (strcmp(w_, g_) != 0) {                                                             \
      check_failures_++;                                                                   \
      fprintf(stderr, "%s:%d: %s:\n  want \"%s\"\n  got  \"%s\"\n", __FILE__, __LINE__, #got, w_, g_); \
    }                                                                                      \
  } while (0)

static int check_report(const char *suite) {
  printf("%s: %d checks, %d failed\n", suite, check_count_, check_failures_);
  return check_failures_ ? 1 : 0;
}

#endif
