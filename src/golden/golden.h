// Choosing the golden set: a seeded, reproducible sample of study ids to be labeled by a
// strong LLM or by clinicians.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "sections/report_texts.h"

namespace cxrvqa {

// The `n` candidates (distinct, not in `exclude`) with the smallest stable_hash64(id, seed),
// in that rank order. Each id's rank depends only on the id and the seed, so the choice does
// not depend on candidate order, and a larger n extends a smaller one.
std::vector<std::string> select_golden_ids(const std::vector<std::string>& candidates, size_t n,
                                           uint64_t seed,
                                           const std::unordered_set<std::string>& exclude);

// Reads a list of study ids: one per line (the first comma-separated field, trimmed); blank
// lines, '#' comments and a "study_id" header are skipped.
Result<std::unordered_set<std::string>> read_id_list(const std::filesystem::path& path);

// `cxrvqa golden select`: the golden sample of a corpus's studies that have report text.
struct GoldenOptions {
  CorpusSource corpus;
  size_t n = 100;  // studies wanted
  uint64_t seed = 0;
  std::optional<std::filesystem::path> exclude;  // read_id_list file of ids never to pick
  std::filesystem::path out;                     // study ids, one per line (rewritten)
};

struct GoldenSummary {
  size_t candidates = 0;      // studies with report text
  size_t excluded = 0;        // of them, listed in the exclude file
  size_t exclude_listed = 0;  // ids in the exclude file
  size_t requested = 0;       // options.n
  size_t selected = 0;        // ids written (fewer than requested when too few are left)
  uint64_t seed = 0;
  std::filesystem::path out;
  // One line: candidates, exclusions, selected ids and the file written.
  std::string ToString() const;
  // {candidates, excluded, exclude_listed, requested, selected, seed, out}.
  Json ToJson() const;
};

// Reads the corpus's study ids (corpus issues logged as warnings, first few), picks
// select_golden_ids and writes them atomically. Errors: an unreadable exclude file or corpus,
// an output that cannot be written.
Result<GoldenSummary> RunGolden(const GoldenOptions& options);

}  // namespace cxrvqa
