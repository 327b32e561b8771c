// cxrvqa compare: two question sets side by side (type shares, yes/no shares, templates,
// answer vocabulary), e.g. a generated set against the released Medical-CXR-VQA file.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string>

#include "command.h"
#include "options.h"
#include "stats/compare.h"

namespace cxrvqa::app {

namespace {

struct CompareOptions {
  std::string questions, reference;
  bool json = false;
};

Result<QuestionSetProfile> read_profile(const std::string& path) {
  std::vector<LineError> errors;
  auto profile = profile_question_file(path, errors);
  warn_first_problems("malformed lines", errors);
  if (!errors.empty()) spdlog::warn("{}: {} malformed lines skipped", path, errors.size());
  return profile;
}

int run_compare(const CompareOptions& options) {
  auto questions = read_profile(options.questions);
  if (!questions.ok()) return fail(questions.status().ToString());
  auto reference = read_profile(options.reference);
  if (!reference.ok()) return fail(reference.status().ToString());
  QuestionComparison comparison = compare_question_sets(*questions, *reference);
  if (options.json) {
    std::printf("%s\n", comparison.ToJson().dump(2).c_str());
  } else {
    std::fputs(comparison.ToString().c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace

Command add_compare_command(CLI::App& parent) {
  auto options = std::make_shared<CompareOptions>();
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
