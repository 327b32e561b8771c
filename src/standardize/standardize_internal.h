// Internal to standardize: what the files of Standardizer::Impl share (the record being
// read, the special rules, the implementation class itself). Not included from outside
// src/standardize/.
//
// The implementation is split by responsibility: standardize_repair.cpp reads any JSON shape,
// standardize_names.cpp turns phrases into official names, standardize_read.cpp reads the
// strict line form, standardize_refile.cpp re-files attribute words, and standardize.cpp is
// the public interface.
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_tree.h"
#include "common/memo.h"
#include "common/string_map.h"
#include "common/text.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"
#include "libraries/libraries.h"
#include "standardize/name_parser.h"
#include "standardize/standardize.h"

namespace cxrvqa {
namespace standardize_internal {

using JsonNode = JsonTree::Node;
using JsonKind = JsonTree::Kind;

template <size_t N>
bool one_of(const std::array<std::string_view, N>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
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
inline constexpr std::array<SpecialRule, 8> kSpecialRules = {{
    {"mucosal", "edema", "mucosal edema", ""},
    {"subcutaneous", "emphysema", "subcutaneous emphysema", ""},
    {"pericardial", "effusion", "pericardial effusion", ""},
    {"hilar", "congestion", "vascular congestion", "hilar"},
    {"tension", "pneumothorax", "tension pneumothorax", ""},
    {"hiatal", "hernia", "hiatal hernia", ""},
    {"rib", "fracture", "rib fracture", ""},
    {"ribs", "fracture", "rib fracture", ""},
}};

// Repair counts kept in a memo and added to a record's counts at each lookup. Most are all
// zero, and adding kRepairKinds counters costs more than the lookup itself, so whether any
// is set is noted once, when the memo entry is made (Seal).
struct MemoRepairs {
  RepairCounts counts;
  bool any = false;
  void Seal() { any = counts.counts != RepairCounts().counts; }
  void AddTo(RepairCounts& r) const {
    if (any) r += counts;
  }
};

// A phrase's parse, the repairs it made, and what the special rules need of it.
struct PhraseParse {
  ParsedName parsed;
  MemoRepairs repairs;
  unsigned special_heads = 0;   // bit i: the head of kSpecialRules[i] is in the name or tokens
  bool volume_in_name = false;  // a kVolumeNameWords word in the name
  bool volume_in_tokens = false;
};

// The values of one attribute as the strict record writes them (kValueSeparator between).
std::optional<std::string> joined(const std::vector<std::string>& values);

}  // namespace standardize_internal

// The whole of a Standardizer but its lexicon's ownership. Immutable after construction but
// for its memos, which are thread-safe: every member may be called from several threads.
class Standardizer::Impl {
 public:
  using JsonNode = standardize_internal::JsonNode;
  using PendingFinding = standardize_internal::PendingFinding;
  using PhraseParse = standardize_internal::PhraseParse;

  // `lexicon` must outlive this object.
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
  // --- reading shapes (standardize_repair.cpp) ---
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
  void ReadNameList(JsonNode value, std::vector<std::string>& names,
                    std::vector<std::string>* negated_names, RepairCounts& r) const;
  void ReadOpacityVsClear(JsonNode value, KeyInfo& record, RepairCounts& r) const;
  // --- the strict form (standardize_read.cpp) ---
  void AddAttributes(const std::optional<std::string>* const (&values)[4], AttributeWords& words,
                     RepairCounts& r) const;
  // --- names (standardize_names.cpp) ---
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
  // Files `pending` into the record: positive findings into record.entity, which must be empty
  // (a finding's attributes are merged across all of `pending`), negated and hedged ones into
  // no_entity and uncertain_entity.
  void FinishEntities(std::vector<PendingFinding>& pending, KeyInfo& record, RepairCounts& r) const;
  // Adds the names of `pending` to `names`; a negated one goes to `negated_names` instead
  // when given (an uncertain_entity "no pneumonia").
  void FinishNames(std::vector<PendingFinding>& pending, std::vector<std::string>& names,
                   std::vector<std::string>* negated_names, RepairCounts& r) const;
  // A name in two categories stays in the stronger one only.
  static void ResolveConflicts(KeyInfo& record, RepairCounts& r);
  // Sets the "opacity" or "clear" statement from its words; other keys are dropped.
  void SetStatement(std::string_view key, const AttributeWords& words, KeyInfo& record,
                    RepairCounts& r) const;
  // --- re-filing (standardize_refile.cpp) ---
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
    standardize_internal::MemoRepairs repairs;
  };

  const Lexicon& lexicon_;
  NameParser parser_;
  StringSet anatomy_words_;  // every word of the lexicon's anatomy phrases
  TextMemo<PhraseParse> parses_;
  std::array<TextMemo<FiledWords>, 4> filed_;  // by the attribute kind the text was met under
};

}  // namespace cxrvqa
