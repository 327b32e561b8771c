// Standardize: rewrites KeyInfo as an LLM writes it (any JSON shape) into the strict schema
// of keyinfo/keyinfo.h, with the lexicon (official names, plural map, modifiers to drop,
// attribute vocabularies, devices) and the corpus frequency libraries (words re-filed
// between location, level and type).
//
// Two steps per record: Repair() reads the JSON leniently and normalizes names (no corpus
// knowledge needed); Refile() then moves attribute words to the attribute where the
// curated lists or, failing those, the corpus frequencies say they belong.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"
#include "common/status.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"
#include "libraries/libraries.h"

namespace cxrvqa {

// The kinds of repair counted in the summary. Kinds marked (meaning) change what the record
// says, not only its shape or wording; the summary lists them apart.
enum class Repair : size_t {
  kStudyIdNumber,        // study_id given as a number
  kCategoryShape,        // entity/uncertain/no_entity not in the strict shape (string, list, ...)
  kAttributeShape,       // an attribute value not a string or null (list, dict, "k: v", number)
  kNullOrEmpty,          // null, "", "none" where a value was expected
  kNestedFinding,        // a finding nested inside another finding's attributes
  kDescriptionName,      // the name taken from a "description"/"name" key
  kPlural,               // a plural name made singular
  kSynonym,              // a synonym mapped to the official name
  kModifierDropped,      // "increased", "new", "areas of", ... dropped from a name
  kAttributeFromName,    // a location/level/type word moved out of a name
  kPostLocationFromName, // "effusion in the right base": the phrase after the name moved out
  kSpecialFinding,       // low lung volume, mucosal edema, vascular congestion (hilar), ...
  kLocationRemoved,      // location of a finding that has none (cardiomegaly)
  kDeviceDropped,        // a device or hardware name dropped
  kUnknownWordDropped,   // a word in a name that is neither finding nor attribute
  kDuplicateMerged,      // the same finding twice in one category
  kUnknownKeyDropped,    // a top-level or attribute key that has no place in the schema
  kRefiled,              // an attribute word moved to another attribute (lists or frequency)
  kLevelForm,            // a level word put in its dataset form ("mildly" -> "mild")
  kHedgeToUncertain,     // (meaning) "possible pneumonia" in entity moved to uncertain_entity
  kNegationToNoEntity,   // (meaning) "no pneumothorax", "resolved edema" moved to no_entity
  kBothToBilateral,      // "both bases": "both" written as "bilateral"
  kAnatomyDropped,       // (meaning) anatomy that is no finding ("heart size") dropped
  kAnatomyToFinding,     // (meaning) anatomy with its attribute read as the finding they name
                         // ("pulmonary arteries" + "enlarged": pulmonary artery enlargement)
  kCategoryConflict,     // (meaning) a name in two categories kept in the stronger one
                         // (entity over uncertain_entity over no_entity)
  kCount
};
inline constexpr size_t kRepairKinds = static_cast<size_t>(Repair::kCount);
// Short snake_case name of a repair kind, for summaries.
std::string_view repair_name(Repair kind);
// True for the kinds that change what a record says (marked (meaning) above): the drops of
// unknown words, devices and locations, special findings, re-filing, and the kinds above.
bool repair_changes_meaning(Repair kind);

struct RepairCounts {
  std::array<size_t, kRepairKinds> counts{};
  void add(Repair kind, size_t n = 1) { counts[static_cast<size_t>(kind)] += n; }
  size_t get(Repair kind) const { return counts[static_cast<size_t>(kind)]; }
  RepairCounts& operator+=(const RepairCounts& other);
};

class Standardizer {
 public:
  // `lexicon` must not be null.
  explicit Standardizer(std::shared_ptr<const Lexicon> lexicon);
  ~Standardizer();
  Standardizer(const Standardizer&) = delete;
  Standardizer& operator=(const Standardizer&) = delete;

  // Reads one record leniently and normalizes it. An error (the reject reason) when it
  // cannot be repaired: not an object, no usable study_id. Thread-safe.
  Result<KeyInfo> Repair(const Json& raw, RepairCounts& repairs) const;
  // Moves attribute words filed under the wrong attribute, by the lexicon's curated lists
  // first and by `frequencies` (corpus counts of whole attribute values) otherwise.
  // Thread-safe.
  void Refile(KeyInfo& record, const Libraries& frequencies, RepairCounts& repairs) const;
  // Repair() over one line of JSON text. A line in the strict form of keyinfo_to_json_line is
  // read without a general JSON parser (same result); any other line is parsed as JSON, with
  // invalid UTF-8 replaced. Error "not valid JSON" when it is not JSON. Thread-safe.
  Result<KeyInfo> RepairLine(std::string_view json_text, RepairCounts& repairs) const;
  // Both steps over one line of JSON text.
  Result<KeyInfo> Standardize(std::string_view json_text, const Libraries& frequencies,
                              RepairCounts& repairs) const;

  const Lexicon& lexicon() const { return *lexicon_; }

 private:
  class Impl;
  std::shared_ptr<const Lexicon> lexicon_;
  std::unique_ptr<Impl> impl_;
};

struct StandardizeOptions {
  std::filesystem::path in;
  std::filesystem::path out;
  std::optional<std::filesystem::path> rejects;    // default: <out>.rejects.jsonl
  std::optional<std::filesystem::path> libraries;  // frequencies; default: from this input
  unsigned threads = 1;                            // 0 = all cores
  std::optional<std::filesystem::path> lexicon_dir;  // nullopt: the embedded lexicon
  std::shared_ptr<const Lexicon> lexicon;            // when set, used instead of loading one

  // `rejects`, or its default.
  std::filesystem::path rejects_file() const;
};

struct StandardizeSummary {
  size_t read = 0;       // non-blank input lines
  size_t written = 0;    // records in the output
  std::map<std::string, size_t> rejected;  // reason -> count
  RepairCounts repairs;
  std::filesystem::path rejects;  // the rejects file; "" = not named in ToString
  size_t rejected_total() const;
  // A few lines of plain text (no report text), and where the rejected lines are when there
  // are any and `rejects` is set.
  std::string ToString() const;
  // {read, written, rejected (the total)}.
  Json ToJson() const;
};

// Standardizes a JSONL file with the lexicon of `options` (loaded once per call unless given).
// Each line that cannot be repaired (bad JSON, not an object, no study_id, a study_id seen
// before) is written to the rejects file as {"file","line","reason","text"} and counted; the
// run goes on. Output order is input order whatever the thread count. Errors only for I/O,
// an unreadable lexicon or --libraries directory, or an output (out, rejects) that is the
// input or the other output. A line nested deeper than kMaxJsonDepth is rejected with that
// reason.
Result<StandardizeSummary> RunStandardize(const StandardizeOptions& options);

// RunStandardize with a Standardizer built by the caller (options.lexicon and lexicon_dir
// are not read); the summary does not name the rejects file.
Result<StandardizeSummary> standardize_file(const Standardizer& standardizer,
                                            const StandardizeOptions& options);

}  // namespace cxrvqa
