// cxrvqa questions: the VQA question set (six Medical-CXR-VQA types plus difference
// questions) from standardized KeyInfo, the study metadata and the frequency libraries.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string>

#include "command.h"
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

constexpr size_t kShownProblems = 20;

template <typename Problem>
void report_problems(const char* what, const std::vector<Problem>& problems) {
  for (size_t i = 0; i < problems.size() && i < kShownProblems; ++i) {
    spdlog::warn("{}", problems[i].ToString());
  }
  if (problems.size() > kShownProblems) {
    spdlog::warn("{} more {} problems not shown", problems.size() - kShownProblems, what);
  }
}

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
  if (options.ap_keep_rate != "auto") {
    double rate = -1;
    size_t used = 0;
    try {
      rate = std::stod(options.ap_keep_rate, &used);
    } catch (const std::exception&) {
    }
    if (used != options.ap_keep_rate.size() || !(rate >= 0 && rate <= 1)) {  // NaN fails too
      return fail("--ap-keep-rate must be a number in [0, 1] or 'auto', not '" + options.ap_keep_rate + "'");
    }
    job.options.ap_keep_rate = rate;
  }
  auto result = run_question_job(job);
  if (!result.ok()) return fail(result.status().ToString());
  report_problems("KeyInfo", result->keyinfo_errors);
  report_problems("metadata", result->metadata_issues);
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
  app->add_option("--preset", options->preset,
                  "cxrvqa (default), medical-cxr-vqa or medical-diff-vqa: the rules of the dataset to make")
      ->check(CLI::IsMember({"cxrvqa", "medical-cxr-vqa", "medical-diff-vqa"}));
  app->add_option("--keyinfo", options->keyinfo, "KeyInfo: JSONL, or a JSON array (all_diseases.json)")->required();
  app->add_option("--metadata", options->metadata,
                  "mimic_all.csv (view, split, study_order, dicom_id); default: from the records");
  app->add_option("--libraries", options->libraries,
                  "Directory written by `cxrvqa libraries`, or the original libs/ (*_dict.json)")->required();
  app->add_option("--out", options->out, "Output file (questions.csv or .jsonl)")->required();
  app->add_option("--format", options->format, "csv or jsonl")->check(CLI::IsMember({"csv", "jsonl"}));
  app->add_option("--seed", options->seed, "Sampling seed");
  app->add_option("--threads", options->threads, "Worker threads (0 = all cores)");
  app->add_option("--min-count", options->min_count,
                  "Leave out names and attribute words seen fewer times than this");
  app->add_option("--per-type", options->per_type,
                  "At most this many questions per type per study (release presets: passes per study)")
      ->check(CLI::PositiveNumber);
  app->add_option("--ap-keep-rate", options->ap_keep_rate,
                  "Share of AP images asked view questions, or 'auto' (cxrvqa: balance PA and AP; "
                  "release presets: 0.05)");
  app->add_flag("--no-difference", options->no_difference, "Skip difference questions");
  command.run = [options] { return run_questions(*options); };
  return command;
}

}  // namespace cxrvqa::app
