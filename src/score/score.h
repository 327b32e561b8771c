// `cxrvqa score`: a VQA model's answers scored against a question set (questions.csv or
// .jsonl, e.g. the answer key of a blind export).
//
// Predictions: CSV with a header, or JSONL (by extension: .jsonl/.json), one answer per
// question, keyed by `question_id` when the row has one, else by `study_id` + `question`.
// The answer is the first of the columns/keys `answer`, `prediction`, `pred`, `text` (so
// LLaVA's model_vqa answer files are read as they are). Every gold question without a
// prediction is "missing" and scored as an empty (wrong) answer, so leaving questions out
// never raises a figure; every prediction that matches no gold question is "extra"; a
// question answered twice keeps the first answer. All three are counted and named. A gold
// question repeated with the same id is scored once when it has a prediction (the repeat
// is named in gold_duplicates); without one, each copy is missing.
//
// Kinds of questions (answer_kind):
//   yes/no      the gold answer is "yes" or "no";
//   choice      the answer is one of the options the question offers: view questions
//               ("PA view"/"AP view") and questions with " or " ("left side or right side");
//   open        the rest, except
//   difference  difference questions, scored with the caption metrics (text_metrics.h)
//               and, like the others, by exact match after normalisation.
// Accuracy: normalised prediction equals normalised gold (normalize_answer). "closed" =
// yes/no + choice; "overall" = closed + open (difference left out, as the Medical-Diff-VQA
// accuracy code does).
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/jsonl.h"
#include "common/status.h"
#include "questions/questions.h"
#include "score/text_metrics.h"

namespace cxrvqa {

enum class AnswerKind { kYesNo, kChoice, kOpen, kDifference };
inline constexpr size_t kAnswerKindCount = 4;
std::string_view answer_kind_name(AnswerKind kind);  // "yes/no", "choice", "open", "difference"
AnswerKind answer_kind(QuestionType type, std::string_view question, std::string_view gold_answer);

// The answer as compared for accuracy: caption_tokens joined by single spaces (case and
// punctuation do not matter); for abnormality questions the answer is a list, split on ','
// and its normalised items sorted, so the order of the findings does not matter.
std::string normalize_answer(QuestionType type, std::string_view answer);

struct AccuracyCount {
  size_t total = 0;
  size_t correct = 0;
  void Add(bool right) {
    ++total;
    correct += right;
  }
  AccuracyCount& operator+=(const AccuracyCount& other) {
    total += other.total;
    correct += other.correct;
    return *this;
  }
  // correct / total; 0 when there is nothing to count.
  double accuracy() const { return total == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(total); }
};

// The figures of one group of questions (all, or one split).
struct GroupScores {
  AccuracyCount per_kind[kAnswerKindCount];
  AccuracyCount per_type[kQuestionTypeCount];
  std::optional<TextMetrics> difference;  // set when the group has difference questions

  AccuracyCount closed() const;   // yes/no + choice
  AccuracyCount overall() const;  // closed + open
};

struct ScoreOptions {
  std::filesystem::path gold;         // questions.csv / .jsonl (answers included)
  std::filesystem::path predictions;  // .csv or .jsonl
};

struct ScoreSummary {
  size_t gold_questions = 0;
  size_t predictions = 0;                 // usable prediction rows read
  size_t matched = 0;                     // gold questions with a prediction
  std::vector<std::string> missing;       // question ids of gold questions without prediction
  std::vector<std::string> extra;         // keys of predictions that match no gold question
  std::vector<std::string> duplicates;    // keys of questions answered more than once
  std::vector<std::string> gold_duplicates;  // answered gold question ids given again (first kept)
  std::vector<LineError> malformed;       // prediction rows that could not be read (skipped)
  std::vector<LineError> gold_errors;     // gold rows that could not be read (skipped)
  GroupScores all;
  std::map<std::string, GroupScores, std::less<>> per_split;  // "" = no split

  // The figures as a table, then the names of missing, extra and duplicate predictions
  // (the first `shown` of each; all in ToJson()).
  std::string ToString(size_t shown = 20) const;
  Json ToJson() const;
};

// Reads both files and scores. Errors: a file cannot be read, the gold has no question, or
// the predictions have no key or answer column (CSV header) — the message names the file.
Result<ScoreSummary> RunScore(const ScoreOptions& options);

}  // namespace cxrvqa
