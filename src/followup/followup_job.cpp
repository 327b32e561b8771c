#include "followup/followup_job.h"

#include <spdlog/spdlog.h>

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

Result<FollowupSettings> load_settings(const FollowupJob& job) {
  CXRVQA_ASSIGN_OR_RETURN(auto system_prompt, llm::load_system_prompt(job.system_prompt));
  CXRVQA_ASSIGN_OR_RETURN(auto templates, load_followup_templates(job.prompts_dir));
  FollowupSettings settings;
  settings.system_prompt = std::move(system_prompt);
  settings.templates = std::move(templates);
  settings.per_finding = job.per_finding;
  settings.rounds = job.rounds;
  return settings;
}

// The report texts of the studies that disagree now: only they can change.
Result<ReportTexts> disagreeing_texts(const FollowupJob& job, const DisagreementScan& scan) {
  std::unordered_set<std::string> wanted;
  for (const StudyDisagreements& study : scan.studies) wanted.insert(study.study_id);
  auto texts = read_report_texts(job.corpus, &wanted);
  if (texts.ok()) warn_corpus_issues(texts->issues);
  return texts;
}

Status write_records(const std::filesystem::path& path, const std::vector<KeyInfo>& records) {
  std::string text;
  for (const KeyInfo& record : records) text.append(keyinfo_to_json_line(record)).push_back('\n');
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

size_t FollowupJobSummary::requests() const {
  size_t total = 0;
  for (const FollowupRound& round : followup.rounds) total += round.requests;
  return total;
}

Result<FollowupJobSummary> run_followup_job(const FollowupJob& job) {
  if (job.lexicon == nullptr) return Status::InvalidArgument("followup: no lexicon");
  std::vector<std::filesystem::path> inputs = {job.llm_keyinfo, job.reference, job.corpus.reports, job.config.cache};
  for (const auto& path : {job.corpus.metadata, job.system_prompt}) {
    if (path) inputs.push_back(*path);
  }
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({job.out}, inputs));
  CXRVQA_ASSIGN_OR_RETURN(auto settings, load_settings(job));
  FollowupJobSummary summary;
  CXRVQA_ASSIGN_OR_RETURN(auto records, read_keyinfo_warned(job.llm_keyinfo, summary.skipped_llm_lines));
  CXRVQA_ASSIGN_OR_RETURN(auto reference, read_keyinfo_warned(job.reference, summary.skipped_reference_lines));
  if (summary.skipped_llm_lines + summary.skipped_reference_lines > 0) {
    spdlog::warn("{} LLM and {} reference KeyInfo lines skipped (unusable); skipped LLM lines "
                 "are not in the output", summary.skipped_llm_lines, summary.skipped_reference_lines);
  }

  const FindingMatcher matcher(job.lexicon);
  DisagreementScan first = scan_disagreements(records, reference, matcher);
  summary.first_round_disagreeing = first.studies.size();
  CXRVQA_ASSIGN_OR_RETURN(auto texts, disagreeing_texts(job, first));
  summary.corpus_issues = texts.issues.size();

  CXRVQA_ASSIGN_OR_RETURN(auto runner, llm::ChatRunner::Create(job.config));
  if (job.on_hosts) job.on_hosts(runner->receiving_hosts());
  // Answers are standardized like any LLM output, attribute words re-filed by the
  // frequencies of the input set.
  auto standardizer = std::make_shared<const Standardizer>(job.lexicon);
  auto frequencies = std::make_shared<const Libraries>(compute_libraries(records, job.lexicon.get()));
  auto followup = run_followup(records, reference, texts.by_study, matcher, settings, *runner,
                               standardize_with(standardizer, frequencies));
  CXRVQA_RETURN_IF_ERROR(write_records(job.out, records));
  if (!followup.ok()) {
    return Status(followup.status().code(),
                  followup.status().message() + " (completed answers were written to " +
                      job.out.string() + ")");
  }
  summary.followup = std::move(*followup);
  summary.written = records.size();
  return summary;
}

}  // namespace cxrvqa
