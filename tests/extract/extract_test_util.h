// Shared helpers for the extract tests: one extractor over the embedded lexicon.
#pragma once

#include <algorithm>
#include <memory>
#include <string>

#include "extract/rules_extractor.h"

namespace cxrvqa::testing {

inline const RulesExtractor& embedded_extractor() {
  static const RulesExtractor* extractor = [] {
    auto lexicon = Lexicon::Load(std::nullopt);
    return new RulesExtractor(lexicon.ok() ? *lexicon : nullptr);
  }();
  return *extractor;
}

// "positive", "uncertain", "negated" or "absent": how `info` records finding `name`.
inline std::string polarity_of(const KeyInfo& info, const std::string& name) {
  auto has = [&](const std::vector<std::string>& names) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  if (info.find_entity(name) != nullptr) return "positive";
  if (has(info.uncertain_entity)) return "uncertain";
  if (has(info.no_entity)) return "negated";
  return "absent";
}

}  // namespace cxrvqa::testing
