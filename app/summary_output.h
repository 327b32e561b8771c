// How a command that runs one library Run function prints its outcome.
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

// The summary's ToString() on standard error, for commands that report their counts there
// (also the counts so far when a run fails: see the on_error hooks of the Run options).
template <typename Summary>
void print_summary_to_stderr(const Summary& summary) {
  std::fputs(summary.ToString().c_str(), stderr);
}

}  // namespace cxrvqa::app
