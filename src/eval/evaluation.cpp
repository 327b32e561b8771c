#include "eval/evaluation.h"

#include <fmt/format.h>

#include <algorithm>

#include "eval/gold_map.h"
#include "keyinfo/keyinfo.h"

namespace cxrvqa {

namespace {

constexpr size_t kErrorsShown = 5;

std::string percent(double value) { return fmt::format("{:.3f}", value); }

std::string accuracy_text(const Accuracy& accuracy) {
  if (accuracy.total == 0) return "n/a (nothing to score)";
  return fmt::format("{} ({}/{})", percent(accuracy.value()), accuracy.correct, accuracy.total);
}

Json accuracy_json(const Accuracy& accuracy) {
  return Json{{"correct", accuracy.correct}, {"total", accuracy.total}, {"accuracy", accuracy.value()}};
}

Json counts_json(const LabelCounts& counts) {
  return Json{{"tp", counts.tp},
              {"fp", counts.fp},
              {"fn", counts.fn},
              {"support", counts.support()},
              {"precision", counts.precision()},
              {"recall", counts.recall()},
              {"f1", counts.f1()}};
}

Json named_counts_json(const std::vector<std::pair<std::string, size_t>>& counts) {
  Json object = Json::object();
  for (const auto& [name, count] : counts) object[name] = count;
  return object;
}

Json errors_json(const std::vector<LineError>& errors) {
  Json first = Json::array();
  for (size_t i = 0; i < std::min(errors.size(), kErrorsShown); ++i) first.push_back(errors[i].ToString());
  return Json{{"count", errors.size()}, {"first", first}};
}

void append_named_counts(std::string& out, const std::string& title,
                         const std::vector<std::pair<std::string, size_t>>& counts, size_t max_listed) {
  out += fmt::format("{}: {}\n", title, counts.empty() ? "none" : std::to_string(counts.size()));
  for (size_t i = 0; i < std::min(counts.size(), max_listed); ++i) {
    out += fmt::format("  {:>6}  {}\n", counts[i].second, counts[i].first);
  }
  if (counts.size() > max_listed) out += fmt::format("  ... {} more\n", counts.size() - max_listed);
}

void append_errors(std::string& out, const std::string& what, const std::vector<LineError>& errors) {
  if (errors.empty()) return;
  out += fmt::format("{} unusable {} (skipped), first:\n", errors.size(), what);
  for (size_t i = 0; i < std::min(errors.size(), kErrorsShown); ++i) {
    out += "  " + errors[i].ToString() + "\n";
  }
}

// Labels with gold support first (by support, then name), then labels only predicted.
std::vector<std::pair<std::string, LabelCounts>> table_order(const EvalReport& report) {
  std::vector<std::pair<std::string, LabelCounts>> rows(report.per_label.begin(), report.per_label.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.support() > b.second.support();
  });
  return rows;
}

}  // namespace

Result<LabelEvalSummary> RunLabelEval(const LabelEvalOptions& request) {
  LabelEvalSummary outcome;
  outcome.format = request.format;
  CXRVQA_ASSIGN_OR_RETURN(auto map, GoldMap::Load(request.format, request.map));
  CXRVQA_ASSIGN_OR_RETURN(auto gold, read_gold(request.format, request.gold, outcome.gold_errors, &outcome.gold_stats));
  CXRVQA_ASSIGN_OR_RETURN(auto pred, read_keyinfo_jsonl(request.pred, outcome.pred_errors));
  CXRVQA_ASSIGN_OR_RETURN(auto lexicon, Lexicon::Load(request.lexicon_dir));
  EvalOptions options = request.scoring;
  options.lexicon = lexicon.get();
  outcome.report = evaluate(gold, pred, map, options);
  return outcome;
}

std::string LabelEvalSummary::ToString() const {
  constexpr size_t max_listed = 30;
  const LabelEvalSummary& outcome = *this;
  const EvalReport& r = outcome.report;
  std::string out;
  out += fmt::format("gold format {}: {} studies ({} rows, {} without annotation, {} duplicate ids)\n",
                     gold_format_name(outcome.format), r.gold_studies, outcome.gold_stats.rows,
                     outcome.gold_stats.unannotated, outcome.gold_stats.duplicates);
  out += fmt::format("predictions: {} studies ({} duplicate ids ignored)\n", r.pred_studies, r.pred_duplicates);
  out += fmt::format("scored: {} studies; missing from predictions: {}; missing from gold: {}\n\n",
                     r.scored_studies, r.gold_only, r.pred_only);
  out += fmt::format("{:<40} {:>6} {:>6} {:>6} {:>8} {:>6} {:>6} {:>6}\n", "finding", "P", "R", "F1",
                     "support", "TP", "FP", "FN");
  for (const auto& [label, c] : table_order(r)) {
    out += fmt::format("{:<40} {:>6} {:>6} {:>6} {:>8} {:>6} {:>6} {:>6}\n", label, percent(c.precision()),
                       percent(c.recall()), percent(c.f1()), c.support(), c.tp, c.fp, c.fn);
  }
  out += fmt::format("\nmicro  P {}  R {}  F1 {}  (TP {}, FP {}, FN {})\n", percent(r.micro.precision()),
                     percent(r.micro.recall()), percent(r.micro.f1()), r.micro.tp, r.micro.fp, r.micro.fn);
  out += fmt::format("macro  F1 {}  over {} findings with gold support\n", percent(r.macro_f1), r.macro_labels);
  out += "normal-vs-abnormal accuracy: " + accuracy_text(r.normal) + "\n";
  if (outcome.format != GoldFormat::kOpenI14) {
    out += "laterality accuracy (matched findings): " + accuracy_text(r.laterality) + "\n";
    out += "severity accuracy (matched findings):   " + accuracy_text(r.severity) + "\n";
  }
  out += fmt::format("gold terms ignored by the map (devices, no indexing, ...): {}\n\n", r.ignored_gold_terms);
  append_named_counts(out, "unmapped predicted names (in no map row, not scored)", r.unmapped_pred, max_listed);
  append_named_counts(out, "unmapped gold terms (in no map row, not scored)", r.unmapped_gold, max_listed);
  append_errors(out, "gold rows", outcome.gold_errors);
  append_errors(out, "prediction lines", outcome.pred_errors);
  return out;
}

Json LabelEvalSummary::ToJson() const {
  const LabelEvalSummary& outcome = *this;
  const EvalReport& r = outcome.report;
  Json per_label = Json::object();
  for (const auto& [label, counts] : table_order(r)) per_label[label] = counts_json(counts);
  Json micro = counts_json(r.micro);
  return Json{
      {"gold_format", gold_format_name(outcome.format)},
      {"studies",
       {{"gold", r.gold_studies},
        {"gold_rows", outcome.gold_stats.rows},
        {"gold_unannotated", outcome.gold_stats.unannotated},
        {"gold_duplicates", outcome.gold_stats.duplicates},
        {"pred", r.pred_studies},
        {"pred_duplicates", r.pred_duplicates},
        {"scored", r.scored_studies},
        {"missing_from_pred", r.gold_only},
        {"missing_from_gold", r.pred_only}}},
      {"per_finding", per_label},
      {"micro", micro},
      {"macro_f1", r.macro_f1},
      {"macro_findings", r.macro_labels},
      {"normal", accuracy_json(r.normal)},
      {"laterality", accuracy_json(r.laterality)},
      {"severity", accuracy_json(r.severity)},
      {"ignored_gold_terms", r.ignored_gold_terms},
      {"unmapped_pred", named_counts_json(r.unmapped_pred)},
      {"unmapped_gold", named_counts_json(r.unmapped_gold)},
      {"gold_errors", errors_json(outcome.gold_errors)},
      {"pred_errors", errors_json(outcome.pred_errors)},
  };
}

}  // namespace cxrvqa
