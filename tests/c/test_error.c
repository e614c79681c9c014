#include "check.h"
#include "lifeline/error.h"

int main(void) {
  CHECK_EQ_STR("ok", lifeline_strerror(LIFELINE_OK));
  CHECK_EQ_STR("LIFELINE_ERR_LINE_TOO_LONG", lifeline_errname(LIFELINE_ERR_LINE_TOO_LONG));
  CHECK_EQ_STR("unknown error", lifeline_strerror(-9999));
  CHECK_EQ_STR("LIFELINE_ERR_UNKNOWN", lifeline_errname(12345));
  CHECK(LIFELINE_ERR_TIMEOUT < 0);
  return check_report("error");
}
