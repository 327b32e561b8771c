// Study metadata for corpora without mimic_all.csv: IU X-ray (report CSV + optional
// projections table), R2Gen's annotation.json, generic CSV/JSONL.
#include <cstdint>
#include <functional>
#include <unordered_map>

#include "common/csv.h"
#include "common/hash.h"
#include "common/text.h"
#include "corpus/metadata.h"

namespace cxrvqa {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPa = "postero-anterior";
constexpr const char* kAp = "antero-posterior";
constexpr const char* kLateral = "lateral";

// A study as the corpus gives it, before views and splits are settled.
struct CorpusStudy {
  std::string study_id, subject_id;
  std::string uid;          // IU X-ray's uid, to find its images in the projections table
  std::string description;  // IU X-ray's exam description ("Xray Chest PA and Lateral")
  std::vector<std::string> images;
  std::string split;        // "" = draw one
};

struct ProjectedImage {
  std::string filename;
  bool frontal = false;
};

// AP when the exam description names AP and not PA; PA otherwise (most frontal chest films).
const char* frontal_view(std::string_view description) {
  constexpr std::string_view kSeparators = " ,.;:/()-";
  bool ap = contains_word(description, "AP", kSeparators), pa = contains_word(description, "PA", kSeparators);
  return ap && !pa ? kAp : kPa;
}

// "CXR2384_IM-0942" -> "2384"; the id itself when it does not look like that.
std::string iu_uid_of(std::string_view id) {
  if (id.starts_with("CXR")) id.remove_prefix(3);
  return std::string(id.substr(0, id.find('_')));
}

// Calls on_row(row, uid, columns) for each row of the CSV at `path` whose uid (the first of
// `required`) is not empty; `columns` are the indexes of `required`, then of `optional` (or
// SIZE_MAX when absent). Broken rows go to `issues`.
using UidRow = std::function<void(const CsvRow&, std::string, const std::vector<size_t>&)>;
Status for_each_uid_row(const fs::path& path, const std::vector<std::string>& required, const std::string& optional,
                        std::vector<CorpusIssue>& issues, const UidRow& on_row) {
  CXRVQA_ASSIGN_OR_RETURN(auto csv, CsvReader::Open(path));
  CXRVQA_ASSIGN_OR_RETURN(auto columns, csv->require_columns(required));
  if (!optional.empty()) columns.push_back(csv->column(optional).value_or(SIZE_MAX));
  CsvRow row;
  while (csv->Next(row)) {
    std::string uid(trim(row.get((columns)[0])));
    if (!row.error.empty() || uid.empty()) {
      issues.push_back({path.string(), row.line, uid, "broken row: " + (row.error.empty() ? "empty uid" : row.error)});
      continue;
    }
    on_row(row, std::move(uid), columns);
  }
  return csv->status();
}

Result<std::unordered_map<std::string, std::vector<ProjectedImage>>> read_projections(const fs::path& path,
                                                                                     std::vector<CorpusIssue>& issues) {
  std::unordered_map<std::string, std::vector<ProjectedImage>> images;
  CXRVQA_RETURN_IF_ERROR(for_each_uid_row(
      path, {"uid", "filename", "projection"}, "", issues,
      [&](const CsvRow& row, std::string uid, const std::vector<size_t>& columns) {
        bool frontal = to_lower(trim(row.get(columns[2]))) == "frontal";
        images[uid].push_back({std::string(trim(row.get(columns[1]))), frontal});
      }));
  return images;
}

Result<std::vector<CorpusStudy>> read_iu_studies(const fs::path& path, std::vector<CorpusIssue>& issues) {
  std::vector<CorpusStudy> studies;
  CXRVQA_RETURN_IF_ERROR(for_each_uid_row(
      path, {"uid"}, "image", issues, [&](const CsvRow& row, std::string uid, const std::vector<size_t>& columns) {
        studies.push_back({uid, "", uid, std::string(row.get(columns[1])), {}, ""});
      }));
  return studies;
}

Result<std::vector<CorpusStudy>> read_r2gen_studies(const fs::path& path, std::vector<CorpusIssue>& issues) {
  CXRVQA_ASSIGN_OR_RETURN(auto entries, read_r2gen_annotation(path, issues));
  std::vector<CorpusStudy> studies;
  for (R2GenStudy& entry : entries) {
    std::string uid = iu_uid_of(entry.study_id);
    studies.push_back({entry.study_id, entry.subject_id, uid, "", std::move(entry.images), entry.split});
  }
  return studies;
}

Result<std::vector<CorpusStudy>> read_report_studies(const CorpusMetadataInputs& inputs, std::vector<CorpusIssue>& issues) {
  CXRVQA_ASSIGN_OR_RETURN(auto reader, open_corpus(inputs.corpus, inputs.reports, std::nullopt));
  std::vector<CorpusStudy> studies;
  Report report;
  while (reader->Next(report)) studies.push_back({report.study_id, report.subject_id, "", "", {}, ""});
  issues = reader->issues();
  if (!reader->status().ok()) return reader->status();
  return studies;
}

std::string drawn_split(std::string_view subject, uint64_t seed) {
  double u = static_cast<double>(stable_hash64(subject, seed) >> 11) * 0x1.0p-53;
  if (u < kDrawnTrainShare) return "train";
  if (u < kDrawnTrainShare + kDrawnValidateShare) return "validate";
  return "test";
}

}  // namespace

std::string CorpusMetadataSummary::AssumedFrontalWarning() const {
  if (assumed_frontal == 0) return {};
  return std::to_string(assumed_frontal) + " of " + std::to_string(studies) +
         " studies come without image information: each report is read as one frontal image (PA unless its "
         "exam description names AP only); give --projections (IU X-ray) or --metadata to use the real images";
}

std::string CorpusMetadataSummary::ToString() const {
  std::string text = std::to_string(studies) + " studies, " + std::to_string(frontal) + " frontal, " +
                     std::to_string(lateral_only) + " with lateral images only, " + std::to_string(without_images) +
                     " without a listed image; splits drawn for " + std::to_string(drawn_splits) + " (" +
                     std::to_string(static_cast<int>(kDrawnTrainShare * 100)) + "/" +
                     std::to_string(static_cast<int>(kDrawnValidateShare * 100)) + "/" +
                     std::to_string(100 - static_cast<int>((kDrawnTrainShare + kDrawnValidateShare) * 100)) +
                     " % of patients to train/validate/test)\n";
  if (std::string warning = AssumedFrontalWarning(); !warning.empty()) text += "warning: " + warning + "\n";
  return text;
}

Json CorpusMetadataSummary::ToJson() const {
  return Json{{"studies", studies},          {"frontal", frontal},
              {"lateral_only", lateral_only}, {"without_images", without_images},
              {"assumed_frontal", assumed_frontal}, {"drawn_splits", drawn_splits},
              {"issues", issues.size()}};
}

Result<std::vector<StudyRecord>> build_corpus_metadata(const CorpusMetadataInputs& inputs,
                                                       CorpusMetadataSummary* summary) {
  CorpusMetadataSummary local;
  CorpusMetadataSummary& counts = summary ? *summary : local;
  if (inputs.corpus == CorpusKind::kMimic) {
    return Status::InvalidArgument("MIMIC-CXR's metadata comes from MIMIC-CXR-JPG's tables (prepare-metadata "
                                   "--metadata ... --split ...)");
  }
  CXRVQA_ASSIGN_OR_RETURN(auto studies, inputs.corpus == CorpusKind::kIu      ? read_iu_studies(inputs.reports, counts.issues)
                 : inputs.corpus == CorpusKind::kR2gen ? read_r2gen_studies(inputs.reports, counts.issues)
                                                       : read_report_studies(inputs, counts.issues));
  std::unordered_map<std::string, std::vector<ProjectedImage>> projections;
  if (inputs.projections) {
    CXRVQA_ASSIGN_OR_RETURN(auto read, read_projections(*inputs.projections, counts.issues));
    projections = std::move(read);
  }
  std::unordered_map<std::string, size_t> per_subject;
  for (CorpusStudy& study : studies) {
    if (study.subject_id.empty()) study.subject_id = study.study_id;
    ++per_subject[study.subject_id];
  }
  std::vector<StudyRecord> records;
  records.reserve(studies.size());
  for (const CorpusStudy& study : studies) {
    StudyRecord record;
    record.subject_id = study.subject_id;
    record.study_id = study.study_id;
    record.study_order = per_subject[study.subject_id] == 1 ? 1 : 0;  // no dates: order unknown
    record.split = study.split;
    if (record.split.empty()) {
      record.split = drawn_split(study.subject_id, inputs.seed);
      ++counts.drawn_splits;
    }
    if (inputs.projections) {
      auto listed = projections.find(study.uid);
      if (listed == projections.end()) {
        ++counts.without_images;
      } else {
        for (const ProjectedImage& image : listed->second) {
          if (image.frontal && record.dicom_id.empty()) record.dicom_id = image.filename;
        }
        if (record.dicom_id.empty()) {
          record.dicom_id = listed->second.front().filename;
          record.view = kLateral;
          ++counts.lateral_only;
        } else {
          record.view = frontal_view(study.description);
        }
      }
    } else {
      record.view = frontal_view(study.description);
      if (!study.images.empty()) record.dicom_id = study.images.front();
      ++counts.assumed_frontal;
    }
    counts.frontal += is_frontal(view_kind(record.view));
    records.push_back(std::move(record));
  }
  counts.studies = records.size();
  return records;
}

}  // namespace cxrvqa
