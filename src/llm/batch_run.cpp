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

Status export_requests(const BatchExportOptions& options, BatchExportSummary& s) {
  s.out = options.out;
  if (options.config.endpoints.empty()) return Status::InvalidArgument("batch export needs a model (--model or --config)");
  std::vector<std::filesystem::path> inputs = {options.selection.reports};
  for (const auto& path : {options.selection.metadata, options.selection.ids_file, options.system_prompt}) {
    if (path) inputs.push_back(*path);
  }
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({options.out}, inputs));
  CXRVQA_ASSIGN_OR_RETURN(auto system_prompt, load_system_prompt(options.system_prompt));
  std::string content;
  CXRVQA_RETURN_IF_ERROR(for_each_selected_study(options.selection, [&](SelectedStudy&& study) {
    if (trim(study.text).empty()) {
      ++s.empty;
      return Status::Ok();
    }
    content += batch_request_line(options.config, ChatJob{study.meta.study_id, extraction_messages(system_prompt, study.text)});
    content += '\n';
    ++s.written;
    return Status::Ok();
  }, &s.selection));
  return write_file_atomic(options.out, content);
}

}  // namespace

std::string BatchExportSummary::ToString() const {
  return fmt::format("batch export: {} requests written to {} ({} studies without text skipped, {} corpus issues)\n",
                     written, out.string(), empty, selection.issues.size());
}

Json BatchExportSummary::ToJson() const {
  return Json{{"written", written}, {"empty", empty}, {"corpus_issues", selection.issues.size()}};
}

Result<BatchExportSummary> RunBatchExport(const BatchExportOptions& options) {
  return RunWithPartialSummary<BatchExportSummary>(
      [&](BatchExportSummary& summary) { return export_requests(options, summary); }, options.on_error);
}

std::string BatchImportSummary::ToString() const {
  std::string text = fmt::format(
      "batch import: {} result lines, {} studies written, {} duplicates skipped, {} filtered, {} failed, {} bad lines\n",
      lines, written, duplicates, filtered, failed, bad_lines);
  if (!first_bad_line.empty()) text += "batch import: first bad line: " + first_bad_line + "\n";
  return text;
}

Json BatchImportSummary::ToJson() const {
  return Json{{"lines", lines},       {"written", written}, {"duplicates", duplicates},
              {"filtered", filtered}, {"failed", failed},   {"bad_lines", bad_lines}};
}

namespace {

Status import_results(const BatchImportOptions& options, BatchImportSummary& s) {
  std::vector<std::filesystem::path> inputs = {options.results, options.cache};
  if (options.metadata) inputs.push_back(*options.metadata);
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({options.out, options.failures}, inputs));
  CXRVQA_ASSIGN_OR_RETURN(auto index, load_index(options.metadata));
  std::unique_ptr<AnswerCache> cache;
  if (!options.cache.empty()) {
    CXRVQA_ASSIGN_OR_RETURN(auto opened, AnswerCache::Open(options.cache));
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
  CXRVQA_RETURN_IF_ERROR(import_batch_results(options.results, cache.get(), keyinfo_answer_check(), on_result, on_error));
  CXRVQA_RETURN_IF_ERROR(write_file_atomic(options.out, out));
  return write_file_atomic(options.failures, failures);
}

}  // namespace

Result<BatchImportSummary> RunBatchImport(const BatchImportOptions& options) {
  return RunWithPartialSummary<BatchImportSummary>(
      [&](BatchImportSummary& summary) { return import_results(options, summary); }, options.on_error);
}

}  // namespace cxrvqa::llm
