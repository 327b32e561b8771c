#include "report/report_figures.h"

#include <algorithm>

#include "common/string_map.h"

namespace cxrvqa::report {

namespace {

constexpr std::string_view kDifferenceKindNames[kDifferenceKindCount] = {
    "nothing has changed", "added findings only", "missing findings only", "added and missing findings",
    "level changed",       "other"};

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// The `limit` most frequent answers, most frequent first (ties by answer).
AnswerCounts top(const StringMap<size_t>& counts, size_t limit) {
  AnswerCounts list(counts.begin(), counts.end());
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

Result<ReportFigures> gather_report_figures(const DatasetFolder& folder) {
  ReportFigures figures;
  figures.dataset_name = folder.dir.filename().string();
  if (figures.dataset_name.empty()) figures.dataset_name = folder.dir.parent_path().filename().string();
  QuestionStatsCounter counter;
  std::vector<LineError> errors;
  CXRVQA_RETURN_IF_ERROR(for_each_question(
      folder.questions,
      [&](const QuestionRef& q) {
        counter.Add(q);
        auto type = static_cast<size_t>(q.type);
        auto split = figures.split_types.find(q.split);
        if (split == figures.split_types.end()) split = figures.split_types.emplace(std::string(q.split), std::array<size_t, kQuestionTypeCount>{}).first;
        ++split->second[type];
        if (q.type == QuestionType::kDifference) ++figures.difference_kinds[static_cast<size_t>(difference_kind(q.answer))];
      },
      errors));
  figures.malformed_rows = errors.size();
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    figures.top_answers[t] = top(counter.answer_counts(static_cast<QuestionType>(t)), kTopAnswers);
  }
  figures.stats = std::move(counter).Finish();
  if (folder.libraries) {
    CXRVQA_ASSIGN_OR_RETURN(auto libraries, load_libraries(*folder.libraries));
    figures.libraries = std::move(libraries);
  }
  figures.manifest = manifest_facts(folder.manifest);
  return figures;
}

}  // namespace cxrvqa::report
