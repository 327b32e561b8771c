// Builds mimic_all.csv (one row per study) from MIMIC-CXR-JPG's metadata, split and CheXpert
// tables.
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "common/csv.h"
#include "common/file_io.h"
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
                   MimicTablesSummary& summary) {
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
    const std::filesystem::path& path, MimicTablesSummary& summary) {
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
                                                               MimicTablesSummary& summary) {
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
                                                 MimicTablesSummary* summary) {
  MimicTablesSummary local;
  MimicTablesSummary& s = summary ? *summary : local;
  s = MimicTablesSummary{};
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

namespace {

// How many row issues PrepareMetadataSummary::ToString lists.
constexpr size_t kIssuesShown = 10;

std::string format_issues(const std::vector<CorpusIssue>& issues) {
  if (issues.empty()) return {};
  std::string text = fmt::format("{} row issue(s); first ones:\n", issues.size());
  for (size_t i = 0; i < issues.size() && i < kIssuesShown; ++i) text += "  " + issues[i].ToString() + "\n";
  return text;
}

Status prepare_metadata(const PrepareMetadataOptions& options, PrepareMetadataSummary& summary) {
  CXRVQA_ASSIGN_OR_RETURN(auto kind, parse_corpus_kind(options.corpus));
  std::vector<std::filesystem::path> inputs = {options.mimic.metadata, options.mimic.split,
                                                options.other.reports,
                                                options.other.projections.value_or(std::filesystem::path())};
  if (options.mimic.chexpert) inputs.push_back(*options.mimic.chexpert);
  std::erase_if(inputs, [](const std::filesystem::path& path) { return path.empty(); });
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({options.out}, inputs));
  summary.out = options.out;
  std::vector<StudyRecord> records;
  if (kind == CorpusKind::kMimic) {
    if (options.mimic.metadata.empty() || options.mimic.split.empty()) {
      return Status::InvalidArgument("--corpus mimic needs --metadata and --split (MIMIC-CXR-JPG tables)");
    }
    MimicTablesSummary tables;
    CXRVQA_ASSIGN_OR_RETURN(records, build_mimic_all(options.mimic, &tables));
    summary.mimic = std::move(tables);
  } else {
    if (options.other.reports.empty()) return Status::InvalidArgument("--corpus " + options.corpus + " needs --reports");
    CorpusMetadataInputs inputs_of_corpus = options.other;
    inputs_of_corpus.corpus = kind;
    CorpusMetadataSummary counts;
    CXRVQA_ASSIGN_OR_RETURN(records, build_corpus_metadata(inputs_of_corpus, &counts));
    summary.corpus = std::move(counts);
  }
  return write_mimic_all(options.out, records);
}

}  // namespace

std::string PrepareMetadataSummary::ToString() const {
  if (mimic) {
    const MimicTablesSummary& s = *mimic;
    return fmt::format(
               "{}: {} studies of {} subjects from {} image rows; {} with a frontal image, {} without "
               "a split{}\n",
               out.string(), s.studies, s.subjects, s.image_rows, s.frontal_studies, s.without_split,
               s.chexpert_missing > 0 ? fmt::format(", {} not in the CheXpert table", s.chexpert_missing)
                                      : std::string()) +
           format_issues(s.issues);
  }
  if (corpus) return out.string() + ": " + corpus->ToString() + format_issues(corpus->issues);
  return {};
}

Json PrepareMetadataSummary::ToJson() const {
  if (mimic) {
    return Json{{"image_rows", mimic->image_rows},           {"studies", mimic->studies},
                {"subjects", mimic->subjects},               {"frontal_studies", mimic->frontal_studies},
                {"without_split", mimic->without_split},     {"chexpert_missing", mimic->chexpert_missing},
                {"issues", mimic->issues.size()}};
  }
  if (!corpus) return Json();
  Json counts = corpus->ToJson();
  if (std::string warning = corpus->AssumedFrontalWarning(); !warning.empty()) counts["warning"] = warning;
  return counts;
}

Result<PrepareMetadataSummary> RunPrepareMetadata(const PrepareMetadataOptions& options) {
  return RunWithPartialSummary<PrepareMetadataSummary>(
      [&options](PrepareMetadataSummary& summary) { return prepare_metadata(options, summary); }, options.on_error);
}

}  // namespace cxrvqa
