// Internal to the review module: the stratified, seeded draw of studies to review.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "questions/questions.h"

namespace cxrvqa::review_internal {

struct SampleCandidate {
  std::string study_id;
  uint32_t types = 0;  // bit t set: the study has a question of QuestionType t
};

struct DrawnStudy {
  std::string study_id;
  QuestionType stratum = QuestionType::kAbnormality;  // the type it was drawn for
};

// A study's rank in the draw: stable_hash64 of the id under `seed`, salted so that a review
// sample and a golden set drawn with the same seed are not the same studies.
uint64_t review_rank(const std::string& study_id, uint64_t seed);

// Draws studies per question type present among the candidates. Types are served rarest
// first (fewest candidates; ties in type order). With `per_type`, each type takes up to that
// many; otherwise the `n` studies are shared out equally (the remainder one each to the
// rarest types), and a type with too few candidates passes what it could not take to the
// next. Within a type the candidates not drawn yet with the lowest review_rank are taken. The result is in
// review order (review_rank under seed + 1), which mixes the types.
std::vector<DrawnStudy> draw_stratified(const std::vector<SampleCandidate>& candidates, size_t n,
                                        std::optional<size_t> per_type, uint64_t seed);

}  // namespace cxrvqa::review_internal
