// How a command that runs one library job prints its outcome.
#pragma once

#include <cstdio>

#include "command.h"
#include "common/status.h"

namespace cxrvqa::app {

// The error (kExitFailure), or the summary on standard output: its ToJson() indented with
// `json`, else its ToString() (kExitOk).
template <typename Summary>
int print_result(const Result<Summary>& result, bool json) {
  if (!result.ok()) return fail(result.status().ToString());
  if (json) {
    std::printf("%s\n", result->ToJson().dump(2).c_str());
  } else {
    std::fputs(result->ToString().c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace cxrvqa::app
