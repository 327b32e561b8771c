// Reports as read from a corpus (MIMIC-CXR tree, IU/Open-i CSV, generic CSV or JSONL), the
// problems met while reading them, and the streaming reader every corpus kind implements.
#pragma once

#include <cstddef>
#include <filesystem>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cxrvqa {

// One study's report as read from a corpus.
struct Report {
  std::string study_id;    // always a string ("50000001", "CXR12" ...)
  std::string subject_id;  // "" when the corpus has none
  std::string source;      // where it came from: a file path, or "file:line" for row corpora
  // The raw report, with invalid UTF-8 bytes replaced by U+FFFD. IU/Open-i reports keep
  // their "XXXX" de-identification tokens as they are: they are placeholders for removed
  // words, and downstream stages must treat them as unknown tokens, never as findings.
  std::string text;
};

// A problem met while reading a corpus: a broken row, a missing file, an empty report or
// repaired bytes. Reading goes on; callers count these and show the first few.
struct CorpusIssue {
  std::string file;      // the file concerned
  size_t line = 0;       // 1-based line in `file`; 0 when the issue concerns a whole file
  std::string study_id;  // "" when unknown (e.g. a row too broken to read its id)
  std::string reason;    // short and stable, the first word names the kind ("broken row: ...")
  // "<file>[:<line>][ study <id>]: <reason>"; the id only when it looks like one
  // (looks_like_id), so that text misread from a broken row is never shown.
  std::string ToString() const;
  // The kind of issue: `reason` up to its first ':' (for counting per reason).
  std::string kind() const;
};

enum class CorpusKind { kMimic, kIu, kCsv, kJsonl, kR2gen };

// Parses "mimic", "iu", "csv", "jsonl" or "r2gen" (case-insensitive).
Result<CorpusKind> parse_corpus_kind(std::string_view name);
std::string_view corpus_kind_name(CorpusKind kind);

// A streaming reader over a corpus: reports come one at a time so that memory stays small
// for a corpus of any size. Issues accumulate in issues() while reading.
class CorpusReader {
 public:
  virtual ~CorpusReader();

  // Fills `report` with the next usable report; false at end of the corpus. Unusable
  // entries (missing file, broken row, empty text) are skipped and recorded in issues().
  // A report whose bytes were repaired is returned and also recorded.
  virtual bool Next(Report& report) = 0;

  const std::vector<CorpusIssue>& issues() const { return issues_; }
  // Records issues found before reading began (e.g. broken metadata rows).
  void add_issues(std::vector<CorpusIssue> issues) {
    issues_.insert(issues_.end(), std::make_move_iterator(issues.begin()),
                   std::make_move_iterator(issues.end()));
  }
  // The number of entries expected when known in advance (metadata rows), else 0. For
  // progress bars only.
  size_t total_hint() const { return total_hint_; }
  // OK, or the fatal I/O error that ended reading early.
  const Status& status() const { return status_; }

 protected:
  void add_issue(CorpusIssue issue) { issues_.push_back(std::move(issue)); }
  void set_total_hint(size_t n) { total_hint_ = n; }
  void set_status(Status status) { status_ = std::move(status); }
  // Checks a report before it is returned: repairs its text to valid UTF-8 (recording an
  // "invalid UTF-8" issue when bytes were replaced) and returns false, recording an
  // "empty report" issue, when the text is blank. `line` is 0 for whole-file reports.
  bool accept_report(Report& report, const std::string& file, size_t line);

 private:
  std::vector<CorpusIssue> issues_;
  size_t total_hint_ = 0;
  Status status_;
};

// Opens a corpus. `reports` is the tree root (MIMIC: the folder holding files/, or files/
// itself) or the CSV/JSONL file, or R2Gen's annotation.json (kR2gen: every split, one
// report per study; MIMIC-CXR's one entry per image is read once per study_id). `metadata` (mimic_all.csv) only matters for kMimic: studies
// then come in metadata order and missing report files are issues; without it the tree is
// walked in sorted path order. Fails only when the input cannot be opened at all.
Result<std::unique_ptr<CorpusReader>> open_corpus(
    CorpusKind kind, const std::filesystem::path& reports,
    const std::optional<std::filesystem::path>& metadata);

}  // namespace cxrvqa
