// The label evaluation stage: reads the gold file, the mapping and the predicted KeyInfo
// JSONL, scores them (metrics.h) and renders the result as a readable table or JSON.
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

// What `cxrvqa eval --pred` reads.
struct LabelEvalOptions {
  std::filesystem::path gold;
  GoldFormat format = GoldFormat::kIuMesh;
  std::filesystem::path pred;
  std::optional<std::filesystem::path> map;  // nullopt: the embedded map for `format`
  // The lexicon whose subtype parents name predicted findings that no map row mentions
  // (nullopt: the embedded lexicon).
  std::optional<std::filesystem::path> lexicon_dir;
  EvalOptions scoring;
};

struct LabelEvalSummary {
  GoldFormat format = GoldFormat::kIuMesh;
  EvalReport report;
  GoldReadStats gold_stats;
  std::vector<LineError> gold_errors;  // unusable gold rows (skipped)
  std::vector<LineError> pred_errors;  // unusable prediction lines (skipped)

  // A readable table: study counts, per-label table, micro/macro F1, normal, laterality and
  // severity accuracy, unmapped names and terms (the first 30 of each), first errors.
  std::string ToString() const;
  // The same figures as JSON (all labels and unmapped names, error count and first errors).
  Json ToJson() const;
};

// Fails when a file cannot be opened or the mapping is malformed; bad rows and lines are
// collected in the summary instead.
Result<LabelEvalSummary> RunLabelEval(const LabelEvalOptions& options);

}  // namespace cxrvqa
