// cxrvqa compare: two question sets side by side (type shares, yes/no shares, templates,
// answer vocabulary), e.g. a generated set against the released Medical-CXR-VQA file.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "command.h"
#include "options.h"
#include "stats/compare.h"
#include "summary_output.h"

namespace cxrvqa::app {

namespace {

struct CompareCliOptions {
  std::string questions, reference;
  bool json = false;
};

// Warns about the malformed rows of one file as soon as it has been read.
void warn_malformed(const std::filesystem::path& path, const std::vector<LineError>& malformed) {
  warn_first_problems("malformed lines", malformed);
  if (!malformed.empty()) spdlog::warn("{}: {} malformed lines skipped", path.string(), malformed.size());
}

int run_compare(const CompareCliOptions& cli) {
  return print_result(RunCompare({cli.questions, cli.reference, warn_malformed}), cli.json);
}

}  // namespace

Command add_compare_command(CLI::App& parent) {
  auto options = std::make_shared<CompareCliOptions>();
  Command command;
  command.app = parent.add_subcommand(
      "compare", "Compare two question sets: type shares, yes/no shares, templates, answer vocabulary");
  command.app->add_option("--questions", options->questions, "questions.csv / .jsonl (or any question file)")
      ->required()
      ->check(CLI::ExistingFile);
  command.app->add_option("--reference", options->reference,
                          "The set to compare with, e.g. the released medical_cxr_vqa_questions.csv")
      ->required()
      ->check(CLI::ExistingFile);
  command.app->add_flag("--json", options->json, "JSON instead of text");
  command.run = [options] { return run_compare(*options); };
  return command;
}

}  // namespace cxrvqa::app
