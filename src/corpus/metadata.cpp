#include "corpus/metadata.h"

#include "common/csv.h"
#include "common/file_io.h"
#include "common/position_index.h"
#include "common/text.h"

namespace cxrvqa {

namespace {

bool same_metadata(const StudyRecord& a, const StudyRecord& b) {
  return a.subject_id == b.subject_id && a.dicom_id == b.dicom_id && a.view == b.view && a.split == b.split &&
         a.study_date == b.study_date && a.study_order == b.study_order;
}

}  // namespace

Result<std::vector<StudyRecord>> read_mimic_all(const std::filesystem::path& path,
                                                std::vector<CorpusIssue>& issues) {
  CXRVQA_ASSIGN_OR_RETURN(auto csv, CsvReader::Open(path));
  CsvReader& reader = *csv;
  CXRVQA_ASSIGN_OR_RETURN(auto study_column, reader.require_columns({"study_id"}));
  auto subject = reader.column("subject_id"), dicom = reader.column("dicom_id"),
       view = reader.column("view"), split = reader.column("split"),
       date = reader.column("study_date"), order = reader.column("study_order");
  const std::string file = path.string();
  std::vector<StudyRecord> records;
  std::vector<size_t> lines;  // each record's line
  // The index of each study's first record.
  PositionIndex<StudyIdAt> first_record(StudyIdAt{&records});
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {  // a pipe can be read only once
    CXRVQA_ASSIGN_OR_RETURN(size_t newlines, count_newlines(path));
    records.reserve(newlines);
    lines.reserve(newlines);
    first_record.Reserve(newlines);
  }
  CsvRow row;
  // Field `column` of `row`, trimmed, when the column exists, else "".
  auto field = [&row](const std::optional<size_t>& column) {
    return column ? trim(row.get(*column)) : std::string_view();
  };
  while (reader.Next(row)) {
    std::string_view study = trim(row.get(study_column[0]));
    if (!row.error.empty() || study.empty()) {
      issues.push_back({file, row.line, std::string(study),
                        "broken row: " + (row.error.empty() ? std::string("empty study_id") : row.error)});
      continue;
    }
    int study_order = 0;
    if (std::string_view order_text = field(order); !order_text.empty()) {
      auto parsed = parse_integral(order_text);
      if (!parsed) {  // a wrong order would pair studies wrongly: stop here
        std::string shown = looks_like_id(order_text) ? " '" + std::string(order_text) + "'" : "";
        return Status::ParseError(file + ":" + std::to_string(row.line) + ": study " + std::string(study) +
                                  ": study_order" + shown + " is not an integer (written as 2 or 2.0)");
      }
      study_order = *parsed;
    }
    records.push_back(StudyRecord{std::string(field(subject)), std::string(study), std::string(field(dicom)),
                                  std::string(field(view)), std::string(field(split)), std::string(field(date)),
                                  study_order});
    lines.push_back(row.line);
    size_t first = first_record.FindOrInsert(records.back().study_id, records.size() - 1);
    if (first != records.size() - 1 && !same_metadata(records[first], records.back())) {
      // Readers keep the first row of a study; a later row that disagrees is reported.
      issues.push_back({file, row.line, std::string(study),
                        "conflicting duplicate: listed again with other values; the first row (line " +
                            std::to_string(lines[first]) + ") is used"});
    }
  }
  if (!reader.status().ok()) return reader.status();
  return records;
}

Status write_mimic_all(const std::filesystem::path& path, const std::vector<StudyRecord>& records) {
  std::string out = csv_line({std::begin(kMimicAllColumns), std::end(kMimicAllColumns)});
  out.push_back('\n');
  for (const auto& r : records) {
    out += csv_line({r.subject_id, r.study_id, r.dicom_id, r.view, r.split, r.study_date,
                     std::to_string(r.study_order)});
    out.push_back('\n');
  }
  return write_file_atomic(path, out);
}

StudyIndex::StudyIndex(std::shared_ptr<const std::vector<StudyRecord>> records)
    : records_(std::move(records)), by_study_(StudyIdAt{records_.get()}) {
  if (!records_) return;
  by_study_.Reserve(records_->size());
  for (size_t i = 0; i < records_->size(); ++i) by_study_.FindOrInsert((*records_)[i].study_id, i);
}

const StudyRecord* StudyIndex::Find(std::string_view study_id) const {
  if (!records_) return nullptr;
  size_t i = by_study_.Find(study_id);
  return i == by_study_.kNone ? nullptr : &(*records_)[i];
}

ViewKind view_kind(std::string_view view) {
  struct Name {
    std::string_view text;
    ViewKind kind;
  };
  static constexpr Name kNames[] = {
      {"pa", ViewKind::kPA},
      {"postero-anterior", ViewKind::kPA},
      {"posteroanterior", ViewKind::kPA},
      {"postero anterior", ViewKind::kPA},
      {"ap", ViewKind::kAP},
      {"antero-posterior", ViewKind::kAP},
      {"anteroposterior", ViewKind::kAP},
      {"antero posterior", ViewKind::kAP},
      {"lateral", ViewKind::kLateral},
      {"lat", ViewKind::kLateral},
      {"ll", ViewKind::kLateral},
      {"rl", ViewKind::kLateral},
      {"left lateral", ViewKind::kLateral},
      {"right lateral", ViewKind::kLateral},
      {"xtable lateral", ViewKind::kLateral},
      {"latero-lateral", ViewKind::kLateral},
  };
  std::string_view v = trim(view);
  for (const Name& name : kNames) {
    if (equals_ignore_case(v, name.text)) return name.kind;
  }
  return ViewKind::kOther;
}

bool is_frontal(ViewKind kind) { return kind == ViewKind::kPA || kind == ViewKind::kAP; }

}  // namespace cxrvqa
