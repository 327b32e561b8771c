#include "followup/followup_run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <unordered_set>

#include "common/file_io.h"
#include "keyinfo/keyinfo.h"
#include "libraries/libraries.h"
#include "llm/extraction.h"
#include "standardize/standardize.h"

namespace cxrvqa {

namespace {

constexpr size_t kLoggedProblems = 10;

template <typename Problem>
void warn_first(const std::vector<Problem>& problems, const char* what) {
  for (size_t i = 0; i < problems.size() && i < kLoggedProblems; ++i) {
    spdlog::warn("{}", problems[i].ToString());
  }
  if (problems.size() > kLoggedProblems) spdlog::warn("... {} {} in all", problems.size(), what);
}

Result<FollowupSettings> load_settings(const FollowupOptions& options) {
  CXRVQA_ASSIGN_OR_RETURN(auto system_prompt, llm::load_system_prompt(options.system_prompt));
  CXRVQA_ASSIGN_OR_RETURN(auto templates, load_followup_templates(options.prompts_dir));
  FollowupSettings settings;
  settings.system_prompt = std::move(system_prompt);
  settings.templates = std::move(templates);
  settings.per_finding = options.per_finding;
  settings.rounds = options.rounds;
  return settings;
}

// The report texts of the studies that disagree now: only they can change.
Result<ReportTexts> disagreeing_texts(const FollowupOptions& options, const DisagreementScan& scan) {
  std::unordered_set<std::string> wanted;
  for (const StudyDisagreements& study : scan.studies) wanted.insert(study.study_id);
  auto texts = read_report_texts(options.corpus, &wanted);
  if (texts.ok()) warn_corpus_issues(texts->issues);
  return texts;
}

// The sum of `count` (a member or a function of a round) over the rounds.
template <typename Count>
size_t sum_over_rounds(const std::vector<FollowupRound>& rounds, Count count) {
  size_t total = 0;
  for (const FollowupRound& round : rounds) total += std::invoke(count, round);
  return total;
}

Status write_records(const std::filesystem::path& path, const std::vector<KeyInfo>& records) {
  std::string text;
  for (const KeyInfo& record : records) {
    append_keyinfo_json_line(text, record);
    text.push_back('\n');
  }
  return write_file_atomic(path, text);
}

}  // namespace

Result<std::vector<KeyInfo>> read_keyinfo_warned(const std::filesystem::path& path,
                                                 size_t& skipped_lines) {
  std::vector<LineError> errors;
  auto records = read_keyinfo_jsonl(path, errors);
  warn_first(errors, "unusable KeyInfo lines");
  skipped_lines = errors.size();
  return records;
}

void warn_corpus_issues(const std::vector<CorpusIssue>& issues) { warn_first(issues, "corpus issues"); }

size_t FollowupSummary::requests() const { return sum_over_rounds(rounds, &FollowupRound::requests); }
size_t FollowupSummary::changed() const { return sum_over_rounds(rounds, &FollowupRound::changed); }
size_t FollowupSummary::failed() const { return sum_over_rounds(rounds, &FollowupRound::failed); }
size_t FollowupSummary::asked() const {
  return sum_over_rounds(rounds, [](const FollowupRound& round) { return round.disagreeing_studies - round.without_report; });
}

std::string FollowupSummary::ToString() const {
  std::string text = fmt::format(
      "followup: {} studies compared ({} LLM studies without reference), {} disagreeing, {} requests -> {}\n",
      studies_compared, llm_without_reference, first_round_disagreeing, requests(), out.string());
  for (size_t r = 0; r < rounds.size(); ++r) {
    const FollowupRound& round = rounds[r];
    text += fmt::format("  round {}: {} disagreeing studies, {} requests, {} changed, {} failed, {} filtered, "
                        "{} unusable answers, {} without report\n",
                        r + 1, round.disagreeing_studies, round.requests, round.changed, round.failed,
                        round.filtered, round.unusable_answers, round.without_report);
  }
  return text;
}

Json FollowupSummary::ToJson() const {
  return Json{{"compared", studies_compared},      {"without_reference", llm_without_reference},
              {"disagreeing", first_round_disagreeing}, {"requests", requests()},
              {"rounds", rounds.size()},            {"changed", changed()},
              {"failed", failed()},                 {"written", written},
              {"bad_lines", skipped_llm_lines + skipped_reference_lines}};
}

Result<FollowupSummary> RunFollowup(const FollowupOptions& options) {
  if (options.lexicon == nullptr) return Status::InvalidArgument("followup: no lexicon");
  std::vector<std::filesystem::path> inputs = {options.llm_keyinfo, options.reference, options.corpus.reports,
                                               options.config.cache};
  for (const auto& path : {options.corpus.metadata, options.system_prompt}) {
    if (path) inputs.push_back(*path);
  }
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({options.out}, inputs));
  CXRVQA_ASSIGN_OR_RETURN(auto settings, load_settings(options));
  size_t skipped_llm_lines = 0, skipped_reference_lines = 0;
  CXRVQA_ASSIGN_OR_RETURN(auto records, read_keyinfo_warned(options.llm_keyinfo, skipped_llm_lines));
  CXRVQA_ASSIGN_OR_RETURN(auto reference, read_keyinfo_warned(options.reference, skipped_reference_lines));
  if (skipped_llm_lines + skipped_reference_lines > 0) {
    spdlog::warn("{} LLM and {} reference KeyInfo lines skipped (unusable); skipped LLM lines "
                 "are not in the output", skipped_llm_lines, skipped_reference_lines);
  }

  const FindingMatcher matcher(options.lexicon);
  DisagreementScan first = scan_disagreements(records, reference, matcher);
  CXRVQA_ASSIGN_OR_RETURN(auto texts, disagreeing_texts(options, first));

  CXRVQA_ASSIGN_OR_RETURN(auto runner, llm::ChatRunner::Create(options.config));
  if (options.on_hosts) options.on_hosts(runner->receiving_hosts());
  // Answers are standardized like any LLM output, attribute words re-filed by the
  // frequencies of the input set.
  auto standardizer = std::make_shared<const Standardizer>(options.lexicon);
  auto frequencies = std::make_shared<const Libraries>(compute_libraries(records, options.lexicon.get()));
  auto followup = run_followup(records, reference, texts.by_study, matcher, settings, *runner,
                               standardize_with(standardizer, frequencies));
  CXRVQA_RETURN_IF_ERROR(write_records(options.out, records));
  if (!followup.ok()) {
    return Status(followup.status().code(),
                  followup.status().message() + " (completed answers were written to " +
                      options.out.string() + ")");
  }
  FollowupSummary summary = std::move(*followup);
  summary.out = options.out;
  summary.first_round_disagreeing = first.studies.size();
  summary.skipped_llm_lines = skipped_llm_lines;
  summary.skipped_reference_lines = skipped_reference_lines;
  summary.corpus_issues = texts.issues.size();
  summary.written = records.size();
  return summary;
}

}  // namespace cxrvqa
