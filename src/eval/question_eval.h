// Answer accuracy: a question file scored against the gold labels of the same studies (IU
// MeSH terms, the Open-i 14 labels, or a KeyInfo file such as a reviewed set).
//
// The file is questions.csv or questions.jsonl as `cxrvqa questions` writes it, or any CSV
// or JSONL with the columns study_id, question and answer (question_type and ref_id are
// read when present: the released 5-column CSV works as it is). Each question is read by its
// wording, so files from any preset or program version score alike:
//   presence          "is there X?", "is there evidence of X in this image?"
//   presence_at       "is there X in the L?", "is the X bilateral?"
//   any_abnormality   "is there evidence of any abnormalities in this image?"
//   abnormality_list  "what abnormalities are seen in this image?"
//   abnormality_at    "what abnormalities are seen in the L?"
//   location          "where is the X?", "where in the image is the X located?"
//   side              "is the X located on the left side or right side?"
//   level             "what level is the X?"
//   type              "what type is the X?"
//   view              "which view is this image taken?", "is this PA view?", "is this AP view?"
//   difference        "what has changed compared to the reference image?"
//
// A finding name X is read through the map (gold_map.h) and, when no map row mentions it,
// as its lexicon parent ("hiatal hernia" as "hernia"). Per study the gold is a set of labels,
// each with its side, level and qualifiers (map_gold_study). Scoring, per form:
//   presence          yes is right when X is a gold label or accepted for one; no is right
//                     when X is a label the gold does not have. A "no" for a name the gold
//                     only accepts as an alternative of another label (consolidation beside
//                     a gold Opacity) is not scored.
//   presence_at       as presence when X is not in the gold; otherwise yes is right when the
//                     side of L is the gold side of X (or the gold side is bilateral).
//   any_abnormality   yes is right unless the gold says the study is normal.
//   abnormality_list  F1 of the answered names against the gold labels (names the map does
//   abnormality_at    not know are left out); for a place, against the labels on its side.
//   difference        F1 of the answered added and missing findings against the gold labels
//                     of the study and its reference (ref_id).
//   location, side    the side the answer names equals the gold side of X.
//   level             the answer has the severity grade of the gold level (severity_grades).
//   type              a word of the answer is among the gold's type qualifiers of X.
//   view              the answer agrees with the view of a KeyInfo gold record.
// A question the gold cannot judge (X not in the gold, the gold gives no side or level, no
// yes/no answer, ...) is counted as unscorable, by reason, and not scored.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/jsonl.h"
#include "common/status.h"
#include "eval/gold.h"

namespace cxrvqa {

enum class QuestionForm {
  kPresence,
  kPresenceAt,
  kAnyAbnormality,
  kAbnormalityList,
  kAbnormalityAt,
  kLocation,
  kSide,
  kLevel,
  kType,
  kView,
  kDifference,
  kOther,  // wording this program does not know
};
inline constexpr size_t kQuestionFormCount = 12;
// "presence", "presence_at", ... (as in the list above), "other".
std::string_view question_form_name(QuestionForm form);

// A question whose answer the gold contradicts.
struct WrongAnswer {
  std::string study_id;
  std::string question;
  std::string answer;
  std::string expected;  // what the gold says, in words
};

// The scores of one question form (or of one question_type).
struct AnswerScore {
  size_t questions = 0;  // questions of studies in the gold
  size_t scored = 0;
  double points = 0;     // 1 per right closed answer; the F1 of each list answer
  size_t wrong = 0;      // scored questions with less than full points
  std::map<std::string, size_t> unscorable;  // reason -> questions
  std::vector<WrongAnswer> examples;         // the first wrong answers
  // Accuracy (closed answers) or mean F1 (lists); 0 when nothing was scored.
  double value() const { return scored == 0 ? 0.0 : points / static_cast<double>(scored); }
  size_t unscorable_total() const;
};

struct QuestionEvalOptions {
  std::filesystem::path questions;
  std::filesystem::path gold;
  GoldFormat format = GoldFormat::kIuMesh;
  std::optional<std::filesystem::path> map;          // nullopt: the embedded map of `format`
  std::optional<std::filesystem::path> lexicon_dir;  // nullopt: the embedded lexicon
  size_t examples = 5;  // wrong answers kept per form
};

struct QuestionEvalSummary {
  GoldFormat format = GoldFormat::kIuMesh;
  size_t questions = 0;           // usable question rows read
  size_t without_gold_study = 0;  // of studies the gold does not have: not scored
  size_t gold_studies = 0;
  size_t studies = 0;             // gold studies that have questions
  std::array<AnswerScore, kQuestionFormCount> forms;
  std::map<std::string, AnswerScore> types;  // by the file's question_type (form name when absent)
  GoldReadStats gold_stats;
  std::vector<LineError> question_errors;  // unusable question rows (skipped)
  std::vector<LineError> gold_errors;      // unusable gold rows (skipped)

  const AnswerScore& form(QuestionForm f) const { return forms[static_cast<size_t>(f)]; }
  // presence and presence_at together; location and side together (the side of location
  // answers).
  AnswerScore Presence() const;
  AnswerScore Side() const;
  // The headline figures, the table per form and per question type, unscorable reasons and
  // the first wrong answers. No report text (the questions and answers are generated text).
  std::string ToString() const;
  Json ToJson() const;
};

// Reads the questions and the gold and scores every question. Fails only when a file cannot
// be opened or the map or lexicon is malformed; bad rows are collected in the summary.
Result<QuestionEvalSummary> RunQuestionEval(const QuestionEvalOptions& options);

}  // namespace cxrvqa
