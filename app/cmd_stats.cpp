// cxrvqa stats: the paper's table for a question set, beside the released figures.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "command.h"
#include "options.h"
#include "stats/stats.h"
#include "summary_output.h"

namespace cxrvqa::app {

namespace {

struct StatsCliOptions {
  std::string questions;
  bool json = false;
};

int run_stats(const StatsCliOptions& cli) {
  auto result = RunStats({cli.questions});
  if (result.ok()) {
    warn_first_problems("malformed lines", result->malformed);
    if (!result->malformed.empty()) spdlog::warn("{} malformed lines skipped", result->malformed.size());
  }
  return print_result(result, cli.json);
}

}  // namespace

Command add_stats_command(CLI::App& parent) {
  auto options = std::make_shared<StatsCliOptions>();
  Command command;
  command.app = parent.add_subcommand("stats", "Statistics of a question set beside the released Medical-CXR-VQA figures");
  command.app->add_option("--questions", options->questions, "questions.csv or questions.jsonl")->required();
  command.app->add_flag("--json", options->json, "JSON instead of a text table");
  command.run = [options] { return run_stats(*options); };
  return command;
}

}  // namespace cxrvqa::app
