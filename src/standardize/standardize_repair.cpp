// Standardizer::Impl, the lenient reading: KeyInfo in any JSON shape an LLM writes (categories
// as strings, lists or objects; attributes under any key name; nested findings) into pending
// findings, then Repair() over a whole record.

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "common/text.h"
#include "standardize/standardize_internal.h"

namespace cxrvqa {

using standardize_internal::JsonKind;
using standardize_internal::JsonNode;
using standardize_internal::one_of;

namespace {

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

}  // namespace

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
      text, scratch, [&](std::string_view key, FiledWords& out) {
        FileAttributeString(key, kind, out.words, out.repairs.counts);
        out.repairs.Seal();
      });
  words.append(filed.words);
  filed.repairs.AddTo(r);
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
  // The findings under every entity key ({"entity": ..., "findings": ...}) are finished as one
  // list, at the last such key: one named under two keys is merged as if named twice under one.
  size_t entity_keys_left = static_cast<size_t>(
      std::count_if(raw.begin(), raw.end(), [](JsonNode value) { return key_in(kEntityKeys, value.key()); }));
  std::vector<PendingFinding> findings;
  for (JsonNode value : raw) {
    std::string_view key = value.key();
    if (key_in(kEntityKeys, key)) {
      Collect(value, findings, r);
      if (--entity_keys_left == 0) FinishEntities(findings, record, r);
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

}  // namespace cxrvqa
