// `cxrvqa batch export|import`: selected studies to an OpenAI batch input file, and a
// batch output file back into the answer cache and raw KeyInfo JSONL.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "common/json.h"
#include "common/status.h"
#include "llm/config.h"
#include "llm/study_selection.h"

namespace cxrvqa::llm {

struct BatchExportSummary {
  std::filesystem::path out;
  size_t written = 0;
  size_t empty = 0;  // studies without report text (not exported)
  SelectionStats selection;
  // One line: requests written, studies without text, corpus issues.
  std::string ToString() const;
  // {written, empty, corpus_issues}.
  Json ToJson() const;
};

struct BatchExportOptions {
  StudySelection selection;
  LlmConfig config;  // model, temperature, max_tokens, json_schema (first endpoint)
  std::optional<std::filesystem::path> system_prompt;
  std::filesystem::path out;
  // When set, told the counts so far when the run stops on an error (before it returns).
  std::function<void(const BatchExportSummary&)> on_error;
};

// Writes one request line per selected study with report text (atomically).
Result<BatchExportSummary> RunBatchExport(const BatchExportOptions& options);

struct BatchImportSummary {
  size_t lines = 0;
  size_t written = 0;
  size_t duplicates = 0;  // a study seen again (first result kept)
  size_t filtered = 0;
  size_t failed = 0;      // error lines and unparseable answers
  size_t bad_lines = 0;   // lines that are not batch results
  std::string first_bad_line;
  std::string ToString() const;
  // {lines, written, duplicates, filtered, failed, bad_lines}.
  Json ToJson() const;
};

struct BatchImportOptions {
  std::filesystem::path results;
  std::filesystem::path cache;                    // answers are stored here; empty: not stored
  std::optional<std::filesystem::path> metadata;  // mimic_all.csv for subject/dicom/view/split
  std::filesystem::path out;                      // raw KeyInfo JSONL
  std::filesystem::path failures;                 // JSONL of failed/filtered/unparseable
  // When set, told the counts so far when the run stops on an error (before it returns).
  std::function<void(const BatchImportSummary&)> on_error;
};

// Stores each usable answer in the cache and writes the raw KeyInfo and failures files
// (atomically).
Result<BatchImportSummary> RunBatchImport(const BatchImportOptions& options);

}  // namespace cxrvqa::llm
