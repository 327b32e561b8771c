// `cxrvqa extract --extractor llm`: selected studies of a corpus through the ChatRunner into
// raw KeyInfo JSONL (one line per answered study, corpus order) plus a failures file.
//
// Resumability: every accepted answer is committed to the SQLite cache as it arrives; the
// outputs are written to "<file>.tmp" and renamed only at the end. A run killed at any
// moment leaves the previous outputs untouched; the next run serves every cached study
// without a request and writes each study exactly once.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "llm/chat.h"
#include "llm/config.h"
#include "llm/study_selection.h"

namespace cxrvqa::llm {

struct LlmExtractionSummary {
  size_t studies = 0;      // selected studies
  size_t written = 0;      // lines in `out`
  size_t from_cache = 0;   // of `written`
  size_t filtered = 0;     // content-filter refusals (in failures)
  size_t failed = 0;       // transport failures and unparseable answers (in failures)
  std::string first_failure;  // the error of the first failed study (no report text)
  size_t empty = 0;        // studies with no report text (in failures, nothing sent)
  UsageTotals usage;
  double seconds = 0;
  std::vector<std::string> hosts;  // hosts that received report text
  SelectionStats selection;

  // Studies that were sent (selected, with report text).
  size_t attempted() const { return studies - empty; }
  // A few lines for the terminal.
  std::string ToString() const;
  // {studies, written, from_cache, requests, filtered, failed, empty, corpus_issues, hosts}
  // and first_failure when a study failed (no timings).
  Json ToJson() const;
};

struct LlmExtractionOptions {
  StudySelection selection;
  LlmConfig config;
  std::optional<std::filesystem::path> system_prompt;  // file used verbatim; else embedded
  std::filesystem::path out;                           // raw KeyInfo JSONL
  std::filesystem::path failures;                      // JSONL: study_id, kind, error, answer
  bool progress = false;                               // draw a progress bar on stderr
  // When set, told the counts so far when the run stops on an error (before it returns).
  std::function<void(const LlmExtractionSummary&)> on_error;
};

// Runs the extraction. Per-study problems are counted and written to the failures file; an
// error means the run stopped (bad config, host not allowed, an output that is one of the
// inputs, fatal server answer, I/O error) and the previous outputs were left as they were.
Result<LlmExtractionSummary> RunLlmExtraction(const LlmExtractionOptions& options);

}  // namespace cxrvqa::llm
