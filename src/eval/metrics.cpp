#include "eval/metrics.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common/text.h"

namespace cxrvqa {

namespace {

struct GradeWord {
  std::string_view word;
  std::string_view grade;
};

constexpr GradeWord kGradeWords[] = {
    {"borderline", "borderline"}, {"minimal", "mild"},     {"trace", "mild"},
    {"tiny", "mild"},             {"slight", "mild"},      {"slightly", "mild"},
    {"small", "mild"},            {"mild", "mild"},        {"mildly", "mild"},
    {"minor", "mild"},            {"moderate", "moderate"}, {"moderately", "moderate"},
    {"severe", "severe"},         {"severely", "severe"},  {"large", "severe"},
    {"marked", "severe"},         {"markedly", "severe"},  {"extensive", "severe"},
    {"massive", "severe"},
};

double ratio(size_t numerator, size_t denominator) {
  return denominator == 0 ? 0.0 : double(numerator) / double(denominator);
}


// A predicted name with the entity it came from (nullptr for an uncertain name).
struct PredName {
  std::string name;
  const Entity* entity = nullptr;
};

std::vector<PredName> predicted_names(const KeyInfo& record, const GoldMap& map,
                                      const EvalOptions& options) {
  std::vector<PredName> names;
  auto add = [&](const std::string& name, const Entity* entity) {
    names.push_back({evaluation_name(to_lower(name), map, options.lexicon), entity});
  };
  for (const auto& entity : record.entity) add(entity.name, &entity);
  if (options.uncertain_as_positive) {
    for (const auto& name : record.uncertain_entity) add(name, nullptr);
  }
  return names;
}

std::optional<Side> predicted_side(const Entity* entity) {
  if (entity == nullptr) return std::nullopt;
  std::string text = entity->attributes.location.value_or("") + " " +
                     entity->attributes.post_location.value_or("");
  return side_from_text(text);
}

bool same_severity(const std::string& gold_level, const Entity* entity) {
  if (entity == nullptr || !entity->attributes.level) return false;
  auto gold = severity_grades(gold_level);
  auto pred = severity_grades(*entity->attributes.level);
  for (const auto& grade : gold) {
    if (std::find(pred.begin(), pred.end(), grade) != pred.end()) return true;
  }
  return false;
}

std::vector<std::pair<std::string, size_t>> sorted_counts(
    const std::unordered_map<std::string, size_t>& counts) {
  std::vector<std::pair<std::string, size_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return sorted;
}

// Scores one study into `report`; unmapped names and terms are tallied in the maps.
class StudyScorer {
 public:
  StudyScorer(const GoldMap& map, const EvalOptions& options, EvalReport& report)
      : map_(map), options_(options), report_(report) {}

  void Score(const GoldStudy& gold, const KeyInfo& pred) {
    MappedGoldStudy mapped = map_gold_study(gold, map_);
    for (const auto& term : mapped.unmapped) unmapped_gold_[term]++;
    report_.ignored_gold_terms += mapped.ignored;
    const std::map<std::string, GoldLabel>& labels = mapped.labels;
    bool gold_normal = mapped.normal;
    std::vector<PredName> names = predicted_names(pred, map_, options_);
    report_.normal.total++;
    if (gold_normal == names.empty()) report_.normal.correct++;

    std::unordered_set<std::string> used;
    for (const auto& [label, gold_label] : labels) {
      const PredName* match = FindMatch(label, names);
      LabelCounts& counts = report_.per_label[label];
      if (match == nullptr) {
        counts.fn++;
        continue;
      }
      counts.tp++;
      used.insert(match->name);
      ScoreAttributes(gold_label, *match);
    }
    std::set<std::string> false_positive_labels;
    for (const auto& pred_name : names) {
      if (used.count(pred_name.name)) continue;
      if (map_.IsLabel(pred_name.name)) {
        if (!labels.count(pred_name.name)) false_positive_labels.insert(pred_name.name);
      } else if (!map_.Mentions(pred_name.name)) {
        unmapped_pred_[pred_name.name]++;
      }
    }
    for (const auto& label : false_positive_labels) report_.per_label[label].fp++;
  }

  std::unordered_map<std::string, size_t> unmapped_pred_, unmapped_gold_;

 private:
  // The predicted name matching `label`: the label's own name first, else any accepted name.
  const PredName* FindMatch(const std::string& label, const std::vector<PredName>& names) const {
    const PredName* accepted = nullptr;
    for (const auto& pred_name : names) {
      if (pred_name.name == label) return &pred_name;
      if (!accepted && map_.Accepts(label, pred_name.name)) accepted = &pred_name;
    }
    return accepted;
  }

  void ScoreAttributes(const GoldLabel& gold_label, const PredName& match) {
    if (auto gold_side = gold_label.side()) {
      report_.laterality.total++;
      if (predicted_side(match.entity) == gold_side) report_.laterality.correct++;
    }
    if (gold_label.level) {
      report_.severity.total++;
      if (same_severity(*gold_label.level, match.entity)) report_.severity.correct++;
    }
  }

  const GoldMap& map_;
  const EvalOptions& options_;
  EvalReport& report_;
};

void summarize(EvalReport& report) {
  double f1_sum = 0;
  for (const auto& [label, counts] : report.per_label) {
    if (counts.support() == 0) continue;
    report.micro.tp += counts.tp;
    report.micro.fp += counts.fp;
    report.micro.fn += counts.fn;
    f1_sum += counts.f1();
    report.macro_labels++;
  }
  report.macro_f1 = report.macro_labels == 0 ? 0.0 : f1_sum / double(report.macro_labels);
}

}  // namespace

std::optional<Side> GoldLabel::side() const {
  if (sides.empty()) return std::nullopt;
  if (sides.size() > 1 || sides.count(Side::kBilateral)) return Side::kBilateral;
  return *sides.begin();
}

MappedGoldStudy map_gold_study(const GoldStudy& study, const GoldMap& map) {
  MappedGoldStudy mapped;
  bool all_ignored = true;
  for (const auto& term : study.terms) {
    auto resolved = map.Resolve(term.term);
    if (!resolved) {
      mapped.unmapped.push_back(term.term);
      all_ignored = false;
      continue;
    }
    if (resolved->ignored) {
      mapped.ignored++;
      continue;
    }
    all_ignored = false;
    GoldLabel& label = mapped.labels[resolved->label];
    if (term.side) label.sides.insert(*term.side);
    if (!label.level && term.level && !severity_grades(*term.level).empty()) label.level = term.level;
    label.qualifiers.insert(label.qualifiers.end(), term.qualifiers.begin(), term.qualifiers.end());
  }
  mapped.normal = study.normal || (!study.terms.empty() && all_ignored);
  return mapped;
}

std::string evaluation_name(std::string_view name, const GoldMap& map, const Lexicon* lexicon) {
  if (lexicon != nullptr && !map.Mentions(name)) {
    if (const Finding* finding = lexicon->FindByName(name)) return lexicon->EvaluationName(*finding);
  }
  return std::string(name);
}

double LabelCounts::precision() const { return ratio(tp, tp + fp); }
double LabelCounts::recall() const { return ratio(tp, tp + fn); }
double LabelCounts::f1() const { return ratio(2 * tp, 2 * tp + fp + fn); }

std::vector<std::string> severity_grades(std::string_view level) {
  std::vector<std::string> grades;
  std::string lower = to_lower(level);
  for (char& c : lower) {
    if (c == '-' || c == ',' || c == '/') c = ' ';
  }
  for (const auto& word : split_trimmed(lower, ' ')) {
    for (const auto& graded : kGradeWords) {
      if (word == graded.word &&
          std::find(grades.begin(), grades.end(), graded.grade) == grades.end()) {
        grades.emplace_back(graded.grade);
      }
    }
  }
  return grades;
}

EvalReport evaluate(const std::vector<GoldStudy>& gold, const std::vector<KeyInfo>& pred,
                    const GoldMap& map, const EvalOptions& options) {
  EvalReport report;
  report.gold_studies = gold.size();
  report.pred_studies = pred.size();
  std::unordered_map<std::string, const KeyInfo*> pred_by_id;
  for (const auto& record : pred) {
    if (!pred_by_id.try_emplace(normalize_study_id(record.meta.study_id), &record).second) {
      report.pred_duplicates++;
    }
  }
  report.pred_studies = pred_by_id.size();

  StudyScorer scorer(map, options, report);
  for (const auto& study : gold) {
    auto it = pred_by_id.find(study.study_id);
    if (it == pred_by_id.end()) {
      report.gold_only++;
      continue;
    }
    report.scored_studies++;
    scorer.Score(study, *it->second);
  }
  report.pred_only = report.pred_studies - report.scored_studies;
  report.unmapped_pred = sorted_counts(scorer.unmapped_pred_);
  report.unmapped_gold = sorted_counts(scorer.unmapped_gold_);
  summarize(report);
  return report;
}

}  // namespace cxrvqa
