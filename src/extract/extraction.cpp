#include "extract/extraction.h"

#include <chrono>

#include <fmt/format.h>

#include "common/file_io.h"
#include "common/parallel.h"
#include "common/progress.h"
#include "extract/rules_extractor.h"
#include "sections/sections.h"

namespace cxrvqa {

namespace {

constexpr size_t kFirstIssuesShown = 10;

// What one report produced.
struct RecordResult {
  std::string line;
  size_t positive = 0, uncertain = 0, negated = 0;
  bool without_metadata = false;
};

Result<std::shared_ptr<const Lexicon>> run_lexicon(const ExtractionOptions& options) {
  if (options.lexicon) return options.lexicon;
  return Lexicon::Load(options.lexicon_dir);
}

// The metadata table, or an empty index when none is given. Its broken rows go to `issues`.
Result<StudyIndex> load_metadata(const ExtractionOptions& options, std::vector<CorpusIssue>& issues) {
  if (!options.metadata) return StudyIndex();
  CXRVQA_ASSIGN_OR_RETURN(auto records, read_mimic_all(*options.metadata, issues));
  return StudyIndex(std::make_shared<const std::vector<StudyRecord>>(std::move(records)));
}

Result<std::unique_ptr<CorpusReader>> open_run_corpus(const ExtractionOptions& options,
                                                      const StudyIndex& metadata) {
  if (options.corpus == CorpusKind::kMimic && metadata.records()) {
    return open_mimic_corpus(options.reports, metadata.records());
  }
  return open_corpus(options.corpus, options.reports, std::nullopt);
}

RecordResult extract_one(const RulesExtractor& extractor, const Report& report,
                         const StudyIndex& metadata) {
  KeyInfo info = extractor.Extract(select_report_text(report.text));
  const StudyRecord* record = metadata.Find(report.study_id);
  info.meta = study_meta_for(report, record);
  RecordResult result;
  result.line = keyinfo_to_json_line(info);
  result.positive = info.entity.size();
  result.uncertain = info.uncertain_entity.size();
  result.negated = info.no_entity.size();
  result.without_metadata = metadata.records() && record == nullptr;
  return result;
}

// Fills the next batch from `reader`; false when the corpus is exhausted.
bool read_batch(CorpusReader& reader, size_t size, std::vector<Report>& batch) {
  batch.clear();
  Report report;
  while (batch.size() < size && reader.Next(report)) batch.push_back(std::move(report));
  return !batch.empty();
}

void count_issues(const std::vector<CorpusIssue>& issues, ExtractionSummary& summary) {
  summary.issue_count = issues.size();
  for (const auto& issue : issues) {
    ++summary.issues_by_kind[issue.kind()];
    if (summary.first_issues.size() < kFirstIssuesShown) summary.first_issues.push_back(issue);
  }
}

}  // namespace

StudyMeta study_meta_for(const Report& report, const StudyRecord* record) {
  StudyMeta meta;
  meta.study_id = report.study_id;
  meta.subject_id = report.subject_id;
  if (record == nullptr) return meta;
  if (meta.subject_id.empty()) meta.subject_id = record->subject_id;
  meta.dicom_id = record->dicom_id;
  meta.view = record->view;
  meta.study_order = record->study_order;
  meta.split = record->split;
  return meta;
}

std::string ExtractionSummary::ToString() const {
  std::string out = fmt::format(
      "{} reports read, {} records written in {:.2f} s ({:.0f} reports/s over {:.2f} s of extraction)\n",
      reports_read, written, elapsed_seconds,
      extract_seconds > 0 ? reports_read / extract_seconds : 0.0, extract_seconds);
  if (issue_count > 0) {
    out += fmt::format("{} corpus issue(s) (entries skipped, or text repaired):\n", issue_count);
    for (const auto& [kind, count] : issues_by_kind) out += fmt::format("  {}: {}\n", kind, count);
    out += "first issues:\n";
    for (const auto& issue : first_issues) out += "  " + issue.ToString() + "\n";
  }
  if (without_metadata > 0) out += fmt::format("{} report(s) without a metadata row\n", without_metadata);
  double n = written > 0 ? static_cast<double>(written) : 1.0;
  out += fmt::format("findings per report: {:.2f} positive, {:.2f} uncertain, {:.2f} negated\n",
                     positive / n, uncertain / n, negated / n);
  return out;
}

Json ExtractionSummary::ToJson() const {
  Json by_kind = Json::object();
  for (const auto& [kind, count] : issues_by_kind) by_kind[kind] = count;
  return Json{{"reports", reports_read}, {"written", written},   {"positive", positive},
              {"uncertain", uncertain},  {"negated", negated},   {"issues", issue_count},
              {"issues_by_kind", by_kind}};
}

Result<ExtractionSummary> RunExtraction(const ExtractionOptions& options) {
  auto start = std::chrono::steady_clock::now();
  ExtractionSummary s;

  std::vector<std::filesystem::path> inputs = {options.reports};
  if (options.metadata) inputs.push_back(*options.metadata);
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({options.out}, inputs));
  CXRVQA_ASSIGN_OR_RETURN(auto lexicon, run_lexicon(options));
  RulesExtractor extractor(lexicon);
  if (!extractor.Ready()) return Status::Internal("lexicon does not compile: " + extractor.compile_error());
  std::vector<CorpusIssue> metadata_issues;
  CXRVQA_ASSIGN_OR_RETURN(auto metadata, load_metadata(options, metadata_issues));
  CXRVQA_ASSIGN_OR_RETURN(auto reader, open_run_corpus(options, metadata));
  reader->add_issues(std::move(metadata_issues));
  auto out = AtomicFileWriter::Open(options.out);  // the output appears whole, or not at all
  if (!out.ok()) return out.status();

  auto loop_start = std::chrono::steady_clock::now();
  Progress progress("extract", reader->total_hint(), options.progress);
  std::vector<Report> batch;
  std::vector<RecordResult> results;
  while (read_batch(*reader, std::max<size_t>(options.batch_size, 1), batch)) {
    results.assign(batch.size(), RecordResult{});
    parallel_chunks(batch.size(), options.threads, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) results[i] = extract_one(extractor, batch[i], metadata);
      progress.Add(end - begin);
    });
    for (const auto& result : results) {
      CXRVQA_RETURN_IF_ERROR((*out)->Append(result.line));
      s.positive += result.positive;
      s.uncertain += result.uncertain;
      s.negated += result.negated;
      s.without_metadata += result.without_metadata;
    }
    s.reports_read += batch.size();
    s.written += batch.size();
    progress.SetDetail(fmt::format("issues {}", reader->issues().size()));
  }
  progress.Finish();
  CXRVQA_RETURN_IF_ERROR(reader->status());
  CXRVQA_RETURN_IF_ERROR((*out)->Commit());
  count_issues(reader->issues(), s);
  auto now = std::chrono::steady_clock::now();
  s.elapsed_seconds = std::chrono::duration<double>(now - start).count();
  s.extract_seconds = std::chrono::duration<double>(now - loop_start).count();
  return s;
}

}  // namespace cxrvqa
