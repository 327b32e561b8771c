// The release presets' tables: disease library (with medical-cxr-vqa's appended rows),
// frequency filter, medical-diff-vqa's post-location phrases and position rules.
#include "questions/release.h"

#include <algorithm>

#include "common/csv.h"
#include "common/embedded.h"
#include "common/text.h"

namespace cxrvqa::questions_internal {

namespace {

constexpr std::string_view kPresetData = "presets/medical_diff_vqa/";
// medical-cxr-vqa tells substrings from whole words above this many synonyms (quirk Q17).
constexpr size_t kSubstringSynonymLimit = 200;

// The rows of the embedded table `name` after its header; each row has at least `columns` fields.
Result<std::vector<CsvRow>> embedded_rows(std::string_view name, size_t columns) {
  std::string path = std::string(kPresetData) + std::string(name);
  auto text = embedded_file(path);
  if (!text) return Status::NotFound("embedded data file " + path + " is missing");
  CXRVQA_ASSIGN_OR_RETURN(auto rows, parse_csv_lines(*text, path));
  if (!rows.empty()) rows.erase(rows.begin());
  for (const CsvRow& row : rows) {
    if (row.fields.size() < columns) return Status::ParseError(path + ":" + std::to_string(row.line) + ": too few fields");
  }
  return rows;
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  size_t start = 0;
  for (size_t hit = text.find(from); !from.empty() && hit != std::string_view::npos; hit = text.find(from, start)) {
    out.append(text.substr(start, hit - start)).append(to);
    start = hit + from.size();
  }
  out.append(text.substr(start));
  return out;
}

// medical-cxr-vqa's check_any_in over the synonym set: a synonym inside `name` (up to 200
// synonyms), else a word of `name` that is a synonym.
bool any_synonym_in(const StringSet& synonyms, std::string_view name) {
  if (synonyms.size() <= kSubstringSynonymLimit) {
    return std::any_of(synonyms.begin(), synonyms.end(),
                       [&](const std::string& synonym) { return name.find(synonym) != std::string_view::npos; });
  }
  for (std::string_view word : split(name, ' ')) {
    if (synonyms.find(word) != synonyms.end()) return true;
  }
  return false;
}

}  // namespace

Result<std::shared_ptr<const ReleaseTables>> ReleaseTables::Build(const Libraries& libraries, size_t min_count,
                                                                  QuestionPreset preset) {
  std::shared_ptr<ReleaseTables> tables(new ReleaseTables());
  tables->preset_ = preset;
  tables->min_count_ = min_count;
  tables->libraries_ = libraries;
  std::vector<OriginalDisease> diseases = libraries.original_diseases;
  if (diseases.empty()) {
    std::string path = std::string(kPresetData) + "disease_lib.csv";
    auto text = embedded_file(path);
    if (!text) return Status::NotFound("embedded data file " + path + " is missing");
    CXRVQA_ASSIGN_OR_RETURN(auto parsed, parse_original_disease_library(*text, path));
    diseases = std::move(parsed);
  }
  StringSet synonyms;
  for (const OriginalDisease& disease : diseases) {
    for (const std::string& synonym : disease.synonyms) {
      tables->synonym_rows_.emplace(synonym, tables->rows_.size());
      synonyms.insert(synonym);
    }
    tables->rows_.push_back({disease.synonyms, disease.official_name});
  }
  tables->original_rows_ = tables->rows_.size();
  if (preset == QuestionPreset::kMedicalCxrVqa) {
    for (const auto& [name, count] : libraries.entity) {  // file order: count desc, first seen
      if (name.empty() || name == "clear" || any_synonym_in(synonyms, name)) continue;
      if (!tables->appended_rows_.emplace(name, tables->rows_.size()).second) continue;
      tables->longest_appended_ = std::max(tables->longest_appended_, name.size());
      tables->rows_.push_back({{name}, name});
    }
  }
  CXRVQA_ASSIGN_OR_RETURN(auto phrases, embedded_rows("postlocation_lib.csv", 2));
  for (const CsvRow& row : phrases) {
    tables->post_locations_.push_back({std::string(row.get(0)), split_trimmed(row.get(1), ';')});
  }
  CXRVQA_ASSIGN_OR_RETURN(auto rules, embedded_rows("position_change.csv", 2));
  for (const CsvRow& row : rules) tables->position_rules_.emplace_back(row.get(0), row.get(1));
  // Each rule applied alone to each of the library's phrases gives the derived phrases.
  for (const PostLocationPhrase& phrase : tables->post_locations_) tables->phrase_rows_.emplace(phrase.phrase, 0);
  size_t library_phrases = tables->post_locations_.size();
  for (size_t i = 0; i < library_phrases; ++i) {
    for (const auto& [from, to] : tables->position_rules_) {
      std::string derived = replace_all(tables->post_locations_[i].phrase, from, to);
      if (tables->phrase_rows_.emplace(derived, 0).second) {
        tables->post_locations_.push_back({derived, tables->post_locations_[i].keywords});
      }
    }
  }
  for (size_t i = 0; i < tables->post_locations_.size(); ++i) {
    tables->phrase_rows_[tables->post_locations_[i].phrase] = i;
    for (const std::string& keyword : tables->post_locations_[i].keywords) tables->keywords_.insert(keyword);
  }
  return std::shared_ptr<const ReleaseTables>(std::move(tables));
}

std::optional<size_t> ReleaseTables::ResolveUncached(std::string_view name) const {
  for (size_t row = 0; row < original_rows_; ++row) {
    for (const std::string& synonym : rows_[row].synonyms) {
      if (name.find(synonym) != std::string_view::npos) return row;
    }
  }
  // The appended rows hold one name each: the first (lowest) row whose name is inside `name`.
  std::optional<size_t> first;
  for (size_t start = 0; start < name.size(); ++start) {
    for (size_t length = 1; length <= longest_appended_ && start + length <= name.size(); ++length) {
      auto it = appended_rows_.find(name.substr(start, length));
      if (it != appended_rows_.end() && (!first || it->second < *first)) first = it->second;
    }
  }
  return first;
}

std::optional<size_t> ReleaseTables::ResolveBySubstring(std::string_view name) const {
  long scratch = -1;
  long row = resolved_.Get(name, scratch, [&](std::string_view key, long& out) {
    auto found = ResolveUncached(key);
    out = found ? static_cast<long>(*found) : -1;
  });
  if (row < 0) return std::nullopt;
  return static_cast<size_t>(row);
}

std::optional<size_t> ReleaseTables::RowOfSynonym(std::string_view name) const {
  auto it = synonym_rows_.find(name);
  if (it == synonym_rows_.end()) return std::nullopt;
  return it->second;
}

bool ReleaseTables::FrequentEntity(std::string_view name) const {
  if (min_count_ == 0) return true;
  // The original looks up the resolved official name ("lung opacity" as "opacity") and
  // fails when it is not in entity_dict; the name itself, then the official name unchanged,
  // are tried next so that dictionaries counted over official names work too.
  std::string_view candidates[3] = {name, {}, {}};
  size_t count = 1;
  if (auto row = ResolveBySubstring(name)) {
    const std::string& official = rows_[*row].official_name;
    candidates[0] = official == "lung opacity" ? std::string_view("opacity") : std::string_view(official);
    candidates[1] = name;
    candidates[2] = official;
    count = 3;
  }
  for (size_t i = 0; i < count; ++i) {
    size_t frequency = libraries_.count(LibraryKind::kEntity, candidates[i]);
    if (frequency > 0) return frequency >= min_count_;
  }
  return false;
}

bool ReleaseTables::FrequentAttribute(LibraryKind kind, std::string_view value) const {
  return min_count_ == 0 || libraries_.count(kind, value) >= min_count_;
}

std::vector<std::string_view> ReleaseTables::KeywordsOf(std::string_view phrase) const {
  std::vector<std::string_view> keywords;
  if (auto it = phrase_rows_.find(phrase); it != phrase_rows_.end()) {
    for (const std::string& keyword : post_locations_[it->second].keywords) keywords.push_back(keyword);
    return keywords;
  }
  for (std::string_view word : split(phrase, ' ')) {
    if (keywords_.find(word) != keywords_.end()) keywords.push_back(word);
  }
  return keywords;
}

std::string ReleaseTables::RewritePosition(std::string_view text) const {
  std::string out(text);
  for (const auto& [from, to] : position_rules_) out = replace_all(out, from, to);
  return out;
}

}  // namespace cxrvqa::questions_internal
