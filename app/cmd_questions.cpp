// cxrvqa questions: the VQA question set (six Medical-CXR-VQA types plus difference
// questions) from standardized KeyInfo, the study metadata and the frequency libraries.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string>

#include "command.h"
#include "options.h"
#include "questions/questions.h"

namespace cxrvqa::app {

namespace {

struct QuestionsFlags {
  std::string preset = "cxrvqa";
  std::string keyinfo, metadata, libraries, out;
  std::string format = "csv";
  uint64_t seed = 0;
  unsigned threads = 0;
  size_t min_count = 10;
  size_t per_type = 1;
  std::string ap_keep_rate = "auto";
  bool no_difference = false;
};

Result<QuestionOptions> resolve_options(const QuestionsFlags& flags) {
  QuestionOptions options;
  options.keyinfo = flags.keyinfo;
  options.metadata = optional_path(flags.metadata);
  options.libraries = flags.libraries;
  options.out = flags.out;
  options.min_count = flags.min_count;
  CXRVQA_ASSIGN_OR_RETURN(options.format, parse_question_format(flags.format));
  CXRVQA_ASSIGN_OR_RETURN(options.preset, parse_question_preset(flags.preset));
  options.seed = flags.seed;
  options.threads = flags.threads;
  options.per_type = flags.per_type;
  options.difference = !flags.no_difference;
  CXRVQA_ASSIGN_OR_RETURN(options.ap_keep_rate, parse_ap_keep_rate(flags.ap_keep_rate));
  return options;
}

int run_questions(const QuestionsFlags& flags) {
  auto options = resolve_options(flags);
  if (!options.ok()) return fail(options.status().message());
  auto summary = RunQuestions(*options);
  if (!summary.ok()) return fail(summary.status().ToString());
  warn_first_problems("KeyInfo problems", summary->keyinfo_errors);
  warn_first_problems("metadata problems", summary->metadata_issues);
  std::fputs(summary->ToString().c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command add_questions_command(CLI::App& parent) {
  auto options = std::make_shared<QuestionsFlags>();
  Command command;
  command.app = parent.add_subcommand(
      "questions", "Generate VQA questions (6 types + difference) from standardized KeyInfo");
  auto* app = command.app;
  add_preset_option(*app, options->preset);
  app->add_option("--keyinfo", options->keyinfo, "KeyInfo: JSONL, or a JSON array (all_diseases.json)")->required();
  add_metadata_option(*app, options->metadata, "view, split, study order, image; default: from the records");
  app->add_option("--libraries", options->libraries,
                  "Directory written by `cxrvqa libraries`, or the original libs/ (*_dict.json)")->required();
  app->add_option("--out", options->out, "Output file (questions.csv or .jsonl)")->required();
  app->add_option("--format", options->format, "csv or jsonl")->check(CLI::IsMember({"csv", "jsonl"}));
  add_seed_option(*app, options->seed);
  add_threads_option(*app, options->threads);
  app->add_option("--min-count", options->min_count,
                  "Leave out names and attribute words seen fewer times than this");
  app->add_option("--per-type", options->per_type,
                  "At most this many questions per type per study (release presets: passes per study)")
      ->check(CLI::PositiveNumber);
  add_ap_keep_rate_option(*app, options->ap_keep_rate);
  app->add_flag("--no-difference", options->no_difference, "Skip difference questions");
  command.run = [options] { return run_questions(*options); };
  return command;
}

}  // namespace cxrvqa::app
