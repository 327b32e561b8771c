#include "llm/batch_run.h"

#include <fmt/format.h>

#include <unordered_set>

#include "common/file_io.h"
#include "common/text.h"
#include "corpus/metadata.h"
#include "llm/batch.h"
#include "llm/extraction.h"
#include "llm/lenient_json.h"

namespace cxrvqa::llm {
namespace {


Result<StudyIndex> load_index(const std::optional<std::filesystem::path>& metadata) {
  if (!metadata) return StudyIndex();
  std::vector<CorpusIssue> issues;
  CXRVQA_ASSIGN_OR_RETURN(auto records, read_mimic_all(*metadata, issues));
  return StudyIndex(std::make_shared<const std::vector<StudyRecord>>(std::move(records)));
}

}  // namespace

Status export_batch(const BatchExportJob& job, BatchExportSummary* summary) {
  BatchExportSummary local;
  BatchExportSummary& s = summary ? *summary : local;
  if (job.config.endpoints.empty()) return Status::InvalidArgument("batch export needs a model (--model or --config)");
  std::vector<std::filesystem::path> inputs = {job.selection.reports};
  for (const auto& path : {job.selection.metadata, job.selection.ids_file, job.system_prompt}) {
    if (path) inputs.push_back(*path);
  }
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({job.out}, inputs));
  CXRVQA_ASSIGN_OR_RETURN(auto system_prompt, load_system_prompt(job.system_prompt));
  std::string content;
  CXRVQA_RETURN_IF_ERROR(for_each_selected_study(job.selection, [&](SelectedStudy&& study) {
    if (trim(study.text).empty()) {
      ++s.empty;
      return Status::Ok();
    }
    content += batch_request_line(job.config, ChatJob{study.meta.study_id, extraction_messages(system_prompt, study.text)});
    content += '\n';
    ++s.written;
    return Status::Ok();
  }, &s.selection));
  return write_file_atomic(job.out, content);
}

std::string BatchImportSummary::ToString() const {
  std::string text = fmt::format(
      "batch import: {} result lines, {} studies written, {} duplicates skipped, {} filtered, {} failed, {} bad lines\n",
      lines, written, duplicates, filtered, failed, bad_lines);
  if (!first_bad_line.empty()) text += "batch import: first bad line: " + first_bad_line + "\n";
  return text;
}

Status import_batch(const BatchImportJob& job, BatchImportSummary* summary) {
  BatchImportSummary local;
  BatchImportSummary& s = summary ? *summary : local;
  std::vector<std::filesystem::path> inputs = {job.results, job.cache};
  if (job.metadata) inputs.push_back(*job.metadata);
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({job.out, job.failures}, inputs));
  CXRVQA_ASSIGN_OR_RETURN(auto index, load_index(job.metadata));
  std::unique_ptr<AnswerCache> cache;
  if (!job.cache.empty()) {
    CXRVQA_ASSIGN_OR_RETURN(auto opened, AnswerCache::Open(job.cache));
    cache = std::move(opened);
  }
  std::string out, failures;
  std::unordered_set<std::string> seen;
  auto on_result = [&](const BatchResult& result) {
    ++s.lines;
    const ChatOutcome& outcome = result.outcome;
    if (!seen.insert(outcome.id).second) {
      ++s.duplicates;
      return;
    }
    if (outcome.kind == ChatOutcome::Kind::kOk) {
      auto parsed = parse_llm_json(outcome.content);  // accepted by the check, so it parses
      out += raw_keyinfo_line(*parsed, study_meta(outcome.id, "", index)) + "\n";
      ++s.written;
      return;
    }
    (outcome.kind == ChatOutcome::Kind::kFiltered ? s.filtered : s.failed)++;
    failures += failure_line(outcome.id, outcome.kind == ChatOutcome::Kind::kFiltered ? "filtered" : "failed",
                             outcome.error, outcome.content, outcome.raw) + "\n";
  };
  auto on_error = [&](const LineError& error) {
    if (s.bad_lines++ == 0) s.first_bad_line = error.ToString();
  };
  CXRVQA_RETURN_IF_ERROR(import_batch_results(job.results, cache.get(), keyinfo_answer_check(), on_result, on_error));
  CXRVQA_RETURN_IF_ERROR(write_file_atomic(job.out, out));
  return write_file_atomic(job.failures, failures);
}

}  // namespace cxrvqa::llm
