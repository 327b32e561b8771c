#include "corpus/metadata.h"

#include <unordered_set>

#include "common/csv.h"
#include "common/file_io.h"
#include "common/text.h"

namespace cxrvqa {

namespace {

// Hashes and compares records by study id, given their indexes in `records` (which may grow:
// the index stays valid where a pointer or view would not).
struct SameStudyId {
  const std::vector<StudyRecord>* records;
  size_t operator()(size_t i) const { return std::hash<std::string_view>()((*records)[i].study_id); }
  bool operator()(size_t a, size_t b) const { return (*records)[a].study_id == (*records)[b].study_id; }
};

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
  std::unordered_set<size_t, SameStudyId, SameStudyId> first_record(0, SameStudyId{&records}, SameStudyId{&records});
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {  // a pipe can be read only once
    CXRVQA_ASSIGN_OR_RETURN(size_t newlines, count_newlines(path));
    records.reserve(newlines);
    lines.reserve(newlines);
    first_record.reserve(newlines);
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
    auto [first, added] = first_record.insert(records.size() - 1);
    if (!added && !same_metadata(records[*first], records.back())) {
      // Readers keep the first row of a study; a later row that disagrees is reported.
      issues.push_back({file, row.line, std::string(study),
                        "conflicting duplicate: listed again with other values; the first row (line " +
                            std::to_string(lines[*first]) + ") is used"});
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
    : records_(std::move(records)) {
  if (!records_) return;
  by_study_.reserve(records_->size());
  for (size_t i = 0; i < records_->size(); ++i) by_study_.emplace((*records_)[i].study_id, i);
}

const StudyRecord* StudyIndex::Find(std::string_view study_id) const {
  auto it = by_study_.find(std::string(study_id));
  return it == by_study_.end() ? nullptr : &(*records_)[it->second];
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
