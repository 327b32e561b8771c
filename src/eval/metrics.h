// Scoring a KeyInfo prediction file against gold studies through a GoldMap.
//
// Per study and label (a finding named by the map's first official name):
//   gold positive  some gold term of the study resolves to the label;
//   pred positive  for a gold-positive label: some predicted name is accepted for it;
//                  otherwise: the label itself is predicted and not used to match another
//                  gold-positive label of the study (accepted alternatives never make a
//                  false positive).
// Predicted names are the positive entity names (as evaluation_name gives them);
// uncertain_entity names are added only with `uncertain_as_positive`. TP/FP/FN per label. Micro and macro F1 are over the labels
// that occur in the gold (support > 0): micro from the summed counts, macro the mean of
// per-label F1. Labels only predicted are listed with their false positives but not averaged.
// Normal-vs-abnormal: gold normal as the reader says; predicted normal = no predicted name.
// Laterality (on matched labels whose gold terms carry a side): the side of the location
// of the predicted entity that matched (side_from_text), compared with the gold side
// (left + right on one label = bilateral). No predicted side counts as wrong.
// Severity (on matched labels whose gold terms carry a level): both levels go through the
// severity grades (severity_grades); right when the predicted level has the gold grade among
// its grades, wrong otherwise (no predicted level included).
// Only studies in both gold and prediction are scored.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "eval/gold.h"
#include "eval/gold_map.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"

namespace cxrvqa {

struct EvalOptions {
  bool uncertain_as_positive = false;
  // When set, a predicted name that no map row mentions counts as its parent finding
  // (Finding::parent: "hiatal hernia" as "hernia"); not owned, must outlive the call.
  const Lexicon* lexicon = nullptr;
};

// What the gold says about one label of one study.
struct GoldLabel {
  std::set<Side> sides;                 // from the terms' qualifiers or locations
  std::optional<std::string> level;     // the first severity word that severity_grades grades
  std::vector<std::string> qualifiers;  // the words of its terms' qualifiers (GoldTerm)
  // Left and right (or any bilateral term) make bilateral; nullopt when no term has a side.
  std::optional<Side> side() const;
};

// One gold study read through a map.
struct MappedGoldStudy {
  std::map<std::string, GoldLabel> labels;  // label -> what the gold says of it
  // The gold says the study has no abnormality, or names only ignored terms.
  bool normal = false;
  std::vector<std::string> unmapped;  // terms in no map row (not scored)
  size_t ignored = 0;                 // terms the map deliberately ignores
};
MappedGoldStudy map_gold_study(const GoldStudy& study, const GoldMap& map);

// The name a predicted finding is scored as: its own, or its parent when no map row
// mentions it and `lexicon` gives one.
std::string evaluation_name(std::string_view name, const GoldMap& map, const Lexicon* lexicon);

struct LabelCounts {
  size_t tp = 0, fp = 0, fn = 0;
  size_t support() const { return tp + fn; }
  double precision() const;  // 0 when nothing predicted
  double recall() const;     // 0 when no support
  double f1() const;
};

struct Accuracy {
  size_t correct = 0, total = 0;
  double value() const { return total == 0 ? 0.0 : double(correct) / double(total); }
};

struct EvalReport {
  size_t gold_studies = 0;
  size_t pred_studies = 0;
  size_t scored_studies = 0;
  size_t gold_only = 0;   // gold studies with no prediction
  size_t pred_only = 0;   // predictions with no gold study
  size_t pred_duplicates = 0;  // later prediction records of a study already seen (ignored)
  std::map<std::string, LabelCounts> per_label;  // every label seen in gold or prediction
  LabelCounts micro;
  double macro_f1 = 0;
  size_t macro_labels = 0;  // labels with gold support that macro F1 averages over
  Accuracy normal;
  Accuracy laterality;
  Accuracy severity;
  // Counts over scored studies, most frequent first (ties by name).
  std::vector<std::pair<std::string, size_t>> unmapped_pred;  // names in no map row
  std::vector<std::pair<std::string, size_t>> unmapped_gold;  // terms in no map row
  size_t ignored_gold_terms = 0;                               // terms mapped to nothing
};

// Grades of a severity word or phrase, each "borderline", "mild", "moderate" or "severe":
// minimal/trace/tiny/slight/small/mild -> mild; large/marked/extensive/massive -> severe.
// A phrase has the grades of its words ("mild to moderate" -> mild, moderate); none when
// no word is graded.
std::vector<std::string> severity_grades(std::string_view level);

EvalReport evaluate(const std::vector<GoldStudy>& gold, const std::vector<KeyInfo>& pred,
                    const GoldMap& map, const EvalOptions& options);

}  // namespace cxrvqa
