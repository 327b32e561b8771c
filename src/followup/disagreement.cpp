#include "followup/disagreement.h"

#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "common/text.h"

namespace cxrvqa {
namespace {

std::string normalize_phrase(std::string_view name) {
  return collapse_whitespace(to_lower(trim(name)));
}

// The phrase with its last word made singular ("pleural effusions" -> "pleural effusion").
std::string singular_last_word(const Lexicon& lexicon, const std::string& phrase) {
  size_t space = phrase.rfind(' ');
  if (space == std::string::npos) return lexicon.Singular(phrase);
  return phrase.substr(0, space + 1) + lexicon.Singular(phrase.substr(space + 1));
}

const Finding* lookup(const Lexicon& lexicon, const std::string& phrase) {
  if (const Finding* f = lexicon.FindByPhrase(phrase)) return f;
  if (const Finding* f = lexicon.FindByPhrase(lexicon.Singular(phrase))) return f;
  return lexicon.FindByPhrase(singular_last_word(lexicon, phrase));
}

bool is_attribute_word(const Lexicon& lexicon, std::string_view word) {
  return lexicon.IsLevel(word) || lexicon.IsLocation(word) || lexicon.IsType(word) ||
         lexicon.IsDropModifier(word);
}

}  // namespace

FindingMatcher::FindingMatcher(std::shared_ptr<const Lexicon> lexicon)
    : lexicon_(std::move(lexicon)) {}

std::string FindingMatcher::Canonical(std::string_view name) const {
  const std::string phrase = normalize_phrase(name);
  if (const Finding* f = lookup(*lexicon_, phrase)) return f->name;
  // Drop leading attribute words one at a time: "small left pleural effusion".
  std::string_view rest = phrase;
  for (size_t space = rest.find(' '); space != std::string_view::npos; space = rest.find(' ')) {
    if (!is_attribute_word(*lexicon_, rest.substr(0, space))) break;
    rest.remove_prefix(space + 1);
    if (const Finding* f = lookup(*lexicon_, std::string(rest))) return f->name;
  }
  return singular_last_word(*lexicon_, phrase);
}

std::vector<Disagreement> find_disagreements(const KeyInfo& llm, const KeyInfo& reference,
                                             const FindingMatcher& matcher) {
  std::unordered_set<std::string> llm_present, llm_negated;
  for (const Entity& e : llm.entity) llm_present.insert(matcher.Canonical(e.name));
  for (const std::string& name : llm.uncertain_entity) llm_present.insert(matcher.Canonical(name));
  for (const std::string& name : llm.no_entity) llm_negated.insert(matcher.Canonical(name));

  std::vector<Disagreement> out;
  std::unordered_set<std::string> asked;
  auto add_if_missing = [&](const std::string& name, const std::unordered_set<std::string>& have,
                            DisagreementKind kind) {
    std::string key = matcher.Canonical(name);
    if (have.count(key) == 0 && asked.insert(key).second) out.push_back({name, kind});
  };
  for (const Entity& e : reference.entity) {
    add_if_missing(e.name, llm_present, DisagreementKind::kMissingPresent);
  }
  for (const std::string& name : reference.no_entity) {
    add_if_missing(name, llm_negated, DisagreementKind::kMissingNegation);
  }
  return out;
}

DisagreementScan scan_disagreements(const std::vector<KeyInfo>& llm,
                                    const std::vector<KeyInfo>& reference,
                                    const FindingMatcher& matcher) {
  std::unordered_map<std::string_view, const KeyInfo*> by_study;
  by_study.reserve(reference.size());
  for (const KeyInfo& record : reference) by_study.emplace(record.meta.study_id, &record);

  DisagreementScan scan;
  std::unordered_set<std::string_view> seen;
  for (const KeyInfo& record : llm) {
    if (!seen.insert(record.meta.study_id).second) {
      ++scan.repeated_llm_studies;
      continue;
    }
    auto it = by_study.find(record.meta.study_id);
    if (it == by_study.end()) {
      ++scan.llm_without_reference;
      continue;
    }
    ++scan.studies_compared;
    std::vector<Disagreement> items = find_disagreements(record, *it->second, matcher);
    if (!items.empty()) scan.studies.push_back({record.meta.study_id, std::move(items)});
  }
  return scan;
}

}  // namespace cxrvqa
