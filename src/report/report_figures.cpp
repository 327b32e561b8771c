#include "report/report_figures.h"

#include <algorithm>
#include <optional>


namespace cxrvqa::report {

namespace {

constexpr std::string_view kDifferenceKindNames[kDifferenceKindCount] = {
    "nothing has changed", "added findings only", "missing findings only", "added and missing findings",
    "level changed",       "other"};

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// The `limit` most frequent answers, most frequent first (ties by answer).
AnswerCounts top(AnswerCounts list, size_t limit) {
  auto order = [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; };
  if (list.size() > limit) {
    std::partial_sort(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(limit), list.end(), order);
    list.resize(limit);
  } else {
    std::sort(list.begin(), list.end(), order);
  }
  return list;
}

}  // namespace

std::string_view difference_kind_name(DifferenceKind kind) { return kDifferenceKindNames[static_cast<size_t>(kind)]; }

DifferenceKind difference_kind(std::string_view answer) {
  if (contains(answer, "nothing has changed")) return DifferenceKind::kNothing;
  if (contains(answer, "the level of") && contains(answer, "has changed")) return DifferenceKind::kLevelChange;
  bool added = contains(answer, "additional finding");
  bool missing = contains(answer, "missing the finding");
  if (added && missing) return DifferenceKind::kAddedAndMissing;
  if (added) return DifferenceKind::kAddedOnly;
  if (missing) return DifferenceKind::kMissingOnly;
  return DifferenceKind::kOther;
}

Result<ReportFigures> gather_report_figures(const DatasetFolder& folder, const StatsSummary* counted) {
  ReportFigures figures;
  figures.dataset_name = folder.dir.filename().string();
  if (figures.dataset_name.empty()) figures.dataset_name = folder.dir.parent_path().filename().string();
  std::optional<StatsSummary> read;
  if (counted == nullptr) {
    CXRVQA_ASSIGN_OR_RETURN(read, RunStats({folder.questions}));
    counted = &*read;
  }
  figures.malformed_rows = counted->malformed.size();
  figures.stats = counted->stats;
  for (const auto& [split, counts] : figures.stats.per_split) figures.split_types[split] = counts.per_type;
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    const auto& answers = figures.stats.per_type[t].answers;
    figures.top_answers[t] = top(answers, kTopAnswers);
    if (static_cast<QuestionType>(t) != QuestionType::kDifference) continue;
    for (const auto& [answer, count] : answers) {
      figures.difference_kinds[static_cast<size_t>(difference_kind(answer))] += count;
    }
  }
  if (folder.libraries) {
    CXRVQA_ASSIGN_OR_RETURN(auto libraries, load_libraries(*folder.libraries));
    figures.libraries = std::move(libraries);
  }
  figures.manifest = manifest_facts(folder.manifest);
  return figures;
}

}  // namespace cxrvqa::report
