// The selected report text (src/sections) of chosen studies of a corpus, as sent to an LLM
// or written into fine-tuning data.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "corpus/report.h"

namespace cxrvqa {

struct CorpusSource {
  CorpusKind kind = CorpusKind::kMimic;
  std::filesystem::path reports;                  // tree root or CSV/JSONL file
  std::optional<std::filesystem::path> metadata;  // mimic_all.csv (MIMIC only)
};

struct ReportTexts {
  std::unordered_map<std::string, std::string> by_study;  // study_id -> selected text
  std::vector<std::string> order;                         // study ids in corpus order
  std::vector<CorpusIssue> issues;                        // problems met while reading
};

// Reads the corpus once and keeps the selected text of the studies in `wanted` (all studies
// when `wanted` is null). A study seen twice keeps its first report and the repeat is an
// issue. Fails only when the corpus cannot be opened or reading stops on an I/O error.
Result<ReportTexts> read_report_texts(const CorpusSource& source,
                                      const std::unordered_set<std::string>* wanted);

// Study ids of a corpus with a non-blank selected text, in corpus order (each once).
Result<std::vector<std::string>> read_study_ids(const CorpusSource& source,
                                                std::vector<CorpusIssue>& issues);

}  // namespace cxrvqa
