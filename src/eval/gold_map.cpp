#include "eval/gold_map.h"

#include <algorithm>

#include "common/csv.h"
#include "common/embedded.h"
#include "common/file_io.h"
#include "common/text.h"

namespace cxrvqa {

std::string gold_map_key(std::string_view term) {
  std::string key;
  std::string lower = to_lower(term);
  for (auto part : split(lower, '/')) {
    if (!key.empty()) key += '/';
    key += collapse_whitespace(part);
  }
  return key;
}

void GoldMap::AddRow(std::string key, std::vector<std::string> names) {
  MappedTerm mapped;
  mapped.ignored = names.empty();
  if (!names.empty()) {
    mapped.label = names.front();
    auto& accepted = accepted_by_label_[mapped.label];
    if (accepted.empty()) labels_.push_back(mapped.label);
    for (const auto& name : names) {
      if (std::find(accepted.begin(), accepted.end(), name) == accepted.end()) accepted.push_back(name);
      mentioned_.insert(name);
    }
    mapped.accepted = std::move(names);
  }
  by_key_[std::move(key)] = std::move(mapped);
}

Result<GoldMap> GoldMap::Parse(std::string_view csv_text, std::string_view source) {
  GoldMap map;
  size_t line_number = 0;
  for (auto line : split(csv_text, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    std::vector<std::string> fields;
    auto where = [&] { return std::string(source) + ":" + std::to_string(line_number) + ": "; };
    if (!parse_csv_record(line, fields)) return Status::ParseError(where() + "unclosed quote");
    if (line_number == 1) {
      if (fields.size() < 2 || fields[0] != "gold_term" || fields[1] != "official_names") {
        return Status::ParseError(where() + "header must start with gold_term,official_names");
      }
      continue;
    }
    if (fields.size() < 2) return Status::ParseError(where() + "expected gold_term,official_names");
    std::string key = gold_map_key(fields[0]);
    if (key.empty()) return Status::ParseError(where() + "empty gold_term");
    if (map.by_key_.count(key)) return Status::ParseError(where() + "duplicate gold_term " + fields[0]);
    std::vector<std::string> names;
    for (auto& name : split_trimmed(fields[1], ';')) names.push_back(to_lower(name));
    map.AddRow(std::move(key), std::move(names));
  }
  if (line_number == 0) return Status::ParseError(std::string(source) + ": empty mapping file");
  return map;
}

Result<GoldMap> GoldMap::Load(GoldFormat format, const std::optional<std::filesystem::path>& path) {
  if (path) {
    CXRVQA_ASSIGN_OR_RETURN(auto text, read_file(*path));
    return Parse(text, path->string());
  }
  std::string_view name;
  switch (format) {
    case GoldFormat::kIuMesh: name = "mesh_map.csv"; break;
    case GoldFormat::kOpenI14: name = "openi14_map.csv"; break;
    case GoldFormat::kKeyInfo: return Identity();
  }
  CXRVQA_ASSIGN_OR_RETURN(auto text, read_data_file(std::nullopt, "eval", name));
  return Parse(text, "data/eval/" + std::string(name));
}

GoldMap GoldMap::Identity() {
  GoldMap map;
  map.identity_ = true;
  return map;
}

std::optional<MappedTerm> GoldMap::Resolve(std::string_view term) const {
  if (identity_) {
    std::string name = to_lower(trim(term));
    return MappedTerm{false, name, {name}};
  }
  std::string key = gold_map_key(term);
  auto parts = split(key, '/');
  std::string_view head = parts.front();
  for (size_t i = 1; i < parts.size(); ++i) {
    auto it = by_key_.find(std::string(head) + "/" + std::string(parts[i]));
    if (it != by_key_.end()) return it->second;
  }
  auto it = by_key_.find(std::string(head));
  if (it != by_key_.end()) return it->second;
  return std::nullopt;
}

bool GoldMap::IsLabel(std::string_view name) const {
  return identity_ || accepted_by_label_.count(std::string(name)) > 0;
}

bool GoldMap::Mentions(std::string_view name) const {
  return identity_ || mentioned_.count(std::string(name)) > 0;
}

bool GoldMap::Accepts(std::string_view label, std::string_view name) const {
  if (identity_) return label == name;
  auto it = accepted_by_label_.find(std::string(label));
  if (it == accepted_by_label_.end()) return false;
  return std::find(it->second.begin(), it->second.end(), name) != it->second.end();
}

}  // namespace cxrvqa
