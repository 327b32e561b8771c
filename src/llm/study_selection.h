// Which studies of a corpus an LLM run (or a batch export) sends: all, the first N, a seeded
// sample, or a list of ids; each with its metadata and the selected report text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "corpus/metadata.h"
#include "corpus/report.h"
#include "keyinfo/keyinfo.h"

namespace cxrvqa::llm {

struct StudySelection {
  CorpusKind corpus = CorpusKind::kMimic;
  std::filesystem::path reports;
  std::optional<std::filesystem::path> metadata;  // mimic_all.csv: order (MIMIC) and metadata
  size_t limit = 0;                               // first N selected studies; 0 = no limit
  size_t sample = 0;                              // N studies by seeded hash; 0 = no sampling
  uint64_t seed = 0;
  std::optional<std::filesystem::path> ids_file;  // one study id per line (first CSV field)
};

struct SelectedStudy {
  StudyMeta meta;
  std::string text;  // select_report_text of the report
};

struct SelectionStats {
  size_t reports_read = 0;
  size_t selected = 0;
  std::vector<CorpusIssue> issues;  // from the corpus reader
};

// The metadata of `study_id`: subject/dicom/view/order/split from `index` when it lists the
// study (`subject_id`, when not empty, wins over the index's).
StudyMeta study_meta(const std::string& study_id, const std::string& subject_id, const StudyIndex& index);

// Calls `on_study` for each selected study in corpus order. A sample is the `sample` ids with
// the smallest stable_hash64(id, seed) (the corpus is read twice). Stops at the first non-OK
// Status from `on_study` and returns it.
Status for_each_selected_study(const StudySelection& selection,
                               const std::function<Status(SelectedStudy&&)>& on_study,
                               SelectionStats* stats);

}  // namespace cxrvqa::llm
