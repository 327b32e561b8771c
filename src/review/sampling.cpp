#include "review/sampling.h"

#include <algorithm>
#include <array>
#include <unordered_set>

#include "common/hash.h"

namespace cxrvqa::review_internal {

uint64_t review_rank(const std::string& study_id, uint64_t seed) {
  return stable_hash64("review:" + study_id, seed);
}

namespace {

// A candidate with its rank, so that each hash is computed once.
struct Ranked {
  uint64_t rank;
  const std::string* study_id;
  bool operator<(const Ranked& other) const {
    return rank != other.rank ? rank < other.rank : *study_id < *other.study_id;
  }
};

}  // namespace

std::vector<DrawnStudy> draw_stratified(const std::vector<SampleCandidate>& candidates, size_t n,
                                        std::optional<size_t> per_type, uint64_t seed) {
  // Candidates of each type, lowest rank first.
  std::array<std::vector<Ranked>, kQuestionTypeCount> by_type;
  for (const SampleCandidate& candidate : candidates) {
    Ranked ranked{review_rank(candidate.study_id, seed), &candidate.study_id};
    for (size_t t = 0; t < kQuestionTypeCount; ++t) {
      if (candidate.types & (1u << t)) by_type[t].push_back(ranked);
    }
  }
  std::vector<size_t> types;
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    if (!by_type[t].empty()) types.push_back(t);
    std::sort(by_type[t].begin(), by_type[t].end());
  }
  if (types.empty()) return {};
  std::stable_sort(types.begin(), types.end(),
                   [&by_type](size_t a, size_t b) { return by_type[a].size() < by_type[b].size(); });
  std::array<size_t, kQuestionTypeCount> quota{};
  for (size_t i = 0; i < types.size(); ++i) {
    quota[types[i]] = per_type ? *per_type : n / types.size() + (i < n % types.size() ? 1 : 0);
  }

  std::vector<Ranked> drawn;
  std::vector<QuestionType> strata;
  std::unordered_set<std::string_view> taken;
  size_t carry = 0;
  for (size_t t : types) {
    size_t want = quota[t] + (per_type ? 0 : carry);
    size_t got = 0;
    for (const Ranked& candidate : by_type[t]) {
      if (got == want) break;
      if (!taken.insert(*candidate.study_id).second) continue;
      drawn.push_back({review_rank(*candidate.study_id, seed + 1), candidate.study_id});
      strata.push_back(static_cast<QuestionType>(t));
      ++got;
    }
    carry = want - got;
  }
  std::vector<size_t> order(drawn.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&drawn](size_t a, size_t b) { return drawn[a] < drawn[b]; });
  std::vector<DrawnStudy> result;
  for (size_t i : order) result.push_back({*drawn[i].study_id, strata[i]});
  return result;
}

}  // namespace cxrvqa::review_internal
