// Statistics of a question set, laid out like the Medical-CXR-VQA paper's table and printed
// beside the released dataset's figures.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/jsonl.h"
#include "common/status.h"
#include "questions/questions.h"

namespace cxrvqa {

// Released Medical-CXR-VQA question counts per type (difference: none released).
struct ReleasedFigure {
  QuestionType type;
  size_t count;
};
inline constexpr ReleasedFigure kReleasedFigures[] = {
    {QuestionType::kAbnormality, 190525}, {QuestionType::kPresence, 211560},
    {QuestionType::kView, 92048},         {QuestionType::kLocation, 104680},
    {QuestionType::kLevel, 111715},       {QuestionType::kType, 69486}};
inline constexpr size_t kReleasedTotal = 780014;

struct TypeStats {
  size_t count = 0;
  size_t closed = 0;  // answer "yes" or "no"
  size_t yes = 0;
  size_t no = 0;
  size_t answer_vocabulary = 0;  // distinct answers of this type
  // Each distinct answer and how often it was given, in no particular order.
  std::vector<std::pair<std::string, size_t>> answers;
};

struct SplitStats {
  size_t questions = 0;
  size_t images = 0;    // distinct dicom_id (study_id when dicom_id is empty)
  size_t patients = 0;  // distinct subject_id
  std::array<size_t, kQuestionTypeCount> per_type = {};  // questions of each type
};

struct QuestionStats {
  size_t total = 0;
  size_t open = 0;
  size_t closed = 0;
  size_t yes = 0;
  size_t no = 0;
  size_t answer_vocabulary = 0;  // distinct answers overall
  size_t images = 0;
  size_t patients = 0;
  TypeStats per_type[kQuestionTypeCount];
  std::map<std::string, SplitStats, std::less<>> per_split;  // split name ("" shown as "(none)")
};

// Counts questions one at a time, so that a file need not be held whole.
class QuestionStatsCounter {
 public:
  QuestionStatsCounter();
  ~QuestionStatsCounter();
  QuestionStatsCounter(const QuestionStatsCounter&) = delete;
  QuestionStatsCounter& operator=(const QuestionStatsCounter&) = delete;
  void Add(const QuestionRef& question);
  QuestionStats Finish() &&;

 private:
  struct Distinct;
  struct Split;
  QuestionStats stats_;
  std::unique_ptr<Distinct> distinct_;
  std::map<std::string, std::unique_ptr<Split>, std::less<>> per_split_;
  Split* split_ = nullptr;  // the split of the question before
};

// The same over `questions` at once.
QuestionStats compute_question_stats(const std::vector<Question>& questions);

// The same over the question file `path` (for_each_question: CSV or JSONL, any layout), read
// once; malformed rows go to `errors` and are skipped. Fails when the file cannot be read.
Result<QuestionStats> read_question_stats(const std::filesystem::path& path, std::vector<LineError>& errors);

// The headline counts: {questions, images, patients, yes, no}.
Json question_stats_counts(const QuestionStats& stats);

// The plain-text table (per type: count, share, released count and share, closed, yes, no,
// answers; then totals, splits, patients and images).
std::string format_question_stats(const QuestionStats& stats);
// The same figures as JSON.
Json question_stats_to_json(const QuestionStats& stats);

// What `cxrvqa stats` and the pipeline's stats stage read.
struct StatsOptions {
  std::filesystem::path questions;  // questions.csv / .jsonl (any layout for_each_question reads)
};

struct StatsSummary {
  QuestionStats stats;
  std::vector<LineError> malformed;  // rows that could not be read (skipped)

  // format_question_stats(stats).
  std::string ToString() const;
  // question_stats_to_json(stats).
  Json ToJson() const;
};

// Reads the question file once and counts it (read_question_stats). Fails when the file
// cannot be read; malformed rows are listed in the summary, never a failure.
Result<StatsSummary> RunStats(const StatsOptions& options);

}  // namespace cxrvqa
