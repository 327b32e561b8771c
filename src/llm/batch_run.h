// The `cxrvqa batch export|import` jobs: selected studies to an OpenAI batch input file, and a
// batch output file back into the answer cache and raw KeyInfo JSONL.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/status.h"
#include "llm/config.h"
#include "llm/study_selection.h"

namespace cxrvqa::llm {

struct BatchExportJob {
  StudySelection selection;
  LlmConfig config;  // model, temperature, max_tokens, json_schema (first endpoint)
  std::optional<std::filesystem::path> system_prompt;
  std::filesystem::path out;
};

struct BatchExportSummary {
  size_t written = 0;
  size_t empty = 0;  // studies without report text (not exported)
  SelectionStats selection;
};

// Writes one request line per selected study with report text (atomically).
Status export_batch(const BatchExportJob& job, BatchExportSummary* summary);

struct BatchImportJob {
  std::filesystem::path results;
  std::filesystem::path cache;                    // answers are stored here; empty: not stored
  std::optional<std::filesystem::path> metadata;  // mimic_all.csv for subject/dicom/view/split
  std::filesystem::path out;                      // raw KeyInfo JSONL
  std::filesystem::path failures;                 // JSONL of failed/filtered/unparseable
};

struct BatchImportSummary {
  size_t lines = 0;
  size_t written = 0;
  size_t duplicates = 0;  // a study seen again (first result kept)
  size_t filtered = 0;
  size_t failed = 0;      // error lines and unparseable answers
  size_t bad_lines = 0;   // lines that are not batch results
  std::string first_bad_line;
  std::string ToString() const;
};

Status import_batch(const BatchImportJob& job, BatchImportSummary* summary);

}  // namespace cxrvqa::llm
