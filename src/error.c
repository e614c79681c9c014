#include "lifeline/error.h"

const char *lifeline_strerror(int code) {
  switch (code) {
#define LIFELINE_ERR_MSG_(name, value, msg) \
  case value:                               \
    return msg;
    LIFELINE_ERRNO_MAP(LIFELINE_ERR_MSG_)
#undef LIFELINE_ERR_MSG_
  }
  return "unknown error";
}

const char *lifeline_errname(int code) {
  switch (code) {
#define LIFELINE_ERR_NAME_(name, value, msg) \
  case value:                                \
    return "LIFELINE_" #name;
    LIFELINE_ERRNO_MAP(LIFELINE_ERR_NAME_)
#undef LIFELINE_ERR_NAME_
  }
  return "LIFELINE_ERR_UNKNOWN";
}
