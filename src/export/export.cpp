// `cxrvqa export`: the question rows of a dataset folder written per split in the LLaVA,
// Hugging Face or plain JSONL form.
#include "export/export.h"

#include <fmt/format.h>

#include <cctype>
#include <iterator>

#include "common/csv.h"
#include "common/file_io.h"
#include "export/dataset_card.h"
#include "keyinfo/keyinfo.h"

namespace cxrvqa {

namespace fs = std::filesystem;

namespace {

constexpr const char* kAnswerKeyFile = "test_answer_key.csv";

// The image paths of one question: the main image, then the reference (difference).
struct QuestionImages {
  std::string main, reference;
};

void append_key_value(std::string& out, std::string_view key, std::string_view value) {
  append_json_string(out, key);
  out += ':';
  append_json_string(out, value);
}

// "image": "<main>" or, with a reference, "image": ["<main>", "<reference>"].
void append_llava_images(std::string& out, std::string_view key, const QuestionImages& images) {
  append_json_string(out, key);
  out += ':';
  if (images.reference.empty()) {
    append_json_string(out, images.main);
    return;
  }
  out += '[';
  append_json_string(out, images.main);
  out += ',';
  append_json_string(out, images.reference);
  out += ']';
}

// One entry of llava_<split>.json (no trailing separator).
void append_llava_entry(std::string& out, const QuestionRef& q, std::string_view id, const QuestionImages& images) {
  std::string prompt = images.reference.empty() ? "<image>\n" : "<image>\n<image>\n";
  prompt.append(q.question);
  out += '{';
  append_key_value(out, "id", id);
  out += ',';
  append_llava_images(out, "image", images);
  out += ',';
  append_key_value(out, "question_type", question_type_name(q.type));
  out += ",\"conversations\":[{";
  append_key_value(out, "from", "human");
  out += ',';
  append_key_value(out, "value", prompt);
  out += "},{";
  append_key_value(out, "from", "gpt");
  out += ',';
  append_key_value(out, "value", q.answer);
  out += "}]}";
}

// One line of llava_test_questions.jsonl (LLaVA model_vqa's question file), with newline.
void append_llava_question(std::string& out, const QuestionRef& q, std::string_view id, const QuestionImages& images) {
  out += '{';
  append_key_value(out, "question_id", id);
  out += ',';
  append_llava_images(out, "image", images);
  out += ',';
  append_key_value(out, "text", q.question);
  out += ',';
  append_key_value(out, "question_type", question_type_name(q.type));
  out += "}\n";
}

// One row of the hf / jsonl files, with newline; `with_answer` false for a blind split.
void append_row(std::string& out, const QuestionRef& q, std::string_view id, const QuestionImages* images,
                bool with_answer) {
  const std::pair<std::string_view, std::string_view> fields[] = {
      {"question_id", id}, {"study_id", q.study_id}, {"subject_id", q.subject_id}, {"dicom_id", q.dicom_id},
      {"ref_id", q.ref_id}, {"split", q.split}, {"question_type", question_type_name(q.type)},
      {"question", q.question}};
  out += '{';
  for (const auto& [key, value] : fields) {
    append_key_value(out, key, value);
    out += ',';
  }
  if (with_answer) {
    append_key_value(out, "answer", q.answer);
    out += ',';
  }
  if (images != nullptr) {
    append_key_value(out, "image", images->main);
    out += ",\"reference_image\":";
    if (images->reference.empty()) {
      out += "null";
    } else {
      append_json_string(out, images->reference);
    }
    out += ',';
  }
  out.back() = '}';
  out += '\n';
}

// What one split accumulates before it is written.
struct SplitOutput {
  ExportSplitCounts counts;
  std::string body;        // llava entries (comma-separated) or JSONL rows
  std::string answer_key;  // blind test: questions.csv lines
};

class Exporter {
 public:
  Exporter(const ExportOptions& options, DatasetFolder folder) : options_(options), folder_(std::move(folder)) {}

  Status Run(ExportSummary& summary) {
    summary.format = options_.format;
    CXRVQA_RETURN_IF_ERROR(ResolveLayout(summary));
    if (summary.image_layout) {
      CXRVQA_ASSIGN_OR_RETURN(auto images, StudyImages::Load(folder_));
      images_ = std::move(images);
    }
    std::vector<LineError> errors;
    CXRVQA_RETURN_IF_ERROR(for_each_question(
        folder_.questions, [&](const QuestionRef& q) { Add(q); }, errors));
    CXRVQA_RETURN_IF_ERROR(error_);
    summary.malformed_rows = errors.size();
    if (options_.blind && splits_.find("test") == splits_.end()) {
      return Status::InvalidArgument("--blind: " + folder_.questions.string() + " has no test split");
    }
    for (const auto& [name, split] : splits_) {
      summary.per_split[name] = split.counts;
      summary.questions += split.counts.questions;
    }
    return WriteFiles(summary);
  }

 private:
  Status ResolveLayout(ExportSummary& summary) {
    layout_ = options_.image_layout ? options_.image_layout : image_layout_for_corpus(folder_.corpus());
    summary.image_layout = layout_;
    if (layout_ || options_.format == ExportFormat::kJsonl) return Status::Ok();
    std::string corpus = folder_.corpus().empty() ? "unknown" : "'" + folder_.corpus() + "'";
    return Status::InvalidArgument("the images of " + folder_.dir.string() + " (corpus " + corpus +
                                   ") have no known layout; pass --image-layout mimic-cxr-jpg or iu-xray");
  }

  // The image paths of `q`; error naming the study when one cannot be located.
  Result<QuestionImages> Images(const QuestionRef& q) {
    QuestionImages images;
    ImageLayout kind = *layout_;
    CXRVQA_ASSIGN_OR_RETURN(auto main, study_image_path(kind, {std::string(q.subject_id), std::string(q.study_id), std::string(q.dicom_id)},
                                 options_.image_root));
    images.main = std::move(main);
    if (q.type != QuestionType::kDifference || q.ref_id.empty()) return images;
    const StudyImage* reference = images_.Find(q.ref_id);
    if (reference == nullptr) {
      return Status::NotFound("reference study " + std::string(q.ref_id) + " of study " + std::string(q.study_id) +
                              " is not in " + folder_.dir.string());
    }
    CXRVQA_ASSIGN_OR_RETURN(auto path, study_image_path(kind, *reference, options_.image_root));
    images.reference = std::move(path);
    return images;
  }

  void Add(const QuestionRef& q) {
    if (!error_.ok()) return;
    std::string id;
    append_question_id(id, q);
    std::string name = export_split_name(q.split);
    SplitOutput& split = splits_[name];
    bool blind = IsBlind(name);
    std::optional<QuestionImages> images;
    if (layout_) {
      auto found = Images(q);
      if (!found.ok()) {
        error_ = found.status();
        return;
      }
      images = std::move(*found);
    }
    if (options_.format == ExportFormat::kLlava) {
      if (blind) {
        append_llava_question(split.body, q, id, *images);
      } else {
        if (!split.body.empty()) split.body += ",\n";
        append_llava_entry(split.body, q, id, *images);
      }
    } else {
      append_row(split.body, q, id, images ? &*images : nullptr, !blind);
    }
    if (blind) {
      append_question_line(split.answer_key, q, QuestionFormat::kCsv);
      split.answer_key += '\n';
    }
    ++split.counts.questions;
    ++split.counts.per_type[static_cast<size_t>(q.type)];
  }

  // Whether `split` goes out without answers.
  bool IsBlind(const std::string& split) const { return options_.blind && split == "test"; }

  // The file of `split` relative to the output folder.
  std::string SplitFile(const std::string& split) const {
    switch (options_.format) {
      case ExportFormat::kLlava:
        return IsBlind(split) ? "llava_test_questions.jsonl" : "llava_" + split + ".json";
      case ExportFormat::kHf:
        return "data/" + split + ".jsonl";
      case ExportFormat::kJsonl:
        break;
    }
    return split + ".jsonl";
  }

  Status WriteFiles(ExportSummary& summary) {
    for (const auto& [name, split] : splits_) {
      std::string file = SplitFile(name);
      bool json_list = options_.format == ExportFormat::kLlava && !IsBlind(name);
      if (json_list) {
        CXRVQA_RETURN_IF_ERROR(write_file_atomic(options_.out_dir / file, {"[\n", split.body, "\n]\n"}));
      } else {
        CXRVQA_RETURN_IF_ERROR(write_file_atomic(options_.out_dir / file, split.body));
      }
      summary.files.push_back(file);
      if (!split.answer_key.empty()) {
        std::vector<std::string> columns(std::begin(kQuestionColumns), std::end(kQuestionColumns));
        std::string header = csv_line(columns) + "\n";
        CXRVQA_RETURN_IF_ERROR(write_file_atomic(options_.out_dir / kAnswerKeyFile, {header, split.answer_key}));
        summary.files.push_back(kAnswerKeyFile);
      }
    }
    if (options_.format != ExportFormat::kHf) return Status::Ok();
    DatasetCardInput card{&folder_, &summary, options_.blind, options_.image_root, {}};
    for (const auto& [name, split] : splits_) card.files[name] = SplitFile(name);
    CXRVQA_RETURN_IF_ERROR(write_file_atomic(options_.out_dir / "README.md", dataset_card(card)));
    summary.files.push_back("README.md");
    return Status::Ok();
  }

  const ExportOptions& options_;
  DatasetFolder folder_;
  std::optional<ImageLayout> layout_;
  StudyImages images_;
  std::map<std::string, SplitOutput, SplitOrder> splits_;
  Status error_;
};

}  // namespace

Result<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "llava") return ExportFormat::kLlava;
  if (name == "hf") return ExportFormat::kHf;
  if (name == "jsonl") return ExportFormat::kJsonl;
  return Status::InvalidArgument("unknown export format '" + std::string(name) + "' (llava, hf or jsonl)");
}

std::string_view export_format_name(ExportFormat format) {
  switch (format) {
    case ExportFormat::kLlava:
      return "llava";
    case ExportFormat::kHf:
      return "hf";
    case ExportFormat::kJsonl:
      break;
  }
  return "jsonl";
}

bool SplitOrder::operator()(const std::string& a, const std::string& b) const {
  auto rank = [](const std::string& name) {
    if (name == "train") return 0;
    if (name == "validation") return 1;
    if (name == "test") return 2;
    return 3;
  };
  int ra = rank(a), rb = rank(b);
  return ra != rb ? ra < rb : a < b;
}

std::string export_split_name(std::string_view split) {
  if (split.empty()) return "unsplit";
  if (split == "validate" || split == "val" || split == "valid") return "validation";
  std::string name;
  for (char c : split) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

std::string ExportSummary::ToString() const {
  std::string out = fmt::format("export ({}, images: {}): {} questions", export_format_name(format),
                                image_layout ? image_layout_name(*image_layout) : "none", questions);
  if (malformed_rows > 0) out += fmt::format(" ({} malformed rows skipped)", malformed_rows);
  out += "\n";
  fmt::format_to(std::back_inserter(out), "  {:<12} {:>10} {:>11}\n", "split", "questions", "difference");
  for (const auto& [name, counts] : per_split) {
    fmt::format_to(std::back_inserter(out), "  {:<12} {:>10} {:>11}\n", name, counts.questions, counts.difference());
  }
  for (const std::string& file : files) out += "  wrote " + file + "\n";
  return out;
}

Json ExportSummary::ToJson() const {
  Json splits = Json::object();
  for (const auto& [name, counts] : per_split) {
    splits[name] = {{"questions", counts.questions}, {"difference", counts.difference()}};
  }
  return Json{{"format", export_format_name(format)},
              {"image_layout", image_layout ? Json(image_layout_name(*image_layout)) : Json()},
              {"questions", questions},
              {"malformed_rows", malformed_rows},
              {"per_split", splits},
              {"files", files}};
}

Result<ExportSummary> RunExport(const ExportOptions& options) {
  CXRVQA_ASSIGN_OR_RETURN(auto folder, open_dataset_folder(options.dataset));
  ExportSummary summary;
  Exporter exporter(options, std::move(folder));
  CXRVQA_RETURN_IF_ERROR(exporter.Run(summary));
  return summary;
}

}  // namespace cxrvqa
