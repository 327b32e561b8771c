// Internal to the review module: turning reviewers' corrections into a KeyInfo gold file and
// a corrected question file.
#pragma once

#include <string_view>
#include <unordered_map>
#include <vector>

#include "extract/phrase_matcher.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"
#include "review/review.h"
#include "review/review_db.h"

namespace cxrvqa::review_internal {

// Applies the right answer a reviewer gave for `item` to `record`, as far as the answer says
// something about the KeyInfo:
//   presence     "yes": the finding the question names is present (kept, or added without
//                attributes); "no" (question without a place): it is negated
//   abnormality  a list ("what abnormalities are seen in this image?"): the present findings
//                are exactly the findings the answer names (attributes of those kept stay);
//                "no" to "is there evidence of any abnormalities": no finding is present
//   location     the finding's location becomes the answer ("left side" -> "left", "both
//                sides" -> "bilateral", a trailing " area" dropped)
//   level, type  the finding's level or type becomes the answer
//   view         the record's view becomes postero-anterior or antero-posterior
// Returns false, leaving `record` as it was, when the answer has no such meaning (difference
// questions, a place-bound "no", a finding the question does not name, an unclear answer).
bool apply_correction(const PhraseMatcher& matcher, const Lexicon& lexicon, const StoredItem& item,
                      std::string_view right_answer, KeyInfo& record);

// The verdict the exports use for each item: among the verdicts given (those of the chosen
// reviewers), the latest.
std::unordered_map<int64_t, const Verdict*> latest_verdicts(const std::vector<Verdict>& verdicts);

// Writes the KeyInfo gold JSONL: one record per reviewed study (sample order), the sampled
// record with every applicable correction applied.
Result<ExportCounts> export_gold(const std::filesystem::path& path, ReviewDb& db, const Lexicon& lexicon,
                                 const std::vector<StoredItem>& items,
                                 const std::unordered_map<int64_t, const Verdict*>& chosen);

// Writes the reviewed pairs (.csv or .jsonl by extension): correct ones as they are, wrong
// ones with the right answer; wrong ones without a right answer and unsure ones are left out.
Result<ExportCounts> export_questions(const std::filesystem::path& path, const std::vector<StoredItem>& items,
                                      const std::unordered_map<int64_t, const Verdict*>& chosen);

}  // namespace cxrvqa::review_internal
