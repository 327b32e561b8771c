#include "llm/extract_run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <unordered_map>

#include "common/file_io.h"
#include "common/progress.h"
#include "common/text.h"
#include "llm/extraction.h"
#include "llm/lenient_json.h"

namespace cxrvqa::llm {
namespace {

std::string outcome_kind_name(ChatOutcome::Kind kind) {
  switch (kind) {
    case ChatOutcome::Kind::kOk: return "unparseable";
    case ChatOutcome::Kind::kFiltered: return "filtered";
    case ChatOutcome::Kind::kFailed: return "failed";
  }
  return "failed";
}


// Both outputs of a run, each written to a temporary file and renamed at the end (removed
// when the run fails).
class Outputs {
 public:
  static Result<Outputs> Open(const LlmExtractionOptions& options) {
    Outputs outputs;
    CXRVQA_ASSIGN_OR_RETURN(auto out, AtomicFileWriter::Open(options.out));
    CXRVQA_ASSIGN_OR_RETURN(auto failures, AtomicFileWriter::Open(options.failures));
    outputs.out_writer_ = std::move(out);
    outputs.failures_writer_ = std::move(failures);
    return outputs;
  }
  AtomicFileWriter& out() { return *out_writer_; }
  AtomicFileWriter& failures() { return *failures_writer_; }
  Status Commit() {
    CXRVQA_RETURN_IF_ERROR(out_writer_->Commit());
    return failures_writer_->Commit();
  }

 private:
  std::unique_ptr<AtomicFileWriter> out_writer_, failures_writer_;
};

// Sends studies in chunks (bounded memory) and writes each chunk's lines in corpus order.
class ExtractionRun {
 public:
  ExtractionRun(ChatRunner& runner, Outputs& outputs, std::string system_prompt, LlmExtractionSummary& summary,
                bool progress)
      : runner_(runner),
        outputs_(outputs),
        system_prompt_(std::move(system_prompt)),
        summary_(summary),
        chunk_size_(std::max<size_t>(1024, 8 * static_cast<size_t>(runner.config().concurrency))),
        progress_("llm extract", 0, progress) {}

  Status Add(SelectedStudy&& study) {
    ++summary_.studies;
    if (trim(study.text).empty()) {
      ++summary_.empty;
      return outputs_.failures().Append(failure_line(study.meta.study_id, "empty", "no report text", ""));
    }
    jobs_.push_back(ChatJob{study.meta.study_id, extraction_messages(system_prompt_, study.text)});
    metas_.push_back(std::move(study.meta));
    return jobs_.size() >= chunk_size_ ? Flush() : Status::Ok();
  }

  Status Flush() {
    if (jobs_.empty()) return Status::Ok();
    std::unordered_map<std::string_view, size_t> position;
    for (size_t i = 0; i < jobs_.size(); ++i) position.emplace(jobs_[i].id, i);
    std::vector<std::optional<ChatOutcome>> outcomes(jobs_.size());
    Status status = runner_.Run(jobs_, [&](const ChatOutcome& outcome) {
      outcomes[position.at(outcome.id)] = outcome;
      progress_.Add();
      UpdateDetail();
    }, keyinfo_answer_check());
    CXRVQA_RETURN_IF_ERROR(status);
    for (size_t i = 0; i < jobs_.size(); ++i) CXRVQA_RETURN_IF_ERROR(Write(metas_[i], *outcomes[i]));
    jobs_.clear();
    metas_.clear();
    return Status::Ok();
  }

  void Finish() { progress_.Finish(); }

 private:
  Status Write(const StudyMeta& meta, const ChatOutcome& outcome) {
    if (outcome.kind == ChatOutcome::Kind::kOk) {
      auto parsed = parse_llm_json(outcome.content);
      if (parsed.ok()) {
        ++summary_.written;
        if (outcome.from_cache) ++summary_.from_cache;
        return outputs_.out().Append(raw_keyinfo_line(*parsed, meta));
      }
      NoteFailure(parsed.status().message());
      return outputs_.failures().Append(failure_line(meta.study_id, "unparseable", parsed.status().message(), outcome.content));
    }
    if (outcome.kind == ChatOutcome::Kind::kFiltered) ++summary_.filtered;
    else NoteFailure(outcome.error);
    return outputs_.failures().Append(
        failure_line(meta.study_id, outcome_kind_name(outcome.kind), outcome.error, outcome.content, outcome.raw));
  }

  void NoteFailure(const std::string& error) {
    if (summary_.failed++ == 0) summary_.first_failure = error;
  }

  void UpdateDetail() {
    double seconds = std::max(progress_.elapsed_seconds(), 1e-3);
    UsageTotals usage = runner_.totals();
    progress_.SetDetail(fmt::format("{:.0f} req/s, {:.0f} tok/s, {} cached, {} errors", usage.requests / seconds,
                                    (usage.prompt_tokens + usage.completion_tokens) / seconds, usage.cache_hits,
                                    usage.failed + usage.filtered + usage.retries));
  }

  ChatRunner& runner_;
  Outputs& outputs_;
  std::string system_prompt_;
  LlmExtractionSummary& summary_;
  size_t chunk_size_;
  Progress progress_;
  std::vector<ChatJob> jobs_;
  std::vector<StudyMeta> metas_;
};

}  // namespace

std::string LlmExtractionSummary::ToString() const {
  std::string text = fmt::format(
      "llm extract: {} studies selected ({} reports read), {} written ({} from cache), {} filtered, {} failed, "
      "{} empty\n",
      studies, selection.reports_read, written, from_cache, filtered, failed, empty);
  text += fmt::format("llm extract: {} requests ({} retries), {} prompt + {} completion tokens, {:.1f} s, {:.1f} req/s\n",
                      usage.requests, usage.retries, usage.prompt_tokens, usage.completion_tokens, seconds,
                      seconds > 0 ? usage.requests / seconds : 0.0);
  if (!selection.issues.empty()) {
    text += fmt::format("llm extract: {} corpus issues, first: {}\n", selection.issues.size(),
                        selection.issues.front().ToString());
  }
  if (failed + filtered + empty > 0) {
    text += "llm extract: failed studies are listed in the failures file; run again to retry them\n";
  }
  return text;
}

namespace {

Status extract_studies(const LlmExtractionOptions& options, LlmExtractionSummary& s) {
  auto start = std::chrono::steady_clock::now();
  std::vector<std::filesystem::path> inputs = {options.selection.reports, options.config.cache};
  for (const auto& path : {options.selection.metadata, options.selection.ids_file, options.system_prompt}) {
    if (path) inputs.push_back(*path);
  }
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({options.out, options.failures}, inputs));
  CXRVQA_ASSIGN_OR_RETURN(auto system_prompt, load_system_prompt(options.system_prompt));
  CXRVQA_ASSIGN_OR_RETURN(auto runner, ChatRunner::Create(options.config));
  s.hosts = runner->receiving_hosts();
  spdlog::info("llm: report text will be sent to: {}", join(s.hosts, ", "));
  CXRVQA_ASSIGN_OR_RETURN(auto outputs, Outputs::Open(options));
  ExtractionRun run(*runner, outputs, std::move(system_prompt), s, options.progress);
  Status status = for_each_selected_study(options.selection, [&](SelectedStudy&& study) { return run.Add(std::move(study)); },
                                          &s.selection);
  if (status.ok()) status = run.Flush();
  run.Finish();
  s.usage = runner->totals();
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CXRVQA_RETURN_IF_ERROR(status);
  return outputs.Commit();
}

}  // namespace

Json LlmExtractionSummary::ToJson() const {
  Json counts = {{"studies", studies}, {"written", written}, {"from_cache", from_cache},
                 {"requests", usage.requests}, {"filtered", filtered}, {"failed", failed},
                 {"empty", empty}, {"corpus_issues", selection.issues.size()}, {"hosts", hosts}};
  if (!first_failure.empty()) counts["first_failure"] = first_failure;
  return counts;
}

Result<LlmExtractionSummary> RunLlmExtraction(const LlmExtractionOptions& options) {
  return RunWithPartialSummary<LlmExtractionSummary>(
      [&](LlmExtractionSummary& summary) { return extract_studies(options, summary); }, options.on_error);
}

}  // namespace cxrvqa::llm
