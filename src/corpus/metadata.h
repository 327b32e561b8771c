// Per-study metadata of MIMIC-CXR (mimic_all.csv) and how it is built from MIMIC-CXR-JPG's
// metadata, split and (optional) CheXpert tables.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "corpus/report.h"

namespace cxrvqa {

// One row of mimic_all.csv: one study and the image chosen for it.
struct StudyRecord {
  std::string subject_id;
  std::string study_id;
  std::string dicom_id;
  std::string view;        // "postero-anterior", "antero-posterior", "lateral", "PA" ...
  std::string split;       // "train", "validate", "test" or ""
  std::string study_date;  // as in the source, e.g. "21800506"
  int study_order = 0;     // 1-based rank of the study date within the subject; 0 = unknown
};

// The columns of mimic_all.csv, in order.
inline constexpr const char* kMimicAllColumns[] = {
    "subject_id", "study_id", "dicom_id", "view", "split", "study_date", "study_order"};

// Reads mimic_all.csv (plain or gzip). Columns are found by name; only study_id is
// required. Broken rows and bad study_order values go to `issues` and are skipped (row) or
// read as 0 (order); a study listed again with other values is kept (readers use its first
// row) and reported as a conflicting duplicate. Fails only when the file cannot be opened
// or read (a truncated .gz included) or has no study_id column.
Result<std::vector<StudyRecord>> read_mimic_all(const std::filesystem::path& path,
                                                std::vector<CorpusIssue>& issues);

// Lookup of StudyRecords by study_id (the first row wins when a study repeats). Shares the
// records with whoever else holds them (e.g. the MIMIC reader).
class StudyIndex {
 public:
  StudyIndex() = default;
  explicit StudyIndex(std::shared_ptr<const std::vector<StudyRecord>> records);
  // The record of `study_id`, or nullptr.
  const StudyRecord* Find(std::string_view study_id) const;
  const std::shared_ptr<const std::vector<StudyRecord>>& records() const { return records_; }
  size_t size() const { return records_ ? records_->size() : 0; }

 private:
  std::shared_ptr<const std::vector<StudyRecord>> records_;
  std::unordered_map<std::string, size_t> by_study_;
};

// A MIMIC-CXR tree reader that visits `records` in order (as open_corpus with metadata does,
// without reading mimic_all.csv again). `root` is the folder holding files/ (or files/).
Result<std::unique_ptr<CorpusReader>> open_mimic_corpus(
    const std::filesystem::path& root, std::shared_ptr<const std::vector<StudyRecord>> records);

// Writes mimic_all.csv (header + one row per record) atomically.
Status write_mimic_all(const std::filesystem::path& path, const std::vector<StudyRecord>& records);

enum class ViewKind { kPA, kAP, kLateral, kOther };

// Classifies a ViewPosition or ViewCodeSequence_CodeMeaning value, case-insensitively:
// "PA", "postero-anterior" -> kPA; "AP", "antero-posterior" -> kAP; "LATERAL", "LL", "LAO"...
// "left lateral", "lateral" -> kLateral; anything else (including "") -> kOther.
ViewKind view_kind(std::string_view view);
// PA or AP.
bool is_frontal(ViewKind kind);

// Inputs of `cxrvqa prepare-metadata` (MIMIC-CXR-JPG tables, plain or gzip).
struct PrepareMetadataInputs {
  std::filesystem::path metadata;                 // mimic-cxr-2.0.0-metadata.csv[.gz]
  std::filesystem::path split;                    // mimic-cxr-2.0.0-split.csv[.gz]
  std::optional<std::filesystem::path> chexpert;  // mimic-cxr-2.0.0-chexpert.csv[.gz]
};

struct PrepareMetadataSummary {
  size_t image_rows = 0;        // usable rows of the metadata table
  size_t studies = 0;           // rows written
  size_t subjects = 0;
  size_t frontal_studies = 0;   // studies whose chosen image is PA or AP
  size_t without_split = 0;     // studies absent from the split table (split "")
  size_t chexpert_missing = 0;  // studies absent from the CheXpert table (when given)
  std::vector<CorpusIssue> issues;
};

// Builds one StudyRecord per study: the chosen image is the first frontal one (PA before AP,
// then file order) or else the first image; view = ViewCodeSequence_CodeMeaning when
// present, else ViewPosition; split from the split table (by dicom_id, else by study);
// study_order = rank of (StudyDate, StudyTime) within the subject, ties sharing the lower
// rank (1-based). Records are sorted by subject, then study_order, then study_id. Broken
// rows are recorded in the summary and skipped. Fails when a table cannot be opened or lacks
// a required column.
Result<std::vector<StudyRecord>> build_mimic_all(const PrepareMetadataInputs& inputs,
                                                 PrepareMetadataSummary* summary);

}  // namespace cxrvqa
