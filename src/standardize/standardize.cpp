#include "standardize/standardize.h"

#include <algorithm>
#include <array>
#include <tuple>

#include "common/json_tree.h"
#include "common/memo.h"
#include "common/text.h"
#include "standardize/name_parser.h"

namespace cxrvqa {

namespace {

using JsonNode = JsonTree::Node;
using JsonKind = JsonTree::Kind;

constexpr std::array<std::string_view, kRepairKinds> kRepairNames = {
    "study_id_number",      "category_shape",       "attribute_shape",   "null_or_empty",
    "nested_finding",       "description_name",     "plural",            "synonym",
    "modifier_dropped",     "attribute_from_name",  "post_location_from_name",
    "special_finding",      "location_removed",     "device_dropped",    "unknown_word_dropped",
    "duplicate_merged",     "unknown_key_dropped",  "refiled",           "level_form",
    "hedge_to_uncertain",   "negation_to_no_entity", "both_to_bilateral", "anatomy_dropped",
    "anatomy_to_finding",   "category_conflict"};
constexpr std::array<Repair, 12> kMeaningRepairs = {
    Repair::kModifierDropped,   Repair::kSpecialFinding,      Repair::kLocationRemoved,
    Repair::kDeviceDropped,     Repair::kUnknownWordDropped,  Repair::kUnknownKeyDropped,
    Repair::kRefiled,           Repair::kHedgeToUncertain,    Repair::kNegationToNoEntity,
    Repair::kAnatomyDropped,    Repair::kAnatomyToFinding,    Repair::kCategoryConflict};

struct KeyAlias {
  std::string_view key;
  int kind;
};
// Attribute keys as LLMs name them, and the attribute each means.
constexpr std::array<KeyAlias, 26> kAttributeKeys = {{
    {"location", kLocationAttr},   {"locations", kLocationAttr},  {"position", kLocationAttr},
    {"side", kLocationAttr},       {"site", kLocationAttr},       {"laterality", kLocationAttr},
    {"region", kLocationAttr},     {"zone", kLocationAttr},       {"level", kLevelAttr},
    {"levels", kLevelAttr},        {"severity", kLevelAttr},      {"degree", kLevelAttr},
    {"size", kLevelAttr},          {"extent", kLevelAttr},        {"grade", kLevelAttr},
    {"amount", kLevelAttr},        {"type", kTypeAttr},           {"types", kTypeAttr},
    {"kind", kTypeAttr},           {"character", kTypeAttr},      {"pattern", kTypeAttr},
    {"appearance", kTypeAttr},     {"morphology", kTypeAttr},     {"post_location", kPostLocationAttr},
    {"postlocation", kPostLocationAttr}, {"post location", kPostLocationAttr},
}};
// Keys whose string value is the finding's name.
constexpr std::array<std::string_view, 8> kNameKeys = {
    "description", "name", "entity", "finding", "disease", "label", "abnormality", "term"};
// Values that mean "nothing here".
constexpr std::array<std::string_view, 13> kEmptyValues = {
    "none", "null", "n/a", "na", "nil", "-", "unknown", "not specified", "unspecified",
    "not mentioned", "not applicable", "not stated", "no"};
// Values that only say the finding is there.
constexpr std::array<std::string_view, 5> kPresenceValues = {"yes", "present", "true", "positive",
                                                             "1"};
constexpr std::array<std::string_view, 3> kMetaObjectKeys = {"metadata", "meta", "study"};
constexpr std::array<std::string_view, 6> kEntityKeys = {
    "entity", "entities", "positive_entity", "positive", "findings", "abnormalities"};
constexpr std::array<std::string_view, 5> kUncertainKeys = {
    "uncertain_entity", "uncertain_entities", "uncertain", "possible_entity", "possible"};
constexpr std::array<std::string_view, 7> kNegatedKeys = {
    "no_entity", "no_entities", "negative_entity", "negative", "negated", "absent", "negated_entity"};
constexpr std::array<std::string_view, 6> kMetaKeys = {"study_id",    "subject_id", "dicom_id",
                                                       "view",        "study_order", "split"};

template <size_t N>
bool one_of(const std::array<std::string_view, N>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// Whether the JSON key is one of `keys`, whatever its case.
template <size_t N>
bool key_in(const std::array<std::string_view, N>& keys, std::string_view key) {
  return std::any_of(keys.begin(), keys.end(), [&](std::string_view k) { return equals_ignore_case(k, key); });
}

int attribute_kind(std::string_view key) {
  key = trim(key);
  for (const auto& alias : kAttributeKeys) {
    if (equals_ignore_case(alias.key, key)) return alias.kind;
  }
  return -1;
}

std::string scalar_text(JsonNode value) {
  if (value.is_integer()) return std::to_string(value.integer());
  if (value.is_string() || value.is_number()) return std::string(value.text());
  return "";
}

// A finding met in a category, before its name is normalized.
struct PendingFinding {
  std::string phrase;
  std::string description;  // the value of a "description"/"name" key, if any
  AttributeWords words;
};

struct SpecialRule {
  std::string_view trigger;  // word that makes the finding special
  std::string_view head;     // word the finding's name must contain
  std::string_view result;   // the special finding's name
  std::string_view type;     // type word added, if any
};
constexpr std::array<SpecialRule, 8> kSpecialRules = {{
    {"mucosal", "edema", "mucosal edema", ""},
    {"subcutaneous", "emphysema", "subcutaneous emphysema", ""},
    {"pericardial", "effusion", "pericardial effusion", ""},
    {"hilar", "congestion", "vascular congestion", "hilar"},
    {"tension", "pneumothorax", "tension pneumothorax", ""},
    {"hiatal", "hernia", "hiatal hernia", ""},
    {"rib", "fracture", "rib fracture", ""},
    {"ribs", "fracture", "rib fracture", ""},
}};
// Words that, beside anatomy, do not make a finding ("normal heart size").
constexpr std::array<std::string_view, 6> kNormalWords = {"normal", "unremarkable", "intact",
                                                          "clear", "stable", "size"};
constexpr std::array<std::string_view, 1> kFindingsWithoutLocation = {"cardiomegaly"};
// Words that make a finding with "low" the special finding low lung volume.
constexpr std::array<std::string_view, 2> kVolumeNameWords = {"atelectasis", "volume"};
constexpr std::array<std::string_view, 2> kVolumeTokens = {"volume", "volumes"};

// A phrase's parse, the repairs it made, and what the special rules need of it.
struct PhraseParse {
  ParsedName parsed;
  RepairCounts repairs;
  unsigned special_heads = 0;   // bit i: the head of kSpecialRules[i] is in the name or tokens
  bool volume_in_name = false;  // a kVolumeNameWords word in the name
  bool volume_in_tokens = false;
};

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

// The values of one attribute as the strict record writes them (kValueSeparator between).
std::optional<std::string> joined(const std::vector<std::string>& values) {
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

std::string_view repair_name(Repair kind) { return kRepairNames[static_cast<size_t>(kind)]; }

bool repair_changes_meaning(Repair kind) {
  return std::find(kMeaningRepairs.begin(), kMeaningRepairs.end(), kind) != kMeaningRepairs.end();
}

RepairCounts& RepairCounts::operator+=(const RepairCounts& other) {
  for (size_t i = 0; i < kRepairKinds; ++i) counts[i] += other.counts[i];
  return *this;
}

class Standardizer::Impl {
 public:
  explicit Impl(const Lexicon& lexicon) : lexicon_(lexicon), parser_(lexicon) {
    for (const auto& anatomy : lexicon.anatomy()) {
      for (auto word : split(anatomy.phrase, ' ')) anatomy_words_.emplace(word);
    }
  }

  Result<KeyInfo> Repair(JsonNode raw, RepairCounts& r) const;
  // Repair() of a record read from the strict form (same result as over its JSON).
  Result<KeyInfo> RepairStrict(KeyInfo&& strict, RepairCounts& r) const;
  void Refile(KeyInfo& record, const Libraries& frequencies, RepairCounts& r) const;

 private:
  // --- reading shapes ---
  void Collect(JsonNode value, std::vector<PendingFinding>& out, RepairCounts& r) const;
  void CollectListObject(JsonNode object, std::vector<PendingFinding>& out, RepairCounts& r) const;
  void AddEntry(std::string_view key, JsonNode value, std::vector<PendingFinding>& out,
                RepairCounts& r) const;
  void ReadAttributes(JsonNode value, PendingFinding& finding,
                      std::vector<PendingFinding>& nested, RepairCounts& r) const;
  void ReadAttributeValue(JsonNode value, int kind, AttributeWords& words, RepairCounts& r) const;
  // Files the words of an attribute string met under `kind`; remembered per text and kind.
  void ReadAttributeString(std::string_view text, int kind, AttributeWords& words, RepairCounts& r) const;
  void FileAttributeString(std::string_view text, int kind, AttributeWords& words, RepairCounts& r) const;
  // A string attribute value of `kind` (post_location kept as a phrase).
  void AddAttributeText(std::string_view text, int kind, AttributeWords& words, RepairCounts& r) const;
  void AddAttributes(const std::optional<std::string>* const (&values)[4], AttributeWords& words,
                     RepairCounts& r) const;
  // --- names ---
  bool NamesFinding(std::string_view phrase) const {
    PhraseParse scratch;
    return Parse(phrase, scratch).parsed.known;
  }
  // The parse of `phrase`, computed once per phrase and then remembered. The result lives as
  // long as this object or `scratch`.
  const PhraseParse& Parse(std::string_view phrase, PhraseParse& scratch) const;
  // The official name and words of a finding; false when it is dropped (device, nothing
  // left, anatomy). words.hedged / words.negated say what the name itself stated.
  bool Finish(PendingFinding& pending, std::string& name, AttributeWords& words,
              RepairCounts& r) const;
  // Renames a finding by the special rules; true when a rule renamed it.
  bool ApplySpecials(std::string& name, AttributeWords& words, const PhraseParse& parse,
                     RepairCounts& r) const;
  // True when `phrase` (as written) or its unknown name `name` is anatomy, not a finding.
  bool IsAnatomy(std::string_view phrase, std::string_view name) const;
  // The finding that anatomy and one of its attribute values name together ("pulmonary
  // arteries" + "enlarged"), with that value removed from `words`; nullptr when none.
  const Finding* AnatomyFinding(std::string_view phrase, AttributeWords& words) const;
  void ReadEntities(JsonNode value, KeyInfo& record, RepairCounts& r) const;
  void FinishEntities(std::vector<PendingFinding>& pending, KeyInfo& record, RepairCounts& r) const;
  void ReadNameList(JsonNode value, std::vector<std::string>& names,
                    std::vector<std::string>* negated_names, RepairCounts& r) const;
  // Adds the names of `pending` to `names`; a negated one goes to `negated_names` instead
  // when given (an uncertain_entity "no pneumonia").
  void FinishNames(std::vector<PendingFinding>& pending, std::vector<std::string>& names,
                   std::vector<std::string>* negated_names, RepairCounts& r) const;
  // A name in two categories stays in the stronger one only.
  static void ResolveConflicts(KeyInfo& record, RepairCounts& r);
  void ReadOpacityVsClear(JsonNode value, KeyInfo& record, RepairCounts& r) const;
  // Sets the "opacity" or "clear" statement from its words; other keys are dropped.
  void SetStatement(std::string_view key, const AttributeWords& words, KeyInfo& record,
                    RepairCounts& r) const;
  // --- re-filing ---
  int RefileTarget(std::string_view piece, int current, const Libraries& libs) const;
  // The attribute whose corpus counts for `piece` are highest (`current` on ties).
  static int FrequencyTarget(std::string_view piece, int current, const Libraries& libs);
  // `value` cut into the pieces re-filed one by one (the whole value when it is one curated
  // phrase or one word).
  std::vector<std::string> RefilePieces(const std::string& value) const;
  bool AnyRefiled(const std::array<std::optional<std::string>*, 3>& values, const Libraries& libs) const;
  void RefileAttributes(std::array<std::optional<std::string>*, 3> values, const Libraries& libs,
                        RepairCounts& r) const;

  // Words filed from an attribute string, and the repairs that made.
  struct FiledWords {
    AttributeWords words;
    RepairCounts repairs;
  };

  const Lexicon& lexicon_;
  NameParser parser_;
  StringSet anatomy_words_;  // every word of the lexicon's anatomy phrases
  TextMemo<PhraseParse> parses_;
  std::array<TextMemo<FiledWords>, 4> filed_;  // by the attribute kind the text was met under
};

// ---------------------------------------------------------------------------------------
// Reading shapes

void Standardizer::Impl::Collect(JsonNode value, std::vector<PendingFinding>& out,
                                 RepairCounts& r) const {
  switch (value.kind()) {
    case JsonKind::kNull:
      return;
    case JsonKind::kString:
      r.add(Repair::kCategoryShape);
      for (const auto& piece : split_trimmed(value.text(), ',')) {
        for (auto& name : split_trimmed(piece, ';')) out.push_back({std::move(name), {}, {}});
      }
      return;
    case JsonKind::kArray:
      r.add(Repair::kCategoryShape);
      for (JsonNode item : value) {
        if (item.is_string()) {
          out.push_back({std::string(item.text()), {}, {}});
        } else if (item.is_object()) {
          CollectListObject(item, out, r);
        } else if (item.is_array()) {
          Collect(item, out, r);
        } else {
          r.add(Repair::kNullOrEmpty);
        }
      }
      return;
    case JsonKind::kObject:
      for (JsonNode item : value) AddEntry(item.key(), item, out, r);
      return;
    default:
      r.add(Repair::kCategoryShape);
  }
}

void Standardizer::Impl::CollectListObject(JsonNode object, std::vector<PendingFinding>& out,
                                           RepairCounts& r) const {
  for (JsonNode item : object) {
    if (key_in(kNameKeys, item.key()) && item.is_string()) {
      // {"name": "effusion", "location": "left"}: one finding, the other keys its attributes.
      r.add(Repair::kDescriptionName);
      PendingFinding finding{std::string(item.text()), {}, {}};
      std::vector<PendingFinding> nested;
      ReadAttributes(object, finding, nested, r);
      finding.description.clear();
      out.push_back(std::move(finding));
      for (auto& n : nested) out.push_back(std::move(n));
      return;
    }
  }
  for (JsonNode item : object) AddEntry(item.key(), item, out, r);
}

void Standardizer::Impl::AddEntry(std::string_view key, JsonNode value,
                                  std::vector<PendingFinding>& out, RepairCounts& r) const {
  PendingFinding finding{std::string(key), {}, {}};
  std::vector<PendingFinding> nested;
  ReadAttributes(value, finding, nested, r);
  out.push_back(std::move(finding));
  for (auto& n : nested) out.push_back(std::move(n));
}

void Standardizer::Impl::ReadAttributes(JsonNode value, PendingFinding& finding,
                                        std::vector<PendingFinding>& nested, RepairCounts& r) const {
  switch (value.kind()) {
    case JsonKind::kObject:
      break;
    case JsonKind::kString: {
      std::string text = to_lower(trim(value.text()));
      if (one_of(kPresenceValues, text)) return;
      r.add(Repair::kAttributeShape);
      ReadAttributeString(text, kLocationAttr, finding.words, r);
      return;
    }
    case JsonKind::kArray:
      r.add(Repair::kAttributeShape);
      for (JsonNode item : value) {
        if (item.is_object()) {
          ReadAttributes(item, finding, nested, r);
        } else {
          ReadAttributeValue(item, kLocationAttr, finding.words, r);
        }
      }
      return;
    default:
      return;  // null, true, a number: no attributes
  }
  for (JsonNode item : value) {
    std::string_view key = item.key();
    if (int kind = attribute_kind(key); kind >= 0) {
      ReadAttributeValue(item, kind, finding.words, r);
    } else if (key_in(kNameKeys, key) && item.is_string()) {
      finding.description = item.text();
    } else if (item.is_object() || item.is_null() || item.is_array() ||
               (item.is_string() && NamesFinding(key))) {
      r.add(Repair::kNestedFinding);
      AddEntry(key, item, nested, r);
    } else if (!item.is_boolean()) {
      r.add(Repair::kUnknownKeyDropped);
    }
  }
}

void Standardizer::Impl::ReadAttributeString(std::string_view text, int kind, AttributeWords& words,
                                             RepairCounts& r) const {
  FiledWords scratch;
  const FiledWords& filed = filed_[static_cast<size_t>(kind)].Get(
      text, scratch, [&](std::string_view key, FiledWords& out) { FileAttributeString(key, kind, out.words, out.repairs); });
  words.append(filed.words);
  r += filed.repairs;
}

void Standardizer::Impl::FileAttributeString(std::string_view text, int kind, AttributeWords& words,
                                             RepairCounts& r) const {
  std::string value = to_lower(trim(text));
  if (value.empty() || one_of(kEmptyValues, value)) {
    r.add(Repair::kNullOrEmpty);
    return;
  }
  if (kind != kPostLocationAttr && parser_.CuratedKind(value) == kind) {  // already right
    parser_.AddWord(kind, std::move(value), words, r);
    return;
  }
  if (value.find(':') == std::string::npos) {
    parser_.FileWords(value, kind, words, r);
    return;
  }
  // "location: left, level: small"
  r.add(Repair::kAttributeShape);
  for (auto& pair : split_trimmed(value, ',')) {
    for (auto& piece : split_trimmed(pair, ';')) {
      size_t colon = piece.find(':');
      int piece_kind = colon == std::string::npos ? -1 : attribute_kind(piece.substr(0, colon));
      std::string_view rest = colon == std::string::npos ? std::string_view(piece)
                                                         : std::string_view(piece).substr(colon + 1);
      FileAttributeString(rest, piece_kind >= 0 ? piece_kind : kind, words, r);
    }
  }
}

void Standardizer::Impl::AddAttributeText(std::string_view text, int kind, AttributeWords& words,
                                          RepairCounts& r) const {
  if (kind == kPostLocationAttr) {
    std::string phrase = collapse_whitespace(to_lower(text));
    if (!phrase.empty() && !one_of(kEmptyValues, phrase)) words.AddValue(kPostLocationAttr, phrase);
    return;
  }
  ReadAttributeString(text, kind, words, r);
}

void Standardizer::Impl::AddAttributes(const std::optional<std::string>* const (&values)[4],
                                       AttributeWords& words, RepairCounts& r) const {
  for (int kind = kLocationAttr; kind <= kPostLocationAttr; ++kind) {
    if (values[kind] != nullptr && *values[kind]) AddAttributeText(**values[kind], kind, words, r);
  }
}

void Standardizer::Impl::ReadAttributeValue(JsonNode value, int kind, AttributeWords& words,
                                            RepairCounts& r) const {
  switch (value.kind()) {
    case JsonKind::kNull:
      return;
    case JsonKind::kString:
      AddAttributeText(value.text(), kind, words, r);
      return;
    case JsonKind::kArray:
      r.add(Repair::kAttributeShape);
      for (JsonNode item : value) ReadAttributeValue(item, kind, words, r);
      return;
    case JsonKind::kObject:
      // {"location": {"left": "small"}}: keys are words of this attribute, values are filed
      // by the curated lists (or stay here).
      r.add(Repair::kAttributeShape);
      for (JsonNode item : value) {
        std::string_view key = item.key();
        if (int inner = attribute_kind(key); inner >= 0) {
          ReadAttributeValue(item, inner, words, r);
          continue;
        }
        parser_.FileWords(key, kind, words, r);
        ReadAttributeValue(item, kind, words, r);
      }
      return;
    case JsonKind::kBoolean:
      r.add(Repair::kAttributeShape);
      return;
    default:  // numbers
      r.add(Repair::kAttributeShape);
      parser_.FileWords(scalar_text(value), kind, words, r);
  }
}

// ---------------------------------------------------------------------------------------
// Names

const PhraseParse& Standardizer::Impl::Parse(std::string_view phrase, PhraseParse& scratch) const {
  return parses_.Get(phrase, scratch, [this](std::string_view text, PhraseParse& out) {
    parser_.Parse(text, out.parsed, out.repairs);
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
  r += parse->repairs;
  const PhraseParse* other = nullptr;  // the description's parse, whose words join in
  if (!pending.description.empty()) {
    r.add(Repair::kDescriptionName);
    other = &Parse(pending.description, description_scratch);
    r += other->repairs;
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

void Standardizer::Impl::ReadEntities(JsonNode value, KeyInfo& record, RepairCounts& r) const {
  std::vector<PendingFinding> pending;
  Collect(value, pending, r);
  FinishEntities(pending, record, r);
}

void Standardizer::Impl::FinishEntities(std::vector<PendingFinding>& pending, KeyInfo& record,
                                        RepairCounts& r) const {
  std::vector<AttributeWords> collected;
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

void Standardizer::Impl::ReadNameList(JsonNode value, std::vector<std::string>& names,
                                      std::vector<std::string>* negated_names,
                                      RepairCounts& r) const {
  std::vector<PendingFinding> pending;
  // The strict shape is a list of names; anything else is repaired.
  bool strict = value.is_array() && std::all_of(value.begin(), value.end(),
                                                [](JsonNode item) { return item.is_string(); });
  if (strict) {
    for (JsonNode item : value) pending.push_back({std::string(item.text()), {}, {}});
  } else {
    if (value.is_object()) r.add(Repair::kCategoryShape);
    Collect(value, pending, r);
  }
  FinishNames(pending, names, negated_names, r);
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

void Standardizer::Impl::ReadOpacityVsClear(JsonNode value, KeyInfo& record,
                                            RepairCounts& r) const {
  if (value.is_null()) return;
  if (!value.is_object()) {
    r.add(Repair::kCategoryShape);
    return;
  }
  for (JsonNode item : value) {
    std::string lower = to_lower(item.key());
    if (item.is_null() || item.is_boolean()) continue;
    PendingFinding statement{lower, {}, {}};
    std::vector<PendingFinding> nested;
    ReadAttributes(item, statement, nested, r);
    SetStatement(lower, statement.words, record, r);
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

Result<KeyInfo> Standardizer::Impl::Repair(JsonNode raw, RepairCounts& r) const {
  if (!raw.is_object()) return Status::ParseError("not a JSON object");
  KeyInfo record;
  std::vector<JsonNode> meta_objects;  // {"metadata": {...}} and the like, in kMetaObjectKeys order
  for (auto object_key : kMetaObjectKeys) {
    if (auto meta = raw.find(object_key); meta && meta->is_object()) meta_objects.push_back(*meta);
  }
  auto meta_value = [&](std::string_view key) -> std::optional<JsonNode> {
    auto value = raw.find(key);
    if (value && !value->is_null()) return value;
    for (JsonNode meta : meta_objects) {
      auto inner = meta.find(key);
      if (inner && !inner->is_null()) return inner;
    }
    return std::nullopt;
  };
  std::optional<JsonNode> id = meta_value("study_id");
  if (!id) return Status::ParseError("missing study_id");
  if (id->is_integer()) {
    r.add(Repair::kStudyIdNumber);
  } else if (!id->is_string()) {
    return Status::ParseError("study_id is not a string or integer");
  }
  record.meta.study_id = std::string(trim(scalar_text(*id)));
  if (record.meta.study_id.empty()) return Status::ParseError("empty study_id");
  for (auto [key, field] : {std::pair{"subject_id", &record.meta.subject_id},
                            std::pair{"dicom_id", &record.meta.dicom_id},
                            std::pair{"view", &record.meta.view}, std::pair{"split", &record.meta.split}}) {
    if (auto value = meta_value(key)) *field = scalar_text(*value);
  }
  if (auto order = meta_value("study_order")) {
    if (order->is_number()) {
      record.meta.study_order = static_cast<int>(order->number());
    } else if (order->is_string()) {
      record.meta.study_order = std::atoi(std::string(order->text()).c_str());
    }
  }
  for (JsonNode value : raw) {
    std::string_view key = value.key();
    if (key_in(kEntityKeys, key)) {
      ReadEntities(value, record, r);
    } else if (key_in(kUncertainKeys, key)) {
      ReadNameList(value, record.uncertain_entity, &record.no_entity, r);
    } else if (key_in(kNegatedKeys, key)) {
      ReadNameList(value, record.no_entity, nullptr, r);
    } else if (equals_ignore_case(key, "opacity_vs_clear")) {
      ReadOpacityVsClear(value, record, r);
    } else if (!key_in(kMetaKeys, key) && !key_in(kMetaObjectKeys, key)) {
      r.add(Repair::kUnknownKeyDropped);
    }
  }
  ResolveConflicts(record, r);
  return record;
}

Result<KeyInfo> Standardizer::Impl::RepairStrict(KeyInfo&& strict, RepairCounts& r) const {
  KeyInfo record;
  record.meta = std::move(strict.meta);
  if (trim(record.meta.study_id).size() != record.meta.study_id.size()) {
    record.meta.study_id = std::string(trim(record.meta.study_id));
  }
  if (record.meta.study_id.empty()) return Status::ParseError("empty study_id");
  if (strict.opacity) {
    const OpacityStatement& o = *strict.opacity;
    AttributeWords words;
    AddAttributes({&o.location, &o.level, &o.type, nullptr}, words, r);
    SetStatement("opacity", words, record, r);
  }
  if (strict.clear) {
    AttributeWords words;
    AddAttributes({&strict.clear->location, nullptr, nullptr, nullptr}, words, r);
    SetStatement("clear", words, record, r);
  }
  std::vector<PendingFinding> pending;
  pending.reserve(strict.entity.size());
  for (Entity& entity : strict.entity) {
    const EntityAttributes& a = entity.attributes;
    PendingFinding& finding = pending.emplace_back(PendingFinding{std::move(entity.name), {}, {}});
    AddAttributes({&a.location, &a.level, &a.type, &a.post_location}, finding.words, r);
  }
  FinishEntities(pending, record, r);
  for (auto [from, to, negated] :
       {std::tuple{&strict.uncertain_entity, &record.uncertain_entity, &record.no_entity},
        std::tuple{&strict.no_entity, &record.no_entity, static_cast<std::vector<std::string>*>(nullptr)}}) {
    pending.clear();
    for (std::string& name : *from) pending.push_back({std::move(name), {}, {}});
    FinishNames(pending, *to, negated, r);
  }
  ResolveConflicts(record, r);
  return record;
}

// ---------------------------------------------------------------------------------------
// Re-filing

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

// ---------------------------------------------------------------------------------------

Standardizer::Standardizer(std::shared_ptr<const Lexicon> lexicon)
    : lexicon_(std::move(lexicon)), impl_(std::make_unique<Impl>(*lexicon_)) {}

Standardizer::~Standardizer() = default;

Result<KeyInfo> Standardizer::Repair(const Json& raw, RepairCounts& repairs) const {
  JsonTree tree = JsonTree::FromJson(raw);
  return impl_->Repair(tree.root(), repairs);
}

void Standardizer::Refile(KeyInfo& record, const Libraries& frequencies,
                          RepairCounts& repairs) const {
  impl_->Refile(record, frequencies, repairs);
}

Result<KeyInfo> Standardizer::RepairLine(std::string_view json_text, RepairCounts& repairs) const {
  KeyInfo strict;
  if (parse_strict_keyinfo_line(json_text, strict)) return impl_->RepairStrict(std::move(strict), repairs);
  auto tree = JsonTree::Parse(json_text);
  if (!tree.ok() && !is_valid_utf8(json_text)) tree = JsonTree::Parse(sanitize_utf8(json_text));
  if (!tree.ok()) return tree.status();  // not valid JSON, or nested too deep to walk
  return impl_->Repair(tree->root(), repairs);
}

Result<KeyInfo> Standardizer::Standardize(std::string_view json_text, const Libraries& frequencies,
                                          RepairCounts& repairs) const {
  auto record = RepairLine(json_text, repairs);
  if (record.ok()) Refile(*record, frequencies, repairs);
  return record;
}

}  // namespace cxrvqa
