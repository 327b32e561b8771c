// Per-study metadata of MIMIC-CXR (mimic_all.csv) and how it is built from MIMIC-CXR-JPG's
// metadata, split and (optional) CheXpert tables.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <memory>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/position_index.h"
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

// Reads mimic_all.csv (plain or gzip): this project's layout, or the original programs'
// (the CheXpert columns, then dicom_id, view, split, study_date, study_order; other extra
// columns ignored). Columns are found by name; only study_id is required. study_order is an
// integer written as such or as a float ("2.0"); an empty one is unknown (0). Broken rows go
// to `issues` and are skipped; a study listed again with other values is kept (readers use
// its first row) and reported as a conflicting duplicate. Fails when the file cannot be
// opened or read (a truncated .gz included), has no study_id column, or holds a study_order
// that is anything else (naming file and line).
Result<std::vector<StudyRecord>> read_mimic_all(const std::filesystem::path& path,
                                                std::vector<CorpusIssue>& issues);

// The study id of the record at an index of `records`: the key of a PositionIndex over
// StudyRecords (the index stays valid while `records` grows; a view would not).
struct StudyIdAt {
  const std::vector<StudyRecord>* records = nullptr;
  std::string_view operator()(size_t i) const { return (*records)[i].study_id; }
};

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
  PositionIndex<StudyIdAt> by_study_{StudyIdAt{}};
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

struct MimicTablesSummary {
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
                                                 MimicTablesSummary* summary);

// One study of R2Gen's annotation.json.
struct R2GenStudy {
  std::string study_id;    // "study_id" when the entry has one (MIMIC-CXR), else "id"
  std::string subject_id;  // "" when the entry has none (IU X-ray)
  std::string text;
  std::vector<std::string> images;  // image_path, in order
  std::string split;                // "train", "validate" ("val") or "test"
  std::string source;               // "<file> <split>[<index>]"
};

// Reads annotation.json: every entry of "train", "val" and "test", in that order; an entry
// whose study was seen already (MIMIC-CXR lists one entry per image) is skipped. Entries
// without an id or a report go to `issues`. Fails when the file is not a JSON object.
Result<std::vector<R2GenStudy>> read_r2gen_annotation(const std::filesystem::path& path,
                                                      std::vector<CorpusIssue>& issues);

// The study metadata of a corpus that comes without mimic_all.csv: IU X-ray's report CSV
// (optionally with the projections table), R2Gen's annotation.json, a generic CSV or JSONL.
struct CorpusMetadataInputs {
  CorpusKind corpus = CorpusKind::kIu;
  std::filesystem::path reports;
  // indiana_projections.csv (uid,filename,projection; "Frontal" / "Lateral"), for IU X-ray
  // (kIu, or kR2gen whose ids read "CXR<uid>_...").
  std::optional<std::filesystem::path> projections;
  uint64_t seed = 0;  // for the drawn splits
};

// Shares of patients a drawn split puts in train and validate (the rest go to test): 7:1:2,
// R2Gen's ratios for IU X-ray.
inline constexpr double kDrawnTrainShare = 0.7;
inline constexpr double kDrawnValidateShare = 0.1;

struct CorpusMetadataSummary {
  size_t studies = 0;
  size_t frontal = 0;          // studies with a PA or AP image
  size_t lateral_only = 0;     // studies whose listed images are all lateral (no questions)
  size_t without_images = 0;   // with a projections table: studies it lists no image for
  size_t assumed_frontal = 0;  // studies without image information, read as one frontal image
  size_t drawn_splits = 0;     // studies whose split was drawn (the corpus gives none)
  std::vector<CorpusIssue> issues;

  // One paragraph: the counts, and a warning line when studies were read as frontal
  // without image information.
  std::string ToString() const;
  Json ToJson() const;
  // "" or the warning about studies without image information.
  std::string AssumedFrontalWarning() const;
};

// One StudyRecord per study of the corpus, in corpus order: subject = the corpus's subject
// id, else the study id (IU X-ray has one report per patient); study_order 1 when the
// corpus has no dates (so no difference questions); dicom_id = the first frontal image.
// Views: with a projections table, a study is frontal when it lists a "Frontal" image (PA,
// unless IU's exam description names AP only); without image information each report is
// one frontal image (PA unless the description names AP only), counted in assumed_frontal.
// Splits: R2Gen's own; otherwise drawn per patient from stable_hash64(subject, seed) with
// kDrawnTrainShare / kDrawnValidateShare / the rest as test.
Result<std::vector<StudyRecord>> build_corpus_metadata(const CorpusMetadataInputs& inputs,
                                                       CorpusMetadataSummary* summary);

// What `cxrvqa prepare-metadata` and the pipeline's metadata stage build.
struct PrepareMetadataSummary {
  std::filesystem::path out;  // the mimic_all.csv written
  // The counts of whichever table was built (mimic: the MIMIC-CXR-JPG tables; else the
  // corpus); neither is set when building failed.
  std::optional<MimicTablesSummary> mimic;
  std::optional<CorpusMetadataSummary> corpus;

  // "OUT: " and the counts, then the first row issues; "" when nothing was built.
  std::string ToString() const;
  // The counts (the corpus summary's ToJson, with "warning" when studies were read as
  // frontal without image information); null when nothing was built.
  Json ToJson() const;
};

struct PrepareMetadataOptions {
  std::string corpus = "mimic";  // a corpus kind name (parse_corpus_kind), quoted in errors as given
  PrepareMetadataInputs mimic;   // mimic: the tables (metadata and split required)
  // Other corpora: reports (required), projections and seed; its `corpus` is set from `corpus`.
  CorpusMetadataInputs other;
  std::filesystem::path out;     // mimic_all.csv to write
  // Given the summary when the run fails after building (writing failed), may be empty.
  std::function<void(const PrepareMetadataSummary&)> on_error;
};

// Builds the table (build_mimic_all or build_corpus_metadata) and writes it to `out`
// (write_mimic_all). Fails on an unknown corpus kind, an output that is one of the inputs,
// missing required inputs, or what building and writing fail on.
Result<PrepareMetadataSummary> RunPrepareMetadata(const PrepareMetadataOptions& options);

}  // namespace cxrvqa
