// Rule-based extraction over a whole corpus: read reports in batches, select the text to
// read, extract KeyInfo in parallel, attach study metadata and write JSONL in input order
// (the output does not depend on the thread count). Used by `cxrvqa extract` and the
// pipeline.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "corpus/metadata.h"
#include "corpus/report.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"

namespace cxrvqa {

struct ExtractionOptions {
  CorpusKind corpus = CorpusKind::kMimic;
  std::filesystem::path reports;                  // tree root or CSV/JSONL file
  std::optional<std::filesystem::path> metadata;  // mimic_all.csv (any corpus kind)
  std::filesystem::path out;                      // KeyInfo JSONL, rewritten
  std::optional<std::filesystem::path> lexicon_dir;  // nullopt = embedded lexicon
  std::shared_ptr<const Lexicon> lexicon;         // when set, used instead of loading one
  unsigned threads = 0;                           // 0 = all cores
  size_t batch_size = 4096;                       // reports held in memory at once
  bool progress = false;                          // draw a progress bar on stderr
};

struct ExtractionSummary {
  size_t reports_read = 0;      // usable reports returned by the corpus reader
  size_t written = 0;           // KeyInfo lines written
  size_t without_metadata = 0;  // reports absent from the metadata table (when one is given)
  size_t positive = 0;          // entity entries over all records
  size_t uncertain = 0;
  size_t negated = 0;
  size_t issue_count = 0;                        // all corpus issues
  std::map<std::string, size_t> issues_by_kind;  // CorpusIssue::kind() -> count
  std::vector<CorpusIssue> first_issues;         // the first few, for the summary
  double elapsed_seconds = 0;   // the whole run, lexicon loading included
  double extract_seconds = 0;   // reading, extracting and writing only (the rate's base)

  // Several lines for stderr: counts, issues per kind, the first issues (file:line, never
  // report text), findings per report, elapsed time and reports/s.
  std::string ToString() const;
  // {reports, written, positive, uncertain, negated, issues, issues_by_kind: {kind: count}}
  // (no timings: the same corpus gives the same object).
  Json ToJson() const;
};

// The metadata of `report`'s study: ids from the report, the rest from `record` when given.
StudyMeta study_meta_for(const Report& report, const StudyRecord* record);

// Runs the rule-based extraction. Corpus issues are counted in the summary, never fatal.
// Fails only when the corpus, metadata, lexicon or output cannot be opened or written, or
// when the output is one of the inputs. The output is written atomically: a failed or killed
// run leaves the previous file (or none) and no temporary file.
Result<ExtractionSummary> RunExtraction(const ExtractionOptions& options);

}  // namespace cxrvqa
