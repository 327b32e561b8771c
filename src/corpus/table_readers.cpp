// Row corpora: the IU/Open-i report CSV, a generic CSV and a JSONL file.
#include <optional>

#include "common/csv.h"
#include "common/file_io.h"
#include "common/json.h"
#include "common/text.h"
#include "corpus/readers.h"

namespace cxrvqa::corpus_internal {

namespace fs = std::filesystem;

namespace {

// A text column and the section label written before its value ("" = none).
struct TextColumn {
  std::string label;
  size_t column;
};

// Which columns make a report.
struct CsvLayout {
  size_t study_column;
  std::optional<size_t> subject_column;
  std::vector<TextColumn> text_columns;
};

// Labeled non-blank values, one per line: "FINDINGS: ...\nIMPRESSION: ...".
std::string compose_text(const CsvRow& row, const std::vector<TextColumn>& columns) {
  std::string text;
  for (const auto& column : columns) {
    std::string_view value = trim(row.get(column.column));
    if (value.empty()) continue;
    if (!text.empty()) text.push_back('\n');
    if (!column.label.empty()) text += column.label + ": ";
    text.append(value);
  }
  return text;
}

class CsvCorpusReader : public CorpusReader {
 public:
  CsvCorpusReader(std::unique_ptr<CsvReader> csv, CsvLayout layout)
      : csv_(std::move(csv)), layout_(std::move(layout)), file_(csv_->path().string()) {}

  bool Next(Report& report) override {
    CsvRow row;
    while (csv_->Next(row)) {
      std::string study(trim(row.get(layout_.study_column)));
      if (!row.error.empty()) {
        add_issue({file_, row.line, study, "broken row: " + row.error});
        continue;
      }
      if (study.empty()) {
        add_issue({file_, row.line, "", "broken row: empty study id"});
        continue;
      }
      report.study_id = std::move(study);
      report.subject_id =
          layout_.subject_column ? std::string(trim(row.get(*layout_.subject_column))) : "";
      report.source = file_ + ":" + std::to_string(row.line);
      report.text = compose_text(row, layout_.text_columns);
      if (accept_report(report, file_, row.line)) return true;
    }
    if (!csv_->status().ok()) set_status(csv_->status());
    return false;
  }

 private:
  std::unique_ptr<CsvReader> csv_;
  CsvLayout layout_;
  std::string file_;
};

// A JSON string or number as text; nullopt for anything else.
std::optional<std::string> id_text(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_string()) return std::string(trim(it->get<std::string>()));
  if (it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());  // above int64 too
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  return std::nullopt;
}

class JsonlCorpusReader : public CorpusReader {
 public:
  explicit JsonlCorpusReader(std::unique_ptr<LineReader> lines)
      : lines_(std::move(lines)), file_(lines_->path().string()) {}

  bool Next(Report& report) override {
    std::string line;
    while (lines_->Next(line)) {
      if (trim(line).empty()) continue;
      if (Parse(line, lines_->line_number(), report) &&
          accept_report(report, file_, lines_->line_number())) {
        return true;
      }
    }
    if (!lines_->status().ok()) set_status(lines_->status());
    return false;
  }

 private:
  bool Parse(const std::string& line, size_t number, Report& report) {
    Json object = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (object.is_discarded() || !object.is_object()) {
      add_issue({file_, number, "", "broken row: not a JSON object"});
      return false;
    }
    auto study = id_text(object, "study_id");
    if (!study || study->empty()) {
      add_issue({file_, number, "", "broken row: no study_id (string or integer)"});
      return false;
    }
    auto text = object.find("text");
    if (text == object.end() || !text->is_string()) {
      add_issue({file_, number, *study, "broken row: no text string"});
      return false;
    }
    report.study_id = std::move(*study);
    report.subject_id = id_text(object, "subject_id").value_or("");
    report.source = file_ + ":" + std::to_string(number);
    report.text = text->get<std::string>();
    return true;
  }

  std::unique_ptr<LineReader> lines_;
  std::string file_;
};

// A text column by name and its section label ("" = none).
struct TextColumnSpec {
  std::string name;
  std::string label;
};

Result<std::unique_ptr<CorpusReader>> open_csv(const fs::path& file, const std::string& id_column,
                                               const std::vector<TextColumnSpec>& text_columns) {
  CXRVQA_ASSIGN_OR_RETURN(auto csv, CsvReader::Open(file));
  std::vector<std::string> required = {id_column};
  for (const auto& spec : text_columns) required.push_back(spec.name);
  CXRVQA_ASSIGN_OR_RETURN(auto indexes, csv->require_columns(required));
  CsvLayout layout{(indexes)[0], csv->column("subject_id"), {}};
  for (size_t i = 0; i < text_columns.size(); ++i) {
    layout.text_columns.push_back({text_columns[i].label, (indexes)[i + 1]});
  }
  return std::unique_ptr<CorpusReader>(
      std::make_unique<CsvCorpusReader>(std::move(csv), std::move(layout)));
}

}  // namespace

Result<std::unique_ptr<CorpusReader>> open_iu_csv(const fs::path& file) {
  return open_csv(file, "uid", {{"findings", "FINDINGS"}, {"impression", "IMPRESSION"}});
}

Result<std::unique_ptr<CorpusReader>> open_generic_csv(const fs::path& file) {
  return open_csv(file, "study_id", {{"text", ""}});
}

Result<std::unique_ptr<CorpusReader>> open_jsonl(const fs::path& file) {
  CXRVQA_ASSIGN_OR_RETURN(auto lines, LineReader::Open(file));
  return std::unique_ptr<CorpusReader>(std::make_unique<JsonlCorpusReader>(std::move(lines)));
}

}  // namespace cxrvqa::corpus_internal
