// Internal to the corpus module: the reader of each corpus kind (open_corpus picks one).
#pragma once

#include <filesystem>
#include <memory>

#include "common/status.h"
#include "corpus/report.h"

namespace cxrvqa::corpus_internal {

// The MIMIC-CXR tree under `root` walked in sorted path order (files/pXX/pSUBJECT/sSTUDY.txt).
Result<std::unique_ptr<CorpusReader>> open_mimic_tree(const std::filesystem::path& root);
// The IU/Open-i report CSV.
Result<std::unique_ptr<CorpusReader>> open_iu_csv(const std::filesystem::path& file);
// A CSV with study_id, text and optional subject_id columns.
Result<std::unique_ptr<CorpusReader>> open_generic_csv(const std::filesystem::path& file);
// A JSONL file of objects with study_id, text and optional subject_id.
Result<std::unique_ptr<CorpusReader>> open_jsonl(const std::filesystem::path& file);
// R2Gen's annotation.json.
Result<std::unique_ptr<CorpusReader>> open_r2gen(const std::filesystem::path& file);

// The folder holding the pXX folders: root/files when it exists, else root.
std::filesystem::path mimic_files_dir(const std::filesystem::path& root);

}  // namespace cxrvqa::corpus_internal
