#include "lexicon/lexicon.h"

#include <algorithm>
#include <array>
#include <functional>
#include <string>
#include <utility>

#include "common/csv.h"
#include "common/embedded.h"
#include "common/text.h"

namespace cxrvqa {
namespace {

// One data row of a lexicon CSV file with its line number.
struct LexiconRow {
  size_t line = 0;
  std::vector<std::string> fields;
};

std::string where(std::string_view file, size_t line) {
  return std::string(file) + ":" + std::to_string(line);
}

// Parses the text of lexicon file `file`: a header that must equal `columns` (or `columns`
// without its last `optional` ones), then rows with as many fields as the header, or fewer
// when only optional fields are left out (those read as ""). Blank lines are skipped;
// lower-cases and trims every field.
Result<std::vector<LexiconRow>> parse_table(std::string_view file, std::string_view text,
                                            const std::vector<std::string>& columns,
                                            size_t optional) {
  const size_t required = columns.size() - optional;
  std::vector<LexiconRow> rows;
  std::vector<std::string> fields;
  bool header_seen = false;
  for (const auto& [line_number, line] : non_blank_lines(text)) {
    if (!parse_csv_record(line, fields)) {
      return Status::ParseError(where(file, line_number) + ": unterminated quote");
    }
    for (auto& field : fields) field = to_lower(trim(field));
    if (!header_seen) {
      bool known = fields.size() >= required && fields.size() <= columns.size() &&
                   std::equal(fields.begin(), fields.end(), columns.begin());
      if (!known) {
        return Status::ParseError(where(file, line_number) + ": header must be " +
                                  join(columns, ","));
      }
      header_seen = true;
      continue;
    }
    if (fields.size() < required || fields.size() > columns.size()) {
      return Status::ParseError(where(file, line_number) + ": expected " +
                                std::to_string(columns.size()) + " fields, found " +
                                std::to_string(fields.size()));
    }
    fields.resize(columns.size());
    if (fields[0].empty()) {
      return Status::ParseError(where(file, line_number) + ": empty " + columns[0]);
    }
    rows.push_back({line_number, fields});
  }
  if (!header_seen) return Status::ParseError(where(file, 1) + ": missing header");
  return rows;
}

class LexiconLoader {
 public:
  explicit LexiconLoader(const std::optional<std::filesystem::path>& dir) : dir_(dir) {}

  // Reads `file` and calls `on_row` for each row; `on_row` may reject a row with a message.
  // The last `optional` columns may be missing from the file (they read as "").
  Status ForEachRow(std::string_view file, const std::vector<std::string>& columns,
                    const std::function<std::string(const LexiconRow&)>& on_row,
                    size_t optional = 0) const {
    CXRVQA_ASSIGN_OR_RETURN(auto text, read_data_file(dir_, "lexicon", file));
    CXRVQA_ASSIGN_OR_RETURN(auto rows, parse_table(file, text, columns, optional));
    for (const auto& row : rows) {
      std::string problem = on_row(row);
      if (!problem.empty()) return Status::ParseError(where(file, row.line) + ": " + problem);
    }
    return Status::Ok();
  }

  Status ReadWords(std::string_view file, std::string_view column,
                   std::vector<std::string>& out) const {
    return ForEachRow(file, {std::string(column)}, [&](const LexiconRow& row) {
      out.push_back(row.fields[0]);
      return std::string();
    });
  }

  Status ReadRewrites(std::string_view file, const std::vector<std::string>& columns,
                      std::vector<Rewrite>& out) const {
    return ForEachRow(file, columns, [&](const LexiconRow& row) {
      if (row.fields[1].empty()) return "empty " + columns[1];
      out.push_back({row.fields[0], row.fields[1]});
      return std::string();
    });
  }

 private:
  std::optional<std::filesystem::path> dir_;
};

// The value of `word` among `names` (parallel to `values`), or a message naming the choices.
template <typename T, size_t N>
std::string choose(std::string_view what, const std::string& word,
                   const std::array<std::string_view, N>& names, const std::array<T, N>& values,
                   T& out) {
  for (size_t i = 0; i < N; ++i) {
    if (word == names[i]) {
      out = values[i];
      return {};
    }
  }
  std::vector<std::string> choices(names.begin(), names.end());
  return std::string(what) + " must be " + join(choices, " or ") + ", not '" + word + "'";
}

std::string parse_cue(const LexiconRow& row, Cue& cue) {
  using Kind = Cue::Kind;
  using Direction = Cue::Direction;
  cue.phrase = row.fields[0];
  std::string problem =
      choose<Kind, 3>("kind", row.fields[1], {"negation", "uncertainty", "change"},
                      {Kind::kNegation, Kind::kUncertainty, Kind::kChange}, cue.kind);
  if (!problem.empty()) return problem;
  return choose<Direction, 3>("direction", row.fields[2], {"forward", "backward", "adjacent"},
                              {Direction::kForward, Direction::kBackward, Direction::kAdjacent},
                              cue.direction);
}

std::string parse_level_change(const LexiconRow& row, LevelChange& change) {
  using Role = LevelChange::Role;
  change.phrase = row.fields[0];
  return choose<Role, 3>("role", row.fields[1], {"current", "former", "change"},
                         {Role::kCurrent, Role::kFormer, Role::kChange}, change.role);
}

}  // namespace

Result<std::shared_ptr<const Lexicon>> Lexicon::Load(
    const std::optional<std::filesystem::path>& dir) {
  std::shared_ptr<Lexicon> lexicon(new Lexicon());
  LexiconLoader loader(dir);
  std::unordered_map<std::string, std::string> phrase_owner;
  std::vector<size_t> parent_lines;
  CXRVQA_RETURN_IF_ERROR(loader.ForEachRow(
      "findings.csv", {"official_name", "synonyms", "default_location", "category", "parent"},
      [&](const LexiconRow& row) -> std::string {
        Finding finding{row.fields[0], {row.fields[0]}, row.fields[2], row.fields[3], row.fields[4]};
        if (finding.parent == finding.name) finding.parent.clear();
        parent_lines.push_back(row.line);
        for (auto& synonym : split_trimmed(row.fields[1], ';')) {
          if (synonym != finding.name) finding.synonyms.push_back(synonym);
        }
        for (const auto& phrase : finding.synonyms) {
          auto [it, fresh] = phrase_owner.emplace(phrase, finding.name);
          if (!fresh) return "phrase '" + phrase + "' already belongs to '" + it->second + "'";
        }
        lexicon->findings_.push_back(std::move(finding));
        return {};
      },
      /*optional=*/1));
  for (size_t i = 0; i < lexicon->findings_.size(); ++i) {
    const std::string& parent = lexicon->findings_[i].parent;
    if (parent.empty()) continue;
    auto owner = std::find_if(lexicon->findings_.begin(), lexicon->findings_.end(),
                              [&](const Finding& f) { return f.name == parent; });
    if (owner == lexicon->findings_.end() || !owner->parent.empty()) {
      return Status::ParseError(where("findings.csv", parent_lines[i]) + ": parent '" + parent +
                                "' is not the official name of a finding without a parent");
    }
  }
  CXRVQA_RETURN_IF_ERROR(loader.ReadWords("levels.csv", "level", lexicon->levels_));
  CXRVQA_RETURN_IF_ERROR(loader.ReadWords("locations.csv", "location", lexicon->locations_));
  CXRVQA_RETURN_IF_ERROR(loader.ReadWords("types.csv", "type", lexicon->types_));
  CXRVQA_RETURN_IF_ERROR(loader.ReadWords("devices.csv", "device", lexicon->devices_));
  CXRVQA_RETURN_IF_ERROR(
      loader.ReadWords("drop_modifiers.csv", "modifier", lexicon->drop_modifiers_));
  CXRVQA_RETURN_IF_ERROR(loader.ReadWords("scope_breaks.csv", "phrase", lexicon->scope_breaks_));
  CXRVQA_RETURN_IF_ERROR(
      loader.ReadWords("post_connectors.csv", "word", lexicon->post_connectors_));
  CXRVQA_RETURN_IF_ERROR(
      loader.ReadRewrites("position_rewrites.csv", {"from", "to"}, lexicon->position_rewrites_));
  CXRVQA_RETURN_IF_ERROR(
      loader.ReadRewrites("plurals.csv", {"plural", "singular"}, lexicon->plurals_));
  CXRVQA_RETURN_IF_ERROR(loader.ReadRewrites("level_forms.csv", {"word", "level"}, lexicon->level_forms_));
  CXRVQA_RETURN_IF_ERROR(loader.ForEachRow(
      "post_locations.csv", {"post_location", "keywords"}, [&](const LexiconRow& row) {
        lexicon->post_locations_.push_back({row.fields[0], split_trimmed(row.fields[1], ';')});
        return std::string();
      }));
  CXRVQA_RETURN_IF_ERROR(loader.ForEachRow(
      "cues.csv", {"phrase", "kind", "direction"}, [&](const LexiconRow& row) {
        Cue cue;
        std::string problem = parse_cue(row, cue);
        if (problem.empty()) lexicon->cues_.push_back(std::move(cue));
        return problem;
      }));
  CXRVQA_RETURN_IF_ERROR(loader.ForEachRow(
      "level_changes.csv", {"phrase", "role"}, [&](const LexiconRow& row) {
        LevelChange change;
        std::string problem = parse_level_change(row, change);
        if (problem.empty()) lexicon->level_changes_.push_back(std::move(change));
        return problem;
      }));
  CXRVQA_RETURN_IF_ERROR(loader.ForEachRow(
      "anatomy.csv", {"phrase", "negated_finding"}, [&](const LexiconRow& row) -> std::string {
        const std::string& negated = row.fields[1];
        bool known = negated.empty() ||
                     std::any_of(lexicon->findings_.begin(), lexicon->findings_.end(),
                                 [&](const Finding& f) { return f.name == negated; });
        if (!known) return "negated_finding '" + negated + "' is not the official name of a finding";
        lexicon->anatomy_.push_back({row.fields[0], negated});
        return {};
      },
      /*optional=*/1));
  lexicon->BuildIndexes();
  return std::shared_ptr<const Lexicon>(std::move(lexicon));
}

void Lexicon::BuildIndexes() {
  for (size_t i = 0; i < findings_.size(); ++i) {
    by_name_.emplace(findings_[i].name, i);
    for (const auto& synonym : findings_[i].synonyms) by_phrase_.emplace(synonym, i);
  }
  for (const auto& rewrite : plurals_) plural_map_.emplace(rewrite.from, rewrite.to);
  for (const auto& rewrite : level_forms_) level_form_map_.emplace(rewrite.from, rewrite.to);
  level_set_.insert(levels_.begin(), levels_.end());
  location_set_.insert(locations_.begin(), locations_.end());
  type_set_.insert(types_.begin(), types_.end());
  device_set_.insert(devices_.begin(), devices_.end());
  drop_set_.insert(drop_modifiers_.begin(), drop_modifiers_.end());
  for (const auto& anatomy : anatomy_) anatomy_set_.insert(anatomy.phrase);
  for (const auto& change : level_changes_) {
    if (change.role == LevelChange::Role::kChange) change_level_set_.insert(change.phrase);
  }
}

const Finding* Lexicon::FindByPhrase(std::string_view phrase) const {
  auto it = by_phrase_.find(phrase);
  return it == by_phrase_.end() ? nullptr : &findings_[it->second];
}

const Finding* Lexicon::FindByName(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &findings_[it->second];
}

std::string_view Lexicon::LevelForm(std::string_view word) const {
  auto it = level_form_map_.find(word);
  return it == level_form_map_.end() ? word : std::string_view(it->second);
}

std::string Lexicon::Singular(std::string_view word) const {
  auto it = plural_map_.find(word);
  if (it != plural_map_.end()) return it->second;
  size_t space = word.rfind(' ');
  if (space == std::string_view::npos) return std::string(word);
  auto last = plural_map_.find(word.substr(space + 1));
  if (last == plural_map_.end()) return std::string(word);
  return std::string(word.substr(0, space + 1)) + last->second;
}

}  // namespace cxrvqa
