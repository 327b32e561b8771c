// The mapping from gold terms to lexicon findings (data/eval/mesh_map.csv,
// data/eval/openi14_map.csv, or a user's file via --map).
//
// File format (CSV with header `gold_term,official_names,note`):
//   gold_term       a ChestX-ray14 column ("Effusion"), a MeSH heading ("Cardiomegaly") or
//                   a heading with one qualifier ("Lung/hypoinflation"); matched without
//                   regard to case or repeated spaces.
//   official_names  `;`-separated lexicon official names. The first is the finding the term
//                   is scored as (its label); the others are accepted as the same finding
//                   in a prediction where the gold has the term (e.g. Infiltration ->
//                   infiltrate;lung opacity); they never make a false positive.
//                   Empty: the term is deliberately ignored (devices, "No Indexing", image
//                   quality): neither scored nor counted as an abnormality.
//   note            free text, why the row is what it is.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "eval/gold.h"

namespace cxrvqa {

// What a gold term resolved to.
struct MappedTerm {
  bool ignored = false;
  std::string label;                // the finding scored; "" when ignored
  std::vector<std::string> accepted;  // names a prediction may use; label first
};

class GoldMap {
 public:
  // Parses the CSV text of a mapping file; errors name `source` and the line.
  static Result<GoldMap> Parse(std::string_view csv_text, std::string_view source);
  // Loads `path`, or the embedded default for `format` (iu-mesh: mesh_map.csv, openi14:
  // openi14_map.csv) when `path` is nullopt. KeyInfo gold gets the identity map (every name
  // stands for itself) unless a file is given.
  static Result<GoldMap> Load(GoldFormat format, const std::optional<std::filesystem::path>& path);
  // The identity map: any term is its own label.
  static GoldMap Identity();

  // Resolves a gold term. A term "Head/q1/q2/..." tries "Head/q1", "Head/q2", ... in order,
  // then "Head". nullopt: the term is in no row (an unmapped gold term).
  std::optional<MappedTerm> Resolve(std::string_view term) const;

  // Every label, in file order of first appearance.
  const std::vector<std::string>& labels() const { return labels_; }
  // True when `name` is a label (the first official name of some row): a prediction of it
  // that matches no gold term is a false positive of that label.
  bool IsLabel(std::string_view name) const;
  // True when some row names `name` (as label or accepted alternative). A predicted name
  // that is only an alternative and matches no gold term is not scored (e.g. lung opacity
  // for openi14, which has no opacity label); a name in no row is an unmapped name.
  bool Mentions(std::string_view name) const;
  // True when `name` is accepted for `label`.
  bool Accepts(std::string_view label, std::string_view name) const;
  bool identity() const { return identity_; }

 private:
  void AddRow(std::string key, std::vector<std::string> names);

  bool identity_ = false;
  std::unordered_map<std::string, MappedTerm> by_key_;  // lower-case key
  std::vector<std::string> labels_;
  std::unordered_map<std::string, std::vector<std::string>> accepted_by_label_;
  std::unordered_set<std::string> mentioned_;
};

// The key a term is looked up by: lower case, runs of spaces collapsed, spaces around '/'
// removed.
std::string gold_map_key(std::string_view term);

}  // namespace cxrvqa
