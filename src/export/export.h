// `cxrvqa export`: a dataset folder (pipeline output) as training-ready files, one set per
// split. Report text is never exported: only questions, answers, ids and image paths.
//
// Formats (files under the output folder; <split> = train, validation, test, ... as named in
// the questions, "validate" written as "validation", no split as "unsplit"):
//   llava  llava_<split>.json: a JSON list of {"id", "image", "question_type", "conversations":
//          [{"from": "human", "value": "<image>\n<question>"}, {"from": "gpt", "value": <answer>}]}.
//          A difference question has "image": [main, reference] and the value starts with one
//          "<image>\n" per image, in that order (LLaVA-NeXT's multi-image form: its
//          LazySupervisedDataset loads a list of images in order, and a value that starts with
//          <image> keeps all its image tokens).
//   hf     data/<split>.jsonl (one row per question: the question columns plus image and
//          reference_image) and README.md, a dataset card whose YAML header Hugging Face
//          `datasets` reads (configs with data_files per split, features, split sizes), with
//          counts per type and split, how the dataset was made (from the manifest) and the
//          licence note.
//   jsonl  <split>.jsonl with the same rows as hf, without the card.
// --blind: the test split goes out without answers (llava: llava_test_questions.jsonl in the
// question-file form of LLaVA's model_vqa: question_id, image, text; hf/jsonl: rows without
// "answer"), and its answers go to test_answer_key.csv (questions.csv columns), the --gold
// of `cxrvqa score`.
// Image paths: see dataset.h; the layout comes from the manifest's corpus unless given.
// Files are written atomically; an existing output folder is reused (files of the same
// names replaced).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "dataset/dataset.h"

namespace cxrvqa {

enum class ExportFormat { kLlava, kHf, kJsonl };
Result<ExportFormat> parse_export_format(std::string_view name);  // "llava", "hf", "jsonl"
std::string_view export_format_name(ExportFormat format);

struct ExportOptions {
  std::filesystem::path dataset;  // pipeline output folder
  std::filesystem::path out_dir;
  ExportFormat format = ExportFormat::kLlava;
  std::string image_root;                 // prefix of image paths; "" = relative paths
  std::optional<ImageLayout> image_layout;  // nullopt: from the manifest's corpus
  bool blind = false;
};

struct ExportSplitCounts {
  size_t questions = 0;
  size_t per_type[kQuestionTypeCount] = {};
  size_t difference() const { return per_type[static_cast<size_t>(QuestionType::kDifference)]; }
};

// Orders split names as datasets list them: train, validation, test, then others by name.
struct SplitOrder {
  bool operator()(const std::string& a, const std::string& b) const;
};

struct ExportSummary {
  ExportFormat format = ExportFormat::kLlava;
  std::optional<ImageLayout> image_layout;  // nullopt: rows without image paths (jsonl only)
  size_t questions = 0;
  std::map<std::string, ExportSplitCounts, SplitOrder> per_split;  // by file split name
  std::vector<std::string> files;                      // written, relative to out_dir
  size_t malformed_rows = 0;                           // question rows skipped (unreadable)

  std::string ToString() const;
  Json ToJson() const;
};

// The split name used in file names for a split as the questions name it.
std::string export_split_name(std::string_view split);

// Errors: the folder is not a dataset; llava/hf without a known image layout; a question
// whose image (or whose reference study's image) the metadata cannot locate (the message
// names the study); --blind without a test split; a file that cannot be written.
Result<ExportSummary> RunExport(const ExportOptions& options);

}  // namespace cxrvqa
