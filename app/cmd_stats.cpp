// cxrvqa stats: the paper's table for a question set, beside the released figures.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string>

#include "command.h"
#include "options.h"
#include "stats/stats.h"

namespace cxrvqa::app {

namespace {

struct StatsOptions {
  std::string questions;
  bool json = false;
};

int run_stats(const StatsOptions& options) {
  std::vector<LineError> errors;
  auto read = read_question_stats(options.questions, errors);
  if (!read.ok()) return fail(read.status().ToString());
  warn_first_problems("malformed lines", errors);
  if (!errors.empty()) spdlog::warn("{} malformed lines skipped", errors.size());
  const QuestionStats& stats = *read;
  if (options.json) {
    std::printf("%s\n", question_stats_to_json(stats).dump(2).c_str());
  } else {
    std::fputs(format_question_stats(stats).c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace

Command add_stats_command(CLI::App& parent) {
  auto options = std::make_shared<StatsOptions>();
  Command command;
  command.app = parent.add_subcommand("stats", "Statistics of a question set beside the released Medical-CXR-VQA figures");
  command.app->add_option("--questions", options->questions, "questions.csv or questions.jsonl")->required();
  command.app->add_flag("--json", options->json, "JSON instead of a text table");
  command.run = [options] { return run_stats(*options); };
  return command;
}

}  // namespace cxrvqa::app
