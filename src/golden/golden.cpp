#include "golden/golden.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "common/file_io.h"
#include "common/hash.h"
#include "common/text.h"

namespace cxrvqa {

std::vector<std::string> select_golden_ids(const std::vector<std::string>& candidates, size_t n,
                                           uint64_t seed,
                                           const std::unordered_set<std::string>& exclude) {
  std::vector<std::pair<uint64_t, const std::string*>> ranked;
  ranked.reserve(candidates.size());
  std::unordered_set<std::string_view> seen;
  for (const std::string& id : candidates) {
    if (exclude.count(id) > 0 || !seen.insert(id).second) continue;
    ranked.emplace_back(stable_hash64(id, seed), &id);
  }
  auto by_rank = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : *a.second < *b.second;
  };
  const size_t take = std::min(n, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + take, ranked.end(), by_rank);
  std::vector<std::string> out;
  out.reserve(take);
  for (size_t i = 0; i < take; ++i) out.push_back(*ranked[i].second);
  return out;
}

Result<std::unordered_set<std::string>> read_id_list(const std::filesystem::path& path) {
  CXRVQA_ASSIGN_OR_RETURN(auto reader, LineReader::Open(path));
  std::unordered_set<std::string> ids;
  std::string line;
  while (reader->Next(line)) {
    std::string_view id = trim(line);
    if (id.empty() || id.front() == '#') continue;
    id = trim(id.substr(0, id.find(',')));
    if (id == "study_id") continue;
    ids.emplace(id);
  }
  if (!reader->status().ok()) return reader->status();
  return ids;
}

}  // namespace cxrvqa
