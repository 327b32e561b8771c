// Builds mimic_all.csv (one row per study) from MIMIC-CXR-JPG's metadata, split and CheXpert
// tables.
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "common/csv.h"
#include "common/text.h"
#include "corpus/metadata.h"

namespace cxrvqa {

namespace {

// When a study was taken: StudyDate (YYYYMMDD) and StudyTime (HHMMSS[.fff], leading zeros
// sometimes dropped), compared numerically.
struct StudyTimePoint {
  long long date = 0;
  double time = 0;
  auto operator<=>(const StudyTimePoint&) const = default;
};

// The image chosen so far for a study, and its preference (lower is better).
struct StudyDraft {
  StudyRecord record;
  StudyTimePoint when;
  int preference = 3;
};

int view_preference(ViewKind kind) {
  switch (kind) {
    case ViewKind::kPA: return 0;
    case ViewKind::kAP: return 1;
    default: return 2;
  }
}

std::optional<long long> parse_date(std::string_view text) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

double parse_time(std::string_view text) {
  std::string copy(text);
  return copy.empty() ? 0.0 : std::strtod(copy.c_str(), nullptr);
}

std::string get_or_empty(const CsvRow& row, const std::optional<size_t>& column) {
  return column ? std::string(trim(row.get(*column))) : std::string();
}

// Reads the image table into one draft per study, in first-seen order.
Status read_images(const std::filesystem::path& path, std::vector<StudyDraft>& drafts,
                   PrepareMetadataSummary& summary) {
  CXRVQA_ASSIGN_OR_RETURN(auto csv, CsvReader::Open(path));
  CsvReader& reader = *csv;
  CXRVQA_ASSIGN_OR_RETURN(auto required, reader.require_columns({"dicom_id", "subject_id", "study_id", "StudyDate"}));
  const size_t dicom_col = (required)[0], subject_col = (required)[1],
               study_col = (required)[2], date_col = (required)[3];
  auto position_col = reader.column("ViewPosition");
  auto meaning_col = reader.column("ViewCodeSequence_CodeMeaning");
  auto time_col = reader.column("StudyTime");
  if (!position_col && !meaning_col) {
    return Status::NotFound(path.string() +
                            ": no ViewPosition or ViewCodeSequence_CodeMeaning column");
  }
  const std::string file = path.string();
  std::unordered_map<std::string, size_t> by_study;
  CsvRow row;
  while (reader.Next(row)) {
    std::string study(trim(row.get(study_col)));
    auto date = parse_date(trim(row.get(date_col)));
    std::string subject(trim(row.get(subject_col)));
    if (!row.error.empty() || study.empty() || subject.empty() || !date) {
      std::string why = !row.error.empty() ? row.error
                        : study.empty()    ? "empty study_id"
                        : subject.empty()  ? "empty subject_id"
                                           : "bad StudyDate";
      summary.issues.push_back({file, row.line, study, "broken row: " + why});
      continue;
    }
    ++summary.image_rows;
    std::string meaning = get_or_empty(row, meaning_col);
    std::string position = get_or_empty(row, position_col);
    ViewKind kind = view_kind(meaning);
    if (kind == ViewKind::kOther) kind = view_kind(position);
    auto [it, inserted] = by_study.emplace(study, drafts.size());
    if (inserted) drafts.push_back({});
    StudyDraft& draft = drafts[it->second];
    if (!inserted && draft.record.subject_id != subject) {
      summary.issues.push_back({file, row.line, study,
                                "conflicting subject_id: " + subject + " vs " + draft.record.subject_id});
      continue;
    }
    int preference = view_preference(kind);
    if (preference >= draft.preference) continue;
    draft.preference = preference;
    draft.when = {*date, parse_time(get_or_empty(row, time_col))};
    draft.record = StudyRecord{subject, study, std::string(trim(row.get(dicom_col))),
                               meaning.empty() ? position : meaning, "",
                               std::string(trim(row.get(date_col))), 0};
  }
  return reader.status();
}

// study_id -> split from the split table.
Result<std::unordered_map<std::string, std::string>> read_splits(
    const std::filesystem::path& path, PrepareMetadataSummary& summary) {
  CXRVQA_ASSIGN_OR_RETURN(auto csv, CsvReader::Open(path));
  CXRVQA_ASSIGN_OR_RETURN(auto columns, csv->require_columns({"study_id", "split"}));
  std::unordered_map<std::string, std::string> splits;
  CsvRow row;
  while (csv->Next(row)) {
    std::string study(trim(row.get((columns)[0])));
    std::string split(trim(row.get((columns)[1])));
    if (!row.error.empty() || study.empty()) {
      summary.issues.push_back({path.string(), row.line, study,
                                "broken row: " + (row.error.empty() ? std::string("empty study_id") : row.error)});
      continue;
    }
    auto [it, inserted] = splits.emplace(study, split);
    if (!inserted && it->second != split) {
      summary.issues.push_back({path.string(), row.line, study,
                                "conflicting split: " + split + " vs " + it->second});
    }
  }
  if (!csv->status().ok()) return csv->status();
  return splits;
}

// The study ids listed in the CheXpert table.
Result<std::unordered_set<std::string>> read_chexpert_studies(const std::filesystem::path& path,
                                                               PrepareMetadataSummary& summary) {
  CXRVQA_ASSIGN_OR_RETURN(auto csv, CsvReader::Open(path));
  CXRVQA_ASSIGN_OR_RETURN(auto columns, csv->require_columns({"study_id"}));
  std::unordered_set<std::string> studies;
  CsvRow row;
  while (csv->Next(row)) {
    if (!row.error.empty()) {
      summary.issues.push_back({path.string(), row.line, "", "broken row: " + row.error});
      continue;
    }
    studies.emplace(trim(row.get((columns)[0])));
  }
  if (!csv->status().ok()) return csv->status();
  return studies;
}

// Sets study_order within each subject: rank of `when`, ties sharing the lower rank.
void assign_study_order(std::vector<StudyDraft>& drafts) {
  std::sort(drafts.begin(), drafts.end(), [](const StudyDraft& a, const StudyDraft& b) {
    if (a.record.subject_id != b.record.subject_id) return a.record.subject_id < b.record.subject_id;
    if (a.when != b.when) return a.when < b.when;
    return a.record.study_id < b.record.study_id;
  });
  size_t subject_start = 0;
  for (size_t i = 0; i < drafts.size(); ++i) {
    StudyRecord& record = drafts[i].record;
    if (i == 0 || record.subject_id != drafts[i - 1].record.subject_id) {
      subject_start = i;
      record.study_order = 1;
    } else if (drafts[i].when == drafts[i - 1].when) {
      record.study_order = drafts[i - 1].record.study_order;
    } else {
      record.study_order = static_cast<int>(i - subject_start) + 1;
    }
  }
}

}  // namespace

Result<std::vector<StudyRecord>> build_mimic_all(const PrepareMetadataInputs& inputs,
                                                 PrepareMetadataSummary* summary) {
  PrepareMetadataSummary local;
  PrepareMetadataSummary& s = summary ? *summary : local;
  s = PrepareMetadataSummary{};
  std::vector<StudyDraft> drafts;
  CXRVQA_RETURN_IF_ERROR(read_images(inputs.metadata, drafts, s));
  CXRVQA_ASSIGN_OR_RETURN(auto splits, read_splits(inputs.split, s));
  std::optional<std::unordered_set<std::string>> chexpert;
  if (inputs.chexpert) {
    CXRVQA_ASSIGN_OR_RETURN(auto studies, read_chexpert_studies(*inputs.chexpert, s));
    chexpert = std::move(studies);
  }
  assign_study_order(drafts);
  std::vector<StudyRecord> records;
  records.reserve(drafts.size());
  for (auto& draft : drafts) {
    StudyRecord& record = draft.record;
    auto split = splits.find(record.study_id);
    if (split != splits.end()) record.split = split->second;
    s.without_split += record.split.empty();
    s.frontal_studies += draft.preference <= 1;
    s.chexpert_missing += chexpert && chexpert->count(record.study_id) == 0;
    s.subjects += records.empty() || records.back().subject_id != record.subject_id;
    records.push_back(std::move(record));
  }
  s.studies = records.size();
  return records;
}

}  // namespace cxrvqa
