#include "sections/report_texts.h"

#include <functional>
#include <memory>

#include "sections/sections.h"

namespace cxrvqa {
namespace {

// Calls `on_report(report, selected_text)` for every report whose selected text is not blank;
// blank ones become issues.
Status for_each_selected(const CorpusSource& source, std::vector<CorpusIssue>& issues,
                         const std::function<void(const Report&, std::string&&)>& on_report) {
  CXRVQA_ASSIGN_OR_RETURN(auto reader, open_corpus(source.kind, source.reports, source.metadata));
  Report report;
  while (reader->Next(report)) {
    std::string text = select_report_text(report.text);
    if (text.empty()) {
      issues.push_back({report.source, 0, report.study_id, "empty text: no report text selected"});
      continue;
    }
    on_report(report, std::move(text));
  }
  const auto& corpus_issues = reader->issues();
  issues.insert(issues.end(), corpus_issues.begin(), corpus_issues.end());
  return reader->status();
}

}  // namespace

Result<ReportTexts> read_report_texts(const CorpusSource& source,
                                      const std::unordered_set<std::string>* wanted) {
  ReportTexts out;
  Status status = for_each_selected(source, out.issues, [&](const Report& report, std::string&& text) {
    if (wanted != nullptr && wanted->count(report.study_id) == 0) return;
    if (!out.by_study.emplace(report.study_id, std::move(text)).second) {
      out.issues.push_back({report.source, 0, report.study_id, "duplicate study: first report kept"});
      return;
    }
    out.order.push_back(report.study_id);
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<std::string>> read_study_ids(const CorpusSource& source,
                                                std::vector<CorpusIssue>& issues) {
  std::vector<std::string> ids;
  std::unordered_set<std::string> seen;
  Status status = for_each_selected(source, issues, [&](const Report& report, std::string&&) {
    if (seen.insert(report.study_id).second) ids.push_back(report.study_id);
  });
  if (!status.ok()) return status;
  return ids;
}

}  // namespace cxrvqa
