// The lexicon: findings with their synonyms, attribute vocabularies (level, location, type,
// post-location phrases), rewrites, plural map, device/treatment words and negation and
// uncertainty cues. Loaded once from data files (embedded data/lexicon/ or --lexicon DIR)
// into an immutable structure shared by all threads.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/string_map.h"

namespace cxrvqa {

struct Finding {
  std::string name;                   // official name, lower case ("pleural effusion")
  std::vector<std::string> synonyms;  // lower-case report phrasings; the name is one of them
  std::string default_location;       // "pleural", "lung", "heart" or "" (cardiomegaly: "")
  std::string category;               // grouping, e.g. "pleural", "cardiac", "osseous"
  // For a subtype that is a finding in its own right ("hiatal hernia", "rib fracture"), the
  // official name of the finding it counts under when scored against gold labels that only
  // know the broader finding ("hernia", "fracture"); "" for none.
  std::string parent;
};

// A location phrase that follows a finding ("in the left lower lobe") and the keywords that
// identify it.
struct PostLocation {
  std::string phrase;
  std::vector<std::string> keywords;
};

struct Rewrite {
  std::string from;
  std::string to;
};

// A negation or uncertainty cue. `direction` says where its scope lies relative to the cue.
// A change cue ("partially resolved", "not resolved") says the finding is still there: it has
// no scope of its own, but as the longer phrase it keeps a negation cue inside it ("resolved")
// from applying.
struct Cue {
  enum class Kind { kNegation, kUncertainty, kChange };
  // forward: "no X" (the rest of the clause); backward: "X is resolved"; adjacent: the noun
  // phrase right after the cue ("resolved pulmonary edema": no comma and no other finding in
  // between, at most kAdjacentCueWords words).
  enum class Direction { kForward, kBackward, kAdjacent };
  std::string phrase;
  Kind kind = Kind::kNegation;
  Direction direction = Direction::kForward;
};

// How many words may stand between an adjacent cue and the finding it modifies.
inline constexpr int kAdjacentCueWords = 5;

// A word about a change of level. `current` and `former` mark the level word right after
// them as the level now ("now small", "increased to moderate") or before ("previously large",
// "from small to moderate"); `change` words ("increased", "worsening") are themselves the
// level of a finding they stand before when the report gives no other.
struct LevelChange {
  enum class Role { kCurrent, kFormer, kChange };
  std::string phrase;
  Role role = Role::kCurrent;
};

// Anatomy that is not a finding ("heart size", "pulmonary arteries"). When `negated_finding`
// is set, a normal statement about the anatomy rules that finding out ("heart size is normal":
// no cardiomegaly).
struct Anatomy {
  std::string phrase;
  std::string negated_finding;  // official name, or ""
};

class Lexicon {
 public:
  // Loads every lexicon file from `dir`, or the embedded copy when `dir` is nullopt.
  // Errors name the file and line.
  static Result<std::shared_ptr<const Lexicon>> Load(const std::optional<std::filesystem::path>& dir);

  const std::vector<Finding>& findings() const { return findings_; }
  const std::vector<std::string>& levels() const { return levels_; }
  const std::vector<std::string>& locations() const { return locations_; }
  const std::vector<std::string>& types() const { return types_; }
  const std::vector<PostLocation>& post_locations() const { return post_locations_; }
  const std::vector<Rewrite>& position_rewrites() const { return position_rewrites_; }
  const std::vector<std::string>& devices() const { return devices_; }
  const std::vector<std::string>& drop_modifiers() const { return drop_modifiers_; }
  const std::vector<Cue>& cues() const { return cues_; }
  // Words that end a cue's scope ("but", "however", "which", ...).
  const std::vector<std::string>& scope_breaks() const { return scope_breaks_; }
  // Plural → singular pairs (plurals.csv).
  const std::vector<Rewrite>& plurals() const { return plurals_; }
  // Report forms of level words → the level as a dataset states it ("mildly" → "mild").
  const std::vector<Rewrite>& level_forms() const { return level_forms_; }
  // Words that may stand between a finding and its post-location phrase ("in", "at", "is").
  const std::vector<std::string>& post_connectors() const { return post_connectors_; }
  // Words about a change of level (level_changes.csv).
  const std::vector<LevelChange>& level_changes() const { return level_changes_; }
  // Anatomy that is not a finding (anatomy.csv).
  const std::vector<Anatomy>& anatomy() const { return anatomy_; }

  // The finding whose official name or synonym is `phrase` (lower case, exact), or nullptr.
  const Finding* FindByPhrase(std::string_view phrase) const;
  // The finding whose official name is `name`, or nullptr.
  const Finding* FindByName(std::string_view name) const;
  // Singular of a plural word or phrase from the plural map, or `word` unchanged.
  std::string Singular(std::string_view word) const;
  // The level form of `word` ("mildly" → "mild"), or `word` unchanged.
  std::string_view LevelForm(std::string_view word) const;
  bool IsLevel(std::string_view word) const { return level_set_.contains(word); }
  bool IsLocation(std::string_view word) const { return location_set_.contains(word); }
  bool IsType(std::string_view word) const { return type_set_.contains(word); }
  bool IsDevice(std::string_view word) const { return device_set_.contains(word); }
  bool IsDropModifier(std::string_view word) const { return drop_set_.contains(word); }
  // True for a change word that serves as a level ("increased", "worsening").
  bool IsChangeLevel(std::string_view word) const { return change_level_set_.contains(word); }
  bool IsAnatomy(std::string_view phrase) const { return anatomy_set_.contains(phrase); }
  // The official name a finding counts under for evaluation: its parent, or its own name.
  const std::string& EvaluationName(const Finding& finding) const {
    return finding.parent.empty() ? finding.name : finding.parent;
  }

 private:
  Lexicon() = default;
  void BuildIndexes();

  std::vector<Finding> findings_;
  std::vector<std::string> levels_, locations_, types_, devices_, drop_modifiers_, scope_breaks_,
      post_connectors_;
  std::vector<Anatomy> anatomy_;
  std::vector<LevelChange> level_changes_;
  std::vector<PostLocation> post_locations_;
  std::vector<Rewrite> position_rewrites_;
  std::vector<Rewrite> plurals_;
  std::vector<Rewrite> level_forms_;
  std::vector<Cue> cues_;

  StringMap<size_t> by_phrase_, by_name_;
  StringMap<std::string> plural_map_, level_form_map_;
  StringSet level_set_, location_set_, type_set_, device_set_, drop_set_, change_level_set_,
      anatomy_set_;
};

}  // namespace cxrvqa
