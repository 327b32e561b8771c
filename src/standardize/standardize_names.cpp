// Standardizer::Impl, names: a pending finding's phrase into its official name and attribute
// words (special rules, anatomy), and the findings of a record into its categories.

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "common/text.h"
#include "standardize/standardize_internal.h"

namespace cxrvqa {

using standardize_internal::joined;
using standardize_internal::kSpecialRules;
using standardize_internal::one_of;
using standardize_internal::PhraseParse;
using standardize_internal::SpecialRule;

namespace {

// Words that, beside anatomy, do not make a finding ("normal heart size").
constexpr std::array<std::string_view, 6> kNormalWords = {"normal", "unremarkable", "intact",
                                                          "clear", "stable", "size"};
constexpr std::array<std::string_view, 1> kFindingsWithoutLocation = {"cardiomegaly"};
// Words that make a finding with "low" the special finding low lung volume.
constexpr std::array<std::string_view, 2> kVolumeNameWords = {"atelectasis", "volume"};
constexpr std::array<std::string_view, 2> kVolumeTokens = {"volume", "volumes"};

bool list_has_word(const std::vector<std::string>& list, std::string_view word) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& item) { return contains_word(item, word); });
}

// Removes `word` from every phrase of the location, level and type lists.
void remove_word(AttributeWords& words, std::string_view word) {
  for (int kind = kLocationAttr; kind <= kTypeAttr; ++kind) {
    auto& list = words.of(kind);
    for (auto& item : list) {
      std::vector<std::string> kept;
      for (auto piece : split(item, ' ')) {
        if (piece != word && !piece.empty()) kept.emplace_back(piece);
      }
      item = join(kept, " ");
    }
    list.erase(std::remove(list.begin(), list.end(), std::string()), list.end());
  }
}

}  // namespace

std::optional<std::string> standardize_internal::joined(const std::vector<std::string>& values) {
  if (values.size() == 1 && !values.front().empty()) return values.front();
  std::vector<std::string> unique;
  for (const auto& value : values) {
    if (!value.empty() && std::find(unique.begin(), unique.end(), value) == unique.end()) {
      unique.push_back(value);
    }
  }
  if (unique.empty()) return std::nullopt;
  return join(unique, kValueSeparator);
}

const PhraseParse& Standardizer::Impl::Parse(std::string_view phrase, PhraseParse& scratch) const {
  return parses_.Get(phrase, scratch, [this](std::string_view text, PhraseParse& out) {
    parser_.Parse(text, out.parsed, out.repairs.counts);
    out.repairs.Seal();
    const std::vector<std::string>& tokens = out.parsed.tokens;
    auto in_tokens = [&](std::string_view word) {
      return std::find(tokens.begin(), tokens.end(), word) != tokens.end();
    };
    for (size_t i = 0; i < kSpecialRules.size(); ++i) {
      std::string_view head = kSpecialRules[i].head;
      if (contains_word(out.parsed.name, head) || in_tokens(head)) out.special_heads |= 1u << i;
    }
    out.volume_in_name = std::any_of(kVolumeNameWords.begin(), kVolumeNameWords.end(),
                                     [&](std::string_view w) { return contains_word(out.parsed.name, w); });
    out.volume_in_tokens = std::any_of(kVolumeTokens.begin(), kVolumeTokens.end(), in_tokens);
  });
}

bool Standardizer::Impl::ApplySpecials(std::string& name, AttributeWords& words,
                                       const PhraseParse& parse, RepairCounts& r) const {
  const std::vector<std::string>& tokens = parse.parsed.tokens;
  auto mentions = [&](std::string_view word) {
    return std::find(tokens.begin(), tokens.end(), word) != tokens.end() ||
           list_has_word(words.location, word) || list_has_word(words.level, word) ||
           list_has_word(words.type, word);
  };
  auto official = [&](std::string_view result) {
    const Finding* f = lexicon_.FindByPhrase(result);
    return f != nullptr ? f->name : std::string(result);
  };
  bool renamed = false;  // by a special rule: the name is no longer the parse's
  for (size_t i = 0; i < kSpecialRules.size(); ++i) {
    const SpecialRule& rule = kSpecialRules[i];
    if ((parse.special_heads & (1u << i)) == 0 || !mentions(rule.trigger)) continue;
    renamed = true;
    std::string result = official(rule.result);
    bool changed = result != name;
    name = result;
    if (!rule.type.empty()) {
      changed |= !list_has_word(words.type, rule.type);
      remove_word(words, rule.trigger);
      words.type.emplace_back(rule.type);
    } else {
      remove_word(words, rule.trigger);
    }
    if (changed) r.add(Repair::kSpecialFinding);
    break;
  }
  // No special rule's result names a volume word.
  bool volume = parse.volume_in_tokens || (!renamed && parse.volume_in_name);
  if (volume && mentions("low")) {
    std::string result = official("low lung volume");
    if (result != name) r.add(Repair::kSpecialFinding);
    name = result;
    remove_word(words, "low");
    renamed = true;
  }
  if (one_of(kFindingsWithoutLocation, name) &&
      (!words.location.empty() || !words.post_location.empty())) {
    r.add(Repair::kLocationRemoved);
    words.location.clear();
    words.post_location.clear();
  }
  return renamed;
}

bool Standardizer::Impl::IsAnatomy(std::string_view phrase, std::string_view name) const {
  std::string lower = collapse_whitespace(to_lower(phrase));
  if (lexicon_.IsAnatomy(lower) || lexicon_.IsAnatomy(lexicon_.Singular(lower))) return true;
  auto words = split(name, ' ');
  return !words.empty() && std::all_of(words.begin(), words.end(), [&](std::string_view word) {
    return anatomy_words_.contains(word) || one_of(kNormalWords, word);
  });
}

const Finding* Standardizer::Impl::AnatomyFinding(std::string_view phrase,
                                                  AttributeWords& words) const {
  std::string lower = collapse_whitespace(to_lower(phrase));
  for (int kind = kLocationAttr; kind <= kTypeAttr; ++kind) {
    auto& values = words.of(kind);
    for (auto value = values.begin(); value != values.end(); ++value) {
      for (const std::string& candidate : {*value + " " + lower, lower + " " + *value}) {
        if (const Finding* finding = lexicon_.FindByPhrase(candidate)) {
          values.erase(value);
          return finding;
        }
      }
    }
  }
  return nullptr;
}

bool Standardizer::Impl::Finish(PendingFinding& pending, std::string& name, AttributeWords& words,
                                RepairCounts& r) const {
  PhraseParse phrase_scratch, description_scratch;
  const PhraseParse* parse = &Parse(pending.phrase, phrase_scratch);
  parse->repairs.AddTo(r);
  const PhraseParse* other = nullptr;  // the description's parse, whose words join in
  if (!pending.description.empty()) {
    r.add(Repair::kDescriptionName);
    other = &Parse(pending.description, description_scratch);
    other->repairs.AddTo(r);
    const ParsedName& described = other->parsed;
    if (!parse->parsed.known && !parse->parsed.device && (described.known || !described.name.empty())) {
      std::swap(parse, other);
    }
  }
  const ParsedName* parsed = &parse->parsed;
  if (parsed->device) {
    r.add(Repair::kDeviceDropped);
    return false;
  }
  if (parsed->name.empty()) {
    r.add(Repair::kNullOrEmpty);
    return false;
  }
  name = parsed->name;
  words = std::move(pending.words);
  words.negated = false;  // a negation in an attribute value ("not calcified") is no absence
  words.append(parsed->words);
  if (other != nullptr) words.append(other->parsed.words);
  bool renamed = ApplySpecials(name, words, *parse, r);
  if (!parsed->known && !renamed && IsAnatomy(pending.phrase, name)) {
    const Finding* finding = AnatomyFinding(pending.phrase, words);
    if (finding == nullptr) {
      r.add(Repair::kAnatomyDropped);
      return false;
    }
    r.add(Repair::kAnatomyToFinding);
    name = finding->name;
    // Words of the anatomy phrase ("pulmonary") are part of the finding's name now.
    for (const std::string& token : parse->parsed.tokens) remove_word(words, token);
  }
  return true;
}

void Standardizer::Impl::ResolveConflicts(KeyInfo& record, RepairCounts& r) {
  auto drop = [&](std::vector<std::string>& names, auto&& stronger) {
    size_t before = names.size();
    std::erase_if(names, stronger);
    r.add(Repair::kCategoryConflict, before - names.size());
  };
  auto listed = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  drop(record.uncertain_entity, [&](const std::string& name) { return record.find_entity(name) != nullptr; });
  drop(record.no_entity, [&](const std::string& name) {
    return record.find_entity(name) != nullptr || listed(record.uncertain_entity, name);
  });
}

void Standardizer::Impl::FinishEntities(std::vector<PendingFinding>& pending, KeyInfo& record,
                                        RepairCounts& r) const {
  std::vector<AttributeWords> collected;  // collected[i]: the attribute words of record.entity[i]
  collected.reserve(pending.size());
  record.entity.reserve(record.entity.size() + pending.size());
  auto add_name = [](std::vector<std::string>& names, std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
  };
  for (auto& p : pending) {
    std::string name;
    AttributeWords words;
    if (!Finish(p, name, words, r)) continue;
    if (words.negated) {  // "no pneumothorax", "resolved edema"
      r.add(Repair::kNegationToNoEntity);
      add_name(record.no_entity, name);
      continue;
    }
    if (words.hedged) {  // "possible pneumonia", {"pneumonia": {"type": "possible"}}
      r.add(Repair::kHedgeToUncertain);
      add_name(record.uncertain_entity, name);
      continue;
    }
    auto it = std::find_if(record.entity.begin(), record.entity.end(),
                           [&](const Entity& e) { return e.name == name; });
    if (it != record.entity.end()) {
      r.add(Repair::kDuplicateMerged);
      collected[static_cast<size_t>(it - record.entity.begin())].append(words);
      continue;
    }
    record.entity.push_back({std::move(name), {}});
    collected.push_back(std::move(words));
  }
  for (size_t i = 0; i < record.entity.size(); ++i) {
    auto& a = record.entity[i].attributes;
    a.location = joined(collected[i].location);
    a.level = joined(collected[i].level);
    a.type = joined(collected[i].type);
    a.post_location = joined(collected[i].post_location);
  }
}

void Standardizer::Impl::FinishNames(std::vector<PendingFinding>& pending,
                                     std::vector<std::string>& names,
                                     std::vector<std::string>* negated_names, RepairCounts& r) const {
  for (auto& p : pending) {
    std::string name;
    AttributeWords words;
    if (!Finish(p, name, words, r)) continue;
    std::vector<std::string>* into = &names;
    if (words.negated && negated_names != nullptr) {
      r.add(Repair::kNegationToNoEntity);
      into = negated_names;
    }
    if (std::find(into->begin(), into->end(), name) != into->end()) {
      r.add(Repair::kDuplicateMerged);
      continue;
    }
    into->push_back(std::move(name));
  }
}

void Standardizer::Impl::SetStatement(std::string_view key, const AttributeWords& w, KeyInfo& record,
                                      RepairCounts& r) const {
  if (key == "opacity") {
    record.opacity = OpacityStatement{joined(w.location), joined(w.level), joined(w.type)};
  } else if (key == "clear") {
    std::vector<std::string> where = w.location;
    where.insert(where.end(), w.level.begin(), w.level.end());  // "clear" has location only
    where.insert(where.end(), w.type.begin(), w.type.end());
    record.clear = ClearStatement{joined(where)};
  } else {
    r.add(Repair::kUnknownKeyDropped);
  }
}

}  // namespace cxrvqa
