// Where an LLM KeyInfo record disagrees with the rules reference for the same study: the
// studies and findings that the follow-up step asks the LLM about again.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"

namespace cxrvqa {

// Maps a finding name as written by an extractor to the key it is compared by: the
// lexicon's official name when the phrase (lower-cased, whitespace collapsed, singular) is an
// official name or synonym, also after dropping leading level/location/type/modifier words
// ("small left effusion" -> "pleural effusion"); otherwise the normalized phrase itself.
// Names are compared whole: "effusion" and "pericardial effusion" are different findings
// unless the lexicon says otherwise.
class FindingMatcher {
 public:
  explicit FindingMatcher(std::shared_ptr<const Lexicon> lexicon);
  std::string Canonical(std::string_view name) const;

 private:
  std::shared_ptr<const Lexicon> lexicon_;
};

enum class DisagreementKind {
  kMissingPresent,   // present in the reference, absent from the LLM's entity and uncertain lists
  kMissingNegation,  // negated in the reference, absent from the LLM's no_entity
};

struct Disagreement {
  std::string finding;  // the reference's name for it
  DisagreementKind kind = DisagreementKind::kMissingPresent;
  bool operator==(const Disagreement&) const = default;
};

// The disagreements of one study, in reference order (present findings first, then negated
// ones), each finding at most once.
std::vector<Disagreement> find_disagreements(const KeyInfo& llm, const KeyInfo& reference,
                                             const FindingMatcher& matcher);

struct StudyDisagreements {
  std::string study_id;
  std::vector<Disagreement> items;  // never empty
};

struct DisagreementScan {
  size_t studies_compared = 0;        // studies present in both sets
  size_t llm_without_reference = 0;   // LLM studies the reference lacks (not asked about)
  size_t repeated_llm_studies = 0;    // repeats of a study_id in the LLM set (first one used)
  std::vector<StudyDisagreements> studies;  // in LLM file order
};

// Compares every LLM record with the reference record of the same study_id.
DisagreementScan scan_disagreements(const std::vector<KeyInfo>& llm,
                                    const std::vector<KeyInfo>& reference,
                                    const FindingMatcher& matcher);

}  // namespace cxrvqa
