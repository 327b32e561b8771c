// Choosing the golden set: a seeded, reproducible sample of study ids to be labeled by a
// strong LLM or by clinicians.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/status.h"

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

}  // namespace cxrvqa
