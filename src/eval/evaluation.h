// One evaluation run: reads the gold file, the mapping and the predicted KeyInfo JSONL,
// scores them (metrics.h) and renders the result as a readable table or JSON.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/jsonl.h"
#include "common/status.h"
#include "eval/gold.h"
#include "eval/metrics.h"

namespace cxrvqa {

struct EvalRequest {
  std::filesystem::path gold;
  GoldFormat format = GoldFormat::kIuMesh;
  std::filesystem::path pred;
  std::optional<std::filesystem::path> map;  // nullopt: the embedded map for `format`
  // The lexicon whose subtype parents name predicted findings that no map row mentions
  // (nullopt: the embedded lexicon).
  std::optional<std::filesystem::path> lexicon_dir;
  EvalOptions options;
};

struct EvalOutcome {
  GoldFormat format = GoldFormat::kIuMesh;
  EvalReport report;
  GoldReadStats gold_stats;
  std::vector<LineError> gold_errors;  // unusable gold rows (skipped)
  std::vector<LineError> pred_errors;  // unusable prediction lines (skipped)
};

// Fails when a file cannot be opened or the mapping is malformed; bad rows and lines are
// collected in the outcome instead.
Result<EvalOutcome> run_evaluation(const EvalRequest& request);

// A readable report: study counts, per-label table, micro/macro F1, normal, laterality and
// severity accuracy, unmapped names and terms (the first `max_listed` of each), first errors.
std::string format_eval_text(const EvalOutcome& outcome, size_t max_listed = 30);

// The same figures as JSON (all labels and unmapped names, error count and first errors).
Json eval_json(const EvalOutcome& outcome);

}  // namespace cxrvqa
