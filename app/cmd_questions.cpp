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

struct QuestionsOptions {
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

int run_questions(const QuestionsOptions& options) {
  QuestionJob job;
  job.keyinfo = options.keyinfo;
  if (!options.metadata.empty()) job.metadata = options.metadata;
  job.libraries = options.libraries;
  job.out = options.out;
  job.min_count = options.min_count;
  auto format = parse_question_format(options.format);
  if (!format.ok()) return fail(format.status().message());
  job.format = *format;
  auto preset = parse_question_preset(options.preset);
  if (!preset.ok()) return fail(preset.status().message());
  job.options.preset = *preset;
  job.options.seed = options.seed;
  job.options.threads = options.threads;
  job.options.per_type = options.per_type;
  job.options.difference = !options.no_difference;
  auto rate = parse_ap_keep_rate(options.ap_keep_rate);
  if (!rate.ok()) return fail(rate.status().message());
  job.options.ap_keep_rate = *rate;
  auto result = run_question_job(job);
  if (!result.ok()) return fail(result.status().ToString());
  warn_first_problems("KeyInfo problems", result->keyinfo_errors);
  warn_first_problems("metadata problems", result->metadata_issues);
  const QuestionSummary& s = result->summary;
  std::printf("questions (preset %s): %zu records (%zu lines skipped, %zu metadata rows skipped, %zu duplicates), "
              "%zu frontal, %zu not frontal, %zu without metadata, %zu difference pairs, "
              "%zu without an earlier study, AP keep rate %.3f\n",
              options.preset.c_str(), s.records, result->keyinfo_errors.size(), result->metadata_issues.size(),
              s.duplicate_records, s.frontal, s.not_frontal, s.without_metadata, s.difference_pairs,
              s.without_reference, s.ap_keep_rate);
  for (size_t i = 0; i < kQuestionTypeCount; ++i) {
    std::printf("  %-12s %zu\n", std::string(question_type_name(static_cast<QuestionType>(i))).c_str(),
                s.per_type[i]);
  }
  std::printf("  %-12s %zu -> %s\n", "total", result->questions, options.out.c_str());
  return kExitOk;
}

}  // namespace

Command add_questions_command(CLI::App& parent) {
  auto options = std::make_shared<QuestionsOptions>();
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
