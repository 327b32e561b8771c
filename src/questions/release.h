// Internal to the questions module: the release presets (medical-cxr-vqa,
// medical-diff-vqa), i.e. the original question generators as the behavioural specification
// describes them (templates, answer wording, draw structure and probabilities, entity
// preprocessing), with their plain defects fixed.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/memo.h"
#include "common/status.h"
#include "libraries/libraries.h"
#include "questions/questions.h"

namespace cxrvqa::questions_internal {

// The originals ask view questions about 5 % of AP images (and all PA ones).
inline constexpr double kReleaseApKeepRate = 0.05;

// A row of the disease library names are resolved with.
struct DiseaseRow {
  std::vector<std::string> synonyms;
  std::string official_name;
};

// A Medical-Diff-VQA post-location phrase ("the left lung base") and the keywords a
// mirrored phrase must not contain.
struct PostLocationPhrase {
  std::string phrase;
  std::vector<std::string> keywords;
};

// Everything the release presets look up, built once per run; immutable and thread-safe.
class ReleaseTables {
 public:
  // The disease library is libraries.original_diseases when the libraries directory held
  // one, else Medical-Diff-VQA's (embedded). medical-cxr-vqa appends a row per entity_dict
  // name that no synonym matches, as the original does.
  static Result<std::shared_ptr<const ReleaseTables>> Build(const Libraries& libraries, size_t min_count,
                                                            QuestionPreset preset);

  QuestionPreset preset() const { return preset_; }
  const std::vector<DiseaseRow>& rows() const { return rows_; }
  // Rows of the library itself (before the appended ones): what presence "no" answers draw.
  size_t original_rows() const { return original_rows_; }

  // medical-cxr-vqa's name resolution: the first row (library order, then synonym order)
  // with a synonym that is a substring of `name`.
  std::optional<size_t> ResolveBySubstring(std::string_view name) const;
  // medical-diff-vqa's lookup: the row that lists `name` as a synonym.
  std::optional<size_t> RowOfSynonym(std::string_view name) const;
  // medical-cxr-vqa's frequency filter of an entity (resolved official name, "lung opacity"
  // counted as "opacity") and of an attribute string.
  bool FrequentEntity(std::string_view name) const;
  bool FrequentAttribute(LibraryKind kind, std::string_view value) const;

  // medical-diff-vqa's post-location phrases (the library's 42 and the 8 its position
  // rules derive from them) and the keywords of `phrase` (for a phrase the table lacks: its
  // words that are keywords of some phrase).
  const std::vector<PostLocationPhrase>& post_locations() const { return post_locations_; }
  std::vector<std::string_view> KeywordsOf(std::string_view phrase) const;
  // `text` with medical-diff-vqa's position rules applied in order ("left lower lobe" ->
  // "left lower lung").
  std::string RewritePosition(std::string_view text) const;

 private:
  ReleaseTables() = default;
  std::optional<size_t> ResolveUncached(std::string_view name) const;

  QuestionPreset preset_ = QuestionPreset::kMedicalCxrVqa;
  size_t min_count_ = 10;
  Libraries libraries_;
  std::vector<DiseaseRow> rows_;
  size_t original_rows_ = 0;
  StringMap<size_t> synonym_rows_;   // first row of each synonym
  StringMap<size_t> appended_rows_;  // appended row of each entity_dict name
  size_t longest_appended_ = 0;
  std::vector<PostLocationPhrase> post_locations_;
  StringMap<size_t> phrase_rows_;  // phrase -> index in post_locations_
  StringSet keywords_;             // every keyword of every phrase
  std::vector<std::pair<std::string, std::string>> position_rules_;
  mutable TextMemo<long> resolved_;  // ResolveBySubstring, -1 = none
};

// The questions of studies[begin, end) by a release preset, given to `sink`.
void generate_release_range(const std::vector<QuestionStudy>& studies, size_t begin, size_t end,
                            const ReleaseTables& tables, const QuestionOptions& options,
                            double ap_keep_rate, QuestionSink& sink);

}  // namespace cxrvqa::questions_internal
