// Standardizer::Impl, re-filing: attribute words moved between location, level and type by
// the curated lists first and the corpus frequencies otherwise.

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "standardize/standardize_internal.h"

namespace cxrvqa {

using standardize_internal::joined;
using standardize_internal::kSpecialRules;
using standardize_internal::SpecialRule;

namespace {

// The values of an attribute as the strict record holds them.
std::vector<std::string> values_of(const std::string& text) {
  std::vector<std::string> values;
  size_t from = 0;
  while (from <= text.size()) {
    size_t to = text.find(kValueSeparator, from);
    if (to == std::string::npos) to = text.size();
    if (to > from) values.push_back(text.substr(from, to - from));
    from = to + kValueSeparator.size();
  }
  return values;
}

}  // namespace

int Standardizer::Impl::RefileTarget(std::string_view piece, int current,
                                     const Libraries& libs) const {
  int curated = parser_.CuratedKind(piece);
  return curated >= 0 ? curated : FrequencyTarget(piece, current, libs);
}

int Standardizer::Impl::FrequencyTarget(std::string_view piece, int current, const Libraries& libs) {
  constexpr std::array<LibraryKind, 3> kinds = {LibraryKind::kLocation, LibraryKind::kLevel,
                                                LibraryKind::kType};
  int best = current;
  size_t best_count = libs.count(kinds[current], piece);
  for (int kind = 0; kind < 3; ++kind) {
    size_t count = libs.count(kinds[kind], piece);
    if (count > best_count) best = kind, best_count = count;
  }
  return best;
}

std::vector<std::string> Standardizer::Impl::RefilePieces(const std::string& value) const {
  bool whole = parser_.CuratedKind(value) >= 0 || value.find(' ') == std::string::npos;
  return whole ? std::vector<std::string>{value} : parser_.Pieces(value);
}

bool Standardizer::Impl::AnyRefiled(const std::array<std::optional<std::string>*, 3>& values,
                                    const Libraries& libs) const {
  for (int kind = 0; kind < 3; ++kind) {
    if (!*values[kind]) continue;
    for (const std::string& value : values_of(**values[kind])) {
      if (int curated = parser_.CuratedKind(value); curated >= 0) {  // one curated phrase
        if (curated != kind) return true;
        continue;
      }
      if (value.find(' ') == std::string::npos) {  // one word: no pieces to cut
        if (FrequencyTarget(value, kind, libs) != kind) return true;
        continue;
      }
      for (const std::string& piece : RefilePieces(value)) {
        if (RefileTarget(piece, kind, libs) != kind) return true;
      }
    }
  }
  return false;
}

void Standardizer::Impl::RefileAttributes(std::array<std::optional<std::string>*, 3> values,
                                          const Libraries& libs, RepairCounts& r) const {
  if (!AnyRefiled(values, libs)) return;
  std::array<std::vector<std::string>, 3> filed;  // values per attribute
  for (int kind = 0; kind < 3; ++kind) {
    if (!*values[kind]) continue;
    for (const std::string& value : values_of(**values[kind])) {
      // The pieces of one value that go to one attribute stay one value there.
      std::array<std::string, 3> parts;
      for (std::string& piece : RefilePieces(value)) {
        int target = RefileTarget(piece, kind, libs);
        if (target != kind) r.add(Repair::kRefiled);
        parts[target] += (parts[target].empty() ? "" : " ") + piece;
      }
      for (int target = 0; target < 3; ++target) {
        if (!parts[target].empty()) filed[target].push_back(std::move(parts[target]));
      }
    }
  }
  for (int kind = 0; kind < 3; ++kind) *values[kind] = joined(filed[kind]);
}

void Standardizer::Impl::Refile(KeyInfo& record, const Libraries& libs, RepairCounts& r) const {
  for (auto& e : record.entity) {
    auto& a = e.attributes;
    // The type a special rule set ("hilar" for vascular congestion) stays where it is.
    bool special_type = std::any_of(kSpecialRules.begin(), kSpecialRules.end(), [&](const SpecialRule& rule) {
      return !rule.type.empty() && e.name == rule.result && a.type && *a.type == rule.type;
    });
    std::optional<std::string> no_type;
    RefileAttributes({&a.location, &a.level, special_type ? &no_type : &a.type}, libs, r);
    if (no_type) *a.type += std::string(kValueSeparator) + *no_type;  // type words moved in
  }
  if (record.opacity) {
    auto& o = *record.opacity;
    RefileAttributes({&o.location, &o.level, &o.type}, libs, r);
  }
}

}  // namespace cxrvqa
