// Comparing two question sets (e.g. what cxrvqa made and a released Medical-CXR-VQA file):
// question-type shares, yes/no shares per type, template usage and answer-vocabulary
// overlap. Only the columns every layout has are read (study_id, question_type, question,
// answer), so any questions.csv / .jsonl, the released 5-column Medical-CXR-VQA CSV and the
// 6-column Medical-Diff-VQA CSV can be compared.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "common/string_map.h"
#include "questions/questions.h"

namespace cxrvqa {

// What one question set holds, counted.
struct QuestionSetProfile {
  std::string name;  // shown in reports (the file name)
  size_t total = 0;
  size_t per_type[kQuestionTypeCount] = {};
  size_t yes[kQuestionTypeCount] = {};
  size_t no[kQuestionTypeCount] = {};
  // Template (question_template) -> count; questions that fit no template are counted in
  // `unrecognized` (with up to a few examples).
  std::map<std::string, size_t, std::less<>> templates;
  size_t unrecognized = 0;
  std::vector<std::string> unrecognized_examples;
  StringMap<size_t> answers;  // answer text -> count

  void Add(const QuestionRef& question);
};

// Reads a question file (CSV or JSONL, by extension) into a profile. Malformed rows go to
// `errors` and are skipped.
Result<QuestionSetProfile> profile_question_file(const std::filesystem::path& path,
                                                 std::vector<LineError>& errors);

// The figures of one comparison; shares are percentages (0-100).
struct TypeComparison {
  QuestionType type;
  double share = 0, reference_share = 0;          // of all questions
  double yes_share = 0, reference_yes_share = 0;  // of this type's questions
  double no_share = 0, reference_no_share = 0;
};

struct TemplateUse {
  std::string name;
  size_t count = 0, reference_count = 0;
};

struct QuestionComparison {
  std::string name, reference_name;
  size_t total = 0, reference_total = 0;
  std::vector<TypeComparison> types;      // every type present in either set, in type order
  std::vector<TemplateUse> templates;     // every template used by either set
  size_t unrecognized = 0, reference_unrecognized = 0;
  size_t answers = 0, reference_answers = 0, common_answers = 0;  // distinct answers
  // Share of the questions whose answer also occurs in the other set (percent).
  double answer_coverage = 0, reference_answer_coverage = 0;

  // Largest gap in percentage points over the types of `which` (all when empty).
  double max_share_gap() const;
  double max_yes_no_gap(const std::vector<QuestionType>& which) const;
  // Templates used by one set only.
  std::vector<std::string> templates_only_in_questions() const;
  std::vector<std::string> templates_only_in_reference() const;
  // Distinct answers in both / distinct answers in either (0-1).
  double answer_jaccard() const;

  std::string ToString() const;
  Json ToJson() const;
};

QuestionComparison compare_question_sets(const QuestionSetProfile& questions,
                                         const QuestionSetProfile& reference);

// What `cxrvqa compare` reads.
struct CompareOptions {
  std::filesystem::path questions;
  std::filesystem::path reference;
  // Called after each file is read (questions first), whether or not reading succeeded, with
  // the file and its malformed rows (skipped); may be empty.
  std::function<void(const std::filesystem::path& path, const std::vector<LineError>& malformed)> on_read;
};

// Profiles both files (profile_question_file) and compares them; the comparison is the
// summary (ToString, ToJson). Fails when either file cannot be read; the reference is not
// read when the questions cannot be.
Result<QuestionComparison> RunCompare(const CompareOptions& options);

}  // namespace cxrvqa
