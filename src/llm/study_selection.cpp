#include "llm/study_selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "common/file_io.h"
#include "common/hash.h"
#include "common/text.h"
#include "corpus/metadata.h"
#include "extract/extraction.h"
#include "sections/sections.h"

namespace cxrvqa::llm {
namespace {

Result<std::unordered_set<std::string>> read_ids(const std::filesystem::path& path) {
  CXRVQA_ASSIGN_OR_RETURN(auto reader, LineReader::Open(path));
  std::unordered_set<std::string> ids;
  std::string line;
  while (reader->Next(line)) {
    std::string id(trim(std::string_view(line).substr(0, line.find(','))));
    if (id.empty() || id[0] == '#' || id == "study_id") continue;
    ids.insert(std::move(id));
  }
  if (!reader->status().ok()) return reader->status();
  return ids;
}

// Calls `on_report` for each report until it sets `stop`.
Status for_each_report(const StudySelection& selection, const std::function<Status(Report&, bool& stop)>& on_report,
                       SelectionStats* stats) {
  CXRVQA_ASSIGN_OR_RETURN(auto reader, open_corpus(selection.corpus, selection.reports, selection.metadata));
  Report report;
  bool stop = false;
  while (!stop && reader->Next(report)) {
    if (stats) ++stats->reports_read;
    CXRVQA_RETURN_IF_ERROR(on_report(report, stop));
  }
  if (stats) stats->issues.insert(stats->issues.end(), reader->issues().begin(), reader->issues().end());
  return reader->status();
}

Result<std::unordered_set<std::string>> sample_ids(const StudySelection& selection) {
  std::vector<std::pair<uint64_t, std::string>> ranked;
  CXRVQA_RETURN_IF_ERROR(for_each_report(selection, [&](Report& report, bool&) {
    ranked.emplace_back(stable_hash64(report.study_id, selection.seed), report.study_id);
    return Status::Ok();
  }, nullptr));
  size_t n = std::min(selection.sample, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + n, ranked.end());
  std::unordered_set<std::string> ids;
  for (size_t i = 0; i < n; ++i) ids.insert(ranked[i].second);
  return ids;
}

}  // namespace

StudyMeta study_meta(const std::string& study_id, const std::string& subject_id, const StudyIndex& index) {
  return study_meta_for(Report{study_id, subject_id, "", ""}, index.Find(study_id));
}

Status for_each_selected_study(const StudySelection& selection,
                               const std::function<Status(SelectedStudy&&)>& on_study, SelectionStats* stats) {
  std::optional<std::unordered_set<std::string>> wanted;
  if (selection.ids_file) {
    CXRVQA_ASSIGN_OR_RETURN(auto ids, read_ids(*selection.ids_file));
    wanted = std::move(ids);
  }
  if (selection.sample > 0) {
    CXRVQA_ASSIGN_OR_RETURN(auto ids, sample_ids(selection));
    if (wanted) std::erase_if(ids, [&](const std::string& id) { return !wanted->contains(id); });
    wanted = std::move(ids);
  }
  StudyIndex index;
  if (selection.metadata) {
    std::vector<CorpusIssue> issues;
    CXRVQA_ASSIGN_OR_RETURN(auto records, read_mimic_all(*selection.metadata, issues));
    index = StudyIndex(std::make_shared<const std::vector<StudyRecord>>(std::move(records)));
  }
  SelectionStats local;
  SelectionStats& counts = stats ? *stats : local;
  std::unordered_set<std::string> seen;
  return for_each_report(selection, [&](Report& report, bool& stop) -> Status {
    if (wanted && !wanted->contains(report.study_id)) return Status::Ok();
    if (!seen.insert(report.study_id).second) {
      counts.issues.push_back(CorpusIssue{report.source, 0, report.study_id, "duplicate study: read once only"});
      return Status::Ok();
    }
    ++counts.selected;
    CXRVQA_RETURN_IF_ERROR(on_study(SelectedStudy{study_meta(report.study_id, report.subject_id, index), select_report_text(report.text)}));
    stop = selection.limit > 0 && counts.selected >= selection.limit;
    return Status::Ok();
  }, &counts);
}

}  // namespace cxrvqa::llm
