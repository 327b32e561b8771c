// The figures an HTML report shows, gathered from a dataset folder (internal to the report
// module).
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "dataset/dataset.h"
#include "libraries/libraries.h"
#include "stats/stats.h"

namespace cxrvqa::report {

// What a difference answer says, from its wording ("nothing has changed.", "... additional
// finding(s) of ...", "... missing the finding(s) of ...", "the level of ... has changed ...").
enum class DifferenceKind { kNothing, kAddedOnly, kMissingOnly, kAddedAndMissing, kLevelChange, kOther };
inline constexpr size_t kDifferenceKindCount = 6;
std::string_view difference_kind_name(DifferenceKind kind);
DifferenceKind difference_kind(std::string_view answer);

using AnswerCounts = std::vector<std::pair<std::string, size_t>>;

struct ReportFigures {
  std::string dataset_name;  // the folder's name
  QuestionStats stats;
  std::array<AnswerCounts, kQuestionTypeCount> top_answers;  // most frequent first, at most kTopAnswers
  std::map<std::string, std::array<size_t, kQuestionTypeCount>, std::less<>> split_types;
  std::array<size_t, kDifferenceKindCount> difference_kinds = {};
  std::optional<Libraries> libraries;  // nullopt when the folder has no libraries/
  ManifestFacts manifest;
  size_t malformed_rows = 0;
};
inline constexpr size_t kTopAnswers = 30;

// The figures of `folder`. `counted` (may be null): RunStats of folder.questions, already
// run by the caller on the same file; when null the question file is read here.
Result<ReportFigures> gather_report_figures(const DatasetFolder& folder, const StatsSummary* counted);

}  // namespace cxrvqa::report
