// Question generation: the six question families of Medical-CXR-VQA (abnormality, presence,
// view, location, level, type) plus Medical-Diff-VQA style difference questions, generated
// from KeyInfo records of frontal (PA/AP) images, by one of three presets:
// - kCxrvqa (the default): this project's rules, described below;
// - kMedicalCxrVqa / kMedicalDiffVqa: the original programs' templates, answer wording,
//   sampling probabilities and preprocessing, as the behavioural specification of both
//   originals describes them, with their plain defects fixed (README: "Presets").
//
// Contracts of every preset:
// - Only studies whose view (from the metadata when given, else from the record) is PA or AP
//   get questions.
// - No question text twice per study.
// - A study's random choices come only from stable_hash64(study_id, seed), so the output is
//   byte-identical for the same inputs and seed whatever the thread count.
// - A difference question's reference study is a frontal study of the same subject whose
//   study_order is strictly smaller (both orders known, i.e. > 0).
// Contracts of kCxrvqa:
// - Finding names and attribute words (location, level, type) whose library count is below
//   min_count are never used in a question or answer; a question whose complete answer would
//   need one is not asked.
// - At most `per_type` questions per type per study.
// - Difference questions pair a study with the latest frontal study of the same subject and
//   split whose study_order is strictly smaller.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/json.h"
#include "common/jsonl.h"
#include "common/status.h"
#include "common/string_map.h"
#include "corpus/metadata.h"
#include "corpus/report.h"
#include "keyinfo/keyinfo.h"
#include "libraries/libraries.h"

namespace cxrvqa {

enum class QuestionType { kAbnormality, kPresence, kView, kLocation, kLevel, kType, kDifference };
inline constexpr size_t kQuestionTypeCount = 7;

// "abnormality", "presence", "view", "location", "level", "type", "difference".
std::string_view question_type_name(QuestionType type);
std::optional<QuestionType> parse_question_type(std::string_view name);

// The rules a question set is made by (see the top of this file).
enum class QuestionPreset { kCxrvqa, kMedicalCxrVqa, kMedicalDiffVqa };
// "cxrvqa", "medical-cxr-vqa", "medical-diff-vqa".
std::string_view question_preset_name(QuestionPreset preset);
Result<QuestionPreset> parse_question_preset(std::string_view name);

// The template `question` was made from, with the finding slot written "xxx" and the
// location slot "lxxx" (e.g. "is there xxx in the lxxx?"), recognised among the templates
// of every preset; "" when it fits none.
std::string_view question_template(std::string_view question);

// One row of questions.csv.
struct Question {
  std::string study_id;
  std::string subject_id;
  QuestionType type = QuestionType::kAbnormality;
  std::string question;
  std::string answer;
  std::string dicom_id;
  std::string split;
  std::string ref_id;  // the reference study of a difference question; "" otherwise
  std::string question_id = {};  // stable id (make_question_id); "" = not assigned yet
  bool operator==(const Question&) const = default;
};

// Every column of questions.csv (and key of questions.jsonl): the one list of columns, in the
// order of the default layout. Only study_id, question_type, question and answer are needed
// to read a question file back. question_id is last so that readers of the first eight
// columns keep working; files without it are still read (the id is then derived).
inline constexpr const char* kQuestionColumns[] = {
    "study_id", "subject_id", "question_type", "question", "answer", "dicom_id", "split", "ref_id",
    "question_id"};
inline constexpr size_t kQuestionColumnCount = std::size(kQuestionColumns);

// The stable id of a question: "<study_id>-<type>-<12 hex digits>", the digits from
// stable_hash64 of the study, type, question text and (difference questions) reference study.
// The same question gets the same id in every run, whatever the seed or thread count; the
// generator never asks the same text twice of one study, so ids are unique within a file.
std::string make_question_id(std::string_view study_id, QuestionType type, std::string_view question,
                             std::string_view ref_id);

// The column order of a question file, as indexes into kQuestionColumns.
using QuestionLayout = std::array<uint8_t, kQuestionColumnCount>;
// The order a preset writes: the columns of the file the preset's original released, in its
// order, then the remaining kQuestionColumns in their order. kCxrvqa and kMedicalCxrVqa:
// study_id, subject_id, question_type, question, answer, ...; kMedicalDiffVqa: study_id,
// subject_id, ref_id, question_type, question, answer, ...
QuestionLayout question_layout(QuestionPreset preset);


namespace questions_internal {
class ReleaseTables;  // the original programs' libraries, for the release presets
}  // namespace questions_internal

// The words questions may use: names and attribute words at or above the frequency threshold.
struct QuestionVocabulary {
  std::vector<std::string> findings;  // frequent finding names, library order (for "no" answers)
  StringSet finding_set, locations, levels, types;
  // For the release presets: the frequency dictionaries, the disease library (the one in the
  // libraries directory, else Medical-Diff-VQA's) and Medical-Diff-VQA's location tables.
  std::shared_ptr<const questions_internal::ReleaseTables> release;

  static QuestionVocabulary FromLibraries(const Libraries& libraries, size_t min_count);
  // FromLibraries, plus the release tables when `preset` is a release preset.
  static Result<QuestionVocabulary> ForPreset(const Libraries& libraries, size_t min_count,
                                              QuestionPreset preset);
  bool HasFinding(std::string_view name) const { return finding_set.find(name) != finding_set.end(); }
  bool HasLocation(std::string_view word) const { return locations.find(word) != locations.end(); }
};

enum class QuestionFormat { kCsv, kJsonl };
Result<QuestionFormat> parse_question_format(std::string_view name);

// What questions are made by, and (for RunQuestions) from what and into which file. The
// generation functions below read only the fields up to `difference`.
struct QuestionOptions {
  QuestionPreset preset = QuestionPreset::kCxrvqa;
  uint64_t seed = 0;
  unsigned threads = 0;       // 0 = all cores
  // kCxrvqa: questions per type per study; release presets: passes over each study (the
  // originals' repeat count, 1).
  size_t per_type = 1;
  // Share of AP images that get view questions; nullopt = the preset's rule: kCxrvqa
  // balances views automatically (number of PA studies / number of AP studies, at most 1),
  // the release presets keep 5 %.
  std::optional<double> ap_keep_rate;
  // Generate difference questions (kCxrvqa and kMedicalDiffVqa; kMedicalCxrVqa has none).
  bool difference = true;

  std::filesystem::path keyinfo;                  // KeyInfo: JSONL, or a JSON array
  std::optional<std::filesystem::path> metadata;  // mimic_all.csv; nullopt: from the records
  std::filesystem::path libraries;                // directory written by `cxrvqa libraries`
  std::filesystem::path out;                      // questions.csv or questions.jsonl
  QuestionFormat format = QuestionFormat::kCsv;
  size_t min_count = 10;  // names and attribute words seen fewer times are left out
};

// One study ready for generation: its record and the metadata of the image the questions are
// about. The views point into the records and metadata given to prepare_question_studies.
struct QuestionStudy {
  const KeyInfo* record = nullptr;
  std::string_view study_id, subject_id, dicom_id, split;
  int study_order = 0;                  // 0 = unknown
  bool pa = false;                      // PA (true) or AP (false); only frontal studies exist
  const KeyInfo* reference = nullptr;   // the earlier study for the difference question
  std::string_view reference_id;
};

// A question whose fields are borrowed: valid only while what they point to lives.
struct QuestionRef {
  std::string_view study_id, subject_id;
  QuestionType type = QuestionType::kAbnormality;
  std::string_view question, answer, dicom_id, split, ref_id;
  std::string_view question_id = {};  // "" = derived from the fields above when written
};
QuestionRef question_ref(const Question& question);
// A copy of `ref`; the id is derived when `ref` has none.
Question to_question(const QuestionRef& ref);
// Appends the question's id to `out`: its own when set, else make_question_id of its fields.
void append_question_id(std::string& out, const QuestionRef& question);

// Receives generated questions one by one, in study order. The fields of `question` are
// valid only during the call.
class QuestionSink {
 public:
  virtual ~QuestionSink() = default;
  virtual void Add(const QuestionRef& question) = 0;
};

struct QuestionSummary {
  size_t records = 0;             // KeyInfo records given
  size_t frontal = 0;             // of which frontal (studies that got questions)
  size_t not_frontal = 0;         // lateral or unknown view: skipped
  size_t without_metadata = 0;    // records absent from the metadata (their own meta used)
  size_t duplicate_records = 0;   // a study_id seen again in the records: later ones skipped
  size_t difference_pairs = 0;    // studies with a reference
  size_t without_reference = 0;   // medical-diff-vqa: frontal studies skipped, none earlier
  double ap_keep_rate = 1.0;      // the rate used
  size_t per_type[kQuestionTypeCount] = {};

  // Filled by RunQuestions only.
  QuestionPreset preset = QuestionPreset::kCxrvqa;
  std::filesystem::path out;
  size_t questions = 0;                      // written to `out`
  std::vector<LineError> keyinfo_errors;     // malformed KeyInfo lines (skipped)
  std::vector<CorpusIssue> metadata_issues;  // malformed metadata rows (skipped)

  // The counts of a RunQuestions run: one line of study counts, then questions per type and
  // the total with the file written.
  std::string ToString() const;
  // {questions, frontal_studies, difference_pairs, without_reference, per_type: {type: n},
  // bad_keyinfo_lines, bad_metadata_rows}.
  Json ToJson() const;
};

// Joins records with the metadata (by study_id; metadata wins, a record absent from it keeps
// its own meta with kCxrvqa and is left out by the release presets, as by the originals),
// keeps the frontal ones in record order and pairs each with its reference:
// kCxrvqa the latest strictly earlier frontal study of the same subject and split;
// kMedicalDiffVqa one drawn uniformly (from the study id and options.seed) among the
// strictly earlier frontal studies of the same subject; kMedicalCxrVqa none.
// `metadata` may be empty. The returned studies point into `records` and `metadata`, which
// must outlive them.
std::vector<QuestionStudy> prepare_question_studies(const std::vector<KeyInfo>& records,
                                                    const std::vector<StudyRecord>& metadata,
                                                    QuestionSummary* summary,
                                                    const QuestionOptions& options = {});

// The questions of studies[begin, end), in study order, given to `sink`. A study's questions
// depend only on the study, `seed` and the vocabulary. `ap_keep_rate` is the resolved rate.
// A release preset needs vocabulary.release (QuestionVocabulary::ForPreset).
void generate_range_questions(const std::vector<QuestionStudy>& studies, size_t begin, size_t end,
                              const QuestionVocabulary& vocabulary, const QuestionOptions& options,
                              double ap_keep_rate, QuestionSink& sink);

// The answer of a difference question: "nothing has changed." or "the main image has
// additional findings of a, b, and is missing the findings of c." (either part alone too).
std::string difference_answer(const std::vector<std::string_view>& added,
                              const std::vector<std::string_view>& missing);

// All questions of `studies`, in study order, generated in parallel.
std::vector<Question> generate_questions(const std::vector<QuestionStudy>& studies,
                                         const QuestionVocabulary& vocabulary,
                                         const QuestionOptions& options, QuestionSummary* summary);

// Appends one CSV line or one JSON object line (keys = kQuestionColumns) with the columns in
// `layout` order, without newline.
void append_question_line(std::string& out, const QuestionRef& question, QuestionFormat format,
                          const QuestionLayout& layout = question_layout(QuestionPreset::kCxrvqa));
// The same, building the question's id in `id_buffer`: a writer of many lines passes one
// buffer to all of them and allocates it once.
void append_question_line(std::string& out, const QuestionRef& question, QuestionFormat format,
                          const QuestionLayout& layout, std::string& id_buffer);
std::string question_to_csv_line(const Question& question);
std::string question_to_json_line(const Question& question);

// Questions already formatted as output lines ("\n"-terminated, no CSV header): the blocks,
// concatenated in order, are the body of the file.
struct QuestionLines {
  QuestionFormat format = QuestionFormat::kCsv;
  QuestionLayout layout = question_layout(QuestionPreset::kCxrvqa);
  std::vector<std::string> blocks;
  size_t count = 0;
};

// The same questions as generate_questions, formatted straight into text (no Question rows)
// in the preset's layout, in parallel. This is what `cxrvqa questions` writes.
QuestionLines generate_question_lines(const std::vector<QuestionStudy>& studies,
                                      const QuestionVocabulary& vocabulary,
                                      const QuestionOptions& options, QuestionFormat format,
                                      QuestionSummary* summary);

// Writes the questions (CSV with header, or JSONL) atomically, columns in `layout` order.
Status write_questions(const std::filesystem::path& path, const std::vector<Question>& questions,
                       QuestionFormat format, unsigned threads,
                       const QuestionLayout& layout = question_layout(QuestionPreset::kCxrvqa));
Status write_question_lines(const std::filesystem::path& path, const QuestionLines& lines);

// The first line of a question file: the CSV header of `layout`, or "" for JSONL.
std::string question_file_header(QuestionFormat format, const QuestionLayout& layout);

// generate_question_lines and write_question_lines in one, the file written block by block as
// the blocks are made (so its text is never all in memory): the same bytes. Returns the
// number of questions; when there are none nothing is written and a file already at `path`
// is left as it was.
Result<size_t> write_generated_questions(const std::filesystem::path& path,
                                         const std::vector<QuestionStudy>& studies,
                                         const QuestionVocabulary& vocabulary, const QuestionOptions& options,
                                         QuestionFormat format, QuestionSummary* summary);

// Calls `on_question` for each question of questions.csv or questions.jsonl (by extension:
// .jsonl/.json -> JSONL), in file order; the views are valid during the call. Columns are
// found by name in any order; study_id, question_type, question and answer are required, the
// others read as "" when absent (so the released 5-column Medical-CXR-VQA and 6-column
// Medical-Diff-VQA files are read as they are). Malformed rows go to `errors` (file:line)
// and are skipped. An error when the file cannot be read or lacks a required column.
Status for_each_question(const std::filesystem::path& path,
                         const std::function<void(const QuestionRef&)>& on_question,
                         std::vector<LineError>& errors);

// The same, collected. Malformed rows go to `errors` (file:line) and are skipped.
Result<std::vector<Question>> read_questions(const std::filesystem::path& path,
                                             std::vector<LineError>& errors);

// The questions stage, as `cxrvqa questions` and the pipeline run it: reads the KeyInfo (JSONL
// or a JSON array), the metadata and the libraries, generates by options.preset and writes
// `out` atomically. A run that would write no question is an InvalidArgument error saying why
// (no records, no frontal study, no pair, nothing frequent enough), and writes nothing.
Result<QuestionSummary> RunQuestions(const QuestionOptions& options);

}  // namespace cxrvqa
